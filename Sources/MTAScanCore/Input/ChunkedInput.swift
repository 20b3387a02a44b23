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
///
/// The source is held as `any ByteSource`: it is called once per chunk, so
/// the dynamic call costs nothing, and the scanning code above it is
/// compiled once, optimised, inside this module. (Generic code called from
/// another module runs unspecialised, looking up type metadata on every call.)
struct ChunkedInput {
    private var source: any ByteSource
    private let storage: ByteStorage
    /// `storage.base`, held directly so the scanning loops do not go through the class.
    let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    var position = 0
    var end = 0
    private(set) var isFinished = false

    init(source: some ByteSource, chunkSize: Int) {
        self.source = source
        storage = ByteStorage(capacity: chunkSize)
        base = storage.base
        capacity = storage.capacity
    }

    /// Replaces the used-up chunk with the next one. False at the end of input.
    mutating func refill() throws -> Bool {
        assert(position == end, "refill would drop unread bytes")
        position = 0
        end = 0
        if isFinished { return false }
        let count = try source.read(into: UnsafeMutableRawBufferPointer(start: base, count: capacity))
        // Outside the contract, a count beyond the buffer is clamped and a
        // negative one ends the input, rather than reading out of bounds.
        guard count > 0 else {
            isFinished = true
            return false
        }
        end = min(count, capacity)
        return true
    }
}
