/// Reads a scan's NDJSON (docs/output.md) one record at a time with bounded
/// memory: one chunk and one line buffer, whatever the file's size.
///
/// Blank lines are skipped. A line that is not a JSON object, or is longer than
/// `maxLineLength`, is handed out as `.malformed` and reading goes on: a scan
/// cut short by a crash ends in a partial line, and the report should still
/// count everything before it.
public struct ScanRecordReader {
    public enum Item {
        case record(JSONValue, line: Int)
        case malformed(line: Int, message: String)
    }

    /// Records carry certificates and policies; 16 MiB is far beyond any
    /// record mtascan writes and still a bounded buffer.
    public static var defaultMaxLineLength: Int { 16 * 1024 * 1024 }

    private var lines: LineScanner

    public init(source: some ByteSource, chunkSize: Int = 1024 * 1024, maxLineLength: Int = defaultMaxLineLength) {
        lines = LineScanner(source: source, chunkSize: chunkSize, maxLineLength: maxLineLength)
    }

    public mutating func next() throws -> Item? {
        while let line = try lines.next() {
            if line.isTruncated {
                return .malformed(line: line.number, message: "line longer than \(lines.maxLineLength) bytes")
            }
            if LineText.trimmed(line.bytes).isEmpty { continue }
            do {
                let value = try JSONParser.parse(line.bytes)
                guard value.objectValue != nil else {
                    return .malformed(line: line.number, message: "not a JSON object")
                }
                return .record(value, line: line.number)
            } catch {
                return .malformed(line: line.number, message: error.description)
            }
        }
        return nil
    }
}
