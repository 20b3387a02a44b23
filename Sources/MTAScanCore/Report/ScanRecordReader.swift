/// Reads a scan's NDJSON (docs/output.md) one record at a time with bounded
/// memory: one chunk and one line buffer, whatever the file's size.
///
/// Blank lines are skipped. A line that is not a scan record (not JSON, not
/// an object, or not of the record's shape: `ScanRecordShape`), or is longer
/// than `maxLineLength`, is handed out as `.malformed` and reading goes on. A
/// last line without its LF that begins like a record (`{`) but is not one is
/// `.partialLastLine`: a
/// scan cut short by a crash ends in half a line, and the report should still
/// count everything before it and say what happened.
public struct ScanRecordReader {
    public enum Item {
        case record(JSONValue, line: Int)
        case malformed(line: Int, message: String)
        /// The input ended in the middle of a line, which is not a record.
        case partialLastLine(line: Int)
    }

    /// Records carry certificates and policies; 16 MiB is far beyond any
    /// record mtascan writes and still a bounded buffer.
    public static var defaultMaxLineLength: Int { 16 * 1024 * 1024 }

    private var lines: LineScanner
    private let keepsBytes: Bool
    /// With `keepingBytes`: the bytes of the last `.record` line as read (no
    /// line end), so a copier (`mtascan merge`) writes records byte for byte.
    public private(set) var lastRecordBytes: [UInt8] = []

    public init(source: some ByteSource, chunkSize: Int = 1024 * 1024, maxLineLength: Int = defaultMaxLineLength,
                keepingBytes: Bool = false) {
        lines = LineScanner(source: source, chunkSize: chunkSize, maxLineLength: maxLineLength)
        keepsBytes = keepingBytes
    }

    public mutating func next() throws -> Item? {
        while let line = try lines.next() {
            if line.isTruncated {
                return .malformed(line: line.number, message: "line longer than \(lines.maxLineLength) bytes")
            }
            if LineText.trimmed(line.bytes).isEmpty { continue }
            let problem: String
            var isBinary = false
            do {
                let value = try JSONParser.parse(line.bytes)
                guard let shapeProblem = ScanRecordShape.problem(value) else {
                    if keepsBytes { lastRecordBytes = Array(LineText.trimmed(line.bytes)) }
                    return .record(value, line: line.number)
                }
                problem = shapeProblem
            } catch {
                let binary = Self.binaryDescription(line.bytes)
                isBinary = binary != nil
                problem = binary ?? error.description
            }
            // A complete record without its final LF (another writer's habit)
            // was returned above; a torn one begins like a record, where the
            // tail of a binary file is just more of the same garbage.
            if line.isUnterminated && !isBinary && LineText.trimmed(line.bytes).first == UInt8(ascii: "{") {
                return .partialLastLine(line: line.number)
            }
            return .malformed(line: line.number, message: problem)
        }
        return nil
    }

    /// A line that is binary data says so, naming the compression when its
    /// magic number shows one: the usual mistake is a compressed scan.
    static func binaryDescription(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let magics: [(String, [UInt8])] = [
            ("gzip", [0x1F, 0x8B]), ("zstd", [0x28, 0xB5, 0x2F, 0xFD]), ("xz", [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]),
            ("bzip2", Array("BZh".utf8)),
        ]
        for (name, magic) in magics where bytes.starts(with: magic) {
            return "binary data: \(name)-compressed? decompress it first (e.g. \(name == "gzip" ? "zcat" : name + " -dc") FILE | mtascan report -)"
        }
        return bytes.contains(0) ? "binary data, not NDJSON" : nil
    }
}
