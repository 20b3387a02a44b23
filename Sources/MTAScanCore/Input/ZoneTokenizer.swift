/// Splits an RFC 1035 §5.1 master file into words and entry ends, one chunk
/// of bytes at a time.
///
/// - Spaces, tabs and CRs separate words; `;` starts a comment to the end of
///   the line; an LF ends the entry unless parentheses are open (§5.1: "line
///   terminations are not recognized within parentheses").
/// - `"` starts a quoted word that runs to the next unescaped `"` and may hold
///   `;`, parentheses and line breaks (§5.1: "text literals can contain CRLF").
///   A quote inside a word is an ordinary byte.
/// - `\` takes the next byte literally (`\X`, and the digits of `\DDD`), so
///   escaped spaces, dots, quotes and parentheses stay inside the word. Words
///   are handed out raw; `WireName` decodes the escapes of names.
///
/// Memory is the chunk plus one word of at most `maxWordLength` bytes; a longer
/// word is cut (`isTruncated`) and its rest skipped. Record data the reader
/// does not need is passed over by `skipEntry()` without being copied.
struct ZoneTokenizer {
    enum Token {
        case word(Word)
        /// The LF that ends an entry (consumed).
        case endOfEntry
        case endOfInput
    }

    /// Valid until the next call to the tokenizer.
    struct Word {
        /// Raw bytes: escapes undecoded, the quotes of a quoted word removed.
        var bytes: UnsafeBufferPointer<UInt8>
        var isQuoted: Bool
        var isTruncated: Bool
    }

    let maxWordLength: Int
    private var input: ChunkedInput
    private let scratch: ByteStorage
    /// The line of the next unread byte, 1-based.
    private(set) var line = 1
    private var parenthesisDepth = 0
    private var parenthesisLine = 0

    init(source: some ByteSource, chunkSize: Int, maxWordLength: Int) {
        self.maxWordLength = max(1, maxWordLength)
        // A byte order mark would otherwise be glued to the first word and
        // fail the whole zone as an unknown directive or a bad owner.
        input = ChunkedInput(source: ByteOrderMarkDroppingSource(source), chunkSize: chunkSize)
        scratch = ByteStorage(capacity: self.maxWordLength)
    }

    /// The next byte without consuming it; nil at the end of input. At the start
    /// of an entry it tells an owner name from a blank (RFC 1035 §5.1).
    mutating func peek() throws -> UInt8? {
        if input.position == input.end {
            guard try input.refill() else { return nil }
        }
        return input.base[input.position]
    }

    mutating func nextToken() throws -> Token {
        while true {
            if input.position == input.end {
                guard try input.refill() else {
                    try checkParenthesesClosed()
                    return .endOfInput
                }
            }
            switch input.base[input.position] {
            case ZoneSyntax.space, ZoneSyntax.tab, ZoneSyntax.carriageReturn:
                input.position += 1
            case ZoneSyntax.lineFeed:
                input.position += 1
                line += 1
                if parenthesisDepth == 0 { return .endOfEntry }
            case ZoneSyntax.semicolon:
                try skipComment()
            case ZoneSyntax.openParenthesis:
                openParenthesis()
                input.position += 1
            case ZoneSyntax.closeParenthesis:
                try closeParenthesis()
                input.position += 1
            case ZoneSyntax.quote:
                return .word(try readQuoted())
            default:
                return .word(try readWord())
            }
        }
    }

    /// Consumes the rest of the entry, through the LF that ends it, tracking
    /// comments, quotes, escapes and parentheses but copying nothing.
    mutating func skipEntry() throws {
        var mode = SkipMode.data
        var quoteLine = 0
        var escapePending = false
        while true {
            if input.position == input.end {
                guard try input.refill() else {
                    if mode == .quoted { throw Self.unterminatedQuote(line: quoteLine) }
                    try checkParenthesesClosed()
                    return
                }
            }
            let base = input.base
            let end = input.end
            var index = input.position
            if escapePending {
                if base[index] == ZoneSyntax.lineFeed { line += 1 }
                index += 1
                escapePending = false
            }
            while index < end {
                switch mode {
                case .data:
                    while index < end && !ZoneSyntax.isSpecialInData(base[index]) { index += 1 }
                    guard index < end else { break }
                    let byte = base[index]
                    index += 1
                    switch byte {
                    case ZoneSyntax.lineFeed:
                        line += 1
                        if parenthesisDepth == 0 {
                            input.position = index
                            return
                        }
                    case ZoneSyntax.semicolon:
                        mode = .comment
                    case ZoneSyntax.quote:
                        mode = .quoted
                        quoteLine = line
                    case ZoneSyntax.openParenthesis:
                        openParenthesis()
                    case ZoneSyntax.closeParenthesis:
                        try closeParenthesis()
                    default: // backslash
                        if index < end {
                            if base[index] == ZoneSyntax.lineFeed { line += 1 }
                            index += 1
                        } else {
                            escapePending = true
                        }
                    }
                case .comment:
                    // The LF is left for data mode, which ends the entry.
                    while index < end && base[index] != ZoneSyntax.lineFeed { index += 1 }
                    if index < end { mode = .data }
                case .quoted:
                    while index < end {
                        let byte = base[index]
                        index += 1
                        if byte == ZoneSyntax.quote {
                            mode = .data
                            break
                        } else if byte == ZoneSyntax.lineFeed {
                            line += 1
                        } else if byte == ZoneSyntax.backslash {
                            if index < end {
                                if base[index] == ZoneSyntax.lineFeed { line += 1 }
                                index += 1
                            } else {
                                escapePending = true
                            }
                        }
                    }
                }
            }
            input.position = end
        }
    }

    private enum SkipMode { case data, comment, quoted }

    private mutating func readWord() throws -> Word {
        var kept = 0
        var overflowed = false
        var inScratch = false
        var escapePending = false
        while true {
            let base = input.base
            let start = input.position
            let end = input.end
            var index = start
            if escapePending {
                if base[index] == ZoneSyntax.lineFeed { line += 1 }
                index += 1
                escapePending = false
            }
            while index < end {
                let byte = base[index]
                if ZoneSyntax.isSpecialInWord(byte) {
                    guard byte == ZoneSyntax.backslash else { break }
                    if index + 1 < end {
                        if base[index + 1] == ZoneSyntax.lineFeed { line += 1 }
                        index += 2
                    } else {
                        escapePending = true
                        index += 1
                    }
                } else {
                    index += 1
                }
            }
            input.position = index
            let found = index < end
            if found && !inScratch {
                let length = index - start
                return Word(
                    bytes: UnsafeBufferPointer(start: base + start, count: min(length, maxWordLength)),
                    isQuoted: false, isTruncated: length > maxWordLength
                )
            }
            keep(base + start, index - start, kept: &kept, overflowed: &overflowed)
            inScratch = true
            if found { break }
            // A word that ends the input ends there; a dangling `\` is the name decoder's to reject.
            guard try input.refill() else { break }
        }
        return Word(bytes: UnsafeBufferPointer(start: scratch.base, count: kept), isQuoted: false, isTruncated: overflowed)
    }

    private mutating func readQuoted() throws -> Word {
        let openLine = line
        input.position += 1
        var kept = 0
        var overflowed = false
        var inScratch = false
        var escapePending = false
        while true {
            if input.position == input.end {
                guard try input.refill() else { throw Self.unterminatedQuote(line: openLine) }
            }
            let base = input.base
            let start = input.position
            let end = input.end
            var index = start
            if escapePending {
                if base[index] == ZoneSyntax.lineFeed { line += 1 }
                index += 1
                escapePending = false
            }
            while index < end {
                let byte = base[index]
                if byte == ZoneSyntax.quote { break }
                if byte == ZoneSyntax.lineFeed {
                    line += 1
                } else if byte == ZoneSyntax.backslash {
                    if index + 1 < end {
                        if base[index + 1] == ZoneSyntax.lineFeed { line += 1 }
                        index += 1
                    } else {
                        escapePending = true
                    }
                }
                index += 1
            }
            let found = index < end
            input.position = found ? index + 1 : end
            if found && !inScratch {
                let length = index - start
                return Word(
                    bytes: UnsafeBufferPointer(start: base + start, count: min(length, maxWordLength)),
                    isQuoted: true, isTruncated: length > maxWordLength
                )
            }
            keep(base + start, index - start, kept: &kept, overflowed: &overflowed)
            inScratch = true
            if found {
                return Word(bytes: UnsafeBufferPointer(start: scratch.base, count: kept), isQuoted: true, isTruncated: overflowed)
            }
        }
    }

    /// Appends a piece of a word that straddles chunks to the scratch buffer, up to the cap.
    private func keep(_ start: UnsafePointer<UInt8>, _ count: Int, kept: inout Int, overflowed: inout Bool) {
        let taken = min(count, maxWordLength - kept)
        (scratch.base + kept).update(from: start, count: taken)
        kept += taken
        overflowed = overflowed || count > taken
    }

    /// Up to, not through, the LF that ends the comment.
    private mutating func skipComment() throws {
        while true {
            let base = input.base
            var index = input.position
            while index < input.end && base[index] != ZoneSyntax.lineFeed { index += 1 }
            input.position = index
            if index < input.end { return }
            guard try input.refill() else { return }
        }
    }

    private mutating func openParenthesis() {
        if parenthesisDepth == 0 { parenthesisLine = line }
        parenthesisDepth += 1
    }

    private mutating func closeParenthesis() throws {
        guard parenthesisDepth > 0 else {
            throw InputError(line: line, reason: "unbalanced-parenthesis", message: "')' without a matching '('")
        }
        parenthesisDepth -= 1
    }

    private func checkParenthesesClosed() throws {
        guard parenthesisDepth == 0 else {
            throw InputError(
                line: parenthesisLine, reason: "unterminated-parenthesis",
                message: "the '(' opened here is not closed before the end of the input"
            )
        }
    }

    private static func unterminatedQuote(line: Int) -> InputError {
        InputError(
            line: line, reason: "unterminated-quote",
            message: "the quoted string opened here is not closed before the end of the input"
        )
    }
}
