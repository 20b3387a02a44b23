/// The part of a domain's MTA-STS deployment a finding is about (shared/spec/findings.md).
public enum Component: String, Sendable, Hashable, CaseIterable {
    case stsRecord = "sts-record"
    case policy
    case mx
    case consistency
    case tlsrpt
    case dns
    case risk
    /// DANE for the MX hosts (`scan --dane`): reported beside MTA-STS, never part of its verdict.
    case dane
}
