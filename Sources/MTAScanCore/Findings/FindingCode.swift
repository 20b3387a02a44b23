/// The stable vocabulary of findings. A code, once shipped, keeps its meaning:
/// researchers aggregate by it and notification mails are rendered from it.
/// docs/findings.md documents each code, its detail fields and how to fix it.
public enum FindingCode: String, Sendable, Hashable, CaseIterable {
    // sts-record: the `_mta-sts.<domain>` TXT record (RFC 8461 §3.1)
    case stsRecordMultiple = "sts-record-multiple"
    case stsRecordBadVersion = "sts-record-bad-version"
    case stsRecordMissingID = "sts-record-missing-id"
    case stsRecordInvalidID = "sts-record-invalid-id"
    case stsRecordBadExtension = "sts-record-bad-extension"
    /// Warning: `id` given more than once; RFC 8461 is silent, senders may compare either.
    case stsRecordDuplicateID = "sts-record-duplicate-id"

    // policy: fetching and parsing the policy (RFC 8461 §3.2, §3.3)
    case policyDNS = "policy-dns"
    case policyTCP = "policy-tcp"
    case policyTLS = "policy-tls"
    case policyHTTP = "policy-http"
    case policyContentType = "policy-content-type"
    case policySyntax = "policy-syntax"
    case policyDuplicateKey = "policy-duplicate-key"
    case policyMaxAgeShort = "policy-max-age-short"
    /// The CNAME of mta-sts.<domain> leads into a policy-hosting provider that no longer serves it.
    case policyOrphanedDelegation = "policy-orphaned-delegation"

    // mx: each MX host, probed with STARTTLS
    case mxDNS = "mx-dns"
    case mxTCP = "mx-tcp"
    case mxSMTP = "mx-smtp"
    case mxNoStartTLS = "mx-no-starttls"
    case mxTLS = "mx-tls"
    case mxPKIXInvalidAll = "mx-pkix-invalid-all"
    case mxPKIXInvalidSome = "mx-pkix-invalid-some"
    case mxNone = "mx-none"
    /// `mtascan lint cert-name` only: a presented certificate name that can never
    /// match a host (partial or misplaced wildcard, empty label...); detail `name`, `problem`.
    case mxCertNameInvalid = "mx-cert-name-invalid"

    // consistency: policy `mx` patterns against MX records
    case mxPatternMismatch = "mx-pattern-mismatch"

    // tlsrpt: the `_smtp._tls.<domain>` TXT record (RFC 8460 §3)
    case tlsrptMultiple = "tlsrpt-multiple"
    case tlsrptBadVersion = "tlsrpt-bad-version"
    case tlsrptMissingRUA = "tlsrpt-missing-rua"
    case tlsrptBadRUA = "tlsrpt-bad-rua"
    case tlsrptBadExtension = "tlsrpt-bad-extension"
    /// Warning: `rua` given more than once; RFC 8460 is silent, senders may honour either.
    case tlsrptDuplicateRUA = "tlsrpt-duplicate-rua"

    // dns: resolution trouble that is not the owner's configuration
    case dnsServfail = "dns-servfail"
    case dnsTimeout = "dns-timeout"
    case dnsRefused = "dns-refused"

    // risk
    case deliveryFailureRisk = "delivery-failure-risk"
    case deliveryDegraded = "delivery-degraded"

    // DANE beside MTA-STS (RFC 7672; `scan --dane`): never part of the MTA-STS verdict.
    case daneTLSAMismatch = "dane-tlsa-mismatch"
    case daneTLSAUnusable = "dane-tlsa-unusable"
    case daneTLSAInsecure = "dane-tlsa-insecure"
    case daneMXInsecure = "dane-mx-insecure"
    case daneBogus = "dane-bogus"

    // tlsrpt, measured by phase tlsrpt. Last in the list: `FindingCodeSet`
    // numbers codes by position, so a new code goes at the end.
    /// Warning (`scan --phases ...,tlsrpt`): a usable `rua` URI whose endpoint cannot
    /// receive (null MX, no such domain, no address, no TLS, 5xx); detail `uri`, `reason`.
    case tlsrptRUAUnreachable = "tlsrpt-rua-unreachable"

    public var component: Component {
        switch self {
        case .stsRecordMultiple, .stsRecordBadVersion, .stsRecordMissingID, .stsRecordInvalidID,
             .stsRecordBadExtension, .stsRecordDuplicateID:
            return .stsRecord
        case .policyDNS, .policyTCP, .policyTLS, .policyHTTP, .policyContentType, .policySyntax,
             .policyDuplicateKey, .policyMaxAgeShort, .policyOrphanedDelegation:
            return .policy
        case .mxDNS, .mxTCP, .mxSMTP, .mxNoStartTLS, .mxTLS, .mxPKIXInvalidAll, .mxPKIXInvalidSome,
             .mxNone, .mxCertNameInvalid:
            return .mx
        case .mxPatternMismatch:
            return .consistency
        case .tlsrptMultiple, .tlsrptBadVersion, .tlsrptMissingRUA, .tlsrptBadRUA, .tlsrptBadExtension,
             .tlsrptDuplicateRUA, .tlsrptRUAUnreachable:
            return .tlsrpt
        case .dnsServfail, .dnsTimeout, .dnsRefused:
            return .dns
        case .deliveryFailureRisk, .deliveryDegraded:
            return .risk
        case .daneTLSAMismatch, .daneTLSAUnusable, .daneTLSAInsecure, .daneMXInsecure, .daneBogus:
            return .dane
        }
    }

    /// The severity a finding of this code has unless its producer knows better.
    public var defaultSeverity: Severity {
        switch self {
        case .policyDuplicateKey, .policyMaxAgeShort, .tlsrptBadRUA, .stsRecordDuplicateID, .tlsrptDuplicateRUA,
             .daneTLSAInsecure, .daneMXInsecure, .policyOrphanedDelegation,
             .tlsrptRUAUnreachable:
            return .warning
        default:
            return .error
        }
    }
}
