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
/// - A host given in Unicode (`mail.bücher.example`) is compared in its A-label
///   form (RFC 9525 §6.3, RFC 6125 §6.4.2; `IDNA.toASCII`); a host with none
///   matches nothing.
/// - A host that is an IP address (its last label all digits, as `192.0.2.1`;
///   an IPv6 literal is no well-formed name anyway) never matches a wildcard:
///   `*.0.2.1` is no pattern over DNS labels for it (RFC 9525 §6.3, RFC 6125
///   §6.4.3 apply wildcards to DNS domain names only; an IP reference identifier
///   is for iPAddress SANs, which mtascan does not match).
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
        if IDNA.needsConversion(host.utf8) {
            guard case .success(let ascii) = IDNA.toASCII(host) else { return nil }
            host = ascii
        }
        return host.withUTF8 { hostBytes -> String? in
            var hostCount = hostBytes.count
            if hostCount > 0, hostBytes[hostCount - 1] == UInt8(ascii: ".") { hostCount -= 1 }
            let host = UnsafeBufferPointer(rebasing: hostBytes[0..<hostCount])
            guard isWellFormedName(host) else { return nil }
            let hostIsIPAddress = isIPAddress(host)
            for name in dnsNames {
                var name = name
                if name.withUTF8({ matches(presented: $0, host: host, hostIsIPAddress: hostIsIPAddress) }) {
                    return name
                }
            }
            return nil
        }
    }

    /// `host` is known to be well-formed and without a trailing dot.
    private static func matches(
        presented: UnsafeBufferPointer<UInt8>, host: UnsafeBufferPointer<UInt8>, hostIsIPAddress: Bool
    ) -> Bool {
        let isWildcard = presented.count >= 2 && presented[0] == UInt8(ascii: "*") && presented[1] == UInt8(ascii: ".")
        if !isWildcard {
            return presented.count == host.count && isWellFormedName(presented) && equalsIgnoringCase(presented, host)
        }
        guard !hostIsIPAddress else { return false }
        let base = UnsafeBufferPointer(rebasing: presented[2...])
        guard isWellFormedName(base), base.contains(UInt8(ascii: ".")) else { return false }
        // The host is `label.base`: its first dot must sit right before `base`.
        guard let firstDot = host.firstIndex(of: UInt8(ascii: ".")),
              host.count - firstDot - 1 == base.count
        else { return false }
        return equalsIgnoringCase(UnsafeBufferPointer(rebasing: host[(firstDot + 1)...]), base)
    }

    /// Why a presented DNS-ID can never match any host under the rules above.
    public enum PresentedNameProblem: String, Error, Sendable, CaseIterable {
        case empty
        /// `m*.example.com`, `*x.example.com`: `*` is only ever a whole left-most label.
        case partialWildcard = "partial-wildcard"
        /// `*` in a label other than the left-most: `*.*.example.com`, `mail.*.example.com`.
        case misplacedWildcard = "misplaced-wildcard"
        /// `*` or `*.com`: a wildcard needs at least two labels after it.
        case wildcardTooBroad = "wildcard-too-broad"
        /// `mail.example.com.`: certificate names carry no trailing dot.
        case trailingDot = "trailing-dot"
        /// An empty label (`.example.com`), a character other than letter, digit,
        /// `-`, `_`, a label over 63 or a name over 253 octets.
        case invalidName = "invalid-name"
    }

    /// Nil when `presented` can match some host, else why it never can.
    public static func problem(presented: String) -> PresentedNameProblem? {
        var presented = presented
        return presented.withUTF8 { name -> PresentedNameProblem? in
            guard let last = name.last else { return .empty }
            guard name.contains(UInt8(ascii: "*")) else {
                if last == UInt8(ascii: ".") { return .trailingDot }
                return isWellFormedName(name) ? nil : .invalidName
            }
            let firstLabelEnd = name.firstIndex(of: UInt8(ascii: ".")) ?? name.count
            if firstLabelEnd != 1 || name[0] != UInt8(ascii: "*") {
                return name[..<firstLabelEnd].contains(UInt8(ascii: "*")) ? .partialWildcard : .misplacedWildcard
            }
            if firstLabelEnd == name.count { return .wildcardTooBroad }   // `*` alone
            let base = UnsafeBufferPointer(rebasing: name[(firstLabelEnd + 1)...])
            if base.contains(UInt8(ascii: "*")) { return .misplacedWildcard }
            if last == UInt8(ascii: ".") { return .trailingDot }
            guard isWellFormedName(base) else { return .invalidName }
            return base.contains(UInt8(ascii: ".")) ? nil : .wildcardTooBroad
        }
    }

    /// A last label of digits only is no top-level domain (RFC 3696 §2): the
    /// name is an IPv4 address, or meant as one (as `MXPattern` reads it).
    static func isIPAddress(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        let lastLabel = name.reversed().prefix { $0 != UInt8(ascii: ".") }
        return !lastLabel.isEmpty && lastLabel.allSatisfy(ASCII.isDigit)
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
