/// Streams scan records into the counters of `mtascan report`
/// (docs/report.md). Nothing per domain is kept: memory grows with the
/// distinct policy hosts, MX hosts of MTA-STS domains, providers and codes,
/// never with the number of records, so a whole-zone scan is read in one pass.
public struct ReportAggregator {
    public struct Options: Sendable {
        /// A policy or MX host serving at least this many MTA-STS domains of the scan is third-party.
        public var thirdPartyThreshold: Int
        /// Rows shown in the top-N tables (providers, CNAME targets) before "other".
        public var top: Int
        /// Groups CNAME targets by registrable domain; without it, by the full target name.
        public var publicSuffixList: PublicSuffixList?

        public init(thirdPartyThreshold: Int = 50, top: Int = 10, publicSuffixList: PublicSuffixList? = nil) {
            self.thirdPartyThreshold = thirdPartyThreshold
            self.top = top
            self.publicSuffixList = publicSuffixList
        }
    }

    /// The policy retrieval layers, in the order a sender meets them, with the
    /// detail field that breaks each down (docs/findings.md).
    static let policyLayers: [(code: FindingCode, detail: String)] = [
        (.policyDNS, "reason"), (.policyTCP, "reason"), (.policyTLS, "reason"),
        (.policyHTTP, "reason"), (.policyContentType, "problem"), (.policySyntax, "rule"),
    ]

    /// Components whose errors make a domain misconfigured, with their labels.
    static let misconfigurationComponents: [(component: Component, label: String)] = [
        (.stsRecord, "record (sts-record)"), (.policy, "policy retrieval (policy)"),
        (.mx, "MX hosts and certificates (mx)"), (.consistency, "policy/MX consistency (consistency)"),
        (.risk, "delivery risk (risk)"),
    ]

    public let options: Options

    var records = 0
    var inputErrors = 0
    var excluded = 0
    var malformedLines = 0
    var verdicts: [String: Int] = [:]
    /// Verdicts of the domains with an MTA-STS record.
    var verdictsMTASTS: [String: Int] = [:]
    var mtaSTSDomains = 0
    var misconfigured = 0
    var misconfiguredByComponent: [String: Int] = [:]
    var policyErrors = HostLedger()
    var mxHosts = HostLedger()
    /// "kind" → domains, and "kind/scope" → domains.
    var mismatches: [String: Int] = [:]
    /// "code" → domains, and "code/mode" → domains.
    var risks: [String: Int] = [:]
    /// Mode (or `no-policy`) → domains, and "mode/verdict" → domains, over MTA-STS domains.
    var modes: [String: Int] = [:]
    /// `dane verdict/MTA-STS verdict` → domains, for `scan --dane` records.
    var daneByVerdict: [String: Int] = [:]
    var daneDomains = 0
    /// `probed`/`shared`/`excluded` → MX probe results (`mx.hosts[].probes[]`).
    var mxProbeOrigins: [String: Int] = [:]
    /// Phase tlsrpt: row (`reachable`, an unreachable reason, `unknown`...) →
    /// endpoints (all, mailto, https) and domains with one; domains the phase ran for.
    var reportEndpoints: [String: (endpoints: Int, mailto: Int, https: Int, domains: Int)] = [:]
    var reportEndpointTotal = 0
    var reportEndpointDomains = 0
    var tlsrptAll: [String: Int] = [:]
    var tlsrptMTASTS: [String: Int] = [:]
    var policyHostDomains = 0
    var providers: [String: Int] = [:]
    var cnameGroups: [String: Int] = [:]
    /// Code → (domains, error findings, warning findings).
    var codes: [String: (domains: Int, errors: Int, warnings: Int)] = [:]

    public init(options: Options = Options()) {
        self.options = options
    }

    /// A line that was not a record (not JSON, cut short): counted, not read.
    public mutating func addMalformedLine() {
        malformedLines += 1
    }

    public mutating func add(_ record: JSONValue) {
        records += 1
        let facts = RecordFacts(record)
        if facts.hasInputError { return inputErrors += 1 }
        if facts.isExcluded { return excluded += 1 }
        verdicts[facts.verdict ?? "null", default: 0] += 1
        countCodes(facts)
        for origin in facts.mxProbeOrigins { mxProbeOrigins[origin, default: 0] += 1 }
        tlsrptAll[facts.tlsrptStatus ?? "unknown", default: 0] += 1
        if let endpoints = facts.reportEndpoints { countReportEndpoints(endpoints) }
        if let dane = facts.daneVerdict {
            daneDomains += 1
            daneByVerdict[dane, default: 0] += 1
            daneByVerdict["\(dane)/\(facts.verdict ?? "null")", default: 0] += 1
        }
        if facts.verdict == Verdict.misconfigured.rawValue { countMisconfiguration(facts) }
        guard facts.hasMTASTSRecord else { return }
        mtaSTSDomains += 1
        verdictsMTASTS[facts.verdict ?? "null", default: 0] += 1
        tlsrptMTASTS[facts.tlsrptStatus ?? "unknown", default: 0] += 1
        let mode = facts.mode ?? "no-policy"
        modes[mode, default: 0] += 1
        modes["\(mode)/\(facts.verdict ?? "null")", default: 0] += 1
        countPolicyHosting(facts)
        countPolicyErrors(facts)
        countMXPKIX(facts)
        countMismatches(facts)
        countRisks(facts)
    }

    private mutating func countReportEndpoints(_ endpoints: [(status: String, reason: String?, scheme: String?)]) {
        reportEndpointDomains += 1
        var seen: Set<String> = []
        for endpoint in endpoints {
            // Unreachable endpoints are counted by reason; the others by status.
            let row = endpoint.status == "unreachable" ? (endpoint.reason ?? "unreachable") : endpoint.status
            var entry = reportEndpoints[row] ?? (0, 0, 0, 0)
            entry.endpoints += 1
            if endpoint.scheme == "mailto" { entry.mailto += 1 }
            if endpoint.scheme == "https" { entry.https += 1 }
            if seen.insert(row).inserted { entry.domains += 1 }
            reportEndpoints[row] = entry
            reportEndpointTotal += 1
        }
        if endpoints.contains(where: { $0.status == "unreachable" }) {
            reportEndpoints["any-unreachable", default: (0, 0, 0, 0)].domains += 1
        }
    }

    private mutating func countCodes(_ facts: RecordFacts) {
        var seen: [String] = []
        for finding in facts.findings {
            var entry = codes[finding.code] ?? (0, 0, 0)
            if finding.isError { entry.errors += 1 } else { entry.warnings += 1 }
            if !seen.contains(finding.code) {
                seen.append(finding.code)
                entry.domains += 1
            }
            codes[finding.code] = entry
        }
    }

    private mutating func countMisconfiguration(_ facts: RecordFacts) {
        misconfigured += 1
        var seen: [String] = []
        for finding in facts.findings where finding.isError {
            guard let component = finding.component, !seen.contains(component) else { continue }
            seen.append(component)
            misconfiguredByComponent[component, default: 0] += 1
        }
    }

    /// Who serves the policy: the CNAME target if there is one, else the
    /// address set of `mta-sts.<domain>`, else the address the fetch used.
    static func policyHostKey(_ facts: RecordFacts) -> String? {
        if let target = facts.policyHost?.cnameTarget, !target.isEmpty { return "cname:" + ASCII.lowercased(target) }
        if let addresses = facts.policyHost?.addresses, !addresses.isEmpty { return "ip:" + addresses.joined(separator: ",") }
        if let address = facts.policyAddress { return "ip:" + address }
        return nil
    }

    private mutating func countPolicyHosting(_ facts: RecordFacts) {
        let provider = facts.policyHost?.provider
        if let key = Self.policyHostKey(facts) { policyErrors.serve(key: key, provider: provider) }
        guard facts.policyHost != nil else { return }
        policyHostDomains += 1
        providers[provider ?? "", default: 0] += 1
        if let target = facts.policyHost?.cnameTarget, !target.isEmpty {
            let lower = ASCII.lowercased(target)
            let group = options.publicSuffixList?.registrableDomain(of: lower) ?? lower
            cnameGroups[group, default: 0] += 1
        } else {
            cnameGroups["", default: 0] += 1
        }
    }

    private mutating func countPolicyErrors(_ facts: RecordFacts) {
        var rows: [String] = []
        func add(_ row: String) { if !rows.contains(row) { rows.append(row) } }
        for finding in facts.findings where finding.isError {
            guard let layer = Self.policyLayers.first(where: { $0.code.rawValue == finding.code }) else { continue }
            add("any")
            add(finding.code)
            if let detail = Self.detailText(finding.details[layer.detail]) { add(finding.code + "/" + detail) }
        }
        policyErrors.count(rows: rows, key: Self.policyHostKey(facts), provider: facts.policyHost?.provider)
    }

    private mutating func countMXPKIX(_ facts: RecordFacts) {
        var served: [String] = []
        for host in facts.mxHosts {
            let name = ASCII.lowercased(host.host)
            guard !served.contains(name) else { continue }
            served.append(name)
            mxHosts.serve(key: name, provider: host.provider)
        }
        var rows: [String] = []
        for code in [FindingCode.mxPKIXInvalidAll, .mxPKIXInvalidSome] where facts.findings.contains(where: { $0.code == code.rawValue && $0.isError }) {
            rows.append(code.rawValue)
        }
        guard !rows.isEmpty else { return }
        let host = Self.attributedMXHost(facts)
        mxHosts.count(rows: rows, key: host.map { ASCII.lowercased($0.host) }, provider: host?.provider)
    }

    /// The MX host a PKIX failure is attributed to: the most preferred host
    /// whose `pkix_valid` is false; before the MX phase records that, the first
    /// host a `mx-pkix-invalid-*` finding names; else the most preferred host.
    static func attributedMXHost(_ facts: RecordFacts) -> RecordFacts.MXHostFacts? {
        if let failed = facts.mxHosts.first(where: { $0.pkixValid == false }) { return failed }
        for finding in facts.findings where finding.code.hasPrefix("mx-pkix-invalid") {
            for key in ["mx_host", "hosts", "mx_hosts"] {
                let named = finding.details[key]?.stringValue ?? finding.details[key]?.arrayValue?.first?.stringValue
                guard let named else { continue }
                return facts.mxHosts.first { ASCII.lowercased($0.host) == ASCII.lowercased(named) }
                    ?? RecordFacts.MXHostFacts(host: named, provider: nil, pkixValid: false)
            }
        }
        return facts.mxHosts.first
    }

    private mutating func countMismatches(_ facts: RecordFacts) {
        var rows: [String] = []
        func add(_ row: String) { if !rows.contains(row) { rows.append(row) } }
        for finding in facts.findings where finding.code == FindingCode.mxPatternMismatch.rawValue && finding.isError {
            let kind = finding.details["kind"]?.stringValue ?? "unspecified"
            let scope = finding.details["scope"]?.stringValue ?? "unspecified"
            add("any")
            add("any/" + scope)
            add(kind)
            add(kind + "/" + scope)
            // Only scans with --previous say; the rest count in neither column.
            if let stale = finding.details["stale"]?.boolValue {
                add("any/" + (stale ? "stale" : "never-matched"))
                add(kind + "/" + (stale ? "stale" : "never-matched"))
            }
        }
        for row in rows { mismatches[row, default: 0] += 1 }
    }

    private mutating func countRisks(_ facts: RecordFacts) {
        let mode = facts.mode ?? "no-policy"
        for code in [FindingCode.deliveryFailureRisk, .deliveryDegraded] where facts.hasFinding(code) {
            risks[code.rawValue, default: 0] += 1
            risks[code.rawValue + "/" + mode, default: 0] += 1
        }
    }

    /// A detail field as a row key: strings as they are, numbers in decimal.
    static func detailText(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let s)?: return s.isEmpty ? nil : s
        case .int(let n)?: return String(n)
        case .bool(let b)?: return b ? "true" : "false"
        default: return nil
        }
    }
}
