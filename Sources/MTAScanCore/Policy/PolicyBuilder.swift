/// Turns the lines of one policy body into a `PolicyEvaluation` (RFC 8461 §3.2).
/// `PolicyParser` splits the body and checks its encoding; this type reads each
/// line's key and value, keeps what a sender would apply and reports the rest.
struct PolicyBuilder {
    typealias Rule = PolicyParser.Rule

    /// Lines that produce findings are capped per severity, so that 64 KiB of
    /// garbage yields a readable record, not thousands of findings. Errors and
    /// warnings are capped apart: a pile of warnings never hides an error.
    /// Blank lines have a cap of their own, so they never hide another error.
    static let maxLineFindingsPerSeverity = 32
    /// RFC 8461 §3.2: "maximum value of 31557600".
    static let maxMaxAge = 31_557_600
    /// `sts-policy-max-age-value = 1*10(DIGIT)`.
    static let maxMaxAgeDigits = 10
    /// §3.2 expects `max_age` "in the range of weeks or greater"; below a day,
    /// a cached policy lapses between daily refreshes (§3.3 suggests one a day).
    static let shortMaxAge = 86_400
    /// `value`, `pattern` and `text` details are cut to this many bytes.
    static let maxExcerptBytes = 64

    /// `version`, `mode` and `max_age` may appear once; §3.2: "If any
    /// non-repeated field -- i.e., all fields excepting "mx" -- is duplicated,
    /// all entries except for the first SHALL be ignored."
    private enum SingleKey: Int, CaseIterable {
        case version, mode, maxAge

        var name: String {
            switch self {
            case .version: return "version"
            case .mode: return "mode"
            case .maxAge: return "max_age"
            }
        }

        var missingRule: Rule {
            switch self {
            case .version: return .missingVersion
            case .mode: return .missingMode
            case .maxAge: return .missingMaxAge
            }
        }
    }

    private enum Key { case single(SingleKey), mx }

    /// Bookkeeping that only problems need, allocated at the first one, so a
    /// valid policy's builder holds nothing to retain but the values it keeps.
    private final class ProblemNotes {
        /// Each encoding problem is reported once, at its first line, with a count.
        var encodingTallies: [(problem: PolicyParser.EncodingProblem, findingIndex: Int, count: Int)] = []
        /// Lines of the ignored repeats of each single key, by `SingleKey.rawValue`.
        var repeatLines: [[Int]] = [[], [], []]
        /// A key of another case (`Mode`), kept as an extension, named in the
        /// missing-key finding; by `SingleKey.rawValue`.
        var caseVariants: [(key: String, line: Int)?] = [nil, nil, nil]
    }

    /// The line of each single key's first occurrence, 0 until seen; by `SingleKey.rawValue`.
    private var firstLines = (0, 0, 0)
    private var versionIsValid = false
    private var modeValue: PolicyMode?
    private var maxAgeValue: Int?
    private var sawMX = false
    private var mx: [MXPattern] = []
    private var extensions: [PolicyExtension] = []

    private var findings: [Finding] = []
    /// An error other than a blank line: the body is no policy for any sender.
    private var hasError = false
    /// A blank line (an error too): strict senders reject the body, senders that
    /// split lines and skip blank ones apply it (`PolicyEvaluation.lenientPolicy`).
    private var blankLines = 0
    private var lineErrors = 0
    private var lineWarnings = 0
    private var problemNotes: ProblemNotes?

    private var notes: ProblemNotes {
        mutating get {
            if let problemNotes { return problemNotes }
            let created = ProblemNotes()
            problemNotes = created
            return created
        }
    }

    private func firstLine(of key: SingleKey) -> Int {
        switch key {
        case .version: return firstLines.0
        case .mode: return firstLines.1
        case .maxAge: return firstLines.2
        }
    }

    /// Records an occurrence; true if it is the first, the one that counts.
    private mutating func see(_ key: SingleKey, line: Int) -> Bool {
        guard firstLine(of: key) == 0 else {
            notes.repeatLines[key.rawValue].append(line)
            return false
        }
        switch key {
        case .version: firstLines.0 = line
        case .mode: firstLines.1 = line
        case .maxAge: firstLines.2 = line
        }
        return true
    }

    // MARK: Input

    /// A byte that is not text, seen by the parser's scan.
    mutating func noteEncoding(_ problem: PolicyParser.EncodingProblem, line: Int) {
        let notes = self.notes
        if let index = notes.encodingTallies.firstIndex(where: { $0.problem == problem }) {
            notes.encodingTallies[index].count += 1
            return
        }
        notes.encodingTallies.append((problem, findings.count, 1))
        hasError = true
        findings.append(Finding(.policySyntax, [
            "rule": .string(Rule.encoding.rawValue), "problem": .string(problem.rawValue), "line": .int(line),
        ]))
    }

    /// One line without its terminator. `colon` is the index of its first `:`
    /// within `line`, or nil.
    mutating func addLine(_ line: UnsafeRawBufferPointer, colon: Int?, number: Int) {
        var start = 0
        while start < line.count, ASCII.isWSP(line[start]) { start += 1 }
        if start == line.count {
            blankLines += 1
            guard blankLines <= Self.maxLineFindingsPerSeverity else { return }
            findings.append(Finding(.policySyntax, ["rule": .string(Rule.blankLine.rawValue), "line": .int(number)]))
            return
        }
        if start > 0 {
            report(.badLine, line: number, [
                "problem": .string(PolicyParser.LineProblem.leadingWhitespace.rawValue), "text": Self.excerpt(line),
            ])
        }
        guard let colon else {
            report(.badLine, line: number, [
                "problem": .string(PolicyParser.LineProblem.noColon.rawValue), "text": Self.excerpt(line),
            ])
            return
        }

        // `sts-policy-field-delim = ":" *WSP` allows no whitespace before the
        // colon; for `mode : enforce` report it, then read the trimmed key.
        var keyEnd = colon
        while keyEnd > start, ASCII.isWSP(line[keyEnd - 1]) { keyEnd -= 1 }
        let key = UnsafeRawBufferPointer(rebasing: line[start..<keyEnd])
        let known = Self.knownKey(key)
        let keyIsName = known != nil || Self.isExtensionName(key)
        if keyEnd != colon || !keyIsName {
            report(.badLine, line: number, [
                "problem": .string(PolicyParser.LineProblem.badKey.rawValue), "key": Self.excerpt(key),
            ])
            guard keyIsName else { return }
        }

        var valueStart = colon + 1
        while valueStart < line.count, ASCII.isWSP(line[valueStart]) { valueStart += 1 }
        var valueEnd = line.count
        while valueEnd > valueStart, ASCII.isWSP(line[valueEnd - 1]) { valueEnd -= 1 }
        let value = UnsafeRawBufferPointer(rebasing: line[valueStart..<valueEnd])

        // Keys are case-sensitive (§3.2 `%s"mode"`): `Mode` is an extension.
        switch known {
        case .single(.version)?: addVersion(value, line: number)
        case .single(.mode)?: addMode(value, line: number)
        case .single(.maxAge)?: addMaxAge(value, line: number)
        case .mx?: addMX(value, line: number)
        case nil: addExtension(name: key, value: value, line: number)
        }
    }

    // MARK: Fields

    private mutating func addVersion(_ value: UnsafeRawBufferPointer, line: Int) {
        let counts = see(.version, line: line)
        let isValid = Self.equals(value, "STSv1")
        if counts { versionIsValid = isValid }
        if !isValid {
            reportValue(.badVersion, line: line, counts: counts, ["value": Self.excerpt(value)])
        }
    }

    private mutating func addMode(_ value: UnsafeRawBufferPointer, line: Int) {
        let counts = see(.mode, line: line)
        let parsed = Self.parseMode(value)
        if counts { modeValue = parsed }
        if parsed == nil {
            reportValue(.badMode, line: line, counts: counts, ["value": Self.excerpt(value)])
        }
    }

    private mutating func addMaxAge(_ value: UnsafeRawBufferPointer, line: Int) {
        let counts = see(.maxAge, line: line)
        switch Self.parseMaxAge(value) {
        case .success(let seconds):
            guard counts else { return }
            maxAgeValue = seconds
            if seconds < Self.shortMaxAge {
                report(Finding(.policyMaxAgeShort, ["max_age": .int(seconds), "line": .int(line)]))
            }
        case .failure(let problem):
            reportValue(.badMaxAge, line: line, counts: counts, [
                "problem": .string(problem.rawValue), "value": Self.excerpt(value),
            ])
        }
    }

    private mutating func addMX(_ value: UnsafeRawBufferPointer, line: Int) {
        sawMX = true
        switch MXPattern.parse(bytes: value) {
        case .success(let pattern):
            // Most policies list one to four patterns: grow once, not three times.
            if mx.isEmpty { mx.reserveCapacity(4) }
            mx.append(pattern)
        case .failure(let problem):
            report(.badMXPattern, line: line, [
                "problem": .string(problem.rawValue), "pattern": Self.excerpt(value),
            ])
        }
    }

    private mutating func addExtension(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, line: Int) {
        let nameText = String(decoding: name, as: UTF8.self)
        noteCaseVariant(nameText, line: line)
        if value.isEmpty {
            report(.badLine, line: line, [
                "problem": .string(PolicyParser.LineProblem.emptyValue.rawValue), "key": .string(nameText),
            ])
            return
        }
        // Other controls were reported as `encoding` by the scan.
        if value.contains(UInt8(ascii: "\t")) {
            report(.badLine, line: line, [
                "problem": .string(PolicyParser.LineProblem.badValue.rawValue), "key": .string(nameText),
            ])
            return
        }
        extensions.append(PolicyExtension(name: nameText, value: String(decoding: value, as: UTF8.self)))
    }

    /// `Mode: enforce` is a valid extension, and mode then goes missing; the
    /// missing-mode finding names the line that was probably meant.
    private mutating func noteCaseVariant(_ name: String, line: Int) {
        for key in SingleKey.allCases where ASCII.equalsIgnoringCase(name.utf8, key.name.utf8) {
            if notes.caseVariants[key.rawValue] == nil { notes.caseVariants[key.rawValue] = (name, line) }
        }
    }

    // MARK: Result

    mutating func finish() -> PolicyEvaluation {
        if let notes = problemNotes {
            for tally in notes.encodingTallies {
                findings[tally.findingIndex] = findings[tally.findingIndex].adding("count", .int(tally.count))
            }
            for key in SingleKey.allCases where !notes.repeatLines[key.rawValue].isEmpty {
                let lines = [firstLine(of: key)] + notes.repeatLines[key.rawValue]
                findings.append(Finding(.policyDuplicateKey, [
                    "key": .string(key.name), "lines": .array(lines.map { .int($0) }),
                ]))
            }
        }
        reportIfMissing(.version)
        reportIfMissing(.mode)
        reportIfMissing(.maxAge)
        if !sawMX && modeValue != PolicyMode.none {
            hasError = true
            findings.append(Finding(.policySyntax, ["rule": .string(Rule.missingMX.rawValue)]))
        }

        guard !hasError, versionIsValid, let modeValue, let maxAgeValue else {
            return PolicyEvaluation(policy: nil, findings: findings)
        }
        let policy = Policy(mode: modeValue, maxAge: maxAgeValue, mx: mx, extensions: extensions)
        if blankLines > 0 { return PolicyEvaluation(policy: nil, lenientPolicy: policy, findings: findings) }
        return PolicyEvaluation(policy: policy, findings: findings)
    }

    private mutating func reportIfMissing(_ key: SingleKey) {
        guard firstLine(of: key) == 0 else { return }
        hasError = true
        var details: JSONObject = ["rule": .string(key.missingRule.rawValue)]
        if let variant = problemNotes?.caseVariants[key.rawValue] {
            details["found_key"] = .string(variant.key)
            details["line"] = .int(variant.line)
        }
        findings.append(Finding(.policySyntax, details: details))
    }

    // MARK: Reporting

    private mutating func report(
        _ rule: Rule, line: Int, severity: Severity = .error, _ details: KeyValuePairs<String, JSONValue> = [:]
    ) {
        var object: JSONObject = ["rule": .string(rule.rawValue)]
        for (key, value) in details { object[key] = value }
        object["line"] = .int(line)
        report(Finding(.policySyntax, severity: severity, details: object))
    }

    /// A bad value of a single field: an error where it counts, a warning where
    /// §3.2 has the sender ignore it (a later duplicate), marked `ignored`.
    private mutating func reportValue(
        _ rule: Rule, line: Int, counts: Bool, _ details: KeyValuePairs<String, JSONValue>
    ) {
        var object: JSONObject = ["rule": .string(rule.rawValue)]
        for (key, value) in details { object[key] = value }
        object["line"] = .int(line)
        if !counts { object["ignored"] = .bool(true) }
        report(Finding(.policySyntax, severity: counts ? .error : .warning, details: object))
    }

    private mutating func report(_ finding: Finding) {
        if finding.severity == .error {
            hasError = true
            guard lineErrors < Self.maxLineFindingsPerSeverity else { return }
            lineErrors += 1
        } else {
            guard lineWarnings < Self.maxLineFindingsPerSeverity else { return }
            lineWarnings += 1
        }
        findings.append(finding)
    }

    // MARK: Lexical helpers

    private static func knownKey(_ key: UnsafeRawBufferPointer) -> Key? {
        switch key.count {
        case 2: return equals(key, "mx") ? .mx : nil
        case 4: return equals(key, "mode") ? .single(.mode) : nil
        case 7: return equals(key, "version") ? .single(.version) : equals(key, "max_age") ? .single(.maxAge) : nil
        default: return nil
        }
    }

    /// `sts-policy-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")`.
    static func isExtensionName(_ name: UnsafeRawBufferPointer) -> Bool {
        guard let first = name.first, name.count <= 32, ASCII.isAlphaNumeric(first) else { return false }
        for byte in name.dropFirst() {
            guard ASCII.isAlphaNumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: ".")
            else { return false }
        }
        return true
    }

    /// Case-sensitive, as the ABNF's `%s"…"` strings are.
    static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        let expected = literal.utf8Start
        for index in 0..<bytes.count where bytes[index] != expected[index] { return false }
        return true
    }

    static func parseMode(_ value: UnsafeRawBufferPointer) -> PolicyMode? {
        if equals(value, "enforce") { return .enforce }
        if equals(value, "testing") { return .testing }
        if equals(value, "none") { return PolicyMode.none }
        return nil
    }

    static func parseMaxAge(_ value: UnsafeRawBufferPointer) -> Result<Int, PolicyParser.MaxAgeProblem> {
        guard !value.isEmpty, value.allSatisfy(ASCII.isDigit) else { return .failure(.notANumber) }
        guard value.count <= maxMaxAgeDigits else { return .failure(.tooManyDigits) }
        var seconds = 0
        for digit in value { seconds = seconds * 10 + Int(digit &- UInt8(ascii: "0")) }
        return seconds <= maxMaxAge ? .success(seconds) : .failure(.outOfRange)
    }

    /// Up to `maxExcerptBytes`, cut before a partial UTF-8 sequence; invalid
    /// UTF-8 becomes U+FFFD, so the output stays valid JSON.
    static func excerpt(_ bytes: UnsafeRawBufferPointer) -> JSONValue {
        var end = bytes.count
        if end > maxExcerptBytes {
            end = maxExcerptBytes
            // Back off continuation bytes (10xxxxxx) to the start of their sequence.
            while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        }
        return .text(UnsafeRawBufferPointer(rebasing: bytes[0..<end]))
    }
}
