/// How a client `TLSContext` handshakes and what it trusts.
///
/// Version floor: mtascan measures what servers offer, so by default it
/// handshakes down to TLS 1.0 and records the negotiated version in
/// `TLSHandshakeOutcome.version`; whether a version below 1.2 is acceptable is
/// the classifier's call, not the transport's. A handshake that fails only
/// because the scanner refused an old version would hide the certificate, the
/// finding most operators need. OpenSSL 3.0 completes TLS 1.0/1.1 handshakes
/// only at security level 0 (their handshake signatures use SHA-1/MD5), so the
/// context runs its handshakes at level 0 and checks certificates separately at
/// level 1, OpenSSL's default and what a sending MTA linked to it enforces.
public struct TLSConfiguration: Sendable, Equatable {
    /// Where trust anchors come from.
    public enum TrustRoots: Sendable, Equatable {
        /// OpenSSL's default CA bundle (on Debian /usr/lib/ssl/cert.pem, the
        /// `ca-certificates` bundle; `SSL_CERT_FILE` overrides it).
        case systemDefault
        /// A PEM bundle of trust anchors (`--ca-file PATH`), e.g. a test CA.
        case pemFile(String)
    }

    public var trustRoots: TrustRoots
    public var minimumVersion: TLSVersion
    /// nil: the newest version the library supports.
    public var maximumVersion: TLSVersion?

    public init(trustRoots: TrustRoots = .systemDefault, minimumVersion: TLSVersion = .tls1_0,
                maximumVersion: TLSVersion? = nil) {
        self.trustRoots = trustRoots
        self.minimumVersion = minimumVersion
        self.maximumVersion = maximumVersion
    }
}

/// A server `TLSContext`: for tests and the local test internet, never for scans.
public struct TLSServerConfiguration: Sendable, Equatable {
    /// PEM file with the leaf first, then the intermediates the server sends.
    public var certificateChainPath: String
    public var privateKeyPath: String
    public var minimumVersion: TLSVersion
    public var maximumVersion: TLSVersion?
    /// When set, a ClientHello whose SNI is missing or not in this list is
    /// refused with a fatal `unrecognized_name` alert (RFC 6066 §3), as nginx's
    /// `ssl_reject_handshake on` does. Compared ASCII case-insensitively.
    public var acceptedServerNames: [String]?

    public init(certificateChainPath: String, privateKeyPath: String, minimumVersion: TLSVersion = .tls1_0,
                maximumVersion: TLSVersion? = nil, acceptedServerNames: [String]? = nil) {
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
        self.minimumVersion = minimumVersion
        self.maximumVersion = maximumVersion
        self.acceptedServerNames = acceptedServerNames
    }
}
