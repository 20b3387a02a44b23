/// What `SMTPReplyParser` made of the bytes so far.
public enum SMTPReplyProgress: Sendable, Equatable {
    case needMore
    /// The reply ended; `SMTPReplyParser.unconsumedByteCount` says how many
    /// bytes of the last feed came after it.
    case complete(SMTPReply)
    case failed(SMTPReplyFailure)
}

/// Why bytes are not an SMTP reply. Stable kebab-case, reported as the
/// `problem` detail of `mx-smtp`.
public enum SMTPReplyFailure: String, Error, Sendable, CaseIterable {
    /// A line that does not begin with a reply code (`%x32-35 %x30-35 %x30-39`)
    /// followed by `-`, a space or the line break (RFC 5321 §4.2).
    case malformed
    /// A line of a multiline reply with another code than the first
    /// (§4.2.1: "the reply code on each of the lines MUST be the same").
    case inconsistentCode = "inconsistent-code"
    /// A line over `SMTPReplyLimits.maxLineBytes`.
    case lineTooLong = "line-too-long"
    /// More lines than `SMTPReplyLimits.maxLines` (an endless `220-` banner).
    case tooManyLines = "too-many-lines"
    /// More bytes than `SMTPReplyLimits.maxReplyBytes`.
    case tooLarge = "too-large"
}

/// An incremental parser of one SMTP reply (RFC 5321 §4.2):
/// `*( code "-" [ text ] CRLF ) code [ SP text ] CRLF`.
///
/// Checks each byte as it arrives, so a peer that is not an SMTP server (an
/// HTTP server, a TLS endpoint, line noise) fails on its first bytes, and a
/// reply that grows without end fails at its cap. Bare LF ends a line as CRLF
/// does, and `SMTPReply.lineEnding` records which was seen. Reads one reply:
/// the bytes after it are left alone and counted in `unconsumedByteCount`;
/// `reset()` prepares for the next reply.
public struct SMTPReplyParser: Sendable {
    public let limits: SMTPReplyLimits

    /// After `.complete`: the bytes of the last feed after the reply's final
    /// line break. The parser does not keep them.
    public private(set) var unconsumedByteCount = 0

    private var outcome: SMTPReplyProgress?
    private var code = 0
    private var lineCode = 0
    /// Bytes of the current line so far, its line break included.
    private var linePosition = 0
    private var isLastLine = false
    private var text: [UInt8] = []
    private var lines: [String] = []
    private var replyBytes = 0
    private var sawCRLF = false
    private var sawLF = false

    public init(limits: SMTPReplyLimits = SMTPReplyLimits()) {
        self.limits = limits
    }

    /// True once any byte of a reply has been read and the reply is not finished.
    public var hasPartialReply: Bool { outcome == nil && replyBytes > 0 }

    /// Reads the next bytes. Once the result is `.complete` or `.failed` it
    /// stays so until `reset()`, and further bytes are ignored.
    public mutating func feed(_ bytes: some Collection<UInt8>) -> SMTPReplyProgress {
        if let outcome { return outcome }
        let wasContiguous = bytes.withContiguousStorageIfAvailable { consume($0) } != nil
        if !wasContiguous { Array(bytes).withUnsafeBufferPointer { consume($0) } }
        return outcome ?? .needMore
    }

    /// Forgets the reply read, ready for the next one.
    public mutating func reset() {
        self = SMTPReplyParser(limits: limits)
    }

    private mutating func consume(_ buffer: UnsafeBufferPointer<UInt8>) {
        for index in buffer.indices {
            replyBytes += 1
            linePosition += 1
            guard replyBytes <= limits.maxReplyBytes else { return fail(.tooLarge) }
            guard linePosition <= limits.maxLineBytes else { return fail(.lineTooLong) }
            let byte = buffer[index]
            switch linePosition {
            case 1:
                guard lines.count < limits.maxLines else { return fail(.tooManyLines) }
                guard byte >= UInt8(ascii: "2") && byte <= UInt8(ascii: "5") else { return fail(.malformed) }
                lineCode = Int(byte - UInt8(ascii: "0")) * 100
            case 2:
                guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "5") else { return fail(.malformed) }
                lineCode += Int(byte - UInt8(ascii: "0")) * 10
            case 3:
                guard ASCII.isDigit(byte) else { return fail(.malformed) }
                lineCode += Int(byte - UInt8(ascii: "0"))
                if lines.isEmpty {
                    code = lineCode
                } else if lineCode != code {
                    return fail(.inconsistentCode)
                }
            case 4:
                switch byte {
                case UInt8(ascii: "-"):
                    isLastLine = false
                case UInt8(ascii: " "):
                    isLastLine = true
                case UInt8(ascii: "\r"):
                    // `code CRLF`: the text is optional on the last line.
                    isLastLine = true
                    text.append(byte)
                case UInt8(ascii: "\n"):
                    isLastLine = true
                    if endLine(unconsumed: buffer.count - index - 1) { return }
                default:
                    return fail(.malformed)
                }
            default:
                if byte == UInt8(ascii: "\n") {
                    if endLine(unconsumed: buffer.count - index - 1) { return }
                } else {
                    text.append(byte)
                }
            }
        }
    }

    /// Ends the current line; true if that ended the reply.
    private mutating func endLine(unconsumed: Int) -> Bool {
        if text.last == UInt8(ascii: "\r") {
            text.removeLast()
            sawCRLF = true
        } else {
            sawLF = true
        }
        lines.append(String(decoding: text, as: UTF8.self))
        text.removeAll(keepingCapacity: true)
        linePosition = 0
        guard isLastLine else { return false }
        let ending: SMTPLineEnding = sawCRLF ? (sawLF ? .mixed : .crlf) : .lf
        outcome = .complete(SMTPReply(code: code, lines: lines, lineEnding: ending))
        unconsumedByteCount = unconsumed
        return true
    }

    private mutating func fail(_ failure: SMTPReplyFailure) {
        outcome = .failed(failure)
        text = []
        lines = []
    }
}
