/// One MX host of a domain, judged as a compliant sender would (RFC 8461 §4):
/// does the host match the policy, and did it present a PKIX-valid certificate
/// after STARTTLS?
public struct MXHostAssessment: Sendable, Equatable {
    public var host: String
    /// The first `mx` pattern the host matches; nil when none does or there is no policy.
    public var pattern: String?
    /// Nil without an applicable policy.
    public var matchesPolicy: Bool?
    /// True when some address presented a valid certificate; false when some
    /// address presented a certificate and none was valid; nil when no address
    /// presented a certificate (no TLS, or a handshake that failed before one).
    public var pkixValid: Bool?
    /// Why a sender enforcing the policy cannot deliver here; nil when it can,
    /// or when it is not known (MX phase not run, host excluded).
    public var failure: Failure?

    public enum Failure: String, Sendable, Equatable {
        /// Matches no `mx` pattern (RFC 8461 §4.1).
        case noPatternMatch = "no-pattern-match"
        /// The host name has no address.
        case noAddress = "no-address"
        /// No address completed STARTTLS: no connection, SMTP failure, STARTTLS not
        /// offered, or a handshake that failed before a certificate arrived.
        case noTLS = "no-tls"
        /// A certificate arrived, but no address presented one valid for the name (RFC 8461 §4.2).
        case pkixInvalid = "pkix-invalid"
    }

    public init(host: String, pattern: String?, matchesPolicy: Bool?, pkixValid: Bool?, failure: Failure?) {
        self.host = host
        self.pattern = pattern
        self.matchesPolicy = matchesPolicy
        self.pkixValid = pkixValid
        self.failure = failure
    }

    /// Judges `host` from its probes (nil: the MX phase did not run).
    static func assess(host: String, policy: Policy?, facts: DomainDNSFacts, probes: [MXProbeObservation]?) -> MXHostAssessment {
        let pattern = policy?.mx.first { $0.matches(host) }
        let validity = probes.flatMap(pkixValidity)
        var failure: Failure?
        if policy != nil, pattern == nil {
            failure = .noPatternMatch
        } else if let probes, let lookedUp = facts.mxHostAddresses[host] {
            // A host whose addresses were never looked up (beyond the per-domain
            // cap) is unknown, not undeliverable.
            if lookedUp.addresses.isEmpty {
                failure = .noAddress
            } else if probes.allSatisfy(\.excluded) {
                failure = nil
            } else if validity == false {
                failure = .pkixInvalid
            } else if validity == nil {
                failure = .noTLS
            }
        }
        return MXHostAssessment(host: host, pattern: pattern?.text, matchesPolicy: policy.map { _ in pattern != nil },
                                pkixValid: validity, failure: failure)
    }

    private static func pkixValidity(_ probes: [MXProbeObservation]) -> Bool? {
        let results = probes.compactMap(\.pkixValid)
        if results.contains(true) { return true }
        return results.isEmpty ? nil : false
    }
}
