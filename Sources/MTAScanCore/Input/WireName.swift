/// A DNS name from a zone file, decoded from presentation form into lower-case
/// length-prefixed labels (DNS wire form without the root label).
///
/// Unlike `DomainName` it holds any name a zone may carry (escaped dots,
/// spaces, binary bytes, empty or long labels), so the zone reader can tell
/// where a bad name sits in the tree before deciding whether to report it.
///
/// Decoding reuses the value's storage: the zone reader decodes an owner
/// name for every record, and must not allocate for it.
struct WireName: Equatable {
    /// `bytes` followed by spare room for the next decode.
    private var storage: [UInt8] = []
    private(set) var count = 0
    private(set) var labelCount = 0

    /// Labels as (length, bytes...), ASCII letters lower-cased (DNS names
    /// compare case-insensitively, RFC 1035 §2.3.3). Indices start at 0.
    var bytes: ArraySlice<UInt8> { storage[0..<count] }

    var isRoot: Bool { labelCount == 0 }

    /// Names longer than this on the wire are invalid (RFC 1035 §2.3.4);
    /// 255 includes the root label this type omits.
    static let maxWireLength = 254
    static let maxLabelLength = 63

    init() {}

    /// The name of a `DomainName` (already valid and lower-case).
    init(_ name: DomainName) {
        for label in name.text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            storage.append(UInt8(label.count))
            storage.append(contentsOf: label)
            labelCount += 1
        }
        count = storage.count
    }

    static func == (lhs: WireName, rhs: WireName) -> Bool {
        guard lhs.count == rhs.count, lhs.labelCount == rhs.labelCount else { return false }
        return lhs.storage.withUnsafeBufferPointer { left in
            rhs.storage.withUnsafeBufferPointer { right in
                UnsafeBufferPointer(rebasing: left[0..<lhs.count]).bytesEqual(UnsafeBufferPointer(rebasing: right[0..<rhs.count]))
            }
        }
    }

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
        name.count = 0
        name.labelCount = 0
        let textCount = text.count
        if textCount == 1 && text[0] == UInt8(ascii: ".") { return .decoded(badEscape: false) }

        // Each text byte gives at most one name byte, each dot one length byte.
        let needed = textCount + 1 + (origin?.count ?? 0)
        if name.storage.count < needed {
            name.storage = Array(repeating: 0, count: max(needed, 2 * name.storage.count, 64))
        }
        var outcome = (isRelative: true, badEscape: false)
        // `@` is the origin itself (§5.1): no labels of its own.
        if textCount != 1 || text[0] != UInt8(ascii: "@") {
            let (written, labels, decoded) = name.storage.withUnsafeMutableBufferPointer { out in
                decodeLabels(text, into: out)
            }
            guard let decoded else { return .overlong }
            name.count = written
            name.labelCount = labels
            outcome = decoded
        }
        if outcome.isRelative {
            guard let origin else { return .needsOrigin }
            let start = name.count
            name.storage.withUnsafeMutableBufferPointer { out in
                origin.storage.withUnsafeBufferPointer { source in
                    _ = out[start...].initialize(fromContentsOf: source[0..<origin.count])
                }
            }
            name.count += origin.count
            name.labelCount += origin.labelCount
        }
        return .decoded(badEscape: outcome.badEscape)
    }

    /// Writes the labels of `text` to `out`: (bytes written, labels, outcome),
    /// outcome nil if a label is over 255 bytes.
    private static func decodeLabels(
        _ text: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>
    ) -> (Int, Int, (isRelative: Bool, badEscape: Bool)?) {
        let count = text.count
        var badEscape = false
        var written = 1
        var lengthIndex = 0
        var length = 0
        var labels = 0
        var index = 0
        while index < count {
            var byte = text[index]
            if byte == UInt8(ascii: ".") {
                out[lengthIndex] = UInt8(length)
                labels += 1
                index += 1
                if index == count { return (written, labels, (false, badEscape)) }
                lengthIndex = written
                written += 1
                length = 0
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
            if length > 255 { return (0, 0, nil) }
            out[written] = ASCII.lower(byte)
            written += 1
        }
        out[lengthIndex] = UInt8(length)
        return (written, labels + 1, (true, badEscape))
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

    /// Labels no longer than 63 bytes and a total within 255 (RFC 1035 §2.3.4).
    var isWellFormed: Bool {
        guard count <= Self.maxWireLength else { return false }
        var index = 0
        while index < count {
            let length = Int(storage[index])
            if length > Self.maxLabelLength { return false }
            index += 1 + length
        }
        return true
    }

    /// True if this name is exactly one label below `parent`.
    func isChild(of parent: WireName) -> Bool {
        guard labelCount == parent.labelCount + 1, count > 0 else { return false }
        let offset = 1 + Int(storage[0])
        guard count == offset + parent.count else { return false }
        return storage.withUnsafeBufferPointer { child in
            parent.storage.withUnsafeBufferPointer { parent in
                UnsafeBufferPointer(rebasing: child[offset..<count])
                    .bytesEqual(UnsafeBufferPointer(rebasing: parent[0..<count - offset]))
            }
        }
    }

    /// The bytes of the first label (empty for the root).
    var firstLabel: ArraySlice<UInt8> {
        guard count > 0 else { return [] }
        return storage[1..<1 + Int(storage[0])]
    }

    /// Dotted text without a trailing dot, if every label is `DomainName`
    /// material (so that no escaped dot could be misread as a separator).
    var domainText: [UInt8]? {
        var text: [UInt8] = []
        var index = 0
        while index < count {
            let length = Int(storage[index])
            let label = storage[index + 1..<index + 1 + length]
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
        while index < count {
            let length = Int(storage[index])
            text.append(contentsOf: Self.presentation(of: storage[index + 1..<index + 1 + length]))
            text.append(UInt8(ascii: "."))
            index += 1 + length
        }
        return text.isEmpty ? [UInt8(ascii: ".")] : text
    }

    /// Presentation form of one label for error records: printable ASCII as
    /// is, zone-file specials escaped with `\`, other bytes as `\DDD`.
    static func presentation(of label: some Collection<UInt8>) -> [UInt8] {
        var text: [UInt8] = []
        for byte in label { LabelPresentation.append(byte, to: &text, escapingZoneSpecials: true) }
        return text
    }
}
