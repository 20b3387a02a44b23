/// What a notification says about one finding code: the three paragraphs of
/// its section in docs/fixes.md, for the person who runs the domain's mail.
public struct FixText: Sendable, Equatable {
    public var whatWeSaw: String
    public var whyItMatters: String
    public var howToFix: String

    public init(whatWeSaw: String, whyItMatters: String, howToFix: String) {
        self.whatWeSaw = whatWeSaw
        self.whyItMatters = whyItMatters
        self.howToFix = howToFix
    }

    /// The texts with `<domain>` and `<mx>` filled in (docs/fixes.md's placeholders).
    public func filled(domain: String, mxHost: String?) -> FixText {
        func fill(_ text: String) -> String {
            var text = text.replacing("<domain>", with: domain)
            if let mxHost { text = text.replacing("<mx>", with: mxHost) }
            return text
        }
        return FixText(whatWeSaw: fill(whatWeSaw), whyItMatters: fill(whyItMatters), howToFix: fill(howToFix))
    }
}

/// docs/fixes.md read into one `FixText` per code: sections `## \`code\``, each
/// with the three paragraphs `**What we saw:**`, `**Why it matters:**` and
/// `**How to fix:**` (a paragraph may run over several lines). The binary
/// carries the file itself (`FixTexts.markdown`, generated), so a message says
/// exactly what the documentation says.
public enum FixTexts {
    public static let builtIn: [String: FixText] = parse(markdown)

    public static func parse(_ markdown: String) -> [String: FixText] {
        var texts: [String: FixText] = [:]
        for section in markdown.split(separator: "\n## `", omittingEmptySubsequences: false).dropFirst() {
            guard let end = section.firstIndex(of: "`") else { continue }
            let code = String(section[..<end])
            let body = section[section.index(after: end)...]
            guard let saw = paragraph(body, "**What we saw:**"), let why = paragraph(body, "**Why it matters:**"),
                  let fix = paragraph(body, "**How to fix:**") else { continue }
            texts[code] = FixText(whatWeSaw: saw, whyItMatters: why, howToFix: fix)
        }
        return texts
    }

    /// The text after `heading` up to the next heading or blank line, lines joined by spaces.
    private static func paragraph(_ body: Substring, _ heading: String) -> String? {
        guard let start = body.firstRange(of: heading) else { return nil }
        var lines: [Substring] = []
        for line in body[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false) {
            if !lines.isEmpty && (line.hasPrefix("**") || line.allSatisfy { $0.isWhitespace }) { break }
            lines.append(line)
            if lines.count == 1 && line.allSatisfy({ $0.isWhitespace }) { lines.removeAll() }
        }
        let text = lines.map { $0.trimmingSpaces }.joined(separator: " ")
        return text.isEmpty ? nil : text
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return text
    }
}
