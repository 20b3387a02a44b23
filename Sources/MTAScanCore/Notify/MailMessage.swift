/// An Internet message (RFC 5322) with one text/plain UTF-8 part, as a
/// campaign writes it: headers folded at 78 columns, non-ASCII header text as
/// RFC 2047 encoded words, the body in quoted-printable (RFC 2045 §6.7) so that
/// no line exceeds 76 characters whatever the text, and CRLF line ends
/// throughout (what SMTP carries; `.eml` readers take them too).
public struct MailMessage: Sendable, Equatable {
    /// Header fields in order; values unfolded, unencoded.
    public var headers: [(name: String, value: String)]
    public var body: String

    public init(headers: [(name: String, value: String)], body: String) {
        self.headers = headers
        self.body = body
    }

    public static func == (lhs: MailMessage, rhs: MailMessage) -> Bool {
        lhs.body == rhs.body && lhs.headers.map(\.name) == rhs.headers.map(\.name)
            && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The message as sent: headers, MIME headers, a blank line, the body:
    /// as it is (7bit) when it is ASCII in lines of at most 998 bytes, which
    /// reads best in a review; else quoted-printable.
    public var bytes: [UInt8] {
        let plain = Self.isSevenBit(body.replacing("\r\n", with: "\n"))
        var text = ""
        for (name, value) in headers + [("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=utf-8"),
                                        ("Content-Transfer-Encoding", plain ? "7bit" : "quoted-printable")] {
            text += Self.fold(name + ": " + Self.encodeHeaderValue(value, name: name)) + "\r\n"
        }
        if plain {
            let lines = body.replacing("\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            text += "\r\n" + lines.joined(separator: "\r\n")
            if !text.hasSuffix("\r\n") { text += "\r\n" }
        } else {
            text += "\r\n" + Self.quotedPrintable(body)
        }
        return Array(text.utf8)
    }

    /// RFC 2045 §2.7: printable ASCII, tabs and line breaks only, lines ≤ 998 bytes.
    static func isSevenBit(_ text: String) -> Bool {
        var length = 0
        for byte in text.utf8 {
            if byte == 0x0A { length = 0; continue }
            guard byte == 0x09 || (0x20...0x7E).contains(byte) else { return false }
            length += 1
            if length > 998 { return false }
        }
        return true
    }

    // MARK: Encoding

    /// Address and token headers stay as they are (their syntax is ASCII);
    /// free text with non-ASCII becomes `=?utf-8?q?...?=` words.
    static func encodeHeaderValue(_ value: String, name: String) -> String {
        let structured = ["from", "to", "cc", "message-id", "list-unsubscribe", "list-unsubscribe-post",
                          "auto-submitted", "date", "return-path", "x-mtascan-campaign", "x-mtascan-token"]
        guard !structured.contains(name.lowercased()), value.utf8.contains(where: { $0 >= 0x80 }) else { return value }
        // Words of at most 75 characters (RFC 2047 §2), split between whole UTF-8 characters.
        var words: [String] = []
        var current = ""
        for character in value {
            var encoded = ""
            for byte in String(character).utf8 {
                if byte == UInt8(ascii: " ") {
                    encoded += "_"
                } else if byte >= 0x80 || byte < 0x20 || "=?_\"(),.:;<>@[\\]".utf8.contains(byte) {
                    encoded += "=" + Hex.lowercase([byte]).uppercased()
                } else {
                    encoded.unicodeScalars.append(Unicode.Scalar(byte))
                }
            }
            if current.count + encoded.count > 75 - "=?utf-8?q??=".count {
                words.append(current)
                current = ""
            }
            current += encoded
        }
        if !current.isEmpty { words.append(current) }
        return words.map { "=?utf-8?q?\($0)?=" }.joined(separator: " ")
    }

    /// Folds a header line at spaces so that no line exceeds 78 characters
    /// where a space allows (RFC 5322 §2.2.3).
    static func fold(_ line: String) -> String {
        guard line.count > 78 else { return line }
        var lines: [String] = []
        var current = ""
        for word in line.split(separator: " ", omittingEmptySubsequences: false) {
            if !current.isEmpty && current.count + 1 + word.count > 78 {
                lines.append(current)
                current = " " + word
            } else {
                current += (current.isEmpty ? "" : " ") + word
            }
        }
        lines.append(current)
        return lines.joined(separator: "\r\n")
    }

    /// RFC 2045 §6.7: line breaks become CRLF, `=` and bytes outside printable
    /// ASCII are escaped, trailing spaces too, and soft breaks keep lines at 76.
    static func quotedPrintable(_ text: String) -> String {
        var output = ""
        let lines = text.replacing("\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            var current = ""
            let bytes = Array(line.utf8)
            for (position, byte) in bytes.enumerated() {
                let isLast = position == bytes.count - 1
                let plain = (byte >= 0x21 && byte <= 0x7E && byte != UInt8(ascii: "="))
                    || ((byte == 0x20 || byte == 0x09) && !isLast)
                let piece = plain ? String(UnicodeScalar(byte)) : "=" + Hex.lowercase([byte]).uppercased()
                if current.count + piece.count > 75 {
                    output += current + "=\r\n"
                    current = ""
                }
                current += piece
            }
            output += current
            if index < lines.count - 1 { output += "\r\n" }
        }
        return output.hasSuffix("\r\n") ? output : output + "\r\n"
    }
}
