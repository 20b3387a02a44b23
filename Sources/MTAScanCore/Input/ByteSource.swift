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
