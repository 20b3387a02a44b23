import MTAScanCore

/// `PolicyParser` on an arbitrary body, as fetched.
///
/// Checks: a body that is valid UTF-8 parses the same as a `String` as it
/// does as bytes; a policy has an `mx` unless its mode is `none`, and
/// `max_age` within RFC 8461 §3.2's 0...31557600; each kept `mx` pattern
/// parses again from its text to itself; the lint verdict (findings with
/// excerpts of the hostile body) round-trips through the JSON writer.
enum PolicyTarget {
    static let target = FuzzTarget(
        name: "policy",
        summary: "MTA-STS policy parser: bytes = String parse, mx/max_age rules, verdict JSON round trip"
    ) { input in
        let body = input.rest
        let evaluation = PolicyParser.parse(body)
        if let text = String(validating: body, as: UTF8.self) {
            Invariant.require(PolicyParser.parse(text) == evaluation, "String and byte parses differ")
        }
        Invariant.require(evaluation.isValid == (evaluation.policy != nil), "isValid without a policy")
        if let policy = evaluation.policy {
            Invariant.require(policy.mode == .none || !policy.mx.isEmpty, "mode \(policy.mode) without mx")
            Invariant.require((0...31_557_600).contains(policy.maxAge), "max_age \(policy.maxAge)")
            for pattern in policy.mx {
                Invariant.require(MXPattern.parse(pattern.text) == .success(pattern), "mx \(pattern.text) does not reparse")
            }
        }
        JSONCheck.requireRoundTrip(Linter.policyVerdict(evaluation), "policy verdict")
    }
}
