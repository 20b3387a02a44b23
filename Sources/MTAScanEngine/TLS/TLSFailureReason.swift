/// Why TLS to a policy host or MX host did not yield a valid certificate: the
/// `reason` detail of `policy-tls` and `mx-tls` (shared/spec/findings.md). The
/// raw values are stable output.
public enum TLSFailureReason: String, Sendable, Hashable, CaseIterable {
    /// No SAN DNS-ID of the leaf matches the host (RFC 8461 §3.3, §4.2).
    case nameMismatch = "name-mismatch"
    case expired = "expired"
    case notYetValid = "not-yet-valid"
    /// The leaf itself is self-signed (OpenSSL verify error 18).
    case selfSigned = "self-signed"
    /// The chain does not lead to a trust anchor — it ends in a self-signed root
    /// that is none (error 19), or at an issuer that is unknown —, or fails another PKIX check
    /// (bad signature, wrong purpose, a CA key below security level 1...);
    /// `verify_error` says which.
    case untrusted = "untrusted"
    /// The server sent its leaf without the intermediate that issued it.
    case incompleteChain = "incomplete-chain"
    /// The handshake ended with a fatal alert from the peer (e.g. no
    /// certificate for the SNI name: `unrecognized_name`).
    case alert = "alert"
    /// Anything else that stopped the handshake: not TLS at all, no common
    /// version or cipher, a malformed message, the peer closing mid-handshake.
    case `protocol` = "protocol"

    /// The order in which reasons are reported when a certificate has several
    /// problems: trust first (nothing else matters to a sender without it), then
    /// the name, then validity dates.
    var priority: Int {
        switch self {
        case .alert, .protocol: return 0
        case .selfSigned: return 1
        case .untrusted: return 2
        case .incompleteChain: return 3
        case .nameMismatch: return 4
        case .expired: return 5
        case .notYetValid: return 6
        }
    }
}
