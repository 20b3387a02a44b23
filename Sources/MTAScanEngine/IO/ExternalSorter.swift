#if canImport(Glibc)
internal import Glibc
#endif

/// Sorts byte strings in bytewise order whatever their number, in bounded
/// memory: entries collect in one buffer until it holds `memoryBudget` bytes,
/// which is then sorted and written out as a run; the runs are merged as they
/// are read back (`report --compare` on two `.com`-sized scans: 160 million
/// entries each, a few GB of runs, under `memoryBudget` of memory per sorter
/// plus a read buffer per run).
///
/// Until the first spill nothing touches the disk. The runs live in a
/// directory of their own under `temporaryDirectory`, removed when the sorter
/// is released.
public final class ExternalSorter {
    private let budget: Int
    private let temporaryDirectory: String
    private var workDirectory: String?
    /// The entries of the current chunk, back to back.
    private var buffer: [UInt8] = []
    /// Each entry of the chunk: start (high 40 bits) and length (low 24 bits).
    private var spans: [UInt64] = []
    private var runs: [String] = []
    public private(set) var count = 0
    /// Bytes written to runs (what the disk holds meanwhile).
    public private(set) var spilledBytes = 0

    public static let maxEntryLength = (1 << 24) - 1

    public init(memoryBudget: Int = 64 << 20, temporaryDirectory: String = ExternalSorter.defaultTemporaryDirectory) {
        budget = max(1024, memoryBudget)
        self.temporaryDirectory = temporaryDirectory
    }

    deinit { removeRuns() }

    public static var defaultTemporaryDirectory: String {
        if let directory = getenv("TMPDIR"), directory.pointee != 0 { return String(cString: directory) }
        return "/tmp"
    }

    /// Runs written so far.
    public var runCount: Int { runs.count }

    public func add(_ entry: [UInt8]) throws(FileError) {
        precondition(entry.count <= Self.maxEntryLength, "entries are small records")
        spans.append(UInt64(buffer.count) << 24 | UInt64(entry.count))
        buffer.append(contentsOf: entry)
        count += 1
        if buffer.count + spans.count * 8 >= budget { try spill() }
    }

    /// The entries in order. Call once, after the last `add`.
    public func sorted() throws(FileError) -> SortedEntries {
        if runs.isEmpty {
            sortChunk()
            let chunk = ChunkEntries(buffer: buffer, spans: spans)
            buffer = []
            spans = []
            return SortedEntries(source: .chunk(chunk))
        }
        if !spans.isEmpty { try spill() }
        var readers: [RunReader] = []
        for path in runs { readers.append(try RunReader(path: path)) }
        return SortedEntries(source: .runs(RunMerger(readers: readers)))
    }

    private func sortChunk() {
        buffer.withUnsafeBufferPointer { bytes in
            spans.sort { left, right in
                Self.precedes(bytes, left, right)
            }
        }
    }

    static func precedes(_ bytes: UnsafeBufferPointer<UInt8>, _ left: UInt64, _ right: UInt64) -> Bool {
        let (leftStart, leftLength) = (Int(left >> 24), Int(left & 0xFF_FFFF))
        let (rightStart, rightLength) = (Int(right >> 24), Int(right & 0xFF_FFFF))
        guard let base = bytes.baseAddress else { return false }
        let common = min(leftLength, rightLength)
        let order = common == 0 ? 0 : memcmp(base + leftStart, base + rightStart, common)
        return order != 0 ? order < 0 : leftLength < rightLength
    }

    private func spill() throws(FileError) {
        sortChunk()
        let directory = try ensureWorkDirectory()
        let path = "\(directory)/run-\(runs.count)"
        let file = try FileDescriptor.openForWriting(path)
        var writer = BufferedWriter(destination: file, flushThreshold: 1 << 20)
        var framed: [UInt8] = []
        framed.reserveCapacity(1 << 16)
        for span in spans {
            let start = Int(span >> 24), length = Int(span & 0xFF_FFFF)
            framed.removeAll(keepingCapacity: true)
            for shift in [0, 8, 16, 24] { framed.append(UInt8(truncatingIfNeeded: length >> shift)) }
            framed.append(contentsOf: buffer[start..<start + length])
            try writer.write(framed)
            spilledBytes += framed.count
        }
        try writer.flush()
        file.close()
        runs.append(path)
        buffer.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
    }

    private func ensureWorkDirectory() throws(FileError) -> String {
        if let workDirectory { return workDirectory }
        var template = Array("\(temporaryDirectory)/mtascan-sort-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { pointer -> String? in
            guard let base = pointer.baseAddress, mkdtemp(base) != nil else { return nil }
            return String(cString: base)
        }
        guard let made else { throw FileError("cannot make a folder for sorting in", path: temporaryDirectory, errno: errno) }
        workDirectory = made
        return made
    }

    private func removeRuns() {
        for path in runs { unlink(path) }
        runs = []
        if let workDirectory { rmdir(workDirectory) }
        workDirectory = nil
    }
}

/// The sorted entries of an `ExternalSorter`. A read error ends the sequence
/// early and is kept in `error`: check it after the last entry.
public struct SortedEntries: IteratorProtocol {
    enum Source {
        case chunk(ChunkEntries)
        case runs(RunMerger)
    }

    private let source: Source
    public var error: FileError? {
        if case .runs(let merger) = source { return merger.error }
        return nil
    }

    init(source: Source) { self.source = source }

    public mutating func next() -> [UInt8]? {
        switch source {
        case .chunk(let chunk): return chunk.next()
        case .runs(let merger): return merger.next()
        }
    }
}

final class ChunkEntries {
    private let buffer: [UInt8]
    private let spans: [UInt64]
    private var index = 0

    init(buffer: [UInt8], spans: [UInt64]) {
        self.buffer = buffer
        self.spans = spans
    }

    func next() -> [UInt8]? {
        guard index < spans.count else { return nil }
        let span = spans[index]
        index += 1
        let start = Int(span >> 24), length = Int(span & 0xFF_FFFF)
        return Array(buffer[start..<start + length])
    }
}

/// Reads one run: entries framed by a 4-byte little-endian length.
final class RunReader {
    private let file: FileDescriptor
    private var buffer = [UInt8](repeating: 0, count: 256 << 10)
    private var start = 0, end = 0
    private var exhausted = false

    init(path: String) throws(FileError) {
        file = try FileDescriptor.openForReading(path)
    }

    deinit { file.close() }

    func next() throws(FileError) -> [UInt8]? {
        guard try fill(4) else { return nil }
        var length = 0
        for offset in 0..<4 { length |= Int(buffer[start + offset]) << (offset * 8) }
        start += 4
        if length > buffer.count { buffer += [UInt8](repeating: 0, count: length - buffer.count) }
        guard try fill(length) else { throw FileError("a sort run ends inside an entry", path: file.path, errno: 0) }
        defer { start += length }
        return Array(buffer[start..<start + length])
    }

    /// Makes `wanted` bytes available from `start`; false at the end of the run.
    private func fill(_ wanted: Int) throws(FileError) -> Bool {
        if end - start >= wanted { return true }
        if start > 0 {
            buffer.withUnsafeMutableBufferPointer { pointer in
                guard let base = pointer.baseAddress else { return }
                memmove(base, base + start, end - start)
            }
            end -= start
            start = 0
        }
        while end < wanted, !exhausted {
            let got: Int
            do {
                got = try buffer.withUnsafeMutableBytes { raw in
                    try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[end...]))
                }
            } catch let error as FileError {
                throw error
            } catch {
                throw FileError("cannot read", path: file.path, errno: EIO)
            }
            if got == 0 { exhausted = true }
            end += got
        }
        return end >= wanted
    }
}

/// Merges sorted runs with a binary heap of their heads.
final class RunMerger {
    private var readers: [RunReader]
    /// (entry, run) ordered by entry, then run: earlier runs hold earlier entries.
    private var heap: [([UInt8], Int)] = []
    private(set) var error: FileError?
    private var primed = false

    init(readers: [RunReader]) { self.readers = readers }

    func next() -> [UInt8]? {
        do throws(FileError) {
            if !primed {
                primed = true
                for index in readers.indices { if let entry = try readers[index].next() { push((entry, index)) } }
            }
            guard let (entry, run) = pop() else { return nil }
            if let following = try readers[run].next() { push((following, run)) }
            return entry
        } catch {
            self.error = error
            heap = []
            return nil
        }
    }

    private static func less(_ a: ([UInt8], Int), _ b: ([UInt8], Int)) -> Bool {
        if a.0 == b.0 { return a.1 < b.1 }
        return a.0.lexicographicallyPrecedes(b.0)
    }

    private func push(_ item: ([UInt8], Int)) {
        heap.append(item)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.less(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private func pop() -> ([UInt8], Int)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, Self.less(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count, Self.less(heap[right], heap[smallest]) { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
