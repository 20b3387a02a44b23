import MTAScanCore

extension TLSHandshakeOutcome {
    /// RFC 8461 §4.2 / RFC 6125: the first subjectAltName DNS-ID that names
    /// `host`, or the `name-mismatch` failure. Ours, not OpenSSL's: the same
    /// check judges a live handshake and, offline, a certificate captured
    /// under another name (`judged(forName:)`).
    static func nameCheck(_ certificate: CertificateInfo, host: String)
        -> (matched: String?, failure: TLSVerificationFailure?)
    {
        if let matched = CertificateNameMatcher.firstMatch(dnsNames: certificate.dnsNames, host: host) {
            return (matched, nil)
        }
        let message = certificate.dnsNames.isEmpty
            ? "the certificate has no subjectAltName DNS names"
            : "no subjectAltName DNS name matches \(host)"
        return (nil, TLSVerificationFailure(reason: .nameMismatch, message: message, depth: 0))
    }

    /// Most important first; equal priorities keep their order.
    static func ordered(_ failures: [TLSVerificationFailure]) -> [TLSVerificationFailure] {
        failures.enumerated().sorted {
            ($0.element.reason.priority, $0.offset) < ($1.element.reason.priority, $1.offset)
        }.map(\.element)
    }

    /// This handshake's certificate judged for `host` instead of the name it
    /// was checked against: the chain's failures do not depend on the name and
    /// stay; the name check is made again. The DANE check is dropped: it
    /// belongs to the TLSA records of the name that was probed.
    public func judged(forName host: String) -> TLSHandshakeOutcome {
        var failures = verificationFailures.filter { $0.reason != .nameMismatch }
        var matched: String?
        if let peerCertificate {
            let check = Self.nameCheck(peerCertificate, host: host)
            matched = check.matched
            if let failure = check.failure { failures.append(failure) }
        }
        return TLSHandshakeOutcome(version: version, cipher: cipher, peerCertificate: peerCertificate,
                                   checkedName: host, matchedName: matched,
                                   verificationFailures: Self.ordered(failures))
    }
}
