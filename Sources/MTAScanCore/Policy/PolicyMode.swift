/// The `mode` of an MTA-STS policy (RFC 8461 §3.2, §5): what a compliant
/// sender does when an MX host fails policy validation.
public enum PolicyMode: String, Sendable, CaseIterable {
    /// Do not deliver to a host that fails validation.
    case enforce
    /// Deliver anyway, and report the failure via TLS-RPT (RFC 8460).
    case testing
    /// Treat the domain as having no active policy (RFC 8461 §8.3, removal).
    case none
}
