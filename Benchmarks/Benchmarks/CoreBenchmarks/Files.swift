#if canImport(Glibc)
import Glibc
#endif

/// Reads a file for benchmark setup (the core has no I/O of its own).
func readWholeFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = fread(&chunk, 1, chunk.count, file)
        if n == 0 { return bytes }
        bytes.append(contentsOf: chunk[0..<n])
    }
}
