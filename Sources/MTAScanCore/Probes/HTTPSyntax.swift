/// Byte classes of HTTP's grammar (RFC 9110 §5.6, RFC 9112).
enum HTTPSyntax {
    /// `tchar`: the bytes of a `token` (field names, codings, media types).
    @inline(__always)
    static func isTokenByte(_ byte: UInt8) -> Bool {
        if ASCII.isAlphaNumeric(byte) { return true }
        switch byte {
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// A byte of a field value or reason phrase: HTAB, SP, VCHAR, `obs-text`.
    /// NUL, CR, LF and the other controls are not; RFC 9110 §5.5 calls CR, LF
    /// and NUL in a value "invalid and dangerous" and lets a recipient reject them.
    @inline(__always)
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte >= 0x20 ? byte != 0x7F : byte == 0x09
    }
}
