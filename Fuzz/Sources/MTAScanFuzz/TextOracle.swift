/// Byte-level helpers for the targets of the notify parsers, which read text
/// as Swift `String`s: an independent line split, a substring search on
/// bytes, and the CRLF form of an LF text.
enum TextOracle {
    /// The lines of valid UTF-8 text as `Character.isNewline` separates
    /// them, found on bytes: LF, VT, FF, CR (CR LF counts once), NEL
    /// (U+0085), LS (U+2028) and PS (U+2029). Each of these is a grapheme
    /// cluster of its own (Unicode's GB3–GB5), so splitting `String`s at
    /// newline `Character`s gives exactly these lines.
    static func newlineLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            let separator = newlineLength(bytes, at: index)
            if separator > 0 {
                lines.append(bytes[start..<index])
                index += separator
                start = index
            } else {
                index += 1
            }
        }
        lines.append(bytes[start...])
        return lines
    }

    /// The length of the newline sequence at `index`, 0 if there is none.
    static func newlineLength(_ bytes: [UInt8], at index: Int) -> Int {
        switch bytes[index] {
        case 0x0A, 0x0B, 0x0C: return 1
        case 0x0D: return index + 1 < bytes.count && bytes[index + 1] == 0x0A ? 2 : 1
        case 0xC2: return index + 1 < bytes.count && bytes[index + 1] == 0x85 ? 2 : 0
        case 0xE2:
            return index + 2 < bytes.count && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9)
                ? 3 : 0
        default: return 0
        }
    }

    static func containsNewline(_ bytes: [UInt8]) -> Bool {
        bytes.indices.contains { newlineLength(bytes, at: $0) > 0 }
    }

    /// Whether `needle` occurs in `haystack` as a run of bytes (empty: yes).
    static func contains<H: Collection<UInt8>>(_ haystack: H, _ needle: [UInt8]) -> Bool where H.Index == Int {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        let last = haystack.endIndex - needle.count
        var start = haystack.startIndex
        while start <= last {
            if haystack[start] == needle[0] {
                var matched = 1
                while matched < needle.count && haystack[start + matched] == needle[matched] { matched += 1 }
                if matched == needle.count { return true }
            }
            start += 1
        }
        return false
    }

    /// Every LF preceded by a CR; nil when the text has a CR already (then
    /// the two forms need not mean the same lines).
    static func crlf(_ bytes: [UInt8]) -> [UInt8]? {
        guard !bytes.contains(0x0D) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8)
        for byte in bytes {
            if byte == 0x0A { out.append(0x0D) }
            out.append(byte)
        }
        return out
    }
}
