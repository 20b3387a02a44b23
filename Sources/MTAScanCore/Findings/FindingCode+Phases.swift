/// Which scan phases must have run for a finding code to be measured at all:
/// a scan without them can neither show nor rule out the code. `report
/// --compare` compares a code only between scans that both ran these phases.
extension FindingCode {
    public var measuringPhases: Set<ScanRecord.Phase> {
        switch self {
        // Everything DNS alone shows, the policy host's and MX hosts' names included.
        case .stsRecordMultiple, .stsRecordBadVersion, .stsRecordMissingID, .stsRecordInvalidID,
             .stsRecordBadExtension, .stsRecordDuplicateID,
             .tlsrptMultiple, .tlsrptBadVersion, .tlsrptMissingRUA, .tlsrptBadRUA, .tlsrptBadExtension,
             .tlsrptDuplicateRUA,
             .dnsServfail, .dnsTimeout, .dnsRefused,
             .policyDNS, .mxDNS, .mxNone:
            return [.dns]
        // The fetched policy; the consistency of its patterns with the MX records.
        case .policyTCP, .policyTLS, .policyHTTP, .policyContentType, .policySyntax, .policyDuplicateKey,
             .policyMaxAgeShort, .mxPatternMismatch, .policyOrphanedDelegation:
            return [.dns, .policy]
        // The STARTTLS probes.
        case .mxTCP, .mxSMTP, .mxNoStartTLS, .mxTLS, .mxPKIXInvalidAll, .mxPKIXInvalidSome, .mxCertNameInvalid:
            return [.dns, .mx]
        // DNSSEC and TLSA alone; a mismatch needs the handshake.
        case .daneTLSAUnusable, .daneTLSAInsecure, .daneMXInsecure, .daneBogus:
            return [.dns]
        case .daneTLSAMismatch:
            return [.dns, .mx]
        // Without probes only the patterns decide the risk; with them, TLS too.
        case .deliveryFailureRisk, .deliveryDegraded:
            return [.dns, .policy, .mx]
        // The report endpoints' lookups and connections.
        case .tlsrptRUAUnreachable:
            return [.dns, .tlsrpt]
        }
    }
}
