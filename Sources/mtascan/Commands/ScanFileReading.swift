import MTAScanCore
import MTAScanEngine

/// Reads one scan NDJSON file record by record for `mtascan report`. A
/// malformed line is counted and reported on stderr (the first few per file),
/// never fatal: a scan cut short by a crash ends in half a line.
enum ScanFileReading {
    static let warningsPerFile = 5

    static func read(_ path: String, record: (JSONValue) throws -> Void, malformed: () -> Void) throws {
        let file = try FileDescriptor.openForReading(path)
        defer { file.close() }
        var reader = ScanRecordReader(source: file)
        var errors = BufferedWriter(destination: .standardError, flushThreshold: 0)
        var malformedCount = 0
        while let item = try reader.next() {
            switch item {
            case .record(let value, _):
                try record(value)
            case .malformed(let line, let message):
                malformed()
                malformedCount += 1
                if malformedCount <= warningsPerFile {
                    try errors.write("mtascan report: \(path):\(line): skipped, \(message)\n")
                }
            }
        }
        if malformedCount > warningsPerFile {
            try errors.write("mtascan report: \(path): \(malformedCount) malformed lines skipped in all\n")
        }
    }
}

/// Where `--compare` puts each changed domain: a `--changes` file (NDJSON,
/// or CSV for a `.csv` name), or memory for the JSON report when no file is given.
struct ChangeSink {
    private var writer: BufferedWriter?
    private let csv: Bool
    private(set) var kept: [ScanComparison.DomainChange]?

    init(path: String?, keepInMemory: Bool) throws {
        csv = path?.lowercased().hasSuffix(".csv") ?? false
        kept = keepInMemory ? [] : nil
        if let path {
            writer = BufferedWriter(destination: try FileDescriptor.openForWriting(path))
            if csv { try writer?.write(ScanComparison.DomainChange.csvHeader) }
        }
    }

    mutating func add(_ change: ScanComparison.DomainChange) throws {
        kept?.append(change)
        guard writer != nil else { return }
        if csv {
            try writer?.write(change.csvLine)
        } else {
            var json = JSONWriter(capacity: 256)
            json.writeLine(change.json)
            try writer?.write(json.bytes)
        }
    }

    mutating func close() throws {
        try writer?.flush()
        writer?.destination.close()
        writer = nil
    }
}
