import MTAScanCore

/// A completed handshake: what was negotiated, the peer's leaf certificate and
/// our verdict on it. The handshake completes even when the certificate is bad
/// (the scanner records what a server presents); `verificationFailures` says
/// whether a sender applying RFC 8461 would accept it.
public struct TLSHandshakeOutcome: Sendable, Equatable {
    public let version: TLSVersion
    /// The IANA name of the cipher suite (`TLS_AES_128_GCM_SHA256`,
    /// `TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`).
    public let cipher: String
    /// The peer's leaf; nil on the server side (no client certificates) or if a
    /// server sent none.
    public let peerCertificate: CertificateInfo?
    /// The host name the certificate was checked against; nil: the chain was
    /// verified, no name was checked.
    public let checkedName: String?
    /// The SAN DNS-ID that matched `checkedName`.
    public let matchedName: String?
    /// Every reason the certificate is not valid, most important first
    /// (`TLSFailureReason.priority`), one entry per reason.
    public let verificationFailures: [TLSVerificationFailure]
    /// The DANE check of the same chain, when the session was given TLSA records.
    public var dane: DANEVerification?

    public init(version: TLSVersion, cipher: String, peerCertificate: CertificateInfo?, checkedName: String?,
                matchedName: String?, verificationFailures: [TLSVerificationFailure], dane: DANEVerification? = nil) {
        self.dane = dane
        self.version = version
        self.cipher = cipher
        self.peerCertificate = peerCertificate
        self.checkedName = checkedName
        self.matchedName = matchedName
        self.verificationFailures = verificationFailures
    }

    /// The peer presented a certificate that chains to a trust anchor, is within
    /// its validity period and (when a name was given) names the host.
    public var isPKIXValid: Bool { peerCertificate != nil && verificationFailures.isEmpty }

    public var primaryFailure: TLSVerificationFailure? { verificationFailures.first }

    /// Detail fields for a `policy-tls` / `mx-tls` finding, nil when valid:
    /// `reason` (the primary one), `reasons` (all), `error`, `verify_error` and
    /// `depth` of the primary one, and for `name-mismatch` the names the
    /// certificate does carry (`presented_names`, at most 10).
    public var failureDetails: JSONObject? {
        guard let primary = primaryFailure else { return nil }
        var object = JSONObject()
        object["reason"] = .string(primary.reason.rawValue)
        object["reasons"] = .strings(verificationFailures.map(\.reason.rawValue))
        object["error"] = .string(primary.message)
        if let code = primary.verifyError { object["verify_error"] = .int(code) }
        if let depth = primary.depth { object["depth"] = .int(depth) }
        if verificationFailures.contains(where: { $0.reason == .nameMismatch }), let peerCertificate {
            object["presented_names"] = .strings(peerCertificate.dnsNames.prefix(10))
        }
        return object
    }

    public func json() -> JSONValue {
        var object = JSONObject()
        object["version"] = .string(version.name)
        object["cipher"] = .string(cipher)
        object["pkix_valid"] = .bool(isPKIXValid)
        // Every key always present (null or empty), so columnar loaders infer one shape.
        object["checked_name"] = checkedName.map { .string($0) } ?? .null
        object["matched_name"] = matchedName.map { .string($0) } ?? .null
        object["failures"] = .array(verificationFailures.map { $0.json() })
        object["certificate"] = peerCertificate?.json() ?? .null
        return .object(object)
    }
}
