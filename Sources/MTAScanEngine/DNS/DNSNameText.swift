import MTAScanCore

/// Uncompressed wire-format names as mtascan prints them: ASCII letters
/// lower-cased, no trailing dot, `.` for the root. A byte that is not a
/// printable ASCII character, and `.` or `\` inside a label, is written in
/// RFC 1035 §5.1 presentation escapes (`\.`, `\\`, `\000`), so a hostile label can
/// neither forge a label boundary nor smuggle control characters into output.
enum DNSNameText {
    /// Nil if the bytes are not a well-formed uncompressed name.
    static func text<Wire: RandomAccessCollection>(wire: Wire) -> String?
    where Wire.Element == UInt8, Wire.Index == Int {
        // A name is at most 255 octets (RFC 1035 §3.1); each octet prints as at
        // most four characters. Written straight into the string's storage:
        // this runs for every name of every answer.
        guard wire.count <= 255 else { return nil }
        var wellFormed = false
        let text = String(unsafeUninitializedCapacity: max(1, wire.count * 4)) { out in
            var written = 0
            var position = wire.startIndex
            while position < wire.endIndex {
                let length = Int(wire[position])
                if length == 0 {
                    wellFormed = true
                    if written == 0 {
                        out[0] = UInt8(ascii: ".")
                        return 1
                    }
                    return written
                }
                guard length <= 63, position + 1 + length <= wire.endIndex else { return 0 }
                if written > 0 {
                    out[written] = UInt8(ascii: ".")
                    written += 1
                }
                for byte in wire[(position + 1)...(position + length)] {
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
                position += 1 + length
            }
            return 0
        }
        return wellFormed ? text : nil
    }
}
