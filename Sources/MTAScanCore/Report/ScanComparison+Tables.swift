/// The tables of `mtascan report --compare` (docs/report.md, "Compare").
extension ScanComparison {
    public func report(old oldPath: String, new newPath: String) -> Report {
        let facts: JSONObject = ["report_version": .int(1), "compare": .object(["old": .string(oldPath), "new": .string(newPath)])]
        return Report(facts: facts, tables: [overviewTable(), changeTable(), transitionTable(), codeChangeTable(),
                                             notComparedTable()])
    }

    func overviewTable() -> ReportTable {
        let both = inBoth
        let rows: [(String, String, Int, Int)] = [
            ("records", "records read", oldRecords, newRecords),
            ("input_errors", "input errors (skipped)", oldSkipped, newSkipped),
            ("malformed_lines", "malformed lines (skipped)", oldMalformed, newMalformed),
            ("duplicates", "repeated domains (last kept in old, first in new)", oldDuplicates, newDuplicates),
            ("domains", "distinct domains", oldDomains, both + (changes[.appeared] ?? 0)),
            ("in_both", "domains in both scans", both, both),
            ("phases_differ", "in both, different phases (compared on the common ones)", phasesDiffer, phasesDiffer),
        ]
        return ReportTable(
            id: "compare_overview", title: "Compared scans",
            population: "All lines of OLD and NEW.",
            rowHeader: "records", columns: [ReportColumn("old"), ReportColumn("new")],
            rows: rows.map { ReportRow(key: $0.0, label: $0.1, values: [.count($0.2), .count($0.3)]) })
    }

    func changeTable() -> ReportTable {
        let both = inBoth
        var rows: [ReportRow] = []
        for change in [Change.fixed, .broke, .adopted, .dropped, .other] {
            let n = changes[change] ?? 0
            rows.append(ReportRow(key: change.rawValue, values: [.count(n), .share(n, of: both)]))
        }
        rows.append(ReportRow(key: "unchanged", label: "unchanged verdict", values: [.count(unchanged), .share(unchanged, of: both)]))
        let codes = changes[.codesChanged] ?? 0
        rows.append(ReportRow(key: "codes-changed", label: "finding codes changed", depth: 1, values: [.count(codes), .share(codes, of: both)]))
        rows.append(ReportRow(key: "appeared", label: "appeared (new only)", values: [.count(changes[.appeared] ?? 0), .percent(nil)]))
        rows.append(ReportRow(key: "disappeared", label: "disappeared (old only)", values: [.count(disappearedCount), .percent(nil)]))
        return ReportTable(
            id: "changes", title: "Changes per domain",
            population: "Domains in both scans by change of verdict (percent: of domains in both); fixed: misconfigured→valid, broke: valid→misconfigured, adopted: no-mta-sts→valid/misconfigured, dropped: valid/misconfigured→no-mta-sts, other: any other change. Where the two records ran different phases, valid/misconfigured are judged by the findings of the common phases only (table not_compared).",
            rowHeader: "change",
            columns: [ReportColumn("domains"), ReportColumn("percent", "%")], rows: rows)
    }

    func transitionTable() -> ReportTable {
        let names = Self.states + ["absent"]
        let counts = transitions
        return ReportTable(
            id: "transitions", title: "Verdict transitions (old → new)",
            population: "Domains by verdict in OLD (rows) and NEW (columns); absent: not in that scan; excluded and null are records without a verdict.",
            rowHeader: "old \\ new",
            columns: names.map { ReportColumn($0) },
            rows: names.indices.map { row in
                ReportRow(key: names[row], values: counts[row].map { .count($0) })
            })
    }

    func codeChangeTable() -> ReportTable {
        let known = FindingCode.allCases.map(\.rawValue)
        let extra = Set(gained.keys).union(lost.keys).subtracting(known).sorted()
        return ReportTable(
            id: "code_changes", title: "Finding codes gained and lost",
            population: "Domains in both scans that gained or lost the code (any severity); net = gained - lost. A code is compared only where both records ran the phases that measure it.",
            rowHeader: "code",
            columns: [ReportColumn("gained"), ReportColumn("lost"), ReportColumn("net")],
            rows: (known + extra).map { code in
                let g = gained[code] ?? 0, l = lost[code] ?? 0
                return ReportRow(key: code, values: [.count(g), .count(l), .count(g - l)])
            })
    }

    /// What could not be compared: per phase, the domains in both scans for
    /// which only one of the two records ran it.
    func notComparedTable() -> ReportTable {
        ReportTable(
            id: "not_compared", title: "Phases not compared",
            population: "Domains in both scans whose two records ran different phases, by phase run in OLD only or in NEW only: findings measured by that phase (the policy fetch, the STARTTLS probes, consistency and delivery risk) were not compared for them.",
            rowHeader: "phase",
            columns: [ReportColumn("old_only", "old only"), ReportColumn("new_only", "new only")],
            rows: ScanRecord.Phase.allCases.map { phase in
                ReportRow(key: phase.rawValue, values: [.count(onlyInOld[phase.rawValue] ?? 0), .count(onlyInNew[phase.rawValue] ?? 0)])
            })
    }
}
