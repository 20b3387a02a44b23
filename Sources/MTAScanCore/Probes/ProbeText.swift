/// Peer-supplied text as it goes into a record: cut to a byte budget at a
/// UTF-8 scalar boundary, so a 16 KiB `Location` or a 30-line banner cannot
/// bloat the output and a cut never leaves half a character behind.
public enum ProbeText {
    public static func excerpt(_ text: String, maxBytes: Int) -> String {
        let utf8 = text.utf8
        guard utf8.count > maxBytes else { return text }
        var end = utf8.index(utf8.startIndex, offsetBy: max(0, maxBytes))
        // Back off continuation bytes (10xxxxxx) to the start of a scalar.
        while end > utf8.startIndex, utf8[end] & 0xC0 == 0x80 { end = utf8.index(before: end) }
        return String(decoding: utf8[..<end], as: UTF8.self)
    }
}
