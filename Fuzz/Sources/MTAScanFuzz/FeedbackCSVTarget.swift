import MTAScanCore

/// `FeedbackCSV.parse` (the CSV file `notify feedback` imports), on the
/// payload decoded as the command decodes it.
///
/// Checks: tokens are non-empty, answers and tokens trimmed and lower-case,
/// `answeredAt` never empty; an unterminated quote names a line of the text;
/// the answers written again as RFC 4180 CSV (every field quoted, quotes
/// doubled) parse back to the same answers; for text without quotes, the
/// answers are exactly those of an independent reading on bytes (records at
/// LF, CR or CRLF, fields at commas, blank lines skipped, the header's
/// `token`/`answer`/`comment`/`answered_at` columns in any order), and the
/// same text with CRLF for LF gives the same answers.
enum FeedbackCSVTarget {
    static let target = FuzzTarget(
        name: "feedback-csv",
        summary: "feedback CSV: RFC 4180 rewrite round trip, quote-free text = byte oracle, CRLF = LF, fields trimmed"
    ) { input in
        let payload = input.rest
        let text = String(decoding: payload, as: UTF8.self)
        let result = parse(text)
        Invariant.require(parse(text) == result, "parse is not deterministic")
        let quoteFree = !payload.contains(UInt8(ascii: "\""))
        if quoteFree {
            Invariant.require(result == oracle(Array(text.utf8)), "answers differ from the byte oracle: \(result) / \(oracle(Array(text.utf8)))")
            if let crlf = TextOracle.crlf(payload) {
                Invariant.require(parse(String(decoding: crlf, as: UTF8.self)) == result, "CRLF and LF forms read differently")
            }
        }
        switch result {
        case .failure(.malformed(let line)):
            let breaks = TextOracle.newlineLines(Array(text.utf8)).count
            Invariant.require((1...breaks).contains(line), "malformed at line \(line) of \(breaks)")
        case .failure(.missingColumn(let name)):
            Invariant.require(name == "token" || name == "answer", "missing column \(name)")
        case .success(let answers):
            for answer in answers {
                Invariant.require(!answer.token.isEmpty, "empty token")
                for field in [answer.token, answer.answer] {
                    Invariant.require(field == field.lowercased(), "\(field.debugDescription) not lower-case")
                    Invariant.require(field.first != " " && field.first != "\t" && field.last != " " && field.last != "\t",
                                      "\(field.debugDescription) not trimmed")
                }
                Invariant.require(answer.answeredAt != "", "empty answered_at kept")
            }
            let rewritten = parse(write(answers))
            Invariant.require(rewritten == result, "the rewrite reads \(rewritten), was \(answers)")
        }
    }

    static func parse(_ text: String) -> Result<[FeedbackCSV.Answer], FeedbackCSV.Failure> {
        Result { () throws(FeedbackCSV.Failure) in try FeedbackCSV.parse(text) }
    }

    /// RFC 4180 with every field quoted, quotes doubled by Unicode scalar (a
    /// quote followed by a combining mark is no `Character` "\"").
    static func write(_ answers: [FeedbackCSV.Answer]) -> String {
        func quoted(_ field: String) -> String {
            var text = String.UnicodeScalarView()
            text.append("\"")
            for scalar in field.unicodeScalars {
                if scalar == "\"" { text.append("\"") }
                text.append(scalar)
            }
            text.append("\"")
            return String(text)
        }
        var text = "token,answer,comment,answered_at\r\n"
        for answer in answers {
            text += [answer.token, answer.answer, answer.comment, answer.answeredAt ?? ""].map(quoted).joined(separator: ",") + "\r\n"
        }
        return text
    }

    /// The answers of quote-free CSV, read on bytes.
    static func oracle(_ bytes: [UInt8]) -> Result<[FeedbackCSV.Answer], FeedbackCSV.Failure> {
        var records: [[String]] = []
        var index = 0, start = 0
        func endRecord(_ end: Int) {
            let fields = bytes[start..<end].split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
            if fields != [""] { records.append(fields) }
        }
        while index < bytes.count {
            if bytes[index] == 0x0A || bytes[index] == 0x0D {
                endRecord(index)
                index += bytes[index] == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A ? 2 : 1
                start = index
            } else {
                index += 1
            }
        }
        if start < bytes.count { endRecord(bytes.count) }
        // Trimmed as the parser trims, by characters: the oracle is about records and fields.
        func trimmed(_ text: String) -> String {
            String(text.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
        }
        guard let header = records.first?.map({ trimmed($0.lowercased()) }) else { return .success([]) }
        guard let token = header.firstIndex(of: "token") else { return .failure(.missingColumn("token")) }
        guard let answer = header.firstIndex(of: "answer") else { return .failure(.missingColumn("answer")) }
        let comment = header.firstIndex(of: "comment"), answeredAt = header.firstIndex(of: "answered_at")
        return .success(records.dropFirst().compactMap { row in
            func field(_ index: Int?) -> String? { index.flatMap { $0 < row.count ? row[$0] : nil } }
            guard let value = field(token).map({ trimmed($0).lowercased() }), !value.isEmpty else { return nil }
            return FeedbackCSV.Answer(token: value, answer: field(answer).map { trimmed($0).lowercased() } ?? "",
                                      comment: field(comment) ?? "", answeredAt: field(answeredAt).flatMap { $0.isEmpty ? nil : $0 })
        })
    }
}
