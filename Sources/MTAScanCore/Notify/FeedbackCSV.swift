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
    static func records(_ text: String) throws(Failure) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var characters = text.makeIterator()
        var pending: Character? = characters.next()
        while let character = pending {
            pending = characters.next()
            if quoted {
                if character == "\"" {
                    if pending == "\"" {
                        field.append("\"")
                        pending = characters.next()
                    } else {
                        quoted = false
                    }
                } else {
                    if character.isNewline { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty: quoted = true
            case ",":
                record.append(field)
                field = ""
            case "\n", "\r\n", "\r":
                line += 1
                record.append(field)
                if !(record.count == 1 && record[0].isEmpty) { records.append(record) }
                record = []
                field = ""
            default: field.append(character)
            }
        }
        if quoted { throw .malformed(line: line) }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
