/// Reads a Tranco-style ranking: `rank,domain` per line, CRLF or LF, or
/// another CSV with a domain column.
///
/// - Fields may be quoted as in RFC 4180 §2 (`"a.com"`, `""` for a quote);
///   a quoted field cannot span lines, since a domain holds no line break.
/// - **Header**: Tranco has none. Line 1 is a header only if every field is
///   a column name (a letter, then letters, digits, spaces, `_` or `-`; empty
///   fields allowed, one needed), so no field of it could be a domain or a
///   rank: `rank,domain`, `Domain,Rank`, `domain`, but never `example.com,1`.
///   A skipped header is kept in `skippedHeader` for the caller to name.
/// - **The domain column**: named by the header (`domain`, `domain_name`,
///   `name`, `host`, `hostname`, or the other of two columns when one is
///   `rank`); else decided by the first line of data: the column after a
///   numeric first field (`rank,domain`), the first before a numeric second
///   (`domain,rank`), the first if only it looks like a domain, else the
///   second (Tranco). The whole file then uses that column; further fields
///   are ignored. A line with a single field is taken as the domain.
/// - Names must be registered domains (`InputProblem.unregistrable`).
/// - Blank lines are skipped; every other line yields one item.
public struct TrancoCSVReader<Source: ByteSource>: DomainReader {
    private var parser: TrancoCSVParser

    public init(source: Source, chunkSize: Int = 64 * 1024, maxLineLength: Int = 4096) {
        parser = TrancoCSVParser(lines: LineScanner(source: source, chunkSize: chunkSize, maxLineLength: maxLineLength))
    }

    public mutating func next() throws -> InputItem? { try parser.next() }

    public var skippedHeader: String? { parser.skippedHeader }
}

/// The work of `TrancoCSVReader`, free of its generic parameter (see `ChunkedInput`).
struct TrancoCSVParser {
    var lines: LineScanner
    /// Reused field buffers; only as many fields as needed are read.
    private var fields: [[UInt8]] = []
    /// 0-based; nil until the header or the first line of data decides it.
    private var domainColumn: Int?
    private(set) var skippedHeader: String?

    /// A header is inspected up to this many fields; a domain column further
    /// right is not looked for.
    static let maxHeaderFields = 16
    static let domainColumnNames: Set<String> = ["domain", "domain_name", "domain name", "domainname", "name", "host", "hostname"]

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

            let wanted = line.number == 1 ? Self.maxHeaderFields : max((domainColumn ?? 1) + 1, 2)
            let row = readFields(bytes, upTo: wanted)
            if line.number == 1, row.problem == nil, Self.isHeader(fields[0..<row.count]) {
                skippedHeader = InputItem.boundedText(UnsafeBufferPointer(rebasing: bytes[...]))
                domainColumn = Self.domainColumn(ofHeader: fields[0..<row.count])
                continue
            }
            if row.count == 1 && row.problem == nil && !row.hasMore {
                return InputItem(line: line.number, bytes: fields[0], name: DomainName.parse(bytes: fields[0]).asRegisteredDomain)
            }
            // The first two fields decide the column when nothing has yet;
            // a broken one of them is this line's failure.
            if domainColumn == nil && row.count >= 2 {
                domainColumn = Self.domainColumn(firstRow: fields[0], fields[1])
            }
            let column = domainColumn ?? 1
            if column < row.count {
                let field = fields[column]
                return InputItem(line: line.number, bytes: field, name: DomainName.parse(bytes: field).asRegisteredDomain)
            }
            if let problem = row.problem {
                return InputItem(line: line.number, bytes: bytes[problem.start...], name: .failure(problem.problem))
            }
            return InputItem(line: line.number, bytes: bytes, name: .failure(InputProblem(
                reason: "missing-field", message: "the line has no field \(column + 1), the domain column")))
        }
        return nil
    }

    /// Reads fields into `fields` from the left, at most `limit`; stops at
    /// the first broken one. `hasMore`: further fields follow.
    private mutating func readFields(
        _ bytes: UnsafeBufferPointer<UInt8>, upTo limit: Int
    ) -> (count: Int, problem: (problem: InputProblem, start: Int)?, hasMore: Bool) {
        var start: Int? = 0
        var count = 0
        while count < limit, let fieldStart = start {
            if fields.count == count { fields.append([]) }
            let field = CSVField.read(bytes, from: fieldStart, into: &fields[count])
            if let problem = field.problem { return (count, (problem, fieldStart), false) }
            count += 1
            start = field.next
        }
        return (count, nil, start != nil)
    }

    /// Every field a column name, at least one not empty: no domain (which
    /// has a dot) and no rank (digits) can pass.
    static func isHeader(_ fields: ArraySlice<[UInt8]>) -> Bool {
        var named = false
        for field in fields where !field.isEmpty {
            guard let first = field.first, ASCII.isAlpha(first) else { return false }
            for byte in field where !(ASCII.isAlphaNumeric(byte) || byte == UInt8(ascii: " ")
                                      || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")) {
                return false
            }
            named = true
        }
        return named
    }

    static func domainColumn(ofHeader fields: ArraySlice<[UInt8]>) -> Int? {
        let names = fields.map { String(decoding: $0.map(ASCII.lower), as: UTF8.self) }
        if let index = names.firstIndex(where: domainColumnNames.contains) { return index }
        guard names.count >= 2 else { return nil }
        if names[0] == "rank" { return 1 }
        if names[1] == "rank" { return 0 }
        return nil
    }

    static func domainColumn(firstRow first: [UInt8], _ second: [UInt8]) -> Int {
        func isRank(_ field: [UInt8]) -> Bool { !field.isEmpty && field.allSatisfy(ASCII.isDigit) }
        func isDomain(_ field: [UInt8]) -> Bool { (try? DomainName.parse(bytes: field).asRegisteredDomain.get()) != nil }
        switch (isRank(first), isRank(second)) {
        case (true, false): return 1
        case (false, true): return 0
        default: return isDomain(first) && !isDomain(second) ? 0 : 1
        }
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
