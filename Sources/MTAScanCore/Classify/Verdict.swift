/// The headline of a domain's record (shared/spec/findings.md, "Verdict").
public enum Verdict: String, Sendable, Hashable, CaseIterable {
    /// No MTA-STS record at `_mta-sts.<domain>`.
    case noMTASTS = "no-mta-sts"
    /// Record, policy and every MX consistent and PKIX-valid; warnings allowed.
    case valid
    /// An error-severity finding from sts-record, policy, mx, consistency or risk.
    case misconfigured
    /// A failed lookup (a `dns-*` error) prevented a verdict.
    case unknown

    /// The verdict a set of findings gives, counting errors only. TLS-RPT
    /// findings never change it; a failed `_mta-sts` lookup makes it unknown
    /// whatever else is known, since it is unknown whether MTA-STS is deployed.
    /// DANE findings have a verdict of their own (`DANEAssessment`).
    public static func of(stsRecordStatus: RecordStatus?, findings: [Finding]) -> Verdict {
        guard let status = stsRecordStatus else { return .unknown }
        if status == .absent { return .noMTASTS }
        var dnsFailure = false
        for finding in findings where finding.severity == .error {
            switch finding.component {
            case .stsRecord, .policy, .mx, .consistency, .risk: return .misconfigured
            case .dns: dnsFailure = true
            case .tlsrpt, .dane: continue
            }
        }
        return dnsFailure ? .unknown : .valid
    }
}
