/// Reads a Tranco-style ranking: `rank,domain` per line, CRLF or LF.
///
/// - The domain is the second field; further fields are ignored. A line with
///   a single field is taken as the domain. The rank is not checked.
/// - Fields may be quoted as in RFC 4180 §2 (`"a.com"`, `""` for a quote);
///   a quoted field cannot span lines, since a domain holds no line break.
/// - Tranco has no header; line 1 is skipped as a header if it has at least
///   two fields and its first field is not empty and not a number.
/// - Blank lines are skipped; every other line yields one item.
public struct TrancoCSVReader<Source: ByteSource>: DomainReader {
    private var parser: TrancoCSVParser

    public init(source: Source, chunkSize: Int = 64 * 1024, maxLineLength: Int = 4096) {
        parser = TrancoCSVParser(lines: LineScanner(source: source, chunkSize: chunkSize, maxLineLength: maxLineLength))
    }

    public mutating func next() throws -> InputItem? { try parser.next() }
}

/// The work of `TrancoCSVReader`, free of its generic parameter (see `ChunkedInput`).
struct TrancoCSVParser {
    var lines: LineScanner
    private var firstField: [UInt8] = []
    private var secondField: [UInt8] = []

    init(lines: LineScanner) {
        self.lines = lines
    }

    mutating func next() throws -> InputItem? {
        while let line = try lines.next() {
            let bytes = LineText.trimmed(line.number == 1 ? LineText.droppingByteOrderMark(line.bytes) : line.bytes)
            if line.isTruncated {
                return InputItem(line: line.number, bytes: bytes, name: .failure(.lineTooLong(limit: lines.maxLineLength)))
            }
            if bytes.isEmpty { continue }

            let first = CSVField.read(bytes, from: 0, into: &firstField)
            if let problem = first.problem { return InputItem(line: line.number, bytes: bytes, name: .failure(problem)) }
            guard let secondStart = first.next else {
                return InputItem(line: line.number, bytes: firstField, name: DomainName.parse(bytes: firstField).asInputResult)
            }
            if line.number == 1 && !firstField.isEmpty && !firstField.allSatisfy(ASCII.isDigit) { continue }

            let second = CSVField.read(bytes, from: secondStart, into: &secondField)
            if let problem = second.problem {
                return InputItem(line: line.number, bytes: bytes[secondStart...], name: .failure(problem))
            }
            return InputItem(line: line.number, bytes: secondField, name: DomainName.parse(bytes: secondField).asInputResult)
        }
        return nil
    }
}

/// One RFC 4180 field of a line, unquoted into a reused buffer.
enum CSVField {
    /// `next` is where the following field starts, nil if this was the last.
    static func read(
        _ line: UnsafeBufferPointer<UInt8>, from start: Int, into value: inout [UInt8]
    ) -> (next: Int?, problem: InputProblem?) {
        value.removeAll(keepingCapacity: true)
        var index = start
        while index < line.count && LineText.isBlank(line[index]) { index += 1 }
        guard index < line.count, line[index] == UInt8(ascii: "\"") else {
            while index < line.count && line[index] != UInt8(ascii: ",") {
                value.append(line[index])
                index += 1
            }
            while let last = value.last, LineText.isBlank(last) { value.removeLast() }
            return (index < line.count ? index + 1 : nil, nil)
        }
        index += 1
        while true {
            guard index < line.count else {
                return (nil, InputProblem(reason: "unterminated-quote", message: "a quoted field has no closing quote"))
            }
            let byte = line[index]
            index += 1
            if byte != UInt8(ascii: "\"") {
                value.append(byte)
            } else if index < line.count && line[index] == UInt8(ascii: "\"") {
                value.append(byte)
                index += 1
            } else {
                break
            }
        }
        while index < line.count && LineText.isBlank(line[index]) { index += 1 }
        if index == line.count { return (nil, nil) }
        guard line[index] == UInt8(ascii: ",") else {
            return (nil, InputProblem(reason: "malformed-quote", message: "text follows the closing quote of a field"))
        }
        return (index + 1, nil)
    }
}
