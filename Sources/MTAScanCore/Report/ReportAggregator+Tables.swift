/// The tables of `mtascan report`, built from the counters after the last
/// record (docs/report.md documents every table, row and column id).
extension ReportAggregator {
    public func report(inputs: [String]) -> Report {
        let facts: JSONObject = [
            "report_version": .int(1),
            "inputs": .strings(inputs),
            "third_party_threshold": .int(options.thirdPartyThreshold),
            "cname_grouping": .string(options.publicSuffixList == nil ? "target" : "registrable-domain"),
        ]
        return Report(facts: facts, tables: [
            overviewTable(), verdictTable(), modeTable(), tlsrptTable(), reportEndpointTable(), daneTable(), misconfigurationTable(),
            policyErrorTable(), mxPKIXTable(), mxProbeTable(), mismatchTable(), riskTable(), hostsTable(),
            providerTable(), cnameTable(), findingCodeTable(),
        ])
    }

    var scanned: Int { records - inputErrors - excluded }

    func overviewTable() -> ReportTable {
        let rows: [(String, String, Int)] = [
            ("records", "records read", records),
            ("input_errors", "input errors (not a domain)", inputErrors),
            ("excluded", "excluded (--exclude)", excluded),
            ("scanned", "scanned domains", scanned),
            ("mta_sts", "with an MTA-STS record", mtaSTSDomains),
            ("malformed_lines", "malformed lines (skipped)", malformedLines),
        ]
        return ReportTable(
            id: "overview", title: "Overview",
            population: "All lines of all inputs. Scanned = records without input_error or excluded.",
            rowHeader: "records", columns: [ReportColumn("count")],
            rows: rows.map { ReportRow(key: $0.0, label: $0.1, values: [.count($0.2)]) })
    }

    func verdictTable() -> ReportTable {
        let known = Verdict.allCases.map(\.rawValue)
        let keys = known + verdicts.keys.filter { !known.contains($0) }.sorted()
        return ReportTable(
            id: "verdicts", title: "Verdicts",
            population: "Scanned domains. percent: of scanned; mta_sts, percent_mta_sts: the domains with an MTA-STS record (sts_record.status valid or invalid) and their share.",
            rowHeader: "verdict",
            columns: [ReportColumn("domains"), ReportColumn("percent", "%"),
                      ReportColumn("mta_sts", "with record"), ReportColumn("percent_mta_sts", "% of with record")],
            rows: keys.map { key in
                let n = verdicts[key] ?? 0, m = verdictsMTASTS[key] ?? 0
                return ReportRow(key: key, values: [.count(n), .share(n, of: scanned), .count(m), .share(m, of: mtaSTSDomains)])
            })
    }

    func modeTable() -> ReportTable {
        let known = ["enforce", "testing", "none"]
        let seen = modes.keys.filter { !$0.contains("/") && !known.contains($0) && $0 != "no-policy" }.sorted()
        let verdictColumns = [Verdict.valid, .misconfigured, .unknown].map(\.rawValue)
        return ReportTable(
            id: "modes", title: "Policy mode",
            population: "Domains with an MTA-STS record (sts_record.status valid or invalid); no-policy: no policy was parsed. Verdict columns split each mode.",
            rowHeader: "mode",
            columns: [ReportColumn("domains"), ReportColumn("percent", "%")] + verdictColumns.map { ReportColumn($0) },
            rows: (known + seen + ["no-policy"]).map { mode in
                let n = modes[mode] ?? 0
                return ReportRow(key: mode, values: [.count(n), .share(n, of: mtaSTSDomains)]
                    + verdictColumns.map { .count(modes["\(mode)/\($0)"] ?? 0) })
            })
    }

    /// How the MX results came about: a probe under the host's own name, or
    /// one probe of a shared server answering its other names (docs/probes.md,
    /// "One probe per shared server"): what a reader of the dataset should know.
    func mxProbeTable() -> ReportTable {
        let keys = ["probed", "shared", "excluded"]
        let total = mxProbeOrigins.values.reduce(0, +)
        return ReportTable(
            id: "mx_probes", title: "MX probe results by origin",
            population: "MX probe results of scanned domains (mx.hosts[].probes[]: one per MX host and address of each domain). probed: under the host's own name (one probe may serve many domains of that host); shared: answered from another MX name's probe at a server whose certificate does not depend on SNI, judged for this name (shared_from); excluded: on the exclusion list. percent: of all.",
            rowHeader: "origin", columns: [ReportColumn("results"), ReportColumn("percent", "%")],
            rows: keys.map { key in
                let n = mxProbeOrigins[key] ?? 0
                return ReportRow(key: key, values: [.count(n), .share(n, of: total)])
            })
    }

    func tlsrptTable() -> ReportTable {
        let keys = ["valid", "invalid", "absent", "unknown"]
        let extra = Set(tlsrptAll.keys).subtracting(keys).sorted()
        return ReportTable(
            id: "tlsrpt", title: "TLS-RPT adoption",
            population: "tlsrpt.status among domains with an MTA-STS record (mta_sts) and among all scanned domains (all); unknown: the lookup failed or did not run.",
            rowHeader: "tlsrpt",
            columns: [ReportColumn("mta_sts", "MTA-STS domains"), ReportColumn("mta_sts_percent", "%"),
                      ReportColumn("all", "all domains"), ReportColumn("all_percent", "%")],
            rows: (keys + extra).map { key in
                let m = tlsrptMTASTS[key] ?? 0, a = tlsrptAll[key] ?? 0
                return ReportRow(key: key, values: [.count(m), .share(m, of: mtaSTSDomains), .count(a), .share(a, of: scanned)])
            })
    }

    /// TLS-RPT endpoints (phase tlsrpt): can each `rua` receive? Unreachable
    /// endpoints by reason, the others by status. Empty without the phase.
    func reportEndpointTable() -> ReportTable {
        let unreachable = ["null-mx", "nxdomain", "no-mx-no-address", "no-address", "tcp", "tls", "http-5xx"]
        let others = ["reachable"] + unreachable + ["unknown", "excluded", "not-checked"]
        let extra = reportEndpoints.keys.filter { !others.contains($0) && $0 != "any-unreachable" }.sorted()
        let labels = Dictionary(uniqueKeysWithValues: unreachable.map { ($0, "unreachable: \($0)") })
        return ReportTable(
            id: "tlsrpt_endpoints", title: "TLS-RPT report endpoints",
            population: "The rua URIs of the records of a scan with phase tlsrpt (docs/findings.md, tlsrpt-rua-unreachable): unreachable ones by reason (null-mx, nxdomain, no-mx-no-address, no-address, tcp, tls, http-5xx), the others by status (reachable; unknown: a lookup failed or no HTTP status, never counted unreachable; excluded; not-checked). percent: of those URIs; mailto, https: by scheme; domains: domains with such an endpoint; any-unreachable: domains with at least one unreachable endpoint, of the domains the phase ran for.",
            rowHeader: "endpoint",
            columns: [ReportColumn("endpoints"), ReportColumn("percent", "%"), ReportColumn("mailto"),
                      ReportColumn("https"), ReportColumn("domains"), ReportColumn("domains_percent", "% of domains")],
            rows: (others + extra + ["any-unreachable"]).map { key in
                let entry = reportEndpoints[key] ?? (0, 0, 0, 0)
                return ReportRow(key: key, label: labels[key] ?? (key == "any-unreachable" ? "domains with any unreachable" : key),
                                 values: [.count(entry.endpoints), .share(entry.endpoints, of: reportEndpointTotal),
                                          .count(entry.mailto), .count(entry.https), .count(entry.domains),
                                          .share(entry.domains, of: reportEndpointDomains)])
            })
    }

    /// DANE beside MTA-STS (`scan --dane`): what a DANE-capable sender does
    /// (rows) against what an MTA-STS sender does (columns). Empty without --dane.
    func daneTable() -> ReportTable {
        let known = DANEAssessment.Verdict.allCases.map(\.rawValue)
        let keys = known + daneByVerdict.keys.filter { !$0.contains("/") && !known.contains($0) }.sorted()
        let mtaSTS = Verdict.allCases.map(\.rawValue)
        return ReportTable(
            id: "dane", title: "DANE beside MTA-STS",
            population: "Scanned domains of a scan with --dane, by DANE verdict (rows: valid = every MX host authenticated by secure TLSA; broken = a DANE sender defers mail; partial; unauthenticated = secure TLSA, none usable; insecure = TLSA not DNSSEC-secured; none; unknown) and MTA-STS verdict (columns). percent: of those domains.",
            rowHeader: "dane",
            columns: [ReportColumn("domains"), ReportColumn("percent", "%")] + mtaSTS.map { ReportColumn($0) },
            rows: keys.map { key in
                let n = daneByVerdict[key] ?? 0
                return ReportRow(key: key, values: [.count(n), .share(n, of: daneDomains)]
                    + mtaSTS.map { .count(daneByVerdict["\(key)/\($0)"] ?? 0) })
            })
    }

    func misconfigurationTable() -> ReportTable {
        ReportTable(
            id: "misconfiguration", title: "Misconfigured domains by component",
            population: "Domains with verdict misconfigured that have an error in the component; not exclusive. percent: of misconfigured domains.",
            rowHeader: "component",
            columns: [ReportColumn("domains"), ReportColumn("percent", "%")],
            rows: [ReportRow(key: "misconfigured", label: "misconfigured (any)", values: [.count(misconfigured), .share(misconfigured, of: misconfigured)])]
                + Self.misconfigurationComponents.map { entry in
                    let n = misconfiguredByComponent[entry.component.rawValue] ?? 0
                    return ReportRow(key: entry.component.rawValue, label: entry.label, depth: 1, values: [.count(n), .share(n, of: misconfigured)])
                })
    }

    func policyErrorTable() -> ReportTable {
        let totals = policyErrors.totals(threshold: options.thirdPartyThreshold)
        var rows = [splitRow(key: "any", label: "any policy retrieval error", depth: 0, totals)]
        for layer in Self.policyLayers {
            let code = layer.code.rawValue
            rows.append(splitRow(key: code, label: code, depth: 0, totals))
            for detail in breakdown(prefix: code + "/", totals) {
                rows.append(splitRow(key: code + "/" + detail, label: "\(layer.detail) \(detail)", depth: 1, totals))
            }
        }
        return ReportTable(
            id: "policy_errors", title: "Policy retrieval errors by layer",
            population: "Domains with an MTA-STS record and an error of the layer; breakdown rows by the finding's reason/problem/rule. Split by who hosts the policy (policy_host.cname_target, else its addresses): third-party when the host serves >= \(options.thirdPartyThreshold) such domains or policy_host.provider is set.",
            rowHeader: "layer",
            columns: Self.splitColumns, rows: rows)
    }

    func mxPKIXTable() -> ReportTable {
        let totals = mxHosts.totals(threshold: options.thirdPartyThreshold)
        let codes = [FindingCode.mxPKIXInvalidAll, .mxPKIXInvalidSome].map(\.rawValue)
        return ReportTable(
            id: "mx_pkix_invalid", title: "PKIX-invalid MX hosts",
            population: "Domains with an MTA-STS record and the finding, attributed to their most preferred MX host that failed PKIX validation: third-party when that host name is an MX of >= \(options.thirdPartyThreshold) such domains or has a provider.",
            rowHeader: "finding",
            columns: Self.splitColumns,
            rows: codes.map { splitRow(key: $0, label: $0, depth: 0, totals) })
    }

    func mismatchTable() -> ReportTable {
        // The order docs/findings.md lists them in: first that holds.
        let known = [MismatchKind.mtaStsLabel, .extraLabel, .tld, .typo, .complete].map(\.rawValue)
        let seen = mismatches.keys.filter { !$0.contains("/") && $0 != "any" && !known.contains($0) }.sorted()
        let row = { (key: String, label: String, depth: Int) in
            ReportRow(key: key, label: label, depth: depth, values: [
                .count(mismatches[key] ?? 0), .count(mismatches[key + "/all"] ?? 0), .count(mismatches[key + "/some"] ?? 0),
                .count(mismatches[key + "/stale"] ?? 0), .count(mismatches[key + "/never-matched"] ?? 0),
            ])
        }
        return ReportTable(
            id: "mx_pattern_mismatch", title: "mx-pattern-mismatch by kind",
            population: "Domains with an MTA-STS record and an mx-pattern-mismatch error of the kind (not exclusive); all/some: the finding's scope; stale/never_matched (scans with --previous only): a pattern that matches no MX host now matched one in the earlier scan, or none did.",
            rowHeader: "kind",
            columns: [ReportColumn("domains"), ReportColumn("all"), ReportColumn("some"), ReportColumn("stale"),
                      ReportColumn("never_matched", "never matched")],
            rows: [row("any", "any kind", 0)] + (known + seen).map { row($0, $0, 1) })
    }

    func riskTable() -> ReportTable {
        let modeColumns = ["enforce", "testing", "none", "no-policy"]
        return ReportTable(
            id: "risk", title: "Delivery risk by mode",
            population: "Domains with an MTA-STS record and the finding, by policy mode (no-policy: none parsed).",
            rowHeader: "finding",
            columns: [ReportColumn("domains")] + modeColumns.map { ReportColumn($0) },
            rows: [FindingCode.deliveryFailureRisk, .deliveryDegraded].map { code in
                ReportRow(key: code.rawValue, values: [.count(risks[code.rawValue] ?? 0)]
                    + modeColumns.map { .count(risks["\(code.rawValue)/\($0)"] ?? 0) })
            })
    }

    func hostsTable() -> ReportTable {
        let threshold = options.thirdPartyThreshold
        let policy = policyErrors.hostCounts(threshold: threshold), mx = mxHosts.hostCounts(threshold: threshold)
        let row = { (key: String, label: String, counts: (hosts: Int, thirdParty: Int)) in
            ReportRow(key: key, label: label, values: [.count(counts.hosts), .count(counts.hosts - counts.thirdParty), .count(counts.thirdParty)])
        }
        return ReportTable(
            id: "hosts", title: "Distinct hosts",
            population: "Distinct policy hosts (CNAME target or address set) and MX host names of domains with an MTA-STS record, classified as for the error tables.",
            rowHeader: "hosts",
            columns: [ReportColumn("hosts"), ReportColumn("self_managed", "self-managed"), ReportColumn("third_party", "third-party")],
            rows: [row("policy_hosts", "policy hosts", policy), row("mx_hosts", "MX hosts", mx)])
    }

    func providerTable() -> ReportTable {
        topTable(
            id: "policy_providers", title: "Policy hosting providers",
            population: "Domains with an MTA-STS record whose policy host was looked up, by policy_host.provider (top \(options.top)).",
            rowHeader: "provider", counts: providers, noneKey: "_none", noneLabel: "no known provider")
    }

    func cnameTable() -> ReportTable {
        let grouping = options.publicSuffixList == nil ? "CNAME target" : "registrable domain of the CNAME target"
        return topTable(
            id: "policy_cname_targets", title: "Policy host CNAME targets",
            population: "Domains with an MTA-STS record whose policy host was looked up, by \(grouping) (top \(options.top)).",
            rowHeader: "target", counts: cnameGroups, noneKey: "_no_cname", noneLabel: "no CNAME")
    }

    func findingCodeTable() -> ReportTable {
        let known = FindingCode.allCases.map(\.rawValue)
        let keys = known + codes.keys.filter { !known.contains($0) }.sorted()
        return ReportTable(
            id: "finding_codes", title: "Findings by code",
            population: "Scanned domains: domains with the code, and findings of it by severity.",
            rowHeader: "code",
            columns: [ReportColumn("component"), ReportColumn("domains"), ReportColumn("percent", "%"),
                      ReportColumn("errors"), ReportColumn("warnings")],
            rows: keys.map { key in
                let entry = codes[key] ?? (0, 0, 0)
                let component = FindingCode(rawValue: key)?.component.rawValue ?? ""
                return ReportRow(key: key, values: [.text(component), .count(entry.domains), .share(entry.domains, of: scanned),
                                                    .count(entry.errors), .count(entry.warnings)])
            })
    }

    // MARK: Helpers

    static let splitColumns = [
        ReportColumn("domains"), ReportColumn("self_managed", "self-managed"), ReportColumn("third_party", "third-party"),
    ]

    private func splitRow(key: String, label: String, depth: Int, _ totals: [HostLedger.Side: [String: Int]]) -> ReportRow {
        let mine = totals[.selfManaged]?[key] ?? 0, theirs = totals[.thirdParty]?[key] ?? 0
        return ReportRow(key: key, label: label, depth: depth, values: [.count(mine + theirs), .count(mine), .count(theirs)])
    }

    /// The details seen under `prefix`, most frequent first, then by name.
    private func breakdown(prefix: String, _ totals: [HostLedger.Side: [String: Int]]) -> [String] {
        var sums: [String: Int] = [:]
        for side in totals.values {
            for (row, n) in side where row.hasPrefix(prefix) { sums[String(row.dropFirst(prefix.count)), default: 0] += n }
        }
        return sums.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
    }

    /// The `top` largest entries, then "other", then the entries without a value ("" key).
    private func topTable(id: String, title: String, population: String, rowHeader: String,
                          counts: [String: Int], noneKey: String, noneLabel: String) -> ReportTable {
        let total = counts.values.reduce(0, +)
        let ranked = counts.filter { !$0.key.isEmpty }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        var rows = ranked.prefix(options.top).map { ReportRow(key: $0.key, values: [.count($0.value), .share($0.value, of: total)]) }
        let other = ranked.dropFirst(options.top).reduce(0) { $0 + $1.value }
        if other > 0 {
            rows.append(ReportRow(key: "_other", label: "other (\(ranked.count - options.top))", values: [.count(other), .share(other, of: total)]))
        }
        let none = counts[""] ?? 0
        rows.append(ReportRow(key: noneKey, label: noneLabel, values: [.count(none), .share(none, of: total)]))
        return ReportTable(id: id, title: title, population: population, rowHeader: rowHeader,
                           columns: [ReportColumn("domains"), ReportColumn("percent", "%")], rows: rows)
    }
}
