/// Input text made safe to print on a terminal.
///
/// Messages on standard error quote names, directives and lines from the
/// input, and input is hostile: `ESC ] 0 ; … BEL` retitles the user's
/// terminal, other sequences move the cursor, rewrite what is on the screen or
/// (on some terminals) answer back into the shell. So everything that is not
/// printable is shown as an escape instead of being written:
///
/// - printable ASCII (0x20–0x7E) as is;
/// - C0 control bytes (tab and newline included: a quoted text stays on its
///   line) and DEL as `\x1b`-style escapes, two lower-case hex digits;
/// - valid UTF-8 as is, except scalars a terminal or a reader does not show as
///   themselves: C1 controls (U+0080–U+009F, which some terminals obey as
///   escape sequences), format characters (bidirectional overrides, zero-width
///   characters), line and paragraph separators, private use and unassigned
///   code points, as `\u{202e}`;
/// - each byte of invalid UTF-8 as `\xNN`.
///
/// A backslash is left alone: the escapes are for a human reader, not for a
/// parser, and zone-file names already carry `\DDD` escapes of their own.
public enum TerminalText {
    public static func escaped(_ text: String) -> String {
        // The common case, already printable, costs one pass and no copy.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        return escaped(bytes: text.utf8)
    }

    public static func escaped(bytes: some Collection<UInt8>) -> String {
        var output = String.UnicodeScalarView()
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        // The parser consumes from the iterator, so a copy walks the same
        // bytes to name the ones it rejected.
        var shadow = bytes.makeIterator()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                for _ in 0..<encoded.count { _ = shadow.next() }
                append(Unicode.UTF8.decode(encoded), to: &output)
            case .error(let length):
                for _ in 0..<length {
                    guard let byte = shadow.next() else { break }
                    appendHex(byte, to: &output)
                }
            case .emptyInput:
                return String(output)
            }
        }
    }

    private static func append(_ scalar: Unicode.Scalar, to output: inout String.UnicodeScalarView) {
        let value = scalar.value
        if value >= 0x20 && value < 0x7F {
            output.append(scalar)
        } else if value < 0x80 {
            appendHex(UInt8(truncatingIfNeeded: value), to: &output)
        } else if isShown(scalar) {
            output.append(scalar)
        } else {
            output.append(contentsOf: "\\u{\(String(value, radix: 16))}".unicodeScalars)
        }
    }

    /// Scalars that print as a visible character of their own.
    private static func isShown(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned:
            return false
        default:
            return true
        }
    }

    private static func appendHex(_ byte: UInt8, to output: inout String.UnicodeScalarView) {
        let digits = Array("0123456789abcdef".unicodeScalars)
        output.append(contentsOf: ["\\", "x", digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
