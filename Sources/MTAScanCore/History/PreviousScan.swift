/// An earlier scan, as `scan --previous OLD.ndjson` keeps it: the MX hosts of
/// each domain that had an MTA-STS record then, and when that scan began. What
/// `StalePolicy` needs to tell a pattern that once matched from one that never
/// did.
///
/// Only domains with an MTA-STS record (`sts_record.status` valid or invalid)
/// are kept — the only ones a policy pattern can be stale for — so memory is
/// proportional to a TLD's MTA-STS domains (about 1%), not to its size: a
/// 100-million-domain scan with a million MTA-STS domains costs on the order
/// of 100 MB. Records are read one at a time; for a domain given twice the
/// last record wins.
public struct PreviousScan: Sendable {
    public struct Entry: Sendable, Equatable {
        public var mxHosts: [String]
    }

    private var entries: [String: Entry] = [:]
    /// `started_at` of the earlier scan's metadata (RFC 3339), when known.
    public var scannedAt: String?
    public private(set) var recordsRead = 0

    public init(scannedAt: String? = nil) {
        self.scannedAt = scannedAt
    }

    public var count: Int { entries.count }

    public mutating func add(_ record: JSONValue) {
        recordsRead += 1
        guard let domain = record["domain"]?.stringValue,
              let status = record["sts_record"]?["status"]?.stringValue, status == "valid" || status == "invalid"
        else { return }
        let hosts = (record["mx"]?["hosts"]?.arrayValue ?? []).compactMap { $0["host"]?.stringValue }.filter { !$0.isEmpty }
        guard !hosts.isEmpty else { return }
        entries[ASCII.lowercased(domain)] = Entry(mxHosts: hosts.map(ASCII.lowercased))
    }

    public func entry(for domain: String) -> Entry? { entries[domain] }
}

/// `mx-pattern-mismatch` explained from history (`scan --previous`): a policy
/// `mx` pattern that matches none of the domain's MX hosts today but matched
/// one of them in the earlier scan is stale — the operator moved the mail and
/// forgot the policy (the IMC'25 study found this behind 63% of complete
/// mismatches). Each mismatch finding of the domain gains `stale` (true or
/// false) and, when true, `old_host` (an earlier MX host a now-unused pattern
/// matched), `old_pattern` and `old_scan` (when the earlier scan began). Pure.
public enum StalePolicy {
    public static func annotate(_ findings: [Finding], patterns: [MXPattern], currentHosts: [String],
                                previous: PreviousScan.Entry?, scannedAt: String?) -> [Finding] {
        guard findings.contains(where: { $0.code == .mxPatternMismatch }) else { return findings }
        let current = currentHosts.map(ASCII.lowercased)
        var evidence: (pattern: MXPattern, host: String)?
        if let previous {
            search: for pattern in patterns where !current.contains(where: pattern.matches) {
                for host in previous.mxHosts where pattern.matches(host) {
                    evidence = (pattern, host)
                    break search
                }
            }
        }
        return findings.map { finding in
            guard finding.code == .mxPatternMismatch else { return finding }
            var annotated = finding.adding("stale", .bool(evidence != nil))
            if let evidence {
                annotated = annotated.adding("old_host", .string(evidence.host))
                    .adding("old_pattern", .string(evidence.pattern.text))
                    .adding("old_scan", scannedAt.map { .string($0) } ?? .null)
            }
            return annotated
        }
    }
}
