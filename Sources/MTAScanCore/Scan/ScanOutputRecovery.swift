/// What an existing scan output holds, read before `scan --resume` appends to
/// it: which input lines have their record (the ledger), the counts of those
/// records for the metadata, and where the last complete line ends.
///
/// mtascan writes whole lines, but a process killed in the middle of a write
/// leaves the start of one: every line that ends in a newline is a record, and
/// the bytes after the last newline are a partial record, which the resume
/// cuts off (`completeBytes`) and scans again. A complete line that is not a
/// record is not something mtascan wrote: it is reported, and the caller
/// refuses to append to such a file.
public struct ScanOutputRecovery: Sendable {
    public var ledger = ResumeLedger()
    public var counts = ScanMetadata.Counts()
    /// Bytes up to and including the last newline: what the resume keeps.
    public var completeBytes = 0
    /// Bytes after the last newline: a record cut short, dropped by the resume.
    public var partialBytes = 0
    /// Complete lines that are not mtascan records: (line number, why), the first few.
    public var malformed: [(line: Int, message: String)] = []
    public var malformedCount = 0

    public static let maxReportedMalformed = 5

    public init() {}

    /// Reads `source` to its end. Lines longer than `maxLineLength` are malformed
    /// (mtascan's records are far smaller) and never held whole.
    public static func read(_ source: inout some ByteSource, chunkSize: Int = 1 << 20,
                            maxLineLength: Int = 16 << 20) throws -> ScanOutputRecovery {
        var recovery = ScanOutputRecovery()
        var chunk = [UInt8](repeating: 0, count: Swift.max(1, chunkSize))
        var line: [UInt8] = []
        var lineTooLong = false
        var lineNumber = 0
        var offset = 0
        while true {
            let count = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { break }
            var start = 0
            for index in 0..<count where chunk[index] == UInt8(ascii: "\n") {
                lineNumber += 1
                if !lineTooLong {
                    if line.count + (index - start) > maxLineLength {
                        lineTooLong = true
                    } else {
                        line.append(contentsOf: chunk[start..<index])
                    }
                }
                if lineTooLong {
                    recovery.noteMalformed(line: lineNumber, "line longer than \(maxLineLength) bytes")
                } else {
                    recovery.take(line, lineNumber: lineNumber)
                }
                line.removeAll(keepingCapacity: line.count <= 1 << 20)
                lineTooLong = false
                start = index + 1
                recovery.completeBytes = offset + start
            }
            if !lineTooLong {
                if line.count + (count - start) > maxLineLength {
                    lineTooLong = true
                    line.removeAll()
                } else {
                    line.append(contentsOf: chunk[start..<count])
                }
            }
            offset += count
        }
        recovery.partialBytes = offset - recovery.completeBytes
        return recovery
    }

    private mutating func take(_ bytes: [UInt8], lineNumber: Int) {
        if bytes.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }) {
            return   // blank lines are harmless; mtascan writes none
        }
        let record: JSONValue
        do {
            record = try JSONParser.parse(bytes)
        } catch {
            noteMalformed(line: lineNumber, error.description)
            return
        }
        guard let inputLine = record["input_line"]?.intValue, inputLine > 0,
              let domain = record["domain"]?.stringValue else {
            noteMalformed(line: lineNumber, "not an mtascan record (no input_line and domain)")
            return
        }
        if ledger.add(line: inputLine, domain: domain.utf8) {
            counts.count(record: record)
        }
    }

    private mutating func noteMalformed(line: Int, _ message: String) {
        malformedCount += 1
        if malformed.count < Self.maxReportedMalformed { malformed.append((line, message)) }
    }
}
