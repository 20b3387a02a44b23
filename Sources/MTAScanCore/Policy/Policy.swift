/// A policy field with a name RFC 8461 does not define. §3.2: unknown fields
/// are ignored by senders; mtascan keeps them, in policy order, for the record.
public struct PolicyExtension: Sendable, Equatable {
    /// `sts-policy-ext-name`, as written (names are case-sensitive).
    public var name: String
    /// `sts-policy-ext-value`: printable ASCII, spaces and UTF-8, no leading or trailing space.
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A syntactically valid MTA-STS policy (RFC 8461 §3.2), as a sender applies it:
/// for `version`, `mode` and `max_age` the first occurrence wins.
public struct Policy: Sendable, Equatable {
    public var mode: PolicyMode
    /// Seconds a sender may cache the policy, 0...31557600 (one Julian year).
    public var maxAge: Int
    /// The `mx` patterns in policy order. Empty only with mode `none`.
    public var mx: [MXPattern]
    public var extensions: [PolicyExtension]

    public init(mode: PolicyMode, maxAge: Int, mx: [MXPattern], extensions: [PolicyExtension] = []) {
        self.mode = mode
        self.maxAge = maxAge
        self.mx = mx
        self.extensions = extensions
    }
}
