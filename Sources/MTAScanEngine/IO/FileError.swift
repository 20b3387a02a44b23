#if canImport(Glibc)
internal import Glibc
#endif

/// A failed file operation: what was attempted, on which path, and errno.
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let operation: String
    public let path: String
    public let errno: Int32

    public init(_ operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    public var description: String {
        if errno == 0 { return "\(path): \(operation)" }
        return "\(path): \(operation): \(String(cString: strerror(errno)))"
    }
}
