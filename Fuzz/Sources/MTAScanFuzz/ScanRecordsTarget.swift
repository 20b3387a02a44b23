import MTAScanCore

/// `ScanRecordReader` (the NDJSON reader of `mtascan report`) over a cut-up
/// source, with a small chunk size and line cap.
///
/// Checks: the same items as reading the whole buffer at once; exactly one
/// item per line that is not blank or is over the cap, in line order
/// (`LineOracle`); an over-long line is `.malformed`; a partial record is
/// only ever the unterminated last line; every record is an object that
/// round-trips through the JSON writer.
enum ScanRecordsTarget {
    private enum Seen: Equatable {
        case record(line: Int)
        case malformed(line: Int, message: String)
        case partialLastLine(line: Int)
    }

    static let target = FuzzTarget(
        name: "scan-records",
        summary: "report NDJSON reader: chunking-invariant, one item per non-blank line (oracle), records round-trip"
    ) { input in
        var input = input
        let splits = input.splits()
        let chunk = input.byte()
        let cap = input.byte()
        // The default cap (16 MiB) is a buffer allocated per reader: far beyond any fuzz input.
        let maxLineLength = cap == 0 ? 64 * 1024 : Int(cap)
        let payload = input.rest

        func read(_ reader: inout ScanRecordReader, _ values: inout [JSONValue]) -> [Seen] {
            var seen: [Seen] = []
            do {
                while let item = try reader.next() {
                    switch item {
                    case .record(let value, let line):
                        seen.append(.record(line: line))
                        values.append(value)
                    case .malformed(let line, let message):
                        seen.append(.malformed(line: line, message: message))
                    case .partialLastLine(let line):
                        seen.append(.partialLastLine(line: line))
                    }
                }
            } catch {
                Invariant.require(false, "a memory source cannot fail, yet: \(error)")
            }
            return seen
        }
        var cutValues: [JSONValue] = []
        var wholeValues: [JSONValue] = []
        var cut = ScanRecordReader(
            source: SplitByteSource(payload, splits), chunkSize: chunk == 0 ? 4096 : Int(chunk),
            maxLineLength: maxLineLength)
        var whole = ScanRecordReader(
            source: MemoryByteSource(payload), chunkSize: payload.count + 1, maxLineLength: maxLineLength)
        let seen = read(&cut, &cutValues)
        Invariant.require(seen == read(&whole, &wholeValues), "items depend on chunking")
        Invariant.require(cutValues == wholeValues, "records depend on chunking")

        var expected: [Int] = []
        var overlong: Set<Int> = []
        for (index, line) in LineOracle.lines(payload).enumerated() {
            if line.count > maxLineLength { overlong.insert(index + 1) }
            if line.count > maxLineLength || !LineOracle.trimmed(line).isEmpty { expected.append(index + 1) }
        }
        let lines = seen.map { step -> Int in
            switch step {
            case .record(let line), .malformed(let line, _), .partialLastLine(let line): return line
            }
        }
        // A cut-short record can only be the last line, and only when the input does not end in a newline.
        for case .partialLastLine(let line) in seen {
            Invariant.require(line == expected.last && payload.last != UInt8(ascii: "\n"),
                              "partial last line \(line) is not the unterminated last line")
        }
        Invariant.require(lines == expected, "item lines \(lines), expected \(expected)")
        for case .record(let line) in seen {
            Invariant.require(!overlong.contains(line), "line \(line) is over the cap, yet read as a record")
        }
        for value in cutValues {
            Invariant.require(value.objectValue != nil, "a record that is not an object")
            JSONCheck.requireRoundTrip(value, "record")
        }
    }
}
