extension ProviderCatalogue {
    /// A line of a `--providers` file that is not `kind suffix provider-id`.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Reads an extra catalogue: one `kind suffix provider-id` per line
    /// (`policy-host mta-sts.example.net example-hosting`), fields separated by
    /// spaces or tabs, `#` starts a comment, blank lines are skipped. Strict:
    /// the first bad line is an error naming its number, since a silently
    /// skipped line would quietly change a study's numbers.
    public static func parseEntries(_ text: String) throws(ParseError) -> [ProviderEntry] {
        var entries: [ProviderEntry] = []
        var seen: [String: Int] = [:]
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: Self.isLineBreak).enumerated() {
            let number = offset + 1
            var line = rawLine
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            guard fields.count == 3 else {
                throw ParseError(line: number, message: "expected \"kind suffix provider-id\", found \(fields.count) field\(fields.count == 1 ? "" : "s")")
            }
            guard let kind = ProviderKind(rawValue: String(fields[0])) else {
                throw ParseError(line: number, message: "unknown kind \"\(fields[0].prefix(64))\"; kinds: \(ProviderKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard DomainName(fields[1]) != nil else {
                throw ParseError(line: number, message: "\"\(fields[1].prefix(64))\" is not a domain name")
            }
            guard let entry = ProviderEntry(kind: kind, suffix: String(fields[1]), provider: String(fields[2])) else {
                throw ParseError(line: number, message: "provider id \"\(fields[2].prefix(64))\" is not kebab-case ([a-z0-9] words joined by single hyphens, at most 63)")
            }
            let key = "\(kind.rawValue) \(entry.suffix)"
            if let first = seen[key] {
                throw ParseError(line: number, message: "\(key) is already listed on line \(first)")
            }
            seen[key] = number
            entries.append(entry)
        }
        return entries
    }

    /// `\r\n` is one `Character` in Swift, so splitting on `"\n"` alone would
    /// glue CRLF lines together.
    private static func isLineBreak(_ character: Character) -> Bool {
        character == "\n" || character == "\r\n"
    }
}
