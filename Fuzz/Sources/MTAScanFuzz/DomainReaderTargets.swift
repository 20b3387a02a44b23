import MTAScanCore

/// How a reader target reads its control bytes: the cut plan of the byte
/// source, the reader's own chunk size and its line (or word) cap.
///
/// The reference reader ("whole") gets one chunk the size of the payload:
/// the readers' default chunks (64 KiB and up) would cost an allocation far
/// larger than any fuzz input on every run.
private struct ReaderControls {
    let splits: Splits
    let chunkSize: Int
    let maxLineLength: Int

    init(_ input: inout FuzzInput) {
        splits = input.splits()
        let chunk = input.byte()
        chunkSize = chunk == 0 ? 4096 : Int(chunk)
        let cap = input.byte()
        maxLineLength = cap == 0 ? 4096 : Int(cap)
    }
}

/// `DomainListReader` over a cut-up source with a small chunk size.
///
/// Checks: the same items as reading the whole buffer at once; exactly one
/// item per line that holds a name or is too long without a comment, in line
/// order (an independent whole-buffer reading, `LineOracle`).
enum DomainListTarget {
    static let target = FuzzTarget(
        name: "list-reader",
        summary: "domain list reader: chunking-invariant, one item per name line (oracle)"
    ) { input in
        var input = input
        let controls = ReaderControls(&input)
        let payload = input.rest
        var cut = DomainListReader(
            source: SplitByteSource(payload, controls.splits), chunkSize: controls.chunkSize,
            maxLineLength: controls.maxLineLength)
        var whole = DomainListReader(
            source: MemoryByteSource(payload), chunkSize: payload.count + 1, maxLineLength: controls.maxLineLength)
        let run = ReaderRun { try cut.next().map(InputItemSnapshot.init) }
        let expected = ReaderRun { try whole.next().map(InputItemSnapshot.init) }
        Invariant.require(run == expected, "items depend on chunking")
        Invariant.require(run.error == nil, "a list reader threw: \(run.error ?? "")")

        var lines: [Int] = []
        for (index, line) in LineOracle.lines(payload).enumerated() {
            let prefix = line.prefix(controls.maxLineLength)
            let bytes = index == 0 ? LineOracle.droppingByteOrderMark(prefix) : prefix
            var beforeComment = bytes
            var hasComment = false
            for position in bytes.indices where bytes[position] == UInt8(ascii: "#") {
                if position == bytes.startIndex || LineOracle.isBlank(bytes[position - 1]) {
                    beforeComment = bytes[..<position]
                    hasComment = true
                    break
                }
            }
            let truncated = line.count > controls.maxLineLength
            if (truncated && !hasComment) || !LineOracle.trimmed(beforeComment).isEmpty { lines.append(index + 1) }
        }
        Invariant.require(run.items.map(\.line) == lines, "item lines \(run.items.map(\.line)), expected \(lines)")
    }
}

/// `TrancoCSVReader` over a cut-up source with a small chunk size.
///
/// Checks: the same items as reading the whole buffer at once; one item per
/// non-blank or too-long line, in order, except that line 1 may be a header.
enum TrancoCSVTarget {
    static let target = FuzzTarget(
        name: "csv-reader",
        summary: "Tranco CSV reader: chunking-invariant, one item per non-blank line but a header (oracle)"
    ) { input in
        var input = input
        let controls = ReaderControls(&input)
        let payload = input.rest
        var cut = TrancoCSVReader(
            source: SplitByteSource(payload, controls.splits), chunkSize: controls.chunkSize,
            maxLineLength: controls.maxLineLength)
        var whole = TrancoCSVReader(
            source: MemoryByteSource(payload), chunkSize: payload.count + 1, maxLineLength: controls.maxLineLength)
        let run = ReaderRun { try cut.next().map(InputItemSnapshot.init) }
        let expected = ReaderRun { try whole.next().map(InputItemSnapshot.init) }
        Invariant.require(run == expected, "items depend on chunking")
        Invariant.require(run.error == nil, "a CSV reader threw: \(run.error ?? "")")

        var lines: [Int] = []
        for (index, line) in LineOracle.lines(payload).enumerated() {
            let bytes = index == 0 ? LineOracle.droppingByteOrderMark(line.prefix(controls.maxLineLength)) : line
            if line.count > controls.maxLineLength || !LineOracle.trimmed(bytes).isEmpty { lines.append(index + 1) }
        }
        let actual = run.items.map(\.line)
        let withoutHeader = lines.first == 1 ? Array(lines.dropFirst()) : lines
        Invariant.require(actual == lines || actual == withoutHeader, "item lines \(actual), expected \(lines)")
    }
}
