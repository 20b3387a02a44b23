/// A fixed block of bytes owned by one reader, freed with it. The readers scan
/// raw pointers in their inner loops; this class only ties the memory's
/// lifetime to theirs.
final class ByteStorage {
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: self.capacity)
        base.initialize(repeating: 0, count: self.capacity)
    }

    deinit { base.deallocate() }
}

/// A `ByteSource` pulled through one fixed buffer: the unread bytes of the
/// current chunk are `base[position..<end]`. Memory stays at the chunk size
/// however large the input is; scanners copy what must outlive a chunk.
struct ChunkedInput<Source: ByteSource> {
    private var source: Source
    private let storage: ByteStorage
    var position = 0
    var end = 0
    private(set) var isFinished = false

    init(source: Source, chunkSize: Int) {
        self.source = source
        storage = ByteStorage(capacity: chunkSize)
    }

    var base: UnsafeMutablePointer<UInt8> { storage.base }

    /// Replaces the used-up chunk with the next one. False at the end of input.
    mutating func refill() throws -> Bool {
        assert(position == end, "refill would drop unread bytes")
        position = 0
        end = 0
        if isFinished { return false }
        let count = try source.read(into: UnsafeMutableRawBufferPointer(start: storage.base, count: storage.capacity))
        // Outside the contract, a count beyond the buffer is clamped and a
        // negative one ends the input, rather than reading out of bounds.
        guard count > 0 else {
            isFinished = true
            return false
        }
        end = min(count, storage.capacity)
        return true
    }
}
