/// The answers behind the feedback links (`notify feedback FILE.csv`), as a
/// form tool exports them: RFC 4180 CSV with a header naming at least `token`
/// and `answer` (and optionally `comment`, `answered_at`), in any order.
public enum FeedbackCSV {
    public struct Answer: Sendable, Equatable {
        public var token: String
        public var answer: String
        public var comment: String
        public var answeredAt: String?

        public init(token: String, answer: String, comment: String, answeredAt: String?) {
            self.token = token
            self.answer = answer
            self.comment = comment
            self.answeredAt = answeredAt
        }
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case missingColumn(String)
        case malformed(line: Int)

        public var description: String {
            switch self {
            case .missingColumn(let name): return "the header has no \(name) column"
            case .malformed(let line): return "line \(line): an unterminated quoted field"
            }
        }
    }

    public static func parse(_ text: String) throws(Failure) -> [Answer] {
        let rows = try records(text)
        guard let header = rows.first?.map({ $0.lowercased().trimmingSpaces }) else { return [] }
        guard let token = header.firstIndex(of: "token") else { throw .missingColumn("token") }
        guard let answer = header.firstIndex(of: "answer") else { throw .missingColumn("answer") }
        let comment = header.firstIndex(of: "comment"), answeredAt = header.firstIndex(of: "answered_at")
        return rows.dropFirst().compactMap { row in
            func field(_ index: Int?) -> String? { index.flatMap { $0 < row.count ? row[$0] : nil } }
            guard let value = field(token)?.trimmingSpaces.lowercased(), !value.isEmpty else { return nil }
            return Answer(token: value, answer: field(answer)?.trimmingSpaces.lowercased() ?? "",
                          comment: field(comment) ?? "", answeredAt: field(answeredAt).flatMap { $0.isEmpty ? nil : $0 })
        }
    }

    /// RFC 4180 records: fields split on commas, quoted fields may hold commas,
    /// line breaks and doubled quotes; CRLF or LF line ends; blank lines skipped.
    ///
    /// Read by Unicode scalars, not `Character`s: a comma or quote followed by
    /// a combining mark (or a quote after a prepended mark) is one grapheme
    /// cluster, and reading by clusters merged two fields or missed the end of
    /// a quoted one (found by the `feedback-csv` fuzz target).
    static func records(_ text: String) throws(Failure) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var previous: Unicode.Scalar?
        var scalars = text.unicodeScalars.makeIterator()
        var pending = scalars.next()
        while let scalar = pending {
            pending = scalars.next()
            defer { previous = scalar }
            if quoted {
                if scalar == "\"" {
                    if pending == "\"" {
                        field.unicodeScalars.append("\"")
                        pending = scalars.next()
                    } else {
                        quoted = false
                    }
                } else {
                    // The line of an error message: each newline `Character` once (CRLF too).
                    if isNewline(scalar) && !(scalar == "\n" && previous == "\r") { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty: quoted = true
            case ",":
                record.append(field)
                field = ""
            case "\n", "\r":
                if scalar == "\r" && pending == "\n" { pending = scalars.next() }
                line += 1
                record.append(field)
                if !(record.count == 1 && record[0].isEmpty) { records.append(record) }
                record = []
                field = ""
            default: field.unicodeScalars.append(scalar)
            }
        }
        if quoted { throw .malformed(line: line) }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }

    /// What `Character.isNewline` counts: LF, VT, FF, CR, NEL, LS, PS.
    private static func isNewline(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: true
        default: false
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
