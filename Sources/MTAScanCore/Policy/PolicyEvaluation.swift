/// What `PolicyParser` made of a policy body: the policy a sender would apply,
/// if any, and every finding about the body.
public struct PolicyEvaluation: Sendable, Equatable {
    /// Nil when any error-severity finding makes the body unusable: a sender
    /// that follows RFC 8461 §3.2 would not apply it.
    public var policy: Policy?
    /// When blank lines are the body's only errors: the policy a sender whose
    /// parser splits lines and skips blank ones applies (most do; strict ones
    /// such as Mimecast's reject the body). Kept for analysis, never applied
    /// by mtascan: `policy` is nil then.
    public var lenientPolicy: Policy?
    /// In body order: `policy-syntax` (detail `rule`, see `PolicyParser.Rule`),
    /// `policy-duplicate-key` and `policy-max-age-short`.
    public var findings: [Finding]

    public var isValid: Bool { policy != nil }

    /// The fields the body gave, valid or only leniently readable.
    public var parsedPolicy: Policy? { policy ?? lenientPolicy }

    public init(policy: Policy?, lenientPolicy: Policy? = nil, findings: [Finding]) {
        self.policy = policy
        self.lenientPolicy = lenientPolicy
        self.findings = findings
    }
}
