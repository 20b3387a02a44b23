import Testing
@testable import MTAScanCore

/// `mtascan report`'s tables, each against counts worked out by hand from
/// records in the documented shape.
@Suite struct ReportAggregatorTests {
    /// Phase tlsrpt: rua endpoints, unreachable ones by reason; records without
    /// the phase (`endpoints` null or missing) are not in the population.
    @Test func reportEndpointsAreCountedByReason() throws {
        let lines = [
            #"{"domain":"a.example","verdict":"valid","phases":["dns","policy","mx","tlsrpt"],"findings":[],"sts_record":{"status":"valid"},"tlsrpt":{"status":"valid","endpoints":[{"uri":"mailto:x@gone.example","scheme":"mailto","status":"unreachable","reason":"nxdomain"},{"uri":"https://r.example/","scheme":"https","status":"reachable","reason":null}]}}"#,
            #"{"domain":"b.example","verdict":"valid","phases":["dns","policy","mx","tlsrpt"],"findings":[],"sts_record":{"status":"valid"},"tlsrpt":{"status":"valid","endpoints":[{"uri":"https://s.example/","scheme":"https","status":"unreachable","reason":"tls"},{"uri":"https://t.example/","scheme":"https","status":"unreachable","reason":"tls"},{"uri":"mailto:y@u.example","scheme":"mailto","status":"unknown","reason":"dns-failure"}]}}"#,
            #"{"domain":"c.example","verdict":"no-mta-sts","phases":["dns","tlsrpt"],"findings":[],"sts_record":{"status":"absent"},"tlsrpt":{"status":"absent","endpoints":[]}}"#,
            #"{"domain":"d.example","verdict":"no-mta-sts","findings":[],"sts_record":{"status":"absent"},"tlsrpt":{"status":"absent","endpoints":null}}"#,
            #"{"domain":"e.example","verdict":"no-mta-sts","findings":[],"sts_record":{"status":"absent"},"tlsrpt":{"status":"absent"}}"#,
        ]
        let report = try aggregate(lines.joined(separator: "\n") + "\n").report(inputs: ["a.ndjson"])
        let table = try #require(report.table("tlsrpt_endpoints"))
        #expect(table.rows.first?.key == "reachable")
        #expect(table.count("reachable", "endpoints") == 1)
        #expect(table.count("reachable", "https") == 1)
        #expect(table.count("nxdomain", "endpoints") == 1)
        #expect(table.count("nxdomain", "mailto") == 1)
        #expect(table.count("tls", "endpoints") == 2)
        #expect(table.count("tls", "domains") == 1)
        #expect(table.count("unknown", "endpoints") == 1)
        #expect(table.count("null-mx", "endpoints") == 0)
        #expect(table.count("any-unreachable", "domains") == 2)
        #expect(table.value("any-unreachable", "domains_percent") == .share(2, of: 3))
    }

    @Test func overviewAndVerdictsCountInputErrorsExcludedAndMalformedLinesApart() throws {
        let records = [
            FixtureRecord(domain: "none.example"),
            FixtureRecord(domain: "none2.example", tlsrptStatus: "valid"),
            .mtaSTS("ok.example"),
            .mtaSTS("bad.example", verdict: "misconfigured", findings: [fixtureFinding("sts-record-missing-id")], sts: "invalid"),
            FixtureRecord(domain: "lost.example", verdict: "unknown", stsStatus: nil, tlsrptStatus: nil,
                          findings: [fixtureFinding("dns-servfail", ["name": "_mta-sts.lost.example", "type": "TXT"])]),
            FixtureRecord(domain: "bad..name", inputError: true),
            FixtureRecord(domain: "skip.example", excluded: true),
        ]
        let text = ndjson(records) + "\n{\"domain\":\"cut.exa" + "\n[1,2]\n"
        let report = try aggregate(text).report(inputs: ["a.ndjson"])
        let overview = try #require(report.table("overview"))
        #expect(overview.count("records", "count") == 7)
        #expect(overview.count("input_errors", "count") == 1)
        #expect(overview.count("excluded", "count") == 1)
        #expect(overview.count("scanned", "count") == 5)
        #expect(overview.count("mta_sts", "count") == 2)
        #expect(overview.count("malformed_lines", "count") == 2)

        let verdicts = try #require(report.table("verdicts"))
        #expect(verdicts.rows.map(\.key) == ["no-mta-sts", "valid", "misconfigured", "unknown"])
        #expect(verdicts.count("no-mta-sts", "domains") == 2)
        #expect(verdicts.value("no-mta-sts", "percent") == .percent(40))
        #expect(verdicts.count("valid", "domains") == 1)
        #expect(verdicts.count("unknown", "domains") == 1)
        // Of the two domains with a record, one valid, one misconfigured; the unknown one has none.
        #expect(verdicts.value("valid", "percent_mta_sts") == .percent(50))
        #expect(verdicts.count("unknown", "mta_sts") == 0)

        let tlsrpt = try #require(report.table("tlsrpt"))
        #expect(tlsrpt.count("valid", "mta_sts") == 2)
        #expect(tlsrpt.count("valid", "all") == 3)
        #expect(tlsrpt.count("absent", "all") == 1)
        #expect(tlsrpt.count("unknown", "all") == 1)
        #expect(tlsrpt.value("valid", "all_percent") == .percent(60))

        let codes = try #require(report.table("finding_codes"))
        #expect(codes.count("sts-record-missing-id", "domains") == 1)
        #expect(codes.count("dns-servfail", "errors") == 1)
        #expect(codes.value("dns-servfail", "component") == .text("dns"))
    }

    @Test func misconfigurationComponentsAreNotExclusiveAndCountErrorsOnly() throws {
        let records: [FixtureRecord] = [
            .mtaSTS("a.example", verdict: "misconfigured", findings: [
                fixtureFinding("policy-tls", ["reason": "expired"]), fixtureFinding("mx-tls", ["reason": "self-signed"]),
                fixtureFinding("mx-pkix-invalid-all"), fixtureFinding("delivery-failure-risk"),
            ]),
            .mtaSTS("b.example", verdict: "misconfigured", findings: [
                fixtureFinding("mx-pattern-mismatch", ["kind": "typo", "scope": "all", "mx_host": "mx.b.example"]),
                fixtureFinding("policy-max-age-short", severity: "warning", ["max_age": 60]),
            ]),
            .mtaSTS("c.example", findings: [fixtureFinding("policy-duplicate-key", severity: "warning")]),
        ]
        let table = try #require(try aggregate(ndjson(records)).report(inputs: []).table("misconfiguration"))
        #expect(table.count("misconfigured", "domains") == 2)
        #expect(table.count("policy", "domains") == 1)  // b's policy finding is a warning
        #expect(table.count("mx", "domains") == 1)
        #expect(table.count("consistency", "domains") == 1)
        #expect(table.count("risk", "domains") == 1)
        #expect(table.count("sts-record", "domains") == 0)
        #expect(table.value("mx", "percent") == .percent(50))
    }

    @Test func policyErrorsSplitBySelfManagedAndThirdPartyHosts() throws {
        // Threshold 3: hoster.example's CNAME target serves 3 domains (third-party),
        // 192.0.2.9 serves 2 (self-managed), provider.example is named (third-party).
        let hoster = "policy.hoster.example"
        let records: [FixtureRecord] = [
            .mtaSTS("h1.example", verdict: "misconfigured", findings: [fixtureFinding("policy-tls", ["reason": "name-mismatch"])], cname: hoster),
            .mtaSTS("h2.example", verdict: "misconfigured", findings: [fixtureFinding("policy-tls", ["reason": "expired"])], cname: hoster),
            .mtaSTS("h3.example", cname: hoster),
            .mtaSTS("s1.example", verdict: "misconfigured", findings: [fixtureFinding("policy-tls", ["reason": "name-mismatch"])], addresses: ["192.0.2.9"]),
            .mtaSTS("s2.example", verdict: "misconfigured", findings: [
                fixtureFinding("policy-syntax", ["rule": "bad-mx-pattern", "problem": "trailing-dot"]),
                fixtureFinding("policy-syntax", ["rule": "missing-max-age"]),
                fixtureFinding("policy-syntax", severity: "warning", ["rule": "blank-line"]),
            ], addresses: ["192.0.2.9"]),
            .mtaSTS("p1.example", verdict: "misconfigured", findings: [fixtureFinding("policy-http", ["reason": "status", "status": 404])],
                    cname: "p1.provider.example", provider: "Provider"),
            .mtaSTS("d1.example", verdict: "misconfigured", findings: [fixtureFinding("policy-dns", ["reason": "nxdomain"])], addresses: []),
        ]
        let report = try aggregate(ndjson(records), options: .init(thirdPartyThreshold: 3)).report(inputs: [])
        let table = try #require(report.table("policy_errors"))
        #expect(table.count("any", "domains") == 6)
        #expect(table.count("any", "third_party") == 3)
        #expect(table.count("any", "self_managed") == 3)
        #expect(table.count("policy-tls", "domains") == 3)
        #expect(table.count("policy-tls", "third_party") == 2)
        #expect(table.count("policy-tls/name-mismatch", "third_party") == 1)
        #expect(table.count("policy-tls/name-mismatch", "self_managed") == 1)
        #expect(table.count("policy-tls/expired", "third_party") == 1)
        #expect(table.count("policy-syntax", "self_managed") == 1)  // one domain, however many rules
        #expect(table.count("policy-syntax/bad-mx-pattern", "self_managed") == 1)
        #expect(table.count("policy-syntax/missing-max-age", "self_managed") == 1)
        #expect(table.row("policy-syntax/blank-line") == nil)  // a warning
        #expect(table.count("policy-http/status", "third_party") == 1)
        #expect(table.count("policy-dns/nxdomain", "self_managed") == 1)  // no CNAME, no address: nobody else's
        // Breakdown rows follow their layer, most frequent first.
        let keys = table.rows.map(\.key)
        #expect(keys.firstIndex(of: "policy-tls/name-mismatch")! < keys.firstIndex(of: "policy-tls/expired")!)
        #expect(keys.firstIndex(of: "policy-tls")! < keys.firstIndex(of: "policy-tls/expired")!)

        // With the default threshold only the named provider is third-party.
        let strict = try #require(try aggregate(ndjson(records)).report(inputs: []).table("policy_errors"))
        #expect(strict.count("any", "third_party") == 1)
        let hosts = try #require(report.table("hosts"))
        #expect(hosts.count("policy_hosts", "hosts") == 3)  // hoster, 192.0.2.9, p1.provider; d1 has no key
        #expect(hosts.count("policy_hosts", "third_party") == 2)
    }

    @Test func pkixInvalidMXIsAttributedToTheMostPreferredFailingHost() throws {
        let shared = FixtureRecord.MX(host: "mx.shared.example", pkixValid: false)
        var records: [FixtureRecord] = (1...3).map { i in
            .mtaSTS("s\(i).example", verdict: "misconfigured", findings: [fixtureFinding("mx-pkix-invalid-all")], mx: [shared])
        }
        records.append(.mtaSTS("own.example", verdict: "misconfigured", findings: [fixtureFinding("mx-pkix-invalid-some")],
                               mx: [.init(host: "MX1.own.example", pkixValid: true), .init(host: "mx2.own.example", pkixValid: false), shared]))
        records.append(.mtaSTS("g.example", verdict: "misconfigured", findings: [fixtureFinding("mx-pkix-invalid-some")],
                               mx: [.init(host: "aspmx.provider.example", provider: "Provider", pkixValid: false), .init(host: "mx.g.example", pkixValid: false)]))
        // Today's shape: no pkix_valid yet, so the first MX host carries the failure.
        var legacy = FixtureRecord.mtaSTS("old.example", verdict: "misconfigured", findings: [fixtureFinding("mx-pkix-invalid-all")],
                                          mx: [.init(host: "mx.shared.example"), .init(host: "mx2.old.example")])
        legacy.legacy = true
        records.append(legacy)

        let report = try aggregate(ndjson(records), options: .init(thirdPartyThreshold: 5)).report(inputs: [])
        let table = try #require(report.table("mx_pkix_invalid"))
        // mx.shared.example is an MX of s1–s3, own and old: 5 domains, third-party.
        #expect(table.count("mx-pkix-invalid-all", "domains") == 4)
        #expect(table.count("mx-pkix-invalid-all", "third_party") == 4)
        // own.example → mx2.own.example (self-managed); g.example → the provider's host.
        #expect(table.count("mx-pkix-invalid-some", "self_managed") == 1)
        #expect(table.count("mx-pkix-invalid-some", "third_party") == 1)
        let hosts = try #require(report.table("hosts"))
        #expect(hosts.count("mx_hosts", "hosts") == 6)
        #expect(hosts.count("mx_hosts", "third_party") == 2)
    }

    @Test func mismatchKindsScopesRiskModesAndProviders() throws {
        let records: [FixtureRecord] = [
            .mtaSTS("a.example", verdict: "misconfigured", findings: [
                fixtureFinding("mx-pattern-mismatch", ["kind": "typo", "scope": "some"]),
                fixtureFinding("mx-pattern-mismatch", ["kind": "tld", "scope": "some"]),
                fixtureFinding("mx-pattern-mismatch", ["kind": "typo", "scope": "some"]),
                fixtureFinding("delivery-degraded"),
            ], cname: "a.policyhost.example", provider: "PolicyCo"),
            .mtaSTS("b.example", verdict: "misconfigured", mode: "testing", findings: [
                fixtureFinding("mx-pattern-mismatch", ["kind": "complete", "scope": "all"]),
                fixtureFinding("delivery-failure-risk"),
            ], cname: "b.policyhost.example", provider: "PolicyCo"),
            .mtaSTS("c.example", mode: nil, cname: "c.other.example"),
            .mtaSTS("d.example", mode: "none"),
        ]
        let options = ReportAggregator.Options(top: 1)
        let report = try aggregate(ndjson(records), options: options).report(inputs: [])
        let mismatch = try #require(report.table("mx_pattern_mismatch"))
        #expect(mismatch.count("any", "domains") == 2)
        #expect(mismatch.count("any", "all") == 1)
        #expect(mismatch.count("any", "some") == 1)
        #expect(mismatch.count("typo", "domains") == 1)  // once per domain
        #expect(mismatch.count("typo", "some") == 1)
        #expect(mismatch.count("tld", "domains") == 1)
        #expect(mismatch.count("complete", "all") == 1)
        #expect(mismatch.rows.map(\.key) == ["any", "mta-sts-label", "extra-label", "tld", "typo", "complete"])

        let risk = try #require(report.table("risk"))
        #expect(risk.count("delivery-degraded", "enforce") == 1)
        #expect(risk.count("delivery-failure-risk", "testing") == 1)
        #expect(risk.count("delivery-failure-risk", "domains") == 1)

        let modes = try #require(report.table("modes"))
        #expect(modes.count("enforce", "domains") == 1)
        #expect(modes.count("testing", "misconfigured") == 1)
        #expect(modes.count("none", "valid") == 1)
        #expect(modes.count("no-policy", "domains") == 1)
        #expect(modes.value("enforce", "percent") == .percent(25))

        let providers = try #require(report.table("policy_providers"))
        #expect(providers.rows.map(\.key) == ["PolicyCo", "_none"])
        #expect(providers.count("PolicyCo", "domains") == 2)
        #expect(providers.count("_none", "domains") == 2)

        // Without a PSL the targets are grouped by full name; top 1, then "other".
        let targets = try #require(report.table("policy_cname_targets"))
        #expect(targets.rows.map(\.key) == ["a.policyhost.example", "_other", "_no_cname"])
        #expect(targets.count("_other", "domains") == 2)
        #expect(targets.count("_no_cname", "domains") == 1)
    }

    @Test func cnameTargetsGroupByRegistrableDomainWithAPublicSuffixList() throws {
        let psl = try PublicSuffixList(listText: Array("com\nco.uk\n".utf8))
        let records: [FixtureRecord] = [
            .mtaSTS("a.example", cname: "a.mta-sts.hoster.co.uk"), .mtaSTS("b.example", cname: "B.hoster.co.uk"),
            .mtaSTS("c.example", cname: "x.other.com"),
        ]
        let report = try aggregate(ndjson(records), options: .init(publicSuffixList: psl)).report(inputs: [])
        let targets = try #require(report.table("policy_cname_targets"))
        #expect(targets.count("hoster.co.uk", "domains") == 2)
        #expect(targets.count("other.com", "domains") == 1)
        #expect(report.facts["cname_grouping"] == "registrable-domain")
    }

    @Test func recordsWithMissingKeysCountAsNulls() throws {
        let text = """
            {"domain":"bare.example","verdict":"valid","findings":[{"code":"policy-tls","reason":"expired"}],"sts_record":{"status":"valid"}}
            {"domain":"odd.example","verdict":"valid","findings":[],"sts_record":null,"mx":{"hosts":[{"host":""},{"preference":5}]}}
            {"domain":"future.example","verdict":"shiny","findings":[{"code":"brand-new-code","severity":"warning","component":"future"}]}
            {"domain":"wrong.example","verdict":"valid","findings":"not-a-list"}

            """
        let report = try aggregate(text).report(inputs: [])
        #expect(report.table("overview")?.count("scanned", "count") == 3)
        // Missing keys are nulls, but a key of the wrong type is no scan record.
        #expect(report.table("overview")?.count("malformed_lines", "count") == 1)
        #expect(report.table("verdicts")?.count("shiny", "domains") == 1)
        // A finding without severity takes its code's default; without component, its code's.
        #expect(report.table("policy_errors")?.count("policy-tls/expired", "self_managed") == 1)
        #expect(report.table("finding_codes")?.count("brand-new-code", "warnings") == 1)
        #expect(report.table("finding_codes")?.rows.last?.key == "brand-new-code")
    }

    @Test func verySmallChunksAndCRLFGiveTheSameReport() throws {
        let records: [FixtureRecord] = [
            .mtaSTS("a.example", verdict: "misconfigured", findings: [fixtureFinding("policy-tcp", ["reason": "refused"])]),
            FixtureRecord(domain: "b.example"),
        ]
        let lf = try aggregate(ndjson(records), chunkSize: 1 << 16).report(inputs: [])
        let crlf = try aggregate(records.map { $0.line + "\r\n" }.joined(), chunkSize: 3).report(inputs: [])
        #expect(lf == crlf)
        #expect(lf.table("policy_errors")?.count("policy-tcp/refused", "domains") == 1)
    }

    @Test func aLineOverTheLimitIsMalformedAndReadingGoesOn() throws {
        let short = #"{"domain":"b.example","findings":[]}"#
        var reader = ScanRecordReader(source: MemoryByteSource(Array("{\"domain\":\"\(String(repeating: "a", count: 200))\"}\n\(short)\n".utf8)),
                                      chunkSize: 64, maxLineLength: 100)
        guard case .malformed(let line, _)? = try reader.next() else { Issue.record("expected a malformed line"); return }
        #expect(line == 1)
        guard case .record(let value, let second)? = try reader.next() else { Issue.record("expected a record"); return }
        #expect(second == 2)
        #expect(value["domain"] == "b.example")
        #expect(try reader.next() == nil)
    }
}
