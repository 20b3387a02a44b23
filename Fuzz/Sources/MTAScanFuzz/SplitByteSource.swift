import MTAScanCore

/// A `ByteSource` that hands out a payload in the uneven pieces of a
/// `Splits` plan, never more than the reader asked for, so the readers'
/// chunk handling (lines and words straddling chunks) is what gets fuzzed.
struct SplitByteSource: ByteSource {
    private let bytes: [UInt8]
    private var sizes: Splits.SizeSequence
    private var offset = 0

    init(_ bytes: [UInt8], _ splits: Splits) {
        self.bytes = bytes
        sizes = splits.sizeSequence()
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(sizes.next(), buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { all in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: all[offset..<(offset + count)]))
        }
        offset += count
        return count
    }
}
