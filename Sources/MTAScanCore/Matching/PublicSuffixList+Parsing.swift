/// Reading the list's text format (https://github.com/publicsuffix/list/wiki/Format):
/// one rule per line, read up to the first whitespace; `//` starts a comment
/// line; `*.` makes a wildcard rule, `!` an exception rule; the comment lines
/// `===BEGIN ICANN DOMAINS===` and `===BEGIN PRIVATE DOMAINS===` open the sections.
extension PublicSuffixList {
    private static let beginICANN = Array("===BEGIN ICANN DOMAINS===".utf8)
    private static let beginPrivate = Array("===BEGIN PRIVATE DOMAINS===".utf8)

    /// Every suffix the table needs, with its flags, and the number of distinct rules.
    static func parse(_ text: [UInt8]) throws(ParseError) -> ([[UInt8]: SuffixTable.Flags], Int) {
        var suffixes = [[UInt8]: SuffixTable.Flags]()
        var ruleCount = 0
        var section = Section.icann
        let byteOrderMark: [UInt8] = [0xef, 0xbb, 0xbf]
        let body = text.starts(with: byteOrderMark) ? text.dropFirst(3) : text[...]

        for (index, line) in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let token = line.drop(while: isWhitespace).prefix(while: { !isWhitespace($0) })
            if token.isEmpty { continue }
            if token.starts(with: "//".utf8) {
                if contains(line, beginPrivate) { section = .privateDomains }
                if contains(line, beginICANN) { section = .icann }
                continue
            }
            guard let (name, kind) = rule(token) else { throw .malformedRule(line: index + 1) }
            guard let kind else { continue }  // `*`: the default rule, always implied

            let privateFlag: SuffixTable.Flags = switch kind {
            case .rule: .privateRule
            case .wildcard: .privateWildcard
            default: .privateException
            }
            var flags = suffixes[name, default: []]
            if !flags.contains(kind) {
                ruleCount += 1
                flags.insert(kind)
                if section == .privateDomains { flags.insert(privateFlag) }
            }
            suffixes[name] = flags
            // Every shorter suffix leads to this rule: lookups must walk past it.
            for (offset, byte) in name.enumerated() where byte == UInt8(ascii: ".") {
                suffixes[Array(name[(offset + 1)...]), default: []].insert(.interior)
            }
        }
        return (suffixes, ruleCount)
    }

    /// The rule's name in lower-case A-label form and its kind (nil kind for
    /// the bare default rule `*`); nil when the token is not a rule.
    private static func rule(_ token: ArraySlice<UInt8>) -> ([UInt8], SuffixTable.Flags?)? {
        if token.elementsEqual("*".utf8) { return ([], nil) }
        var kind = SuffixTable.Flags.rule
        var body = token
        if body.first == UInt8(ascii: "!") {
            kind = .exception
            body = body.dropFirst()
        } else if body.starts(with: "*.".utf8) {
            kind = .wildcard
            body = body.dropFirst(2)
        }
        guard let name = Punycode.aLabelName(utf8: body), isRuleName(name) else { return nil }
        return (name, kind)
    }

    /// Letters, digits, `-` and `_` in non-empty labels of at most 63 octets,
    /// 253 in all: anything else (a `*` or `!` inside, an empty label) is a
    /// syntax the lookup would never match, so the list is rejected instead.
    private static func isRuleName(_ name: [UInt8]) -> Bool {
        guard !name.isEmpty, name.count <= 253 else { return false }
        for label in name.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.count <= 63,
                  label.allSatisfy({ ASCII.isAlphaNumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
            else { return false }
        }
        return true
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        ASCII.isWSP(byte) || byte == UInt8(ascii: "\r")
    }

    private static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        var start = haystack.startIndex
        while start + needle.count <= haystack.endIndex {
            if haystack[start..<start + needle.count].elementsEqual(needle) { return true }
            start += 1
        }
        return false
    }
}
