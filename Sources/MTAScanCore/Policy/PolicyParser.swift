/// Parses an MTA-STS policy body (RFC 8461 §3.2) as fetched from
/// `https://mta-sts.<domain>/.well-known/mta-sts.txt`.
///
/// The ABNF is the contract: whatever it does not allow is a `policy-syntax`
/// error, because a sender that implements it exactly ignores such a policy.
/// A blank line is such an error too (see `Rule.blankLine`), but the fields
/// are still read, for `PolicyEvaluation.lenientPolicy`.
/// Line breaks are LF or CRLF, mixed freely (the ABNF's `sts-policy-term`;
/// erratum 6253 fixes the prose to match); trailing whitespace and a missing
/// final line break are fine. Keys and the values of `version` and `mode` are
/// case-sensitive. `version`, `mode`, `max_age` may appear once (the first
/// wins, later ones are a `policy-duplicate-key` warning), `mx` any number of
/// times, and `mx` may be absent only with mode `none` (the ABNF's comment:
/// "required at least once, except when mode is none"; the prose's "one or
/// more patterns" predates it). Unknown keys are extensions, kept and ignored.
/// The order of fields is free. Every problem is reported, each with its line.
///
/// One pass over the bytes, no `Character`s; on a valid policy the only
/// allocations are the values kept (`mx` patterns, extensions).
public enum PolicyParser {
    /// RFC 8461 §3.3 suggests senders cap a policy body at "64 kilobytes" and
    /// says policy hosts SHOULD stay within that size. A larger body is one some
    /// senders never read whole, so it is `too-large` and not parsed at all,
    /// which also bounds the parser's work on hostile input. Real policies are
    /// a few hundred bytes.
    public static let maxBodyBytes = 64 * 1024

    public static func parse(_ body: [UInt8]) -> PolicyEvaluation {
        body.withUnsafeBytes { parse($0) }
    }

    /// A `String` holds valid UTF-8 by construction, so `invalid-utf8` cannot
    /// occur here: pass raw bytes from the network to the other entries.
    public static func parse(_ text: String) -> PolicyEvaluation {
        let count = text.utf8.count
        if count > maxBodyBytes { return tooLarge(count) }
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    public static func parse(_ body: UnsafeRawBufferPointer) -> PolicyEvaluation {
        let count = body.count
        if count > maxBodyBytes { return tooLarge(count) }

        let hasByteOrderMark = count >= 3 && body[0] == 0xEF && body[1] == 0xBB && body[2] == 0xBF
        let start = hasByteOrderMark ? 3 : 0
        if isBlank(body, from: start) {
            return PolicyEvaluation(policy: nil, findings: [Finding(.policySyntax, ["rule": .string(Rule.empty.rawValue)])])
        }

        var builder = PolicyBuilder()
        if hasByteOrderMark { builder.noteEncoding(.byteOrderMark, line: 1) }
        scanLines(body, from: start, into: &builder)
        return builder.finish()
    }

    /// Splits the body into lines and checks, in the same pass, that it is text:
    /// UTF-8 without control characters other than tab and the line break.
    private static func scanLines(_ body: UnsafeRawBufferPointer, from start: Int, into builder: inout PolicyBuilder) {
        let count = body.count
        var index = start
        var lineStart = start
        var lineNumber = 1
        var colon = -1

        @inline(__always) func endLine(at end: Int) {
            builder.addLine(
                UnsafeRawBufferPointer(rebasing: body[lineStart..<end]),
                colon: colon >= 0 ? colon - lineStart : nil,
                number: lineNumber
            )
        }

        while index < count {
            let byte = body[index]
            if byte >= 0x20 && byte < 0x7F {            // printable ASCII: nearly every byte
                if byte == UInt8(ascii: ":") && colon < 0 { colon = index }
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                let isCRLF = byte == UInt8(ascii: "\r") && index + 1 < count && body[index + 1] == UInt8(ascii: "\n")
                if byte == UInt8(ascii: "\r") && !isCRLF { builder.noteEncoding(.bareCR, line: lineNumber) }
                endLine(at: index)
                index += isCRLF ? 2 : 1
                lineStart = index
                lineNumber += 1
                colon = -1
            case UInt8(ascii: "\t"):
                index += 1
            case 0x00:
                builder.noteEncoding(.nul, line: lineNumber)
                index += 1
            case 0x01..<0x80:
                builder.noteEncoding(.controlCharacter, line: lineNumber)
                index += 1
            default:
                let length = utf8SequenceLength(body, at: index)
                if length == 0 {
                    builder.noteEncoding(.invalidUTF8, line: lineNumber)
                    index += 1
                } else {
                    index += length
                }
            }
        }
        // After a final line break comes the empty remainder the ABNF's
        // optional final `sts-policy-term` allows; anything else is a last line.
        if lineStart < count { endLine(at: count) }
    }

    /// The length of the well-formed UTF-8 sequence (RFC 3629 §4) starting
    /// with the non-ASCII byte at `index`, or 0 if it is ill-formed.
    /// Overlong forms, surrogates and code points above U+10FFFF are ill-formed.
    private static func utf8SequenceLength(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int {
        let count = bytes.count
        @inline(__always) func trail(_ offset: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            index + offset < count && bytes[index + offset] >= low && bytes[index + offset] <= high
        }
        switch bytes[index] {
        case 0xC2...0xDF: return trail(1) ? 2 : 0
        case 0xE0: return trail(1, 0xA0) && trail(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return trail(1) && trail(2) ? 3 : 0
        case 0xED: return trail(1, 0x80, 0x9F) && trail(2) ? 3 : 0
        case 0xF0: return trail(1, 0x90) && trail(2) && trail(3) ? 4 : 0
        case 0xF1...0xF3: return trail(1) && trail(2) && trail(3) ? 4 : 0
        case 0xF4: return trail(1, 0x80, 0x8F) && trail(2) && trail(3) ? 4 : 0
        default: return 0
        }
    }

    /// Only spaces, tabs and line breaks from `start` on.
    private static func isBlank(_ body: UnsafeRawBufferPointer, from start: Int) -> Bool {
        for index in start..<body.count {
            let byte = body[index]
            guard ASCII.isWSP(byte) || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") else { return false }
        }
        return true
    }

    private static func tooLarge(_ count: Int) -> PolicyEvaluation {
        PolicyEvaluation(policy: nil, findings: [
            Finding(.policySyntax, [
                "rule": .string(Rule.tooLarge.rawValue), "bytes": .int(count), "max_bytes": .int(maxBodyBytes),
            ]),
        ])
    }
}
