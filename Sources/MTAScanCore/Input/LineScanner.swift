/// Splits a `ByteSource` into lines with bounded memory: a line that fits in
/// the current chunk is handed out in place; one that straddles chunks is
/// copied into a scratch buffer of at most `maxLineLength` (+1 for a CR)
/// bytes, and anything beyond is skipped, never held.
struct LineScanner {
    /// One line without its LF, and without the CR of a CRLF.
    /// `bytes` is valid until the next call to `next()`.
    struct Line {
        var number: Int
        var bytes: UnsafeBufferPointer<UInt8>
        /// The line was longer than `maxLineLength`; `bytes` is its first `maxLineLength` bytes.
        var isTruncated: Bool
        /// The input ended inside this line: no LF followed it. For a file
        /// written line by line, a writer cut short (a crash) leaves this.
        var isUnterminated = false
    }

    let maxLineLength: Int
    private var input: ChunkedInput
    private let scratch: ByteStorage
    private var lineNumber = 0

    init(source: some ByteSource, chunkSize: Int = 64 * 1024, maxLineLength: Int = 4096) {
        self.maxLineLength = max(1, maxLineLength)
        input = ChunkedInput(source: source, chunkSize: chunkSize)
        scratch = ByteStorage(capacity: self.maxLineLength + 1)
    }

    mutating func next() throws -> Line? {
        var scratchCount = 0
        var overflowed = false
        var started = false
        while true {
            if input.position == input.end {
                guard try input.refill() else {
                    guard started else { return nil }
                    lineNumber += 1
                    var line = finish(scratch.base, scratchCount, overflowed: overflowed)
                    line.isUnterminated = true
                    return line
                }
            }
            let base = input.base
            let start = input.position
            let end = input.end
            var index = start
            while index < end && base[index] != UInt8(ascii: "\n") { index += 1 }
            let found = index < end
            input.position = found ? index + 1 : end
            if found && !started {
                lineNumber += 1
                return finish(base + start, index - start, overflowed: false)
            }
            // The line straddles chunks: keep what fits, count the rest as overflow.
            let room = scratch.capacity - scratchCount
            let length = index - start
            let kept = min(room, length)
            (scratch.base + scratchCount).update(from: base + start, count: kept)
            scratchCount += kept
            overflowed = overflowed || length > kept
            started = true
            if found {
                lineNumber += 1
                return finish(scratch.base, scratchCount, overflowed: overflowed)
            }
        }
    }

    private func finish(_ start: UnsafePointer<UInt8>, _ count: Int, overflowed: Bool) -> Line {
        var count = count
        if !overflowed && count > 0 && start[count - 1] == UInt8(ascii: "\r") { count -= 1 }
        let truncated = overflowed || count > maxLineLength
        return Line(
            number: lineNumber,
            bytes: UnsafeBufferPointer(start: start, count: min(count, maxLineLength)),
            isTruncated: truncated
        )
    }
}

/// Byte helpers shared by the line-oriented readers.
enum LineText {
    static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    /// The bytes without leading and trailing spaces, tabs and CRs.
    static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var lower = 0
        var upper = bytes.count
        while lower < upper && isBlank(bytes[lower]) { lower += 1 }
        while upper > lower && isBlank(bytes[upper - 1]) { upper -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[lower..<upper])
    }

    /// Line 1 without a UTF-8 byte order mark, which spreadsheet exports put
    /// in front of the first name.
    static func droppingByteOrderMark(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        guard bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF else { return bytes }
        return UnsafeBufferPointer(rebasing: bytes[3...])
    }
}
