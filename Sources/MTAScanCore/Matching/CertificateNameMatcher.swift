/// Does a certificate name an MTA-STS host? RFC 8461 §3.3 (the policy host) and
/// §4.2 (MX hosts) defer to RFC 6125 §6.4 with two restrictions, which this
/// type implements:
///
/// - Only DNS-IDs (subjectAltName dNSName entries) are matched. §3.3: "Matching
///   is performed only against the DNS-ID identifiers"; §4.2: the certificate
///   "MUST have a subject alternative name ... with a DNS-ID". So there is no
///   fallback to the subject's CN (RFC 6125 §6.4.4): callers pass SAN dNSNames only.
/// - `*` may only be "the complete left-most label" (§3.3), and it matches
///   exactly one label (RFC 6125 §6.4.3): `*.example.com` matches
///   `mail.example.com`, not `example.com` nor `a.b.example.com`.
///
/// Choices where the RFCs leave room, all on the side of not matching:
/// - Partial wildcards (`m*.example.com`, `*x.example.com`), which RFC 6125 lets
///   clients accept, never match: RFC 8461 allows only a whole-label `*` (as does
///   RFC 9525, which obsoletes RFC 6125). A `*` anywhere else never matches.
/// - A wildcard needs at least two labels after it: `*.com` never matches (RFC
///   6125 §7.2 warns of wildcards over a public suffix). Without a public suffix
///   list, `*.co.uk` still matches `mail.co.uk`. OpenSSL's `X509_check_host`
///   draws the same line, so the TLS probes and this matcher agree.
/// - Comparison is ASCII case-insensitive; one trailing dot on the host (an
///   absolute name from DNS) is ignored, but not on a certificate name.
/// - A name (host or certificate) with a NUL, a non-ASCII byte (IDNs belong in
///   certificates as A-labels), a character other than letter, digit, `-`, `_`,
///   an empty label, a label over 63 or a name over 253 octets never matches.
///   A host holding `*` never matches: it is a reference identifier, not a pattern.
public enum CertificateNameMatcher {
    static let maxNameLength = 253
    static let maxLabelLength = 63

    /// Does any DNS-ID of the certificate match `host`?
    public static func matches(dnsNames: [String], host: String) -> Bool {
        firstMatch(dnsNames: dnsNames, host: host) != nil
    }

    /// The first DNS-ID, as given, that matches `host`; nil if none does.
    public static func firstMatch(dnsNames: [String], host: String) -> String? {
        var host = host
        return host.withUTF8 { hostBytes -> String? in
            var hostCount = hostBytes.count
            if hostCount > 0, hostBytes[hostCount - 1] == UInt8(ascii: ".") { hostCount -= 1 }
            let host = UnsafeBufferPointer(rebasing: hostBytes[0..<hostCount])
            guard isWellFormedName(host) else { return nil }
            for name in dnsNames {
                var name = name
                if name.withUTF8({ matches(presented: $0, host: host) }) { return name }
            }
            return nil
        }
    }

    /// `host` is known to be well-formed and without a trailing dot.
    private static func matches(presented: UnsafeBufferPointer<UInt8>, host: UnsafeBufferPointer<UInt8>) -> Bool {
        let isWildcard = presented.count >= 2 && presented[0] == UInt8(ascii: "*") && presented[1] == UInt8(ascii: ".")
        if !isWildcard {
            return presented.count == host.count && isWellFormedName(presented) && equalsIgnoringCase(presented, host)
        }
        let base = UnsafeBufferPointer(rebasing: presented[2...])
        guard isWellFormedName(base), base.contains(UInt8(ascii: ".")) else { return false }
        // The host is `label.base`: its first dot must sit right before `base`.
        guard let firstDot = host.firstIndex(of: UInt8(ascii: ".")),
              host.count - firstDot - 1 == base.count
        else { return false }
        return equalsIgnoringCase(UnsafeBufferPointer(rebasing: host[(firstDot + 1)...]), base)
    }

    /// Non-empty labels of at most 63 letters, digits, `-` or `_`, at most 253 octets.
    private static func isWellFormedName(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !name.isEmpty, name.count <= maxNameLength else { return false }
        var labelLength = 0
        for byte in name {
            if byte == UInt8(ascii: ".") {
                guard labelLength > 0 else { return false }
                labelLength = 0
                continue
            }
            guard ASCII.isAlphaNumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") else {
                return false
            }
            labelLength += 1
            guard labelLength <= maxLabelLength else { return false }
        }
        return labelLength > 0
    }

    private static func equalsIgnoringCase(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        for index in 0..<a.count where ASCII.lower(a[index]) != ASCII.lower(b[index]) { return false }
        return true
    }
}
