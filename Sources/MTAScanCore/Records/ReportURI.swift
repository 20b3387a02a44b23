/// One `tlsrpt-uri` of a TLS-RPT `rua` field (RFC 8460 §3): a URI (RFC 3986)
/// in which commas, exclamation points and semicolons MUST be %-encoded,
/// with one of the two schemes §3 supports: `mailto` (RFC 6068), reports go
/// to the address; `https`, reports are POSTed there.
///
/// This is a sanity check for reporting, not a full URI parser: it makes
/// sure a sender could deliver a report (an address `local@domain`, a host),
/// and says why not in a stable `reason`.
enum ReportURI {
    enum Problem: String, Sendable, Equatable {
        case empty
        /// A byte that cannot appear in a URI: space, non-ASCII, `<`, `"`, a control character...
        case invalidCharacter = "invalid-character"
        /// `!` must be %-encoded (RFC 8460 §3).
        case unencodedExclamationPoint = "unencoded-exclamation-point"
        /// `%` not followed by two hex digits.
        case badPercentEncoding = "bad-percent-encoding"
        /// No `scheme:` in front, e.g. a bare `reports@example.com`.
        case missingScheme = "missing-scheme"
        /// A scheme other than `mailto` and `https` (`http`, `ftp`...).
        case unsupportedScheme = "unsupported-scheme"
        /// `mailto:` with no address.
        case missingAddress = "missing-address"
        /// An address without `@`.
        case missingAt = "missing-at"
        case badLocalPart = "bad-local-part"
        /// The part after `@` is no usable internet domain (single label, IP
        /// address without brackets, trailing dot, bad characters).
        case badDomain = "bad-domain"
        /// `https:` without `//host`.
        case missingHost = "missing-host"
        case badHost = "bad-host"
        case badPort = "bad-port"
    }

    /// Why `uri` is not a usable report URI, or nil.
    static func problem(_ uri: UnsafeBufferPointer<UInt8>) -> Problem? {
        if uri.isEmpty { return .empty }
        if let problem = characterProblem(uri) { return problem }
        guard let colon = schemeEnd(uri) else { return .missingScheme }
        let rest = UnsafeBufferPointer(rebasing: uri[(colon + 1)...])
        if ASCII.equalsIgnoringCase(uri[..<colon], mailto) { return mailtoProblem(rest) }
        if ASCII.equalsIgnoringCase(uri[..<colon], https) { return httpsProblem(rest) }
        return .unsupportedScheme
    }

    private static let mailto: [UInt8] = Array("mailto".utf8)
    private static let https: [UInt8] = Array("https".utf8)

    /// RFC 3986 §2: unreserved, reserved and `%HH`, less what RFC 8460 wants
    /// encoded (`,` and `;` never get here: they split the list and the record).
    private static func characterProblem(_ uri: UnsafeBufferPointer<UInt8>) -> Problem? {
        var i = 0
        while i < uri.count {
            let byte = uri[i]
            if byte == UInt8(ascii: "!") { return .unencodedExclamationPoint }
            if byte == UInt8(ascii: "%") {
                guard i + 2 < uri.count, isHex(uri[i + 1]), isHex(uri[i + 2]) else { return .badPercentEncoding }
                i += 3
                continue
            }
            guard isURIByte(byte) else { return .invalidCharacter }
            i += 1
        }
        return nil
    }

    @inline(__always)
    private static func isURIByte(_ byte: UInt8) -> Bool {
        if ASCII.isAlphaNumeric(byte) { return true }
        switch byte {
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
            UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "["),
            UInt8(ascii: "]"), UInt8(ascii: "@"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","),
            UInt8(ascii: ";"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }

    @inline(__always)
    private static func isHex(_ byte: UInt8) -> Bool {
        ASCII.isDigit(byte) || (byte | 0x20) &- 0x61 < 6
    }

    @inline(__always)
    private static func hexValue(_ byte: UInt8) -> UInt8 {
        ASCII.isDigit(byte) ? byte - 0x30 : (byte | 0x20) - 0x61 + 10
    }

    /// `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` then `:`; the offset of the colon.
    private static func schemeEnd(_ uri: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let first = uri.first, ASCII.isAlpha(first) else { return nil }
        for i in 1..<uri.count {
            let byte = uri[i]
            if byte == UInt8(ascii: ":") { return i }
            guard
                ASCII.isAlphaNumeric(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
                    || byte == UInt8(ascii: ".")
            else { return nil }
        }
        return nil
    }

    /// RFC 6068: `mailto:` `to` [ `?` hfields ], `to = addr-spec *("," addr-spec)`
    /// after %-decoding. RFC 8460 §3 makes every comma in a `rua` URI `%2C`, so
    /// an encoded comma is either the RFC 6068 separator of two addresses
    /// (`mailto:a@example.com%2Cb@example.com`) or data in an address's local
    /// part (`mailto:a%2Cb@example.com`: the local part `a,b`, which a sender
    /// quotes in its `RCPT TO`). The pieces between commas are read in order: a
    /// piece without `@` is the start of a local part that goes on after the
    /// comma; an empty piece is a missing address.
    private static func mailtoProblem(_ rest: UnsafeBufferPointer<UInt8>) -> Problem? {
        let to = rest.prefix { $0 != UInt8(ascii: "?") }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(to.count)
        var i = to.startIndex
        while i < to.endIndex {
            if to[i] == UInt8(ascii: "%") {
                // Well-formedness was checked before; a `%` is followed by two hex digits.
                decoded.append(hexValue(to[i + 1]) << 4 | hexValue(to[i + 2]))
                i += 3
            } else {
                decoded.append(to[i])
                i += 1
            }
        }
        if decoded.isEmpty { return .missingAddress }
        var addressStart: Int?   // set while a local part runs on past a comma
        for piece in decoded.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            if piece.isEmpty { return .missingAddress }
            let address = decoded[(addressStart ?? piece.startIndex)..<piece.endIndex]
            guard piece.contains(UInt8(ascii: "@")) else {
                addressStart = address.startIndex
                continue
            }
            if let problem = addressProblem(address, commaInLocalPart: addressStart != nil) { return problem }
            addressStart = nil
        }
        return addressStart == nil ? nil : .missingAt
    }

    /// RFC 5322 `addr-spec = local-part "@" domain`, checked for sanity.
    private static func addressProblem(_ address: ArraySlice<UInt8>, commaInLocalPart: Bool = false) -> Problem? {
        if address.isEmpty { return .missingAddress }
        guard let at = address.lastIndex(of: UInt8(ascii: "@")) else { return .missingAt }
        if !isLocalPart(address[..<at], commaIsData: commaInLocalPart) { return .badLocalPart }
        if !isMailDomain(address[(at + 1)...]) { return .badDomain }
        return nil
    }

    /// `dot-atom` or `quoted-string`, at most 64 octets (RFC 5321 §4.5.3.1.1).
    /// Bytes above 0x7F are let through as RFC 6531 UTF-8. With `commaIsData`,
    /// a `,` (decoded from `%2C`) counts as a character of an atom: the sender
    /// quotes such a local part.
    private static func isLocalPart(_ local: ArraySlice<UInt8>, commaIsData: Bool = false) -> Bool {
        guard let first = local.first, let last = local.last, local.count <= 64 else { return false }
        if first == UInt8(ascii: "\"") {
            guard local.count >= 2, last == UInt8(ascii: "\"") else { return false }
            return local.dropFirst().dropLast().allSatisfy { $0 >= 0x20 && $0 != 0x7F }
        }
        var atomLength = 0
        for byte in local {
            if byte == UInt8(ascii: ".") {
                if atomLength == 0 { return false }
                atomLength = 0
            } else {
                guard isAtext(byte) || (commaIsData && byte == UInt8(ascii: ",")) else { return false }
                atomLength += 1
            }
        }
        return atomLength > 0
    }

    /// RFC 5322 `atext`.
    @inline(__always)
    private static func isAtext(_ byte: UInt8) -> Bool {
        if ASCII.isAlphaNumeric(byte) || byte >= 0x80 { return true }
        switch byte {
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"),
            UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"),
            UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// A domain a report can be mailed to: an address literal `[…]`, or a
    /// name of at least two labels, no trailing dot, whose last label is not
    /// all digits (that is an IP address missing its brackets).
    private static func isMailDomain(_ domain: ArraySlice<UInt8>) -> Bool {
        if domain.first == UInt8(ascii: "[") { return isAddressLiteral(domain) }
        guard domain.last != UInt8(ascii: "."), isInternetHostName(domain) else { return false }
        let lastLabel = domain.reversed().prefix { $0 != UInt8(ascii: ".") }
        return !lastLabel.allSatisfy(ASCII.isDigit)
    }

    private static func isInternetHostName<Bytes: Collection>(_ name: Bytes) -> Bool where Bytes.Element == UInt8 {
        guard case .success(let parsed) = DomainName.parse(bytes: name), parsed.labelCount >= 2 else { return false }
        return true
    }

    private static func isDottedQuad<Bytes: Collection>(_ name: Bytes) -> Bool where Bytes.Element == UInt8 {
        let parts = name.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(ASCII.isDigit) }
    }

    /// `[192.0.2.1]`, `[IPv6:2001:db8::1]`, `[2001:db8::1]`: brackets around
    /// hex digits, `.`, `:` and the `IPv6:` tag.
    private static func isAddressLiteral<Bytes: BidirectionalCollection>(_ literal: Bytes) -> Bool
    where Bytes.Element == UInt8 {
        guard literal.count > 2, literal.first == UInt8(ascii: "["), literal.last == UInt8(ascii: "]") else {
            return false
        }
        return literal.dropFirst().dropLast().allSatisfy {
            ASCII.isAlphaNumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":")
        }
    }

    /// RFC 3986 §3.2: `https:` `//` [userinfo `@`] host [`:` port] path...
    private static func httpsProblem(_ rest: UnsafeBufferPointer<UInt8>) -> Problem? {
        guard rest.count >= 2, rest[0] == UInt8(ascii: "/"), rest[1] == UInt8(ascii: "/") else { return .missingHost }
        var authority = rest[2...].prefix {
            $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#")
        }
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) { authority = authority[(at + 1)...] }
        if authority.isEmpty { return .missingHost }
        let host: Slice<UnsafeBufferPointer<UInt8>>
        let port: Slice<UnsafeBufferPointer<UInt8>>
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { return .badHost }
            host = authority[...close]
            port = authority[(close + 1)...]
            if !isAddressLiteral(host) { return .badHost }
            if let colon = port.first, colon != UInt8(ascii: ":") { return .badHost }
        } else {
            let colon = authority.firstIndex(of: UInt8(ascii: ":")) ?? authority.endIndex
            host = authority[..<colon]
            port = authority[colon...]
            if host.isEmpty { return .missingHost }
            if !isDottedQuad(host) && !isInternetHostName(host) { return .badHost }
        }
        // `port = *DIGIT`: empty is allowed and means the default.
        let digits = port.dropFirst()
        if !digits.allSatisfy(ASCII.isDigit) { return .badPort }
        if digits.count > 5 || (digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }) > 65535 { return .badPort }
        return nil
    }
}
