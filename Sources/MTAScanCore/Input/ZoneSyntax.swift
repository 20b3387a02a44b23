/// Byte classes and field recognisers of RFC 1035 §5.1 master files.
enum ZoneSyntax {
    static var space: UInt8 { 0x20 }
    static var tab: UInt8 { 0x09 }
    static var lineFeed: UInt8 { 0x0A }
    static var carriageReturn: UInt8 { 0x0D }
    static var quote: UInt8 { 0x22 }
    static var openParenthesis: UInt8 { 0x28 }
    static var closeParenthesis: UInt8 { 0x29 }
    static var semicolon: UInt8 { 0x3B }
    static var backslash: UInt8 { 0x5C }
    static var dollar: UInt8 { 0x24 }

    /// Bytes below 64 that end a word: space, tab, CR, LF, `(`, `)`, `;`.
    private static var wordMask: UInt64 {
        1 << 0x20 | 1 << 0x09 | 1 << 0x0D | 1 << 0x0A | 1 << 0x28 | 1 << 0x29 | 1 << 0x3B
    }

    /// Bytes below 64 that matter while skipping record data: LF, `"`, `(`, `)`, `;`.
    private static var dataMask: UInt64 {
        1 << 0x0A | 1 << 0x22 | 1 << 0x28 | 1 << 0x29 | 1 << 0x3B
    }

    /// Ends a word, or is the escape byte.
    @inline(__always)
    static func isSpecialInWord(_ byte: UInt8) -> Bool {
        byte < 64 ? wordMask >> UInt64(byte) & 1 != 0 : byte == backslash
    }

    @inline(__always)
    static func isSpecialInData(_ byte: UInt8) -> Bool {
        byte < 64 ? dataMask >> UInt64(byte) & 1 != 0 : byte == backslash
    }

    /// An entry starting with one of these has a blank owner: the previous
    /// owner carries on (§5.1 `<blank><rr>`).
    static func startsWithBlank(_ byte: UInt8) -> Bool {
        byte == space || byte == tab || byte == carriageReturn || byte == openParenthesis
    }

    /// A TTL field: RFC 1035 gives a decimal integer; BIND's unit form (`1h30m`)
    /// also starts with a digit, and no class or type does.
    static func isTTL(_ word: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = word.first else { return false }
        return ASCII.isDigit(first)
    }

    /// The value of `$TTL`: digits with optional BIND units.
    static func isTTLValue(_ word: UnsafeBufferPointer<UInt8>) -> Bool {
        isTTL(word) && word.allSatisfy(ASCII.isAlphaNumeric)
    }

    /// `IN`, `CH`, `CS`, `HS`, or RFC 3597's `CLASSnnn`.
    static func isClass(_ word: UnsafeBufferPointer<UInt8>) -> Bool {
        if word.count == 2 {
            return matches(word, "IN") || matches(word, "CH") || matches(word, "CS") || matches(word, "HS")
        }
        return word.count > 5 && generic(word, prefix: "CLASS") != nil
    }

    enum RecordType { case ns, soa, other }

    /// NS and SOA by mnemonic or RFC 3597's `TYPE2` / `TYPE6`.
    static func recordType(_ word: UnsafeBufferPointer<UInt8>) -> RecordType {
        switch word.count {
        case 2: return matches(word, "NS") ? .ns : .other
        case 3: return matches(word, "SOA") ? .soa : .other
        case ..<5: return .other
        default: break
        }
        switch generic(word, prefix: "TYPE") {
        case 2: return .ns
        case 6: return .soa
        default: return .other
        }
    }

    /// The number of `PREFIXnnn` (RFC 3597 §5), at most five digits.
    private static func generic(_ word: UnsafeBufferPointer<UInt8>, prefix: StaticString) -> Int? {
        let prefixCount = prefix.utf8CodeUnitCount
        guard word.count > prefixCount, word.count <= prefixCount + 5,
              matches(UnsafeBufferPointer(rebasing: word[..<prefixCount]), prefix) else { return nil }
        var value = 0
        for byte in word[prefixCount...] {
            guard ASCII.isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// Case-insensitive equality with an upper-case ASCII literal.
    static func matches(_ word: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        guard word.count == literal.utf8CodeUnitCount else { return false }
        let expected = literal.utf8Start
        for index in 0..<word.count where ASCII.lower(word[index]) != ASCII.lower(expected[index]) {
            return false
        }
        return true
    }
}
