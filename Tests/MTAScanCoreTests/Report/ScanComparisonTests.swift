import Testing
@testable import MTAScanCore

/// `report --compare`: every kind of change, the codes gained and lost, and the
/// transition table, on two small scans.
@Suite struct ScanComparisonTests {
    static let tlsExpired = fixtureFinding("policy-tls", ["reason": "expired"])
    static let missingID = fixtureFinding("sts-record-missing-id")
    static let badRUA = fixtureFinding("tlsrpt-bad-rua", severity: "warning")

    static let old: [FixtureRecord] = [
        .mtaSTS("fixed.example", verdict: "misconfigured", findings: [tlsExpired]),
        .mtaSTS("broke.example"),
        FixtureRecord(domain: "adopted.example"),
        .mtaSTS("dropped.example", verdict: "misconfigured", findings: [missingID], sts: "invalid"),
        .mtaSTS("same.example"),
        .mtaSTS("codes.example", findings: [badRUA]),
        FixtureRecord(domain: "flaky.example", verdict: "unknown", stsStatus: nil),
        FixtureRecord(domain: "gone.example", findings: [badRUA]),
        FixtureRecord(domain: "Twice.example"),
        FixtureRecord(domain: "twice.example", tlsrptStatus: "valid"),
        FixtureRecord(domain: "bad..name", inputError: true),
    ]
    static let new: [FixtureRecord] = [
        .mtaSTS("fixed.example"),
        .mtaSTS("broke.example", verdict: "misconfigured", findings: [tlsExpired]),
        .mtaSTS("adopted.example", verdict: "misconfigured", findings: [missingID], sts: "invalid"),
        FixtureRecord(domain: "dropped.example"),
        .mtaSTS("same.example"),
        .mtaSTS("codes.example"),
        .mtaSTS("flaky.example"),
        FixtureRecord(domain: "new.example"),
        FixtureRecord(domain: "twice.example"),
        FixtureRecord(domain: "twice.example"),
        FixtureRecord(domain: "skipped.example", excluded: true),
    ]

    static func compare() -> (ScanComparison, [ScanComparison.DomainChange]) {
        ScanComparison.run(old: old.map(\.json), new: new.map(\.json))
    }

    @Test func eachDomainGetsOneChange() throws {
        let (comparison, changes) = Self.compare()
        let byDomain = Dictionary(changes.map { ($0.domain, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byDomain["fixed.example"]?.change == .fixed)
        #expect(byDomain["fixed.example"]?.codesLost == ["policy-tls"])
        #expect(byDomain["broke.example"]?.change == .broke)
        #expect(byDomain["broke.example"]?.codesGained == ["policy-tls"])
        #expect(byDomain["adopted.example"]?.change == .adopted)
        #expect(byDomain["adopted.example"]?.oldVerdict == "no-mta-sts")
        #expect(byDomain["adopted.example"]?.newVerdict == "misconfigured")
        #expect(byDomain["dropped.example"]?.change == .dropped)
        #expect(byDomain["codes.example"]?.change == .codesChanged)
        #expect(byDomain["codes.example"]?.codesLost == ["tlsrpt-bad-rua"])
        #expect(byDomain["flaky.example"]?.change == .other)
        #expect(byDomain["new.example"]?.change == .appeared)
        #expect(byDomain["new.example"]?.oldVerdict == nil)
        #expect(byDomain["gone.example"]?.change == .disappeared)
        #expect(byDomain["gone.example"]?.codesLost == ["tlsrpt-bad-rua"])
        // Excluded is a state of its own: the domain did not vanish.
        #expect(byDomain["skipped.example"]?.change == .appeared)
        #expect(byDomain["skipped.example"]?.newVerdict == "excluded")
        #expect(byDomain["same.example"] == nil)
        #expect(byDomain["twice.example"] == nil)
        #expect(changes.count == 9)

        let report = comparison.report(old: "old.ndjson", new: "new.ndjson")
        let table = try #require(report.table("changes"))
        for key in ["fixed", "broke", "adopted", "dropped", "other", "codes-changed", "disappeared"] {
            #expect(table.count(key, "domains") == 1, "\(key)")
        }
        #expect(table.count("appeared", "domains") == 2)
        #expect(table.count("unchanged", "domains") == 3)  // same, codes, twice
        #expect(table.value("fixed", "percent") == .percent(12.5))  // 8 domains in both

        let overview = try #require(report.table("compare_overview"))
        #expect(overview.count("records", "old") == 11)
        #expect(overview.count("input_errors", "old") == 1)
        #expect(overview.count("duplicates", "old") == 1)
        #expect(overview.count("duplicates", "new") == 1)
        #expect(overview.count("in_both", "new") == 8)
        #expect(overview.count("domains", "old") == 9)
        #expect(overview.count("domains", "new") == 10)
    }

    @Test func transitionsAndCodeChanges() throws {
        let report = Self.compare().0.report(old: "a", new: "b")
        let transitions = try #require(report.table("transitions"))
        #expect(transitions.columns.map(\.id) == ["no-mta-sts", "valid", "misconfigured", "unknown", "excluded", "null", "absent"])
        #expect(transitions.count("misconfigured", "valid") == 1)
        #expect(transitions.count("valid", "misconfigured") == 1)
        #expect(transitions.count("valid", "valid") == 2)
        #expect(transitions.count("no-mta-sts", "no-mta-sts") == 1)
        #expect(transitions.count("unknown", "valid") == 1)
        #expect(transitions.count("no-mta-sts", "absent") == 1)
        #expect(transitions.count("absent", "no-mta-sts") == 1)
        #expect(transitions.count("absent", "excluded") == 1)
        let total = transitions.rows.flatMap(\.values).reduce(0) { if case .count(let n) = $1 { return $0 + n }; return $0 }
        #expect(total == 8 + 2 + 1)  // in both, appeared, disappeared

        let codes = try #require(report.table("code_changes"))
        #expect(codes.count("policy-tls", "gained") == 1)
        #expect(codes.count("policy-tls", "lost") == 1)
        #expect(codes.count("policy-tls", "net") == 0)
        #expect(codes.count("sts-record-missing-id", "gained") == 1)
        #expect(codes.count("sts-record-missing-id", "lost") == 1)
        #expect(codes.count("tlsrpt-bad-rua", "lost") == 1)  // gone.example's is not counted: it left
        #expect(codes.count("tlsrpt-bad-rua", "net") == -1)
    }

    @Test func changeLinesAsJSONAndCSV() throws {
        let change = ScanComparison.DomainChange(domain: "a,b.example", change: .broke, oldVerdict: "valid", newVerdict: "misconfigured",
                                                 codesGained: ["policy-tls", "mx-tls"], codesLost: [])
        #expect(change.csvLine == "\"a,b.example\",broke,valid,misconfigured,policy-tls mx-tls,,\n")
        #expect(parseCSV(ScanComparison.DomainChange.csvHeader + change.csvLine)[1].count == 7)
        #expect(try JSONParser.parse(change.json.jsonText) == .object([
            "domain": "a,b.example", "change": "broke", "old_verdict": "valid", "new_verdict": "misconfigured",
            "codes_gained": ["policy-tls", "mx-tls"], "codes_lost": [], "phases_not_compared": [],
        ]))
    }

    @Test func codeSetsKeepUnknownCodesAndVocabularyOrder() {
        let a = FindingCodeSet(["mx-tls", "future-code", "policy-dns", "mx-tls"])
        let b = FindingCodeSet(["policy-dns", "other-future"])
        #expect(a.codes == ["policy-dns", "mx-tls", "future-code"])
        #expect(a.subtracting(b) == ["mx-tls", "future-code"])
        #expect(b.subtracting(a) == ["other-future"])
        #expect(FindingCode.allCases.count <= 64)
    }

    /// Issue 13 item 10: a full scan against a `--phases dns` scan of the same
    /// domains compares only what DNS shows; nothing the second scan never
    /// looked at is "fixed", and the phases left out are said.
    @Test func onlyWhatBothScansMeasuredIsCompared() throws {
        let mxTLS = fixtureFinding("mx-tls", ["reason": "expired"])
        let pkix = fixtureFinding("mx-pkix-invalid-all")
        let full: [FixtureRecord] = [
            .mtaSTS("mx-broken.example", verdict: "misconfigured", findings: [mxTLS, pkix]),
            .mtaSTS("policy-broken.example", verdict: "misconfigured", findings: [Self.tlsExpired]),
            .mtaSTS("dns-broken.example", verdict: "misconfigured", findings: [Self.missingID, Self.tlsExpired], sts: "invalid"),
            .mtaSTS("fine.example"),
        ]
        var dnsOnly = [
            FixtureRecord.mtaSTS("mx-broken.example"), .mtaSTS("policy-broken.example"),
            .mtaSTS("dns-broken.example", findings: [], sts: "valid"), .mtaSTS("fine.example", verdict: "misconfigured",
                                                                              findings: [Self.missingID], sts: "invalid"),
        ]
        for index in dnsOnly.indices { dnsOnly[index].legacy = true }   // phases ["dns"]

        let (comparison, changes) = ScanComparison.run(old: full.map(\.json), new: dnsOnly.map(\.json))
        let byDomain = Dictionary(uniqueKeysWithValues: changes.map { ($0.domain, $0) })
        // The policy and MX hosts were never looked at again: no change at all.
        #expect(byDomain["mx-broken.example"] == nil)
        #expect(byDomain["policy-broken.example"] == nil)
        // A DNS error that went away is a fix, as far as DNS shows; policy-tls is not "lost".
        let fixed = try #require(byDomain["dns-broken.example"])
        #expect(fixed.change == .fixed)
        #expect(fixed.codesLost == ["sts-record-missing-id"])
        #expect(fixed.phasesNotCompared == ["policy", "mx"])
        #expect(byDomain["fine.example"]?.change == .broke)
        #expect(byDomain["fine.example"]?.json["phases_not_compared"] == ["policy", "mx"])

        let report = comparison.report(old: "full", new: "dns")
        #expect(report.table("changes")?.count("fixed", "domains") == 1)
        #expect(report.table("changes")?.count("unchanged", "domains") == 2)
        #expect(report.table("compare_overview")?.count("phases_differ", "new") == 4)
        let notCompared = try #require(report.table("not_compared"))
        #expect(notCompared.count("policy", "old_only") == 4)
        #expect(notCompared.count("mx", "old_only") == 4)
        #expect(notCompared.count("dns", "old_only") == 0)
        #expect(notCompared.count("policy", "new_only") == 0)
        let codes = try #require(report.table("code_changes"))
        #expect(codes.count("policy-tls", "lost") == 0)
        #expect(codes.count("mx-tls", "lost") == 0)
        #expect(codes.count("sts-record-missing-id", "lost") == 1)
        #expect(codes.count("sts-record-missing-id", "gained") == 1)
    }

    @Test func everyCodeHasItsMeasuringPhases() {
        for code in FindingCode.allCases { #expect(code.measuringPhases.contains(.dns), "\(code)") }
        #expect(FindingCode.policyDNS.measuringPhases == [.dns])
        #expect(FindingCode.mxPatternMismatch.measuringPhases == [.dns, .policy])
        #expect(FindingCode.mxPKIXInvalidAll.measuringPhases == [.dns, .mx])
        #expect(FindingCode.deliveryFailureRisk.measuringPhases == [.dns, .policy, .mx])
    }
}

extension ScanComparison {
    /// The whole comparison in memory: entries sorted here, as the CLI's external sort would.
    static func run(old: [JSONValue], new: [JSONValue]) -> (ScanComparison, [DomainChange]) {
        var comparison = ScanComparison()
        let oldEntries = sorted(old.enumerated().compactMap { comparison.entry(old: $1, sequence: $0) })
        let newEntries = sorted(new.enumerated().compactMap { comparison.entry(new: $1, sequence: $0) })
        var oldIterator = oldEntries.makeIterator(), newIterator = newEntries.makeIterator()
        var changes: [DomainChange] = []
        try? comparison.join(old: &oldIterator, new: &newIterator) { changes.append($0) }
        return (comparison, changes)
    }
}

@Suite struct ScanComparisonEntryTests {
    @Test func anEntryKeepsWhatTheComparisonNeeds() throws {
        let side = ScanComparison.Side(
            domain: "example.com", state: 2, codes: FindingCodeSet(["policy-tls", "code-from-the-future", "mx-pkix-invalid-all"]),
            errorCodes: FindingCodeSet(["policy-tls"]), phases: 5)
        let decoded = try #require(ScanComparison.decode(ScanComparison.encode(side, sequence: 42)))
        #expect(decoded.domain == side.domain && decoded.state == side.state && decoded.phases == side.phases)
        #expect(decoded.codes == side.codes && decoded.errorCodes == side.errorCodes)
        #expect(decoded.codes.codes.contains("code-from-the-future"))
        #expect(ScanComparison.decode([1, 2, 3]) == nil)
        #expect(ScanComparison.decode(Array("example.com".utf8) + [0, 1]) == nil)
    }

    /// Byte order of entries is (domain, position): a domain's records are
    /// adjacent and in file order, whatever the other names.
    @Test func entriesSortByDomainThenPosition() {
        let names = ["b.example", "a.example", "a.example.com", "a.example", "a-b.example"]
        let entries = names.enumerated().map { index, name in
            ScanComparison.encode(.init(domain: name, state: 0, codes: .init(), errorCodes: .init(), phases: 1),
                                  sequence: 1000 - index)
        }
        let order = ScanComparison.sorted(entries).compactMap { ScanComparison.decode($0)?.domain }
        #expect(order == ["a-b.example", "a.example", "a.example", "a.example.com", "b.example"])
        #expect(ScanComparison.compareDomains(entries[1], entries[3]) == 0)
        #expect(ScanComparison.compareDomains(entries[1], entries[2]) < 0)
    }

    /// OLD keeps its last record of a repeated domain, NEW its first, as the docs say.
    @Test func repeatedDomainsKeepLastOldAndFirstNew() {
        let old = [FixtureRecord.mtaSTS("again.example", verdict: "misconfigured", findings: [fixtureFinding("policy-tls")]),
                   FixtureRecord.mtaSTS("again.example")]
        let new = [FixtureRecord.mtaSTS("again.example", verdict: "misconfigured", findings: [fixtureFinding("policy-tls")]),
                   FixtureRecord.mtaSTS("again.example")]
        let (comparison, changes) = ScanComparison.run(old: old.map(\.json), new: new.map(\.json))
        #expect(changes.map(\.change) == [.broke])
        #expect(comparison.oldDuplicates == 1 && comparison.newDuplicates == 1)
    }
}
