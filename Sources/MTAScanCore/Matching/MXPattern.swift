/// One `mx` value of an MTA-STS policy (RFC 8461 §3.2): a domain name, or
/// `*.` followed by one, lower-cased.
///
/// ABNF: `sts-policy-mx-value = ["*."] Domain`, with `Domain` from RFC 5321
/// (letter-digit-hyphen labels, no trailing dot). So e-mail addresses, address
/// literals, trailing dots and wildcards anywhere but the whole left-most label
/// are rejected, each with its own `Problem` for the `bad-mx-pattern` finding.
public struct MXPattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as it would be written in a policy, lower-cased.
    public let text: String
    /// True for `*.base`.
    public let isWildcard: Bool

    public enum Problem: String, Error, Sendable, CaseIterable {
        case empty
        case emailAddress = "email-address"
        case trailingDot = "trailing-dot"
        case ipAddress = "ip-address"
        case misplacedWildcard = "misplaced-wildcard"
        case invalidName = "invalid-name"
    }

    /// RFC 5321 §4.5.3.1.2: a domain is at most 255 octets on the wire, so at
    /// most 253 in text without the trailing dot.
    static let maxNameLength = 253
    static let maxLabelLength = 63

    public var description: String { text }

    /// The name after `*.`, or the whole name.
    public var baseName: String { isWildcard ? String(text.dropFirst(2)) : text }

    public static func parse(_ text: some StringProtocol) -> Result<MXPattern, Problem> {
        if let result = text.utf8.withContiguousStorageIfAvailable({ parse(bytes: UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return parse(bytes: Array(text.utf8))
    }

    public static func parse(bytes: [UInt8]) -> Result<MXPattern, Problem> {
        bytes.withUnsafeBytes { parse(bytes: $0) }
    }

    /// One pass over the bytes, one allocation (the lower-cased text) on success.
    /// When a value has several problems, the most telling one wins, in the
    /// order of `Problem`'s cases after `empty` (an `@` says more than a bad label).
    public static func parse(bytes: UnsafeRawBufferPointer) -> Result<MXPattern, Problem> {
        let count = bytes.count
        guard count > 0 else { return .failure(.empty) }
        let isWildcard = count >= 2 && bytes[0] == UInt8(ascii: "*") && bytes[1] == UInt8(ascii: ".")
        let nameStart = isWildcard ? 2 : 0

        var sawAt = false, sawColon = false, sawStar = false, invalid = false
        var labelLength = 0
        var labelAllDigits = true
        var previous: UInt8 = UInt8(ascii: ".")   // so a leading `-` or `.` is caught as a label start
        for index in nameStart..<count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "."):
                // An empty label, or one ending in `-` (RFC 5321 `Ldh-str` ends in `Let-dig`).
                if labelLength == 0 || previous == UInt8(ascii: "-") { invalid = true }
                labelLength = 0
                labelAllDigits = true
            case UInt8(ascii: "-"):
                if labelLength == 0 { invalid = true }   // `Let-dig` first
                labelLength += 1
                labelAllDigits = false
            default:
                if ASCII.isAlphaNumeric(byte) {
                    labelLength += 1
                    if !ASCII.isDigit(byte) { labelAllDigits = false }
                } else {
                    if byte == UInt8(ascii: "@") { sawAt = true }
                    if byte == UInt8(ascii: ":") { sawColon = true }
                    if byte == UInt8(ascii: "*") { sawStar = true }
                    invalid = true
                    labelLength += 1
                    labelAllDigits = false
                }
            }
            if labelLength > maxLabelLength { invalid = true }
            previous = byte
        }

        if sawAt { return .failure(.emailAddress) }
        if bytes[0] == UInt8(ascii: "[") || sawColon { return .failure(.ipAddress) }
        if bytes[count - 1] == UInt8(ascii: ".") { return .failure(.trailingDot) }
        if sawStar { return .failure(.misplacedWildcard) }
        let nameLength = count - nameStart
        if invalid || nameLength == 0 || nameLength > maxNameLength || previous == UInt8(ascii: "-") {
            return .failure(.invalidName)
        }
        // `Domain` admits `192.0.2.1` syntactically; an all-numeric last label
        // is never a real TLD (RFC 3696 §2), so this is an IP address.
        if labelAllDigits { return .failure(.ipAddress) }

        let text = String(unsafeUninitializedCapacity: count) { buffer in
            for index in 0..<count { buffer[index] = ASCII.lower(bytes[index]) }
            return count
        }
        return .success(MXPattern(text: text, isWildcard: isWildcard))
    }

    public init?(_ text: some StringProtocol) {
        guard case .success(let pattern) = Self.parse(text) else { return nil }
        self = pattern
    }

    private init(text: String, isWildcard: Bool) {
        self.text = text
        self.isWildcard = isWildcard
    }

    /// RFC 8461 §4.1: does the MX host name match this pattern? Case-insensitive;
    /// one trailing dot on the host (an absolute name from DNS) is ignored; `*.`
    /// stands for exactly one whole left-most label. A host in Unicode is
    /// matched in its A-label form (`IDNA.toASCII`); one that has none matches nothing.
    @inlinable
    public func matches(_ host: String) -> Bool {
        var host = host
        return host.withUTF8 { matches(utf8: $0) }
    }

    @inlinable
    public func matches(_ host: Substring) -> Bool {
        var host = host
        return host.withUTF8 { matches(utf8: $0) }
    }

    @inlinable
    public func matches(utf8 host: UnsafeBufferPointer<UInt8>) -> Bool {
        if IDNA.needsConversion(host) { return matchesALabels(of: host) }
        var text = self.text
        let isWildcard = self.isWildcard
        return text.withUTF8 { pattern in
            var count = host.count
            if count > 0, host[count - 1] == UInt8(ascii: ".") { count -= 1 }
            if !isWildcard {
                guard count == pattern.count else { return false }
                for i in 0..<count where ASCII.lower(host[i]) != pattern[i] { return false }
                return true
            }
            // `label.base` with a non-empty label holding no dot; `base` is
            // the pattern after its two-byte `*.` prefix.
            let baseCount = pattern.count - 2
            let dot = count - baseCount - 1
            guard dot >= 1, host[dot] == UInt8(ascii: ".") else { return false }
            for i in 0..<dot where host[i] == UInt8(ascii: ".") { return false }
            for i in 0..<baseCount where ASCII.lower(host[dot + 1 + i]) != pattern[2 + i] { return false }
            return true
        }
    }

    /// The slow path of `matches(utf8:)`, for a host holding non-ASCII bytes.
    @usableFromInline
    func matchesALabels(of host: UnsafeBufferPointer<UInt8>) -> Bool {
        guard case .success(let ascii) = IDNA.toASCII(String(decoding: host, as: UTF8.self)) else { return false }
        return matches(ascii)
    }

    public static func == (lhs: MXPattern, rhs: MXPattern) -> Bool { lhs.text == rhs.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }
}
