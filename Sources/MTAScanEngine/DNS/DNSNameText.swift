import MTAScanCore

/// Uncompressed wire-format names as mtascan prints them: ASCII letters
/// lower-cased, no trailing dot, `.` for the root. A byte that is not a
/// printable ASCII character, and `.` or `\` inside a label, is written in
/// RFC 1035 §5.1 presentation escapes (`\.`, `\\`, `\000`), so a hostile label can
/// neither forge a label boundary nor smuggle control characters into output.
enum DNSNameText {
    /// Nil if the bytes are not a well-formed uncompressed name.
    static func text(wire: UnsafeBufferPointer<UInt8>) -> String? {
        // A name is at most 255 octets (RFC 1035 §3.1). This runs for every
        // name of every answer: measured first, then written straight into
        // the string's storage, so a short name is a small string with no
        // allocation.
        guard wire.count <= 255, let length = printedLength(wire) else { return nil }
        return String(unsafeUninitializedCapacity: length) { out in
            var written = 0
            var position = 0
            while true {
                let labelLength = Int(wire[position])
                if labelLength == 0 { break }
                if written > 0 {
                    out[written] = UInt8(ascii: ".")
                    written += 1
                }
                var index = position + 1
                let end = index + labelLength
                while index < end {
                    let byte = wire[index]
                    index += 1
                    switch byte {
                    case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                        out[written] = byte | 0x20
                        written += 1
                    case UInt8(ascii: "."), UInt8(ascii: "\\"):
                        out[written] = UInt8(ascii: "\\")
                        out[written + 1] = byte
                        written += 2
                    case 0x21...0x7E:
                        out[written] = byte
                        written += 1
                    default:
                        // As LabelPresentation writes it, without zone-file specials.
                        out[written] = UInt8(ascii: "\\")
                        out[written + 1] = UInt8(ascii: "0") + byte / 100
                        out[written + 2] = UInt8(ascii: "0") + byte / 10 % 10
                        out[written + 3] = UInt8(ascii: "0") + byte % 10
                        written += 4
                    }
                }
                position = end
            }
            if written == 0 {
                out[0] = UInt8(ascii: ".")
                return 1
            }
            return written
        }
    }

    /// How many characters `text` prints; nil if the name is not well formed
    /// (a label over 63 octets, or no root label within the bytes).
    private static func printedLength(_ wire: UnsafeBufferPointer<UInt8>) -> Int? {
        var printed = 0
        var position = 0
        while position < wire.count {
            let length = Int(wire[position])
            if length == 0 { return max(1, printed) }
            guard length <= 63, position + 1 + length <= wire.count else { return nil }
            if printed > 0 { printed += 1 }
            var index = position + 1
            let end = index + length
            while index < end {
                let byte = wire[index]
                index += 1
                if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "\\") {
                    printed += 2
                } else if byte >= 0x21 && byte <= 0x7E {
                    printed += 1
                } else {
                    printed += 4
                }
            }
            position = end
        }
        return nil
    }
}
