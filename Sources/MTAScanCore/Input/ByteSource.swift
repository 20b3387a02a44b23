/// A pull source of bytes: the readers ask for the next chunk when they have
/// used up the last one, so a 25 GB zone piped from `zcat` is never held whole.
///
/// `read(into:)` fills a prefix of `buffer` and returns how many bytes it wrote
/// (`0...buffer.count`); 0 means end of input and is not asked again. Errors
/// the source throws reach the reader's caller unchanged. The engine provides
/// the file and stdin implementation.
public protocol ByteSource {
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Bytes held in memory, handed out at most `chunkSize` at a time, so tests can
/// split an input at every possible boundary (chunkSize 1 splits every byte).
public struct MemoryByteSource: ByteSource, Sendable {
    private let bytes: [UInt8]
    private let chunkSize: Int
    private var offset = 0

    public init(_ bytes: [UInt8], chunkSize: Int = .max) {
        self.bytes = bytes
        self.chunkSize = max(1, chunkSize)
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(chunkSize, buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { all in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: all[offset..<offset + count]))
        }
        offset += count
        return count
    }
}

/// `Base` without a UTF-8 byte order mark at its very start: editors and
/// spreadsheet exports put one in front of the first line, and in a zone file
/// it would be glued to the first owner name or directive. A start that only
/// begins like a mark (`EF BB` then something else) is handed on unchanged,
/// so no byte is dropped that was not a whole mark.
///
/// The first read gathers up to three bytes from `Base` however it splits
/// them, and hands back what was not a mark over the next reads, as little as
/// one byte at a time if the reader's buffer is that small.
struct ByteOrderMarkDroppingSource<Base: ByteSource>: ByteSource {
    private var base: Base
    private var checked = false
    private var baseEnded = false
    /// Bytes read from `base` while checking, not yet handed out.
    private var pending: [UInt8] = []

    init(_ base: Base) {
        self.base = base
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if !checked {
            checked = true
            var start = [UInt8](repeating: 0, count: 3)
            var count = 0
            while count < 3 {
                let read = try start.withUnsafeMutableBytes {
                    try base.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[count...]))
                }
                if read <= 0 {
                    baseEnded = true
                    break
                }
                count += min(read, 3 - count)
            }
            pending = Array(start.prefix(count))
            if pending == [0xEF, 0xBB, 0xBF] { pending = [] }
        }
        if !pending.isEmpty {
            let count = min(pending.count, buffer.count)
            for index in 0..<count { buffer[index] = pending[index] }
            pending.removeFirst(count)
            return count
        }
        // `base` said end of input once: it is not asked again (ByteSource).
        if baseEnded { return 0 }
        let read = try base.read(into: buffer)
        if read <= 0 { baseEnded = true }
        return read
    }
}
