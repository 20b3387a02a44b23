/// A completed TLS handshake, as far as classification needs it: whether the
/// certificate is PKIX-valid for the name checked, and the record's `tls` object.
public struct TLSObservation: Sendable, Equatable {
    public var pkixValid: Bool
    public var json: JSONValue
    /// The DANE check of the same handshake; nil when the host had no usable secure TLSA.
    public var dane: DANEVerification?

    public init(pkixValid: Bool, json: JSONValue, dane: DANEVerification? = nil) {
        self.pkixValid = pkixValid
        self.json = json
        self.dane = dane
    }
}

/// An address that was tried and gave no connection.
public struct AddressFailure: Sendable, Equatable {
    public var address: String
    public var reason: String

    public init(address: String, reason: String) {
        self.address = address
        self.reason = reason
    }
}

/// What the policy phase learned about one domain: the fetch of
/// `https://mta-sts.<domain>/.well-known/mta-sts.txt`.
public struct PolicyRetrieval: Sendable, Equatable {
    public var url: String
    /// The address whose answer is reported; nil when nothing was sent.
    public var address: String?
    /// The policy host or all its addresses are on the exclusion list.
    public var excluded: Bool
    /// Addresses tried before `address` that gave no TCP connection.
    public var tcpFailures: [AddressFailure]
    public var tls: TLSObservation?
    public var httpStatus: Int?
    public var contentType: String?
    /// `policy-tcp`, `policy-tls`, `policy-http`, `policy-content-type`, `policy-syntax`, warnings.
    public var findings: [Finding]
    /// The parsed body, when one was parsed.
    public var evaluation: PolicyEvaluation?
    /// The policy a sender following RFC 8461 §3.3 applies; nil after any retrieval error.
    public var policy: Policy?

    public init(url: String, address: String?, excluded: Bool = false, tcpFailures: [AddressFailure] = [],
                tls: TLSObservation? = nil, httpStatus: Int? = nil, contentType: String? = nil,
                findings: [Finding] = [], evaluation: PolicyEvaluation? = nil, policy: Policy? = nil) {
        self.url = url
        self.address = address
        self.excluded = excluded
        self.tcpFailures = tcpFailures
        self.tls = tls
        self.httpStatus = httpStatus
        self.contentType = contentType
        self.findings = findings
        self.evaluation = evaluation
        self.policy = policy
    }

    public static func url(for domain: DomainName) -> String {
        "https://mta-sts." + domain.text + "/.well-known/mta-sts.txt"
    }
}

/// One STARTTLS probe of one address of one MX host.
public struct MXProbeObservation: Sendable, Equatable {
    public var host: String
    public var address: String
    /// The scanner's address the probe connected from (`--source-ip`, or the
    /// kernel's choice once connected); nil when excluded, or when the kernel
    /// would have chosen and no connection was made.
    public var source: String?
    /// On the exclusion list: nothing was sent.
    public var excluded: Bool
    /// `mx-tcp`, `mx-smtp`, `mx-no-starttls` or `mx-tls`; empty when STARTTLS
    /// succeeded with a certificate valid for the host.
    public var findings: [Finding]
    public var smtp: SMTPProbeResult?
    /// The handshake, when one completed.
    public var tls: TLSObservation?
    /// Not probed under this name: the result of another name's probe at the
    /// same address, whose certificate the server sends whatever the name
    /// (`SharedProbeOrigin`), judged for this name. Nil: probed itself.
    public var sharedFrom: SharedProbeOrigin?

    public init(host: String, address: String, source: String? = nil, excluded: Bool = false,
                findings: [Finding] = [], smtp: SMTPProbeResult? = nil, tls: TLSObservation? = nil,
                sharedFrom: SharedProbeOrigin? = nil) {
        self.host = host
        self.address = address
        self.source = source
        self.excluded = excluded
        self.findings = findings
        self.smtp = smtp
        self.tls = tls
        self.sharedFrom = sharedFrom
    }

    /// STARTTLS was accepted and a handshake attempted (it may have failed).
    public var reachedTLS: Bool { tls != nil || findings.contains { $0.code == .mxTLS } }

    /// The handshake completed, so the server's certificate was received and put
    /// to the test (verification runs on the completed handshake; mtascan offers
    /// no anonymous cipher suites). A handshake that ended in an alert, bytes
    /// that are no TLS, a close or a timeout received no certificate to judge.
    public var certificateReceived: Bool { tls != nil }

    /// Whether this address presented a certificate PKIX-valid for the host;
    /// nil when no certificate was received (no TLS, or a handshake that failed
    /// before one arrived: that is `mx-tls` `alert`/`protocol`/`timeout`, not an
    /// invalid certificate).
    public var pkixValid: Bool? {
        guard let tls else { return nil }
        return !findings.contains { $0.code == .mxTLS } && tls.pkixValid
    }

    /// `ok`, `excluded`, or the code of the finding that ended the probe.
    public var result: String {
        if excluded { return "excluded" }
        return findings.first?.code.rawValue ?? "ok"
    }
}

/// The probe a shared MX result came from (docs/probes.md, "One probe per
/// shared server"): `host` was probed at the address, and a second probe under
/// `sniCheckName`, a name no server has a certificate for, got the very same
/// certificate, so the server does not choose it by SNI.
public struct SharedProbeOrigin: Sendable, Equatable {
    public var host: String
    public var sniCheckName: String

    public init(host: String, sniCheckName: String) {
        self.host = host
        self.sniCheckName = sniCheckName
    }

    public var json: JSONValue {
        .object(["host": .string(host), "sni_check_name": .string(sniCheckName)])
    }
}
