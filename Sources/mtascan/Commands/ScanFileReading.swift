import MTAScanCore
import MTAScanEngine

/// Reads one scan NDJSON file record by record for `mtascan report`. A
/// malformed line is counted and reported on stderr (the first few per file),
/// and reading goes on: a scan cut short by a crash ends in half a line, which
/// is reported as such. A file with lines but no record at all is no scan
/// (a compressed file, another tool's output): that is an error, since a
/// report of nothing would look like a report of an empty scan.
enum ScanFileReading {
    static let warningsPerFile = 5

    static func read(_ path: String, command: String = "report", record: (JSONValue) throws -> Void,
                     malformed: () -> Void) throws {
        let file = try FileDescriptor.openForReading(path)
        defer { file.close() }
        var reader = ScanRecordReader(source: file)
        var errors = BufferedWriter(destination: .standardError, flushThreshold: 0)
        let shownPath = TerminalText.escaped(path)
        var records = 0
        var malformedCount = 0
        while let item = try reader.next() {
            switch item {
            case .record(let value, _):
                records += 1
                try record(value)
            case .malformed(let line, let message):
                malformed()
                malformedCount += 1
                if malformedCount <= warningsPerFile {
                    try errors.write("mtascan \(command): \(shownPath):\(line): skipped, \(message)\n")
                }
            case .partialLastLine(let line):
                // Counted with the malformed lines, but always named: it is
                // the sign of a scan that did not finish.
                malformed()
                malformedCount += 1
                try errors.write("mtascan \(command): \(shownPath):\(line): partial last line ignored (the scan was cut short?)\n")
            }
        }
        if malformedCount > warningsPerFile {
            try errors.write("mtascan \(command): \(shownPath): \(malformedCount) malformed lines skipped in all\n")
        }
        if records == 0 && malformedCount > 0 {
            throw CLIError("\(shownPath) holds no scan record (\(malformedCount) line\(malformedCount == 1 ? "" : "s") skipped); is it a scan's NDJSON, decompressed?")
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
