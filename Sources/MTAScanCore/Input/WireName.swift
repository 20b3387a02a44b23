/// A DNS name from a zone file, decoded from presentation form into lower-case
/// length-prefixed labels (DNS wire form without the root label).
///
/// Unlike `DomainName` it holds any name a zone may carry (escaped dots,
/// spaces, binary bytes, empty or long labels), so the zone reader can tell
/// where a bad name sits in the tree before deciding whether to report it.
struct WireName: Equatable {
    /// Labels as (length, bytes...), ASCII letters lower-cased (DNS names
    /// compare case-insensitively, RFC 1035 §2.3.3).
    var bytes: [UInt8] = []
    var labelCount = 0

    var isRoot: Bool { labelCount == 0 }

    /// Names longer than this on the wire are invalid (RFC 1035 §2.3.4);
    /// 255 includes the root label this type omits.
    static let maxWireLength = 254
    static let maxLabelLength = 63

    enum Decoding: Equatable {
        /// Decoded; `badEscape` if a `\` was not followed by a byte or by
        /// exactly three digits up to 255 (RFC 1035 §5.1 `\X`, `\DDD`).
        case decoded(badEscape: Bool)
        /// A relative name (or `@`) and no origin to complete it.
        case needsOrigin
        /// A label over 255 bytes: not a name whose place in the tree is knowable.
        case overlong
    }

    /// Decodes `text` (a raw zone-file word: `@`, relative, or absolute with a
    /// final unescaped dot) into `name`, reusing its storage.
    static func decode(_ text: UnsafeBufferPointer<UInt8>, origin: WireName?, into name: inout WireName) -> Decoding {
        name.bytes.removeAll(keepingCapacity: true)
        name.labelCount = 0
        let count = text.count
        if count == 1 && text[0] == UInt8(ascii: "@") {
            guard let origin else { return .needsOrigin }
            name.bytes.append(contentsOf: origin.bytes)
            name.labelCount = origin.labelCount
            return .decoded(badEscape: false)
        }
        if count == 1 && text[0] == UInt8(ascii: ".") { return .decoded(badEscape: false) }

        var badEscape = false
        var absolute = false
        var lengthIndex = name.bytes.count
        var length = 0
        name.bytes.append(0)
        var index = 0
        while index < count {
            var byte = text[index]
            if byte == UInt8(ascii: ".") {
                name.bytes[lengthIndex] = UInt8(length)
                name.labelCount += 1
                index += 1
                if index == count {
                    absolute = true
                    break
                }
                lengthIndex = name.bytes.count
                length = 0
                name.bytes.append(0)
                continue
            }
            if byte == UInt8(ascii: "\\") {
                if index + 1 == count {
                    badEscape = true
                    index += 1
                } else if ASCII.isDigit(text[index + 1]) {
                    if let value = decimalEscape(text, at: index + 1) {
                        byte = value
                        index += 4
                    } else {
                        badEscape = true
                        byte = text[index + 1]
                        index += 2
                    }
                } else {
                    byte = text[index + 1]
                    index += 2
                }
            } else {
                index += 1
            }
            length += 1
            if length > 255 { return .overlong }
            name.bytes.append(ASCII.lower(byte))
        }
        if !absolute {
            name.bytes[lengthIndex] = UInt8(length)
            name.labelCount += 1
            guard let origin else { return .needsOrigin }
            name.bytes.append(contentsOf: origin.bytes)
            name.labelCount += origin.labelCount
        }
        return .decoded(badEscape: badEscape)
    }

    /// The value of `\DDD` whose first digit is at `start`, if three digits up to 255.
    private static func decimalEscape(_ text: UnsafeBufferPointer<UInt8>, at start: Int) -> UInt8? {
        guard start + 2 < text.count else { return nil }
        var value = 0
        for index in start..<start + 3 {
            guard ASCII.isDigit(text[index]) else { return nil }
            value = value * 10 + Int(text[index] - UInt8(ascii: "0"))
        }
        return value <= 255 ? UInt8(value) : nil
    }

    /// The name from DomainName text (already valid and lower-case).
    init(_ name: DomainName) {
        for label in name.text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            bytes.append(UInt8(label.count))
            bytes.append(contentsOf: label)
            labelCount += 1
        }
    }

    init() {}

    /// Labels no longer than 63 bytes and a total within 255 (RFC 1035 §2.3.4).
    var isWellFormed: Bool {
        guard bytes.count <= Self.maxWireLength else { return false }
        var index = 0
        while index < bytes.count {
            let length = Int(bytes[index])
            if length > Self.maxLabelLength { return false }
            index += 1 + length
        }
        return true
    }

    /// True if this name is exactly one label below `parent`.
    func isChild(of parent: WireName) -> Bool {
        guard labelCount == parent.labelCount + 1, let first = bytes.first else { return false }
        let offset = 1 + Int(first)
        guard bytes.count == offset + parent.bytes.count else { return false }
        var index = 0
        while index < parent.bytes.count {
            if bytes[offset + index] != parent.bytes[index] { return false }
            index += 1
        }
        return true
    }

    /// The bytes of the first label (empty for the root).
    var firstLabel: ArraySlice<UInt8> {
        guard let first = bytes.first else { return [] }
        return bytes[1..<1 + Int(first)]
    }

    /// Dotted text without a trailing dot, if every label is `DomainName`
    /// material (so that no escaped dot could be misread as a separator).
    var domainText: [UInt8]? {
        var text: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let length = Int(bytes[index])
            let label = bytes[index + 1..<index + 1 + length]
            if label.contains(UInt8(ascii: ".")) { return nil }
            if index > 0 { text.append(UInt8(ascii: ".")) }
            text.append(contentsOf: label)
            index += 1 + length
        }
        return text
    }

    /// The whole name in presentation form with a trailing dot, for messages.
    var presentation: [UInt8] {
        var text: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let length = Int(bytes[index])
            text.append(contentsOf: Self.presentation(of: bytes[index + 1..<index + 1 + length]))
            text.append(UInt8(ascii: "."))
            index += 1 + length
        }
        return text.isEmpty ? [UInt8(ascii: ".")] : text
    }

    /// Presentation form of one label for error records: printable ASCII as
    /// is, zone-file specials escaped with `\`, other bytes as `\DDD`.
    static func presentation(of label: some Collection<UInt8>) -> [UInt8] {
        var text: [UInt8] = []
        for byte in label {
            switch byte {
            case UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: ";"),
                 UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "@"), UInt8(ascii: "$"):
                text.append(UInt8(ascii: "\\"))
                text.append(byte)
            case 0x21...0x7E:
                text.append(byte)
            default:
                text.append(UInt8(ascii: "\\"))
                text.append(UInt8(ascii: "0") + byte / 100)
                text.append(UInt8(ascii: "0") + byte / 10 % 10)
                text.append(UInt8(ascii: "0") + byte % 10)
            }
        }
        return text
    }
}
