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
    /// The part after `*.` of a wildcard; the whole name otherwise. Lower-case UTF-8.
    @usableFromInline let base: [UInt8]

    public enum Problem: String, Error, Sendable, CaseIterable {
        case empty
        case emailAddress = "email-address"
        case trailingDot = "trailing-dot"
        case ipAddress = "ip-address"
        case misplacedWildcard = "misplaced-wildcard"
        case invalidName = "invalid-name"
    }

    public var description: String { text }

    /// The name after `*.`, or the whole name.
    public var baseName: String { String(decoding: base, as: UTF8.self) }

    public static func parse(_ text: some StringProtocol) -> Result<MXPattern, Problem> {
        parse(bytes: Array(text.utf8))
    }

    public static func parse(bytes: [UInt8]) -> Result<MXPattern, Problem> {
        guard !bytes.isEmpty else { return .failure(.empty) }
        if bytes.contains(UInt8(ascii: "@")) { return .failure(.emailAddress) }
        if bytes.first == UInt8(ascii: "[") || bytes.contains(UInt8(ascii: ":")) { return .failure(.ipAddress) }
        if bytes.last == UInt8(ascii: ".") { return .failure(.trailingDot) }

        var name = bytes[...]
        let isWildcard = bytes.count >= 2 && bytes[0] == UInt8(ascii: "*") && bytes[1] == UInt8(ascii: ".")
        if isWildcard { name = bytes[2...] }
        if name.contains(UInt8(ascii: "*")) { return .failure(.misplacedWildcard) }

        let labels = name.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard !labels.isEmpty, name.count <= 253 else { return .failure(.invalidName) }
        for label in labels {
            guard isLetterDigitHyphenLabel(label) else { return .failure(.invalidName) }
        }
        // `Domain` admits `192.0.2.1` syntactically; an all-numeric last label
        // is never a real TLD (RFC 3696 §2), so this is an IP address.
        if let last = labels.last, last.allSatisfy(ASCII.isDigit) { return .failure(.ipAddress) }

        let lowered = name.map(ASCII.lower)
        let text = (isWildcard ? "*." : "") + String(decoding: lowered, as: UTF8.self)
        return .success(MXPattern(text: text, isWildcard: isWildcard, base: lowered))
    }

    /// RFC 5321 sub-domain: `Let-dig [Ldh-str]`, at most 63 octets.
    private static func isLetterDigitHyphenLabel(_ label: ArraySlice<UInt8>) -> Bool {
        guard let first = label.first, let last = label.last, label.count <= 63 else { return false }
        guard ASCII.isAlphaNumeric(first), ASCII.isAlphaNumeric(last) else { return false }
        return label.allSatisfy { ASCII.isAlphaNumeric($0) || $0 == UInt8(ascii: "-") }
    }

    public init?(_ text: some StringProtocol) {
        guard case .success(let pattern) = Self.parse(text) else { return nil }
        self = pattern
    }

    private init(text: String, isWildcard: Bool, base: [UInt8]) {
        self.text = text
        self.isWildcard = isWildcard
        self.base = base
    }

    /// RFC 8461 §4.1: does the MX host name match this pattern? Case-insensitive;
    /// one trailing dot on the host (an absolute name from DNS) is ignored; `*.`
    /// stands for exactly one whole left-most label.
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
        var count = host.count
        if count > 0, host[count - 1] == UInt8(ascii: ".") { count -= 1 }
        let baseCount = base.count
        if !isWildcard {
            guard count == baseCount else { return false }
            return base.withUnsafeBufferPointer { base in
                for i in 0..<count where ASCII.lower(host[i]) != base[i] { return false }
                return true
            }
        }
        // `label.base` with a non-empty label holding no dot.
        let dot = count - baseCount - 1
        guard dot >= 1, host[dot] == UInt8(ascii: ".") else { return false }
        for i in 0..<dot where host[i] == UInt8(ascii: ".") { return false }
        return base.withUnsafeBufferPointer { base in
            for i in 0..<baseCount where ASCII.lower(host[dot + 1 + i]) != base[i] { return false }
            return true
        }
    }

    public static func == (lhs: MXPattern, rhs: MXPattern) -> Bool { lhs.text == rhs.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }
}
