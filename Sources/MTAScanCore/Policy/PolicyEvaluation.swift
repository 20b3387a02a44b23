/// What `PolicyParser` made of a policy body: the policy a sender would apply,
/// if any, and every finding about the body.
public struct PolicyEvaluation: Sendable, Equatable {
    /// Nil when any error-severity finding makes the body unusable: a sender
    /// that follows RFC 8461 §3.2 would not apply it.
    public var policy: Policy?
    /// In body order: `policy-syntax` (detail `rule`, see `PolicyParser.Rule`),
    /// `policy-duplicate-key` and `policy-max-age-short`.
    public var findings: [Finding]

    public var isValid: Bool { policy != nil }

    public init(policy: Policy?, findings: [Finding]) {
        self.policy = policy
        self.findings = findings
    }
}
