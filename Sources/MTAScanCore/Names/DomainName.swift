/// A DNS name as mtascan reports it: ASCII, lower-case, no trailing dot.
///
/// Built only through `init(parsing:)`, which validates, so holding a
/// `DomainName` means holding a name that is safe to query and to print.
public struct DomainName: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Lower-case, no trailing dot.
    public let text: String

    /// Why a text is not a usable domain name.
    public enum Problem: String, Error, Sendable, Equatable, CaseIterable {
        case empty
        case tooLong = "too-long"              // over 253 characters without the trailing dot
        case emptyLabel = "empty-label"        // `a..b`, a leading dot
        case labelTooLong = "label-too-long"   // a label over 63 octets
        case invalidCharacter = "invalid-character"
        case nonASCII = "non-ascii"            // a U-label: IDNs must be given in A-label (xn--) form
    }

    /// Validates and normalises: one trailing dot is dropped, ASCII letters are
    /// lower-cased. Letters, digits, `-` and `_` are allowed in labels (DNS
    /// carries `_` in service names; hostname rules are not the input's business).
    public static func parse(_ text: some StringProtocol) -> Result<DomainName, Problem> {
        // Contiguous UTF-8 is walked by index, not through the generic
        // collection protocols: this runs for every input name.
        if let result = text.utf8.withContiguousStorageIfAvailable({ parse(bytes: $0) }) { return result }
        var copy = String(text)
        return copy.withUTF8 { parse(bytes: $0) }
    }

    public static func parse<Bytes: Collection>(bytes: Bytes) -> Result<DomainName, Problem>
    where Bytes.Element == UInt8 {
        var count = bytes.count
        if count > 0, bytes[bytes.index(bytes.startIndex, offsetBy: count - 1)] == UInt8(ascii: ".") {
            count -= 1
        }
        if count == 0 { return .failure(.empty) }
        if count > 253 { return .failure(.tooLong) }
        var normalised = [UInt8]()
        normalised.reserveCapacity(count)
        var labelLength = 0
        for byte in bytes.prefix(count) {
            if byte == UInt8(ascii: ".") {
                if labelLength == 0 { return .failure(.emptyLabel) }
                labelLength = 0
            } else {
                if byte >= 0x80 { return .failure(.nonASCII) }
                guard ASCII.isAlphaNumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") else {
                    return .failure(.invalidCharacter)
                }
                labelLength += 1
                if labelLength > 63 { return .failure(.labelTooLong) }
            }
            normalised.append(ASCII.lower(byte))
        }
        if labelLength == 0 { return .failure(.emptyLabel) }
        return .success(DomainName(validated: String(decoding: normalised, as: UTF8.self)))
    }

    /// For text already known to be normalised (e.g. produced by another DomainName).
    init(validated text: String) {
        self.text = text
    }

    public init?(_ text: some StringProtocol) {
        guard case .success(let name) = Self.parse(text) else { return nil }
        self = name
    }

    public var description: String { text }

    public var labels: [Substring] { text.split(separator: ".", omittingEmptySubsequences: false) }

    public var labelCount: Int { text.utf8.reduce(1) { $1 == UInt8(ascii: ".") ? $0 + 1 : $0 } }

    /// The name with `label.` in front, e.g. `_mta-sts` + `example.com`.
    /// Nil if the result would be too long.
    public func prepending(_ label: String) -> DomainName? {
        // `text` is valid already: only the label and the total length are checked.
        guard label.utf8.last != UInt8(ascii: "."), case .success(let prefix) = Self.parse(label) else { return nil }
        let combined = prefix.text + "." + text
        guard combined.utf8.count <= 253 else { return nil }
        return DomainName(validated: combined)
    }

    /// True if this name is `other` or below it.
    public func isSubdomain(of other: DomainName) -> Bool {
        text == other.text || text.hasSuffix("." + other.text)
    }

    public static func < (lhs: DomainName, rhs: DomainName) -> Bool { lhs.text < rhs.text }
}
