/// The service extensions an EHLO reply announces (RFC 5321 §4.1.1.1):
/// the first line is the server's name and greeting, each further line
/// `ehlo-keyword *( SP ehlo-param )`.
public struct SMTPCapabilities: Sendable, Equatable {
    public struct Extension: Sendable, Equatable {
        /// Upper-cased: keywords are case-insensitive (§2.4).
        public var keyword: String
        public var parameters: [String]

        public init(keyword: String, parameters: [String] = []) {
            self.keyword = keyword
            self.parameters = parameters
        }
    }

    /// The first line: `Domain [ SP ehlo-greet ]`.
    public var greeting: String
    /// In reply order. Lines whose first word is no `ehlo-keyword`
    /// (`(ALPHA / DIGIT) *(ALPHA / DIGIT / "-")`), such as the old
    /// `AUTH=LOGIN` form, are left out.
    public var extensions: [Extension]

    public init(greeting: String, extensions: [Extension]) {
        self.greeting = greeting
        self.extensions = extensions
    }

    public init(ehloReply reply: SMTPReply) {
        greeting = reply.lines.first ?? ""
        extensions = reply.lines.dropFirst().compactMap(Self.parseLine)
    }

    public var keywords: [String] { extensions.map(\.keyword) }

    /// `keyword` must be upper-case.
    public func contains(_ keyword: String) -> Bool {
        extensions.contains { $0.keyword == keyword }
    }

    /// STARTTLS (RFC 3207 §4).
    public var supportsSTARTTLS: Bool { contains("STARTTLS") }

    /// The SIZE limit in octets (RFC 1870 §4), if announced with one.
    public var size: Int? {
        guard let parameter = extensions.first(where: { $0.keyword == "SIZE" })?.parameters.first,
              parameter.utf8.count <= 18, parameter.utf8.allSatisfy(ASCII.isDigit)
        else { return nil }
        return Int(parameter)
    }

    private static func parseLine(_ line: String) -> Extension? {
        let words = line.utf8.split(whereSeparator: ASCII.isWSP)
        guard let keyword = words.first, let first = keyword.first, ASCII.isAlphaNumeric(first),
              keyword.allSatisfy({ ASCII.isAlphaNumeric($0) || $0 == UInt8(ascii: "-") })
        else { return nil }
        let upper = keyword.map { ASCII.isAlpha($0) ? $0 & 0xDF : $0 }
        return Extension(
            keyword: String(decoding: upper, as: UTF8.self),
            parameters: words.dropFirst().map { String(decoding: $0, as: UTF8.self) }
        )
    }
}
