/// How much a finding matters. The verdict counts errors only.
public enum Severity: String, Sendable, Hashable, Comparable, CaseIterable {
    /// MTA-STS does not work as the owner intends.
    case error
    /// Works by the RFC, but fragile or sloppy.
    case warning

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        lhs == .warning && rhs == .error
    }
}
