/// One SMTP reply (RFC 5321 §4.2): a code and one or more lines of text.
public struct SMTPReply: Sendable, Equatable {
    /// Three digits, the first 2...5 and the second 0...5 (§4.2's `Reply-code`),
    /// the same on every line.
    public var code: Int
    /// The text of each line after the code and its separator, in order.
    /// Decoded as UTF-8 with U+FFFD for other bytes; bytes are not otherwise
    /// checked, since senders read whatever text a server sends.
    public var lines: [String]
    /// How the lines ended.
    public var lineEnding: SMTPLineEnding

    public init(code: Int, lines: [String], lineEnding: SMTPLineEnding = .crlf) {
        self.code = code
        self.lines = lines
        self.lineEnding = lineEnding
    }

    /// 2yz, "Positive Completion" (§4.2.1).
    public var isPositive: Bool { (200...299).contains(code) }
    /// 4yz, "Transient Negative Completion": try again later (greylisting, load).
    public var isTransientNegative: Bool { (400...499).contains(code) }
    /// 5yz, "Permanent Negative Completion".
    public var isPermanentNegative: Bool { (500...599).contains(code) }

    /// The lines joined by LF.
    public var text: String { lines.joined(separator: "\n") }
}

/// How the lines of a reply ended. RFC 5321 §2.3.8 requires CRLF; bare LF is
/// read anyway (as most senders do) and recorded, since it marks a broken or
/// hand-made server.
public enum SMTPLineEnding: String, Sendable, CaseIterable {
    case crlf
    case lf
    /// Some lines one way, some the other.
    case mixed
}
