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
        var text: [UInt8] = []
        text.reserveCapacity(wire.count)
        var position = wire.startIndex
        while position < wire.endIndex {
            let length = Int(wire[position])
            if length == 0 { return text.isEmpty ? "." : String(decoding: text, as: UTF8.self) }
            guard length <= 63, position + 1 + length <= wire.endIndex else { return nil }
            if !text.isEmpty { text.append(UInt8(ascii: ".")) }
            for byte in wire[(position + 1)...(position + length)] { append(byte, to: &text) }
            position += 1 + length
        }
        return nil
    }

    private static func append(_ byte: UInt8, to text: inout [UInt8]) {
        let lowered = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
        LabelPresentation.append(lowered, to: &text, escapingZoneSpecials: false)
    }
}
