/// A domain of a scan that a campaign may write to, with what the message
/// needs from its record: the selected findings, what was observed, and who
/// the recipients are.
public struct NoticeCandidate: Sendable, Equatable {
    public var domain: String
    public var inputLine: Int
    public var verdict: String
    public var mode: String?
    public var findings: [NoticeFinding]
    /// The `_mta-sts` TXT record(s) as published, the policy URL, and the MX
    /// hosts: shown in the message beside the findings (what we saw, verbatim).
    public var stsRecords: [String]
    public var policyURL: String?
    public var mxHosts: [String]
    /// `mailto:` addresses of the domain's TLS-RPT `rua` (an optional second recipient).
    public var ruaAddresses: [String]
    /// Who is responsible where a provider is: the policy host's and the MX hosts'
    /// providers (docs/providers.md); the control group is stratified by it.
    public var provider: String?

    public init(domain: String, inputLine: Int, verdict: String, mode: String?, findings: [NoticeFinding],
                stsRecords: [String], policyURL: String?, mxHosts: [String], ruaAddresses: [String], provider: String?) {
        self.domain = domain
        self.inputLine = inputLine
        self.verdict = verdict
        self.mode = mode
        self.findings = findings
        self.stsRecords = stsRecords
        self.policyURL = policyURL
        self.mxHosts = mxHosts
        self.ruaAddresses = ruaAddresses
        self.provider = provider
    }

    /// `component/provider`: the stratum of the control group (notify plan --control-fraction).
    public var stratum: String {
        "\(findings.first?.component ?? "-")/\(provider ?? "-")"
    }

    /// A stable digest of what the message says: the codes and details of its
    /// findings in order. A campaign never sends twice to a domain for the same
    /// digest; a new scan that finds something else is a new message.
    public var digest: String {
        var bytes: [UInt8] = Array(domain.utf8)
        for finding in findings {
            bytes.append(0)
            bytes += finding.code.utf8
            bytes.append(0)
            bytes += ScanRecord.line(.object(finding.details))
        }
        let hash = Shard.fnv1a64(bytes)
        return Hex.lowercase((0..<8).reversed().map { UInt8(truncatingIfNeeded: hash >> ($0 * 8)) })
    }

    /// The candidate of one scan record, or nil when nothing in it passes `criteria`
    /// (or it is no scanned domain: an input error, excluded).
    public static func from(record: JSONValue, criteria: NoticeCriteria) -> NoticeCandidate? {
        guard let domain = record["domain"]?.stringValue, !domain.isEmpty,
              record["input_error"] == nil || record["input_error"] == .null,
              record["excluded"] == nil || record["excluded"] == .null else { return nil }
        let mode = record["mode"]?.stringValue ?? record["policy"]?["mode"]?.stringValue
        if !criteria.modes.isEmpty && !criteria.modes.contains(mode ?? "") { return nil }
        let all = (record["findings"]?.arrayValue ?? []).compactMap(NoticeFinding.init)
        if criteria.onlyDeliveryRisk
            && !all.contains(where: { $0.code == FindingCode.deliveryFailureRisk.rawValue || $0.code == FindingCode.deliveryDegraded.rawValue }) {
            return nil
        }
        var findings = all.filter(criteria.selects)
        let stsRecords = (record["sts_record"]?["txt"]?.arrayValue ?? []).compactMap(\.stringValue)
        let tlsrpt = record["tlsrpt"]?["status"]?.stringValue
        let hasSTS = ["valid", "invalid"].contains(record["sts_record"]?["status"]?.stringValue ?? "")
        if criteria.recommendTLSRPT, hasSTS, tlsrpt == "absent" || tlsrpt == "invalid" {
            findings.append(NoticeFinding(code: NoticeFinding.tlsrptRecommendedCode, severity: "warning",
                                          component: Component.tlsrpt.rawValue,
                                          details: ["tlsrpt_status": .string(tlsrpt ?? "")]))
        }
        guard !findings.isEmpty else { return nil }
        let hosts = (record["mx"]?["hosts"]?.arrayValue ?? []).compactMap { $0["host"]?.stringValue }
        let providers = [record["policy_host"]?["provider"]?.stringValue]
            + (record["mx"]?["hosts"]?.arrayValue ?? []).map { $0["provider"]?.stringValue }
        let rua = (record["tlsrpt"]?["rua"]?.arrayValue ?? []).compactMap(\.stringValue).compactMap(Self.mailtoAddress)
        return NoticeCandidate(
            domain: domain, inputLine: record["input_line"]?.intValue ?? 0, verdict: record["verdict"]?.stringValue ?? "",
            mode: mode, findings: findings, stsRecords: stsRecords, policyURL: record["policy"]?["url"]?.stringValue,
            mxHosts: hosts, ruaAddresses: rua, provider: providers.compactMap { $0 }.first)
    }

    /// `mailto:tlsrpt@example.com!10m` → `tlsrpt@example.com` (RFC 8460 §3: a size
    /// limit may follow `!`; RFC 6068 %-escapes are decoded only for `%40`, anything
    /// else escaped is refused: a campaign writes only to addresses it can read).
    static func mailtoAddress(_ uri: String) -> String? {
        guard uri.lowercased().hasPrefix("mailto:") else { return nil }
        var address = String(uri.dropFirst("mailto:".count))
        if let bang = address.firstIndex(of: "!") { address = String(address[..<bang]) }
        address = address.replacing("%40", with: "@")
        guard !address.contains("%"), !address.contains("?"), !address.contains(","),
              let at = address.lastIndex(of: "@"), at != address.startIndex,
              address.index(after: at) != address.endIndex,
              address.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") })
        else { return nil }
        return address
    }
}
