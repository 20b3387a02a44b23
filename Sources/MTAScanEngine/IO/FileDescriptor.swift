#if canImport(Glibc)
internal import Glibc
#endif

/// A file descriptor read or written with blocking calls, for the CLI's inputs
/// and outputs (zone files, stdin, NDJSON to stdout). Network I/O never comes
/// here: it belongs to the event loops.
public struct FileDescriptor: Sendable {
    public let rawValue: Int32
    public let path: String

    public static let standardInput = FileDescriptor(rawValue: 0, path: "<stdin>")
    public static let standardOutput = FileDescriptor(rawValue: 1, path: "<stdout>")
    public static let standardError = FileDescriptor(rawValue: 2, path: "<stderr>")

    public init(rawValue: Int32, path: String) {
        self.rawValue = rawValue
        self.path = path
    }

    /// Opens for reading; "-" is standard input.
    public static func openForReading(_ path: String) throws(FileError) -> FileDescriptor {
        if path == "-" { return .standardInput }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError("cannot open", path: path, errno: errno) }
        return FileDescriptor(rawValue: fd, path: path)
    }

    /// Creates or truncates for writing; "-" is standard output.
    public static func openForWriting(_ path: String, append: Bool = false) throws(FileError) -> FileDescriptor {
        if path == "-" { return .standardOutput }
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC)
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else { throw FileError("cannot create", path: path, errno: errno) }
        return FileDescriptor(rawValue: fd, path: path)
    }

    /// Reads up to `buffer.count` bytes; 0 at end of file. Retries on EINTR.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(FileError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = Glibc.read(rawValue, base, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw FileError("read failed", path: path, errno: errno)
        }
    }

    /// Writes all bytes, retrying short writes and EINTR.
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws(FileError) {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let n = Glibc.write(rawValue, base, remaining)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError("write failed", path: path, errno: errno)
            }
            remaining -= n
            base += n
        }
    }

    public func writeAll(_ bytes: [UInt8]) throws(FileError) {
        try bytes.withUnsafeBytes { buffer in Result { () throws(FileError) in try writeAll(buffer) } }.get()
    }

    /// Asks the kernel to put the file's data on disk (`fdatasync`). Pipes and
    /// terminals cannot be synced; for them this does nothing.
    public func syncData() {
        _ = fdatasync(rawValue)
    }

    public func close() {
        guard rawValue > 2 else { return }
        _ = Glibc.close(rawValue)
    }

    /// Reads the whole file, refusing files larger than `maxBytes` (a PSL, a CA
    /// bundle or a policy file is small; a huge one is a mistake, not input).
    public static func readAll(path: String, maxBytes: Int) throws(FileError) -> [UInt8] {
        let bytes = try readPrefix(path: path, maxBytes: maxBytes + 1)
        guard bytes.count <= maxBytes else {
            throw FileError("larger than \(maxBytes) bytes", path: path, errno: 0)
        }
        return bytes
    }

    /// Reads at most `maxBytes` from the start of the file: enough to tell that
    /// an input is too large without reading all of it.
    public static func readPrefix(path: String, maxBytes: Int) throws(FileError) -> [UInt8] {
        let file = try openForReading(path)
        defer { file.close() }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while result.count < maxBytes {
            let wanted = min(chunk.count, maxBytes - result.count)
            let n = try chunk.withUnsafeMutableBytes { buffer in
                Result { () throws(FileError) in try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted])) }
            }.get()
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }
}

extension FileDescriptor {
    /// Lines (newline bytes, plus a last line without one) of a regular file:
    /// the progress line's total. Nil for standard input, pipes and other
    /// non-regular files, which cannot be read twice.
    public static func countLines(path: String) -> Int? {
        guard path != "-", let descriptor = try? openForReading(path) else { return nil }
        defer { descriptor.close() }
        var status = stat()
        guard fstat(descriptor.rawValue, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var lines = 0
        var last: UInt8 = 0x0A
        while let count = try? descriptor.read(into: buffer), count > 0 {
            for byte in buffer[..<count] where byte == 0x0A { lines += 1 }
            last = buffer[count - 1]
        }
        return last == 0x0A ? lines : lines + 1
    }
}
