#if canImport(Glibc)
internal import Glibc
#endif

/// What the scan command needs to know about paths before it opens them.
extension FileDescriptor {
    /// The device and inode of an existing path (links followed): two paths
    /// with one identity are one file. Nil for "-" and for paths that do not exist.
    public struct Identity: Equatable, Sendable {
        let device: UInt64
        let inode: UInt64
        /// A regular file, which can be read again from its start (not a pipe,
        /// a terminal or /dev/stdin).
        public let isRegularFile: Bool
        /// Bytes, for a regular file.
        public let size: Int

        public static func == (lhs: Identity, rhs: Identity) -> Bool {
            lhs.device == rhs.device && lhs.inode == rhs.inode
        }
    }

    public static func identity(of path: String) -> Identity? {
        guard path != "-" else { return nil }
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return Identity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino),
                        isRegularFile: (status.st_mode & S_IFMT) == S_IFREG, size: Int(status.st_size))
    }

    /// Cuts a file to `length` bytes: a resume drops the partial record a killed run left.
    public static func truncate(path: String, to length: Int) throws(FileError) {
        guard Glibc.truncate(path, off_t(length)) == 0 else {
            throw FileError("cannot truncate", path: path, errno: errno)
        }
    }

    /// Makes a directory (and its parents) unless it exists; an existing file of that name is an error.
    public static func makeDirectory(_ path: String) throws(FileError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            prefix += part
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw FileError("cannot make the directory", path: prefix, errno: errno)
            }
            prefix += "/"
        }
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else {
            throw FileError("is not a directory", path: path, errno: ENOTDIR)
        }
    }

    /// Replaces the file's content as one step: the bytes go to `<path>.tmp`,
    /// which is then renamed over `path`, so a reader (or a crash) sees the old
    /// file or the new one, never half of one.
    public static func replaceContents(of path: String, with bytes: [UInt8]) throws(FileError) {
        let temporary = path + ".tmp"
        let file = try openForWriting(temporary)
        do throws(FileError) {
            try file.writeAll(bytes)
        } catch {
            file.close()
            _ = unlink(temporary)
            throw error
        }
        file.close()
        guard rename(temporary, path) == 0 else {
            let code = errno
            _ = unlink(temporary)
            throw FileError("cannot replace", path: path, errno: code)
        }
    }
}
