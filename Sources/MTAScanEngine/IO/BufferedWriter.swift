/// Collects output lines and writes them in large blocks: one write per NDJSON
/// line would cost a syscall per domain on a 100-million-domain scan.
///
/// Not thread-safe: one owner (the output stage) writes.
public struct BufferedWriter {
    public let destination: FileDescriptor
    private var buffer: [UInt8] = []
    private let flushThreshold: Int

    public init(destination: FileDescriptor, flushThreshold: Int = 256 * 1024) {
        self.destination = destination
        self.flushThreshold = flushThreshold
        buffer.reserveCapacity(flushThreshold + 4096)
    }

    public mutating func write(_ bytes: [UInt8]) throws(FileError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= flushThreshold { try flush() }
    }

    public mutating func write(_ text: String) throws(FileError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= flushThreshold { try flush() }
    }

    public var hasPendingBytes: Bool { !buffer.isEmpty }

    /// Writes whatever is buffered; call at the end and whenever output must be
    /// visible (an interactive pipe, a checkpoint).
    public mutating func flush() throws(FileError) {
        guard !buffer.isEmpty else { return }
        try destination.writeAll(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
