import MTAScanCore

/// What a scan records about the peer's leaf certificate, whether or not it
/// verified: enough to tell an operator which certificate their server sends
/// and to aggregate by issuer, key type or expiry over a whole scan.
public struct CertificateInfo: Sendable, Equatable {
    /// Subject and issuer as one-line RFC 2253 text (`CN=mx.example.com,O=Example`),
    /// bytes outside ASCII escaped by OpenSSL as `\XX`.
    public let subject: String
    public let issuer: String
    /// subjectAltName dNSName entries in certificate order: the only names
    /// RFC 8461 §3.3/§4.2 match against. Bytes that are not UTF-8 become U+FFFD
    /// (and so never match).
    public let dnsNames: [String]
    /// Validity, Unix seconds (UTC); nil when the field is malformed.
    public let notBefore: Int64?
    public let notAfter: Int64?
    /// `RSA`, `RSA-PSS`, `EC`, `Ed25519`, `Ed448`, `DSA`, or OpenSSL's short
    /// name of the algorithm.
    public let keyType: String
    public let keyBits: Int
    /// The named curve of an EC key (`prime256v1`), nil otherwise.
    public let keyCurve: String?
    /// OpenSSL's long name of the signature algorithm, e.g. `ecdsa-with-SHA256`.
    public let signatureAlgorithm: String
    /// SHA-256 of the DER encoding, lower-case hex without separators.
    public let sha256Fingerprint: String
    /// Certificates the peer sent, the leaf included.
    public let chainLength: Int

    /// The JSON output keeps at most this many SAN names: a hostile
    /// certificate may carry thousands, a record should stay small.
    static let maxDNSNamesInJSON = 100

    public init(subject: String, issuer: String, dnsNames: [String], notBefore: Int64?, notAfter: Int64?,
                keyType: String, keyBits: Int, keyCurve: String?, signatureAlgorithm: String,
                sha256Fingerprint: String, chainLength: Int) {
        self.subject = subject
        self.issuer = issuer
        self.dnsNames = dnsNames
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.keyType = keyType
        self.keyBits = keyBits
        self.keyCurve = keyCurve
        self.signatureAlgorithm = signatureAlgorithm
        self.sha256Fingerprint = sha256Fingerprint
        self.chainLength = chainLength
    }

    /// The same certificate, sent in a chain of another length.
    func withChainLength(_ length: Int) -> CertificateInfo {
        length == chainLength ? self : CertificateInfo(
            subject: subject, issuer: issuer, dnsNames: dnsNames, notBefore: notBefore, notAfter: notAfter,
            keyType: keyType, keyBits: keyBits, keyCurve: keyCurve, signatureAlgorithm: signatureAlgorithm,
            sha256Fingerprint: sha256Fingerprint, chainLength: length)
    }

    public func json() -> JSONValue {
        var object = JSONObject()
        object["subject"] = .string(subject)
        object["issuer"] = .string(issuer)
        object["san_dns_names"] = .strings(dnsNames.prefix(Self.maxDNSNamesInJSON))
        object["san_dns_names_total"] = .int(dnsNames.count)
        object["not_before"] = notBefore.map { .string(UnixTime.rfc3339($0)) } ?? .null
        object["not_before_unix"] = notBefore.map { .int(Int($0)) } ?? .null
        object["not_after"] = notAfter.map { .string(UnixTime.rfc3339($0)) } ?? .null
        object["not_after_unix"] = notAfter.map { .int(Int($0)) } ?? .null
        object["key_type"] = .string(keyType)
        object["key_bits"] = .int(keyBits)
        object["key_curve"] = keyCurve.map { .string($0) } ?? .null
        object["signature_algorithm"] = .string(signatureAlgorithm)
        object["sha256_fingerprint"] = .string(sha256Fingerprint)
        object["chain_length"] = .int(chainLength)
        return .object(object)
    }
}
