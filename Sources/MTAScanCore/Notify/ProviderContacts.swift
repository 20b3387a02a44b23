/// Who to write to about a provider's customers (`notify plan --group-by-provider
/// --provider-contacts FILE`; docs/notify.md, "Grouping by provider").
///
/// The file: one `provider-id,address` per line, the id as the scan names
/// providers (docs/providers.md: kebab-case), the address one a campaign can
/// put into `RCPT TO` (`MailPath`). `#` starts a comment, blank lines are
/// skipped, and a first line `provider,address` (a CSV header) too. Strict, as
/// the providers file is: a bad line, or a provider listed twice, stops the
/// plan with its line number, since a silently dropped line would quietly send
/// per-domain messages where grouped ones were meant.
public struct ProviderContacts: Sendable, Equatable {
    /// Provider id → address (lower-cased).
    public private(set) var addresses: [String: String] = [:]

    public init(_ addresses: [String: String] = [:]) {
        self.addresses = addresses
    }

    public subscript(provider: String) -> String? { addresses[provider] }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    public static func parse(_ text: String) throws(ParseError) -> ProviderContacts {
        var contacts = ProviderContacts()
        var sawEntry = false
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let number = index + 1
            // `#` and `,` are found among Unicode scalars, not `Character`s: a
            // combining mark after one would otherwise hide it in its cluster.
            let scalars = raw.unicodeScalars
            let beforeComment = scalars[..<(scalars.firstIndex(of: "#") ?? scalars.endIndex)]
            let line = trimmed(Substring(beforeComment))
            guard !line.isEmpty else { continue }
            let fields = line.unicodeScalars.split(separator: ",", omittingEmptySubsequences: false)
                .map { trimmed(Substring($0)) }
            if !sawEntry && fields.map({ $0.lowercased() }) == ["provider", "address"] {
                sawEntry = true
                continue
            }
            sawEntry = true
            guard fields.count == 2 else {
                throw ParseError(line: number, message: "expected provider-id,address")
            }
            let provider = fields[0], address = fields[1].lowercased()
            guard isProviderID(provider) else {
                throw ParseError(line: number, message: "\(provider) is no provider id (kebab-case, docs/providers.md)")
            }
            guard MailPath(address) != nil else {
                throw ParseError(line: number, message: "\(address) is no usable mail address")
            }
            guard contacts.addresses[provider] == nil else {
                throw ParseError(line: number, message: "provider \(provider) is listed twice")
            }
            contacts.addresses[provider] = address
        }
        return contacts
    }

    /// Without spaces, tabs and a CR (CRLF files) at either end.
    static func trimmed(_ text: Substring) -> String {
        let scalars = text.unicodeScalars
        let blank: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = scalars.firstIndex(where: { !blank($0) }),
              let last = scalars.lastIndex(where: { !blank($0) })
        else { return "" }
        return String(Substring(scalars[first...last]))
    }

    /// `[a-z0-9]` words joined by single hyphens, at most 63 characters (docs/providers.md).
    static func isProviderID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-")
        else { return false }
        var previousHyphen = false
        for byte in bytes {
            let hyphen = byte == UInt8(ascii: "-")
            guard hyphen || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte), !(hyphen && previousHyphen)
            else { return false }
            previousHyphen = hyphen
        }
        return true
    }
}
