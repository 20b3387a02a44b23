import Testing
@testable import MTAScanCore

/// RFC 8461 §3.2 policy bodies, valid and hostile.
@Suite struct PolicyParserTests {
    // MARK: Helpers

    private static let valid = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n"

    private func syntax(_ evaluation: PolicyEvaluation) -> [Finding] {
        evaluation.findings.filter { $0.code == .policySyntax }
    }

    private func rules(_ evaluation: PolicyEvaluation) -> [String] {
        syntax(evaluation).compactMap { $0[detail: "rule"]?.stringValue }
    }

    private func only(_ evaluation: PolicyEvaluation, rule: String) throws -> Finding {
        let matching = syntax(evaluation).filter { $0[detail: "rule"]?.stringValue == rule }
        try #require(matching.count == 1, "expected one \(rule) in \(evaluation.findings.map(\.json))")
        return matching[0]
    }

    /// Every parse must keep the evaluation's own invariant.
    private func parse(_ text: String) -> PolicyEvaluation {
        let evaluation = PolicyParser.parse(text)
        #expect(evaluation.isValid == !evaluation.findings.contains { $0.severity == .error })
        return evaluation
    }

    private func parse(bytes: [UInt8]) -> PolicyEvaluation {
        let evaluation = PolicyParser.parse(bytes)
        #expect(evaluation.isValid == !evaluation.findings.contains { $0.severity == .error })
        return evaluation
    }

    // MARK: Contracts and the RFC

    @Test func lintContractExample() throws {
        let evaluation = parse("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 86400\r\n")
        let policy = try #require(evaluation.policy)
        #expect(evaluation.isValid)
        #expect(policy.mode == .enforce)
        #expect(policy.maxAge == 86400)
        #expect(policy.mx.map(\.text) == ["mail.example.com"])
        #expect(policy.extensions.isEmpty)
        #expect(evaluation.findings.isEmpty)
    }

    /// RFC 8461 §3.2's example policy.
    @Test func rfcExamplePolicy() throws {
        let body = """
            version: STSv1
            mode: enforce
            mx: mail.example.com
            mx: *.example.net
            mx: backupmx.example.com
            max_age: 604800
            """
        let evaluation = parse(body)
        let policy = try #require(evaluation.policy)
        #expect(policy.mode == .enforce)
        #expect(policy.maxAge == 604800)
        #expect(policy.mx.map(\.text) == ["mail.example.com", "*.example.net", "backupmx.example.com"])
        #expect(policy.mx.map(\.isWildcard) == [false, true, false])
        #expect(evaluation.findings.isEmpty)
    }

    @Test func allThreeModes() throws {
        for mode in PolicyMode.allCases {
            let policy = try #require(parse("version: STSv1\nmode: \(mode.rawValue)\nmx: a.example\nmax_age: 86400").policy)
            #expect(policy.mode == mode)
        }
    }

    @Test func fieldOrderIsFree() throws {
        let policy = try #require(parse("max_age: 86400\nmx: a.example\nmode: testing\nversion: STSv1\n").policy)
        #expect(policy.mode == .testing)
    }

    @Test func threeEntryPointsAgree() {
        for body in [Self.valid, "mode: bad\n\u{1}x", "", "\u{FEFF}version: STSv1"] {
            let bytes = Array(body.utf8)
            let viaBytes = PolicyParser.parse(bytes)
            #expect(PolicyParser.parse(body) == viaBytes)
            #expect(bytes.withUnsafeBytes { PolicyParser.parse($0) } == viaBytes)
        }
    }

    // MARK: Line breaks and whitespace

    @Test(arguments: [
        "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n",
        "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n",
        "version: STSv1\r\nmode: enforce\nmx: mail.example.com\r\nmax_age: 604800\n",
        "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800",
        "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800",
        "version: STSv1 \nmode: enforce\t\nmx: mail.example.com \t \r\nmax_age: 604800  ",
        "version:STSv1\nmode:\tenforce\nmx:   mail.example.com\nmax_age: \t604800\n",
    ])
    func lineBreaksAndWhitespaceTheABNFAllows(body: String) throws {
        let evaluation = parse(body)
        let policy = try #require(evaluation.policy)
        let pattern = try #require(MXPattern("mail.example.com"))
        #expect(policy == Policy(mode: .enforce, maxAge: 604800, mx: [pattern]))
        #expect(evaluation.findings.isEmpty)
    }

    @Test func bareCarriageReturnsAreAnEncodingErrorButLinesStillParse() throws {
        let evaluation = parse("version: STSv1\rmode: enforce\rmx: mail.example.com\rmax_age: 604800\r")
        #expect(!evaluation.isValid)
        let finding = try only(evaluation, rule: "encoding")
        #expect(finding[detail: "problem"] == "bare-cr")
        #expect(finding[detail: "line"] == 1)
        #expect(finding[detail: "count"] == 4)
        // Read as line breaks, the rest is a good policy: no cascade of missing keys.
        #expect(rules(evaluation) == ["encoding"])
    }

    @Test func bareCarriageReturnInsideAValue() throws {
        let evaluation = parse("version: STSv1\nmode: enforce\nmx: mail.exa\rmple.com\nmax_age: 604800\n")
        let finding = try only(evaluation, rule: "encoding")
        #expect(finding[detail: "problem"] == "bare-cr")
        #expect(finding[detail: "line"] == 3)
        #expect(!evaluation.isValid)
    }

    @Test func leadingWhitespaceBeforeAKeyIsAnError() throws {
        let evaluation = parse("version: STSv1\n  mode: enforce\nmx: mail.example.com\nmax_age: 604800\n")
        #expect(!evaluation.isValid)
        let finding = try only(evaluation, rule: "bad-line")
        #expect(finding[detail: "problem"] == "leading-whitespace")
        #expect(finding[detail: "line"] == 2)
        #expect(finding[detail: "text"] == "  mode: enforce")
        #expect(finding.severity == .error)
        // The line is read as if trimmed: mode is not reported missing.
        #expect(rules(evaluation) == ["bad-line"])
    }

    /// Issue 13 item 5: the ABNF has no blank line, and strict senders (Mimecast's
    /// library) reject such a body; the fields stay readable for analysis.
    @Test func blankLinesAreAnErrorButTheFieldsAreKept() throws {
        let evaluation = parse("version: STSv1\n\nmode: enforce\r\n \t\r\nmx: mail.example.com\nmax_age: 604800\n\n")
        #expect(evaluation.policy == nil)
        #expect(!evaluation.isValid)
        let lenient = try #require(evaluation.lenientPolicy)
        #expect(lenient.mode == .enforce)
        #expect(lenient.maxAge == 604800)
        #expect(lenient.mx.map(\.text) == ["mail.example.com"])
        #expect(evaluation.parsedPolicy == lenient)
        let blanks = syntax(evaluation)
        #expect(blanks.map { $0[detail: "rule"] } == ["blank-line", "blank-line", "blank-line"])
        #expect(blanks.map { $0[detail: "line"] } == [2, 4, 7])
        #expect(blanks.allSatisfy { $0.severity == .error })
    }

    @Test(arguments: [
        "\nversion: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n",          // leading
        "\r\nversion: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n",
        "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n\n",          // two terminators
        "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n\r\n",
        "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n  ",           // a final line of spaces
    ])
    func leadingAndTrailingBlankLinesBreakTheGrammar(body: String) throws {
        let evaluation = parse(body)
        #expect(evaluation.policy == nil)
        #expect(rules(evaluation) == ["blank-line"])
        #expect(evaluation.lenientPolicy?.mode == .enforce)
    }

    @Test func aBlankLineBesideAnotherErrorKeepsNoLenientPolicy() {
        let evaluation = parse("\nversion: STSv1\nmode: enforcing\nmx: mail.example.com\nmax_age: 604800\n")
        #expect(evaluation.policy == nil)
        #expect(evaluation.lenientPolicy == nil)
        #expect(rules(evaluation) == ["blank-line", "bad-mode"])
    }

    @Test func oneFinalLineBreakIsNotABlankLine() {
        #expect(parse(Self.valid).findings.isEmpty)
        #expect(parse(Self.valid.replacingLF(with: "\r\n")).findings.isEmpty)
    }

    // MARK: Required keys

    @Test func reportsEveryProblemNotJustTheFirst() {
        let evaluation = parse("mode: enforced\nmx: postmaster@example.com\nmx: mail.example.com.\n")
        #expect(rules(evaluation) == ["bad-mode", "bad-mx-pattern", "bad-mx-pattern", "missing-version", "missing-max-age"])
        #expect(syntax(evaluation).map { $0[detail: "line"] } == [1, 2, 3, nil, nil])
        #expect(evaluation.policy == nil)
    }

    @Test func onlyAVersionLine() {
        let evaluation = parse("version: STSv1\n")
        #expect(rules(evaluation) == ["missing-mode", "missing-max-age", "missing-mx"])
        #expect(evaluation.findings.allSatisfy { $0.severity == .error && $0.component == .policy })
    }

    @Test(arguments: ["STSv2", "stsv1", "STSV1", "STSv1;", "STS v1", "\"STSv1\"", ""])
    func badVersion(value: String) throws {
        let evaluation = parse("version: \(value)\nmode: enforce\nmx: a.example\nmax_age: 86400\n")
        let finding = try only(evaluation, rule: "bad-version")
        #expect(finding[detail: "value"] == .string(value))
        #expect(finding[detail: "line"] == 1)
        #expect(evaluation.policy == nil)
    }

    @Test(arguments: ["Enforce", "ENFORCE", "enforced", "test", "report", "off", "enforce;", ""])
    func badMode(value: String) throws {
        let evaluation = parse("version: STSv1\nmode: \(value)\nmx: a.example\nmax_age: 86400\n")
        let finding = try only(evaluation, rule: "bad-mode")
        #expect(finding[detail: "value"] == .string(value))
        #expect(finding[detail: "line"] == 2)
        #expect(evaluation.policy == nil)
    }

    /// Keys are case-sensitive (§3.2 `%s"mode"`): `Mode` is an extension, so
    /// mode is missing, and the finding points at the line meant.
    @Test func keyInOtherCaseIsMissingWithAHint() throws {
        let evaluation = parse("version: STSv1\nMode: enforce\nmx: mail.example.com\nMAX_AGE: 86400\n")
        #expect(rules(evaluation) == ["missing-mode", "missing-max-age"])
        let mode = try only(evaluation, rule: "missing-mode")
        #expect(mode[detail: "found_key"] == "Mode")
        #expect(mode[detail: "line"] == 2)
        let maxAge = try only(evaluation, rule: "missing-max-age")
        #expect(maxAge[detail: "found_key"] == "MAX_AGE")
        #expect(maxAge[detail: "line"] == 4)
    }

    // MARK: max_age

    @Test(arguments: [
        ("31557600", 31_557_600), ("00086400", 86400), ("0000000001", 1), ("604800", 604800), ("86400", 86400),
    ])
    func maxAgeAccepted(value: String, seconds: Int) throws {
        let policy = try #require(parse("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: \(value)\n").policy)
        #expect(policy.maxAge == seconds)
    }

    @Test(arguments: [
        ("31557601", "out-of-range"), ("9999999999", "out-of-range"),
        ("12345678901", "too-many-digits"), ("00000000001", "too-many-digits"),
        ("-1", "not-a-number"), ("+86400", "not-a-number"), ("", "not-a-number"), ("86400s", "not-a-number"),
        ("8.64e4", "not-a-number"), ("86 400", "not-a-number"), ("１２３", "not-a-number"),
        ("99999999999999999999999999", "too-many-digits"),
    ])
    func maxAgeRejected(value: String, problem: String) throws {
        let evaluation = parse("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: \(value)\n")
        let finding = try only(evaluation, rule: "bad-max-age")
        #expect(finding[detail: "problem"] == .string(problem))
        #expect(finding[detail: "value"] == .string(value))
        #expect(finding[detail: "line"] == 4)
        #expect(evaluation.policy == nil)
    }

    @Test func shortMaxAgeIsAWarning() throws {
        let evaluation = parse("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 3600\n")
        #expect(try #require(evaluation.policy).maxAge == 3600)
        #expect(evaluation.findings.count == 1)
        let finding = try #require(evaluation.findings.first)
        #expect(finding.code == .policyMaxAgeShort)
        #expect(finding.severity == .warning)
        #expect(finding[detail: "max_age"] == 3600)
        #expect(finding[detail: "line"] == 4)
    }

    @Test func maxAgeBoundaryOfShort() throws {
        let zero = parse("version: STSv1\nmode: none\nmax_age: 0\n")
        #expect(zero.policy?.maxAge == 0)
        #expect(zero.findings.map(\.code) == [.policyMaxAgeShort])
        #expect(parse("version: STSv1\nmode: none\nmax_age: 86399\n").findings.map(\.code) == [.policyMaxAgeShort])
        #expect(parse("version: STSv1\nmode: none\nmax_age: 86400\n").findings.isEmpty)
    }

    // MARK: mx

    @Test func wildcardAndPlainPatterns() throws {
        let policy = try #require(parse("version: STSv1\nmode: enforce\nmx: *.Example.COM\nmx: MAIL.example.net\nmax_age: 86400").policy)
        #expect(policy.mx.map(\.text) == ["*.example.com", "mail.example.net"])
        #expect(policy.mx[0].matches("mx1.example.com"))
        #expect(!policy.mx[0].matches("example.com"))
    }

    @Test(arguments: [
        ("mail.*.example.com", "misplaced-wildcard"),
        ("*mail.example.com", "misplaced-wildcard"),
        ("user@example.com", "email-address"),
        ("mail.example.com.", "trailing-dot"),
        ("192.0.2.1", "ip-address"),
        ("[192.0.2.1]", "ip-address"),
        ("2001:db8::25", "ip-address"),
        ("", "empty"),
        ("mail..example.com", "invalid-name"),
        ("mail example.com", "invalid-name"),
        ("mail.bücher.example", "invalid-name"),
        ("mail.example.com\tbackup.example.com", "invalid-name"),
    ])
    func badMXPattern(pattern: String, problem: String) throws {
        let evaluation = parse("version: STSv1\nmode: enforce\nmx: \(pattern)\nmax_age: 86400\n")
        let finding = try only(evaluation, rule: "bad-mx-pattern")
        #expect(finding[detail: "problem"] == .string(problem))
        #expect(finding[detail: "pattern"] == .string(pattern))
        #expect(finding[detail: "line"] == 3)
        // A bad mx line is still an mx line: no missing-mx on top.
        #expect(rules(evaluation) == ["bad-mx-pattern"])
        #expect(evaluation.policy == nil)
    }

    @Test func missingMXDependsOnMode() throws {
        for mode in ["enforce", "testing"] {
            let evaluation = parse("version: STSv1\nmode: \(mode)\nmax_age: 86400\n")
            #expect(rules(evaluation) == ["missing-mx"])
            #expect(evaluation.policy == nil)
        }
        // The ABNF: mx is "required at least once, except when mode is none".
        let none = parse("version: STSv1\nmode: none\nmax_age: 86400\n")
        #expect(none.findings.isEmpty)
        #expect(try #require(none.policy).mx.isEmpty)
        let noneWithMX = parse("version: STSv1\nmode: none\nmx: a.example\nmax_age: 86400\n")
        #expect(try #require(noneWithMX.policy).mx.map(\.text) == ["a.example"])
    }

    // MARK: Duplicates

    @Test func duplicateKeysFirstWins() throws {
        let evaluation = parse("""
            version: STSv1
            mode: testing
            mx: a.example
            max_age: 86400
            mode: enforce
            max_age: 604800
            mode: none
            """)
        let policy = try #require(evaluation.policy)
        #expect(policy.mode == .testing)
        #expect(policy.maxAge == 86400)
        #expect(evaluation.findings.count == 2)
        #expect(evaluation.findings.allSatisfy { $0.code == .policyDuplicateKey && $0.severity == .warning })
        #expect(evaluation.findings.map { $0[detail: "key"] } == ["mode", "max_age"])
        #expect(evaluation.findings.map { $0[detail: "lines"] } == [[2, 5, 7], [4, 6]])
    }

    @Test func ignoredDuplicateWithABadValueIsAWarning() throws {
        let evaluation = parse("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 86400\nmax_age: forever\nversion: STSv2\n")
        #expect(try #require(evaluation.policy).maxAge == 86400)
        let badMaxAge = try only(evaluation, rule: "bad-max-age")
        #expect(badMaxAge.severity == .warning)
        #expect(badMaxAge[detail: "ignored"] == true)
        #expect(try only(evaluation, rule: "bad-version").severity == .warning)
        #expect(evaluation.findings.filter { $0.code == .policyDuplicateKey }.count == 2)
    }

    @Test func badFirstOccurrenceIsNotRescuedByALaterOne() throws {
        let evaluation = parse("version: STSv1\nmode: enforced\nmode: enforce\nmx: a.example\nmax_age: 86400\n")
        #expect(evaluation.policy == nil)
        #expect(try only(evaluation, rule: "bad-mode").severity == .error)
        #expect(evaluation.findings.map(\.code) == [.policySyntax, .policyDuplicateKey])
    }

    @Test func repeatedMXIsNotADuplicate() throws {
        let evaluation = parse("version: STSv1\nmode: enforce\nmx: a.example\nmx: a.example\nmax_age: 86400\n")
        #expect(evaluation.findings.isEmpty)
        #expect(try #require(evaluation.policy).mx.count == 2)
    }

    // MARK: Extensions and bad lines

    @Test func extensionsAreKeptInOrder() throws {
        let policy = try #require(parse("""
            version: STSv1
            comment: Grüße aus Köln ✉ 📬
            mode: enforce
            x-id.v2_a: a:b=c; d
            mx: a.example
            max_age: 86400
            """).policy)
        #expect(policy.extensions == [
            PolicyExtension(name: "comment", value: "Grüße aus Köln ✉ 📬"),
            PolicyExtension(name: "x-id.v2_a", value: "a:b=c; d"),
        ])
    }

    @Test func extensionNameLengthLimit() throws {
        let name32 = "a" + String(repeating: "b", count: 31)
        let name33 = name32 + "c"
        #expect(try #require(parse(Self.valid + "\(name32): x").policy).extensions.map(\.name) == [name32])
        let evaluation = parse(Self.valid + "\(name33): x")
        let finding = try only(evaluation, rule: "bad-line")
        #expect(finding[detail: "problem"] == "bad-key")
        #expect(finding[detail: "key"] == .string(name33))
        #expect(finding[detail: "line"] == 5)
    }

    @Test(arguments: [
        ("this is not a field", "no-colon"),
        (": enforce", "bad-key"),
        ("_private: x", "bad-key"),
        ("-x: y", "bad-key"),
        ("two words: x", "bad-key"),
        ("schlüssel: x", "bad-key"),
        ("note:", "empty-value"),
        ("note:   ", "empty-value"),
        ("note: a\tb", "bad-value"),
    ])
    func badLines(line: String, problem: String) throws {
        let evaluation = parse(Self.valid + line + "\n")
        let finding = try only(evaluation, rule: "bad-line")
        #expect(finding[detail: "problem"] == .string(problem))
        #expect(finding[detail: "line"] == 5)
        #expect(rules(evaluation) == ["bad-line"])
        #expect(evaluation.policy == nil)
    }

    @Test func whitespaceBeforeTheColonIsReportedAndRecovered() throws {
        let evaluation = parse("version: STSv1\nmode : enforce\nmx: a.example\nmax_age: 86400\n")
        let finding = try only(evaluation, rule: "bad-line")
        #expect(finding[detail: "problem"] == "bad-key")
        #expect(finding[detail: "key"] == "mode")
        #expect(rules(evaluation) == ["bad-line"])
    }

    // MARK: Encoding

    @Test func byteOrderMarkIsReportedAndSkipped() throws {
        let evaluation = parse("\u{FEFF}" + Self.valid)
        let finding = try only(evaluation, rule: "encoding")
        #expect(finding[detail: "problem"] == "bom")
        #expect(finding[detail: "line"] == 1)
        #expect(rules(evaluation) == ["encoding"])
        #expect(evaluation.policy == nil)
    }

    @Test(arguments: [
        ([0x00], "nul"),
        ([0x07], "control-character"),
        ([0x1B], "control-character"),
        ([0x7F], "control-character"),
        ([0x0C], "control-character"),
        ([0xFF], "invalid-utf8"),
        ([0xC0, 0xAF], "invalid-utf8"),            // overlong `/`
        ([0xE0, 0x80, 0xAF], "invalid-utf8"),      // overlong
        ([0xED, 0xA0, 0x80], "invalid-utf8"),      // surrogate U+D800
        ([0xF4, 0x90, 0x80, 0x80], "invalid-utf8"), // above U+10FFFF
        ([0xC3], "invalid-utf8"),                  // truncated at the end of the value
        ([0x80], "invalid-utf8"),                  // lone continuation byte
    ] as [([UInt8], String)])
    func notText(bytes: [UInt8], problem: String) throws {
        let body = Array("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 86400\nnote: x".utf8) + bytes + [0x0A]
        let evaluation = parse(bytes: body)
        let finding = try only(evaluation, rule: "encoding")
        #expect(finding[detail: "problem"] == .string(problem))
        #expect(finding[detail: "line"] == 5)
        #expect(evaluation.policy == nil)
    }

    @Test func validMultibyteSequencesAtEveryLength() throws {
        let body = Self.valid + "note: ß € 𝄞 \u{10FFFF}\n"
        #expect(try #require(parse(bytes: Array(body.utf8)).policy).extensions.first?.value == "ß € 𝄞 \u{10FFFF}")
    }

    @Test func encodingProblemsAreCountedOnce() throws {
        let body = Array("version: STSv1\n".utf8) + [0x00] + Array("mode: enforce\nmx: a.example\n".utf8) + [0x00, 0x00]
            + Array("\nmax_age: 86400\n".utf8)
        let evaluation = parse(bytes: body)
        let finding = try only(evaluation, rule: "encoding")
        #expect(finding[detail: "problem"] == "nul")
        #expect(finding[detail: "line"] == 2)
        #expect(finding[detail: "count"] == 3)
    }

    @Test func nulInsideAKnownValue() {
        let body = Array("version: STSv1\nmode: enf".utf8) + [0x00] + Array("orce\nmx: a.example\nmax_age: 86400\n".utf8)
        let evaluation = parse(bytes: body)
        #expect(rules(evaluation) == ["encoding", "bad-mode"])
        #expect(evaluation.policy == nil)
    }

    // MARK: Empty, huge, garbage

    @Test(arguments: ["", "\n", "\r\n", "  \t \r\n\n", "\u{FEFF}", "\u{FEFF}\n"])
    func emptyBody(body: String) throws {
        let evaluation = parse(body)
        #expect(evaluation.policy == nil)
        #expect(evaluation.findings.count == 1)
        #expect(try only(evaluation, rule: "empty").severity == .error)
        #expect(PolicyParser.parse([UInt8]()) == PolicyParser.parse(""))
    }

    @Test func tenMegabyteBodyIsTooLargeAndCheap() throws {
        let body = [UInt8](repeating: UInt8(ascii: "a"), count: 10 * 1024 * 1024)
        let clock = ContinuousClock()
        var evaluation: PolicyEvaluation?
        let elapsed = clock.measure { evaluation = PolicyParser.parse(body) }
        let result = try #require(evaluation)
        #expect(result.policy == nil)
        #expect(result.findings.count == 1)
        let finding = try only(result, rule: "too-large")
        #expect(finding[detail: "bytes"] == .int(10 * 1024 * 1024))
        #expect(finding[detail: "max_bytes"] == .int(PolicyParser.maxBodyBytes))
        #expect(elapsed < .milliseconds(50))   // O(1): the body is not read

        let text = String(repeating: "mx: a.example\n", count: 800_000)
        #expect(rules(PolicyParser.parse(text)) == ["too-large"])
    }

    @Test func sizeLimitIsInclusive() throws {
        let base = Array(Self.valid.utf8) + Array("note: ".utf8)
        let fill = PolicyParser.maxBodyBytes - base.count
        let atLimit = base + [UInt8](repeating: UInt8(ascii: "x"), count: fill)
        #expect(atLimit.count == 65536)
        #expect(parse(bytes: atLimit).isValid)
        #expect(rules(parse(bytes: atLimit + [UInt8(ascii: "x")])) == ["too-large"])
    }

    @Test func binaryGarbageIsBoundedAndNeverValid() {
        var generator = SplitMix64(seed: 0x8461)
        for size in [1, 2, 3, 17, 256, 4096, PolicyParser.maxBodyBytes] {
            let body = (0..<size).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let evaluation = parse(bytes: body)
            #expect(evaluation.policy == nil)
            // Line findings are capped per severity; the rest are one per kind.
            #expect(evaluation.findings.count <= 2 * PolicyBuilder.maxLineFindingsPerSeverity + 5 + 3 + 4)
            #expect(evaluation.findings.allSatisfy { $0.component == .policy })
        }
    }

    @Test func everyByteValueAfterAValidPolicy() {
        for byte in UInt8.min...UInt8.max {
            let evaluation = parse(bytes: Array(Self.valid.utf8) + [UInt8(ascii: "n"), UInt8(ascii: ":"), byte])
            let printable = (0x21...0x7E).contains(byte)
            // `n:` + one byte: a valid extension exactly when the byte is visible ASCII.
            #expect(evaluation.isValid == printable, "byte \(byte)")
        }
    }

    @Test func randomMutationsOfAValidPolicyNeverCrash() {
        var generator = SplitMix64(seed: 6125)
        let base = Array("version: STSv1\r\nmode: enforce\r\nmx: *.example.com\r\nmax_age: 86400\r\nx: é\r\n".utf8)
        for _ in 0..<2000 {
            var body = base
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let index = Int(generator.next() % UInt64(body.count))
                switch generator.next() % 3 {
                case 0: body[index] = UInt8(truncatingIfNeeded: generator.next())
                case 1: body.remove(at: index)
                default: body.insert(UInt8(truncatingIfNeeded: generator.next()), at: index)
                }
            }
            _ = parse(bytes: body)
        }
    }

    @Test func lineFindingsAreCappedButErrorsAreNeverHiddenByWarnings() throws {
        let blankLines = String(repeating: "\n", count: 50)
        let evaluation = parse("version: STSv1\nmode: enforce\n" + blankLines + "mx: a@b.example\nmax_age: 86400\n")
        #expect(evaluation.policy == nil)
        let blanks = syntax(evaluation).filter { $0[detail: "rule"] == "blank-line" }
        #expect(blanks.count == PolicyBuilder.maxLineFindingsPerSeverity)
        #expect(try only(evaluation, rule: "bad-mx-pattern")[detail: "line"] == 53)

        let garbage = String(repeating: "garbage\n", count: 100)
        let capped = parse(garbage)
        #expect(syntax(capped).filter { $0[detail: "rule"] == "bad-line" }.count == PolicyBuilder.maxLineFindingsPerSeverity)
        #expect(rules(capped).suffix(4) == ["missing-version", "missing-mode", "missing-max-age", "missing-mx"])
    }

    @Test func longValuesAreExcerptedAtACharacterBoundary() throws {
        let long = String(repeating: "a", count: 300) + ".example"
        let finding = try only(parse("version: STSv1\nmode: enforce\nmx: \(long)\nmax_age: 86400\n"), rule: "bad-mx-pattern")
        #expect(finding[detail: "pattern"] == .string(String(repeating: "a", count: 64)))

        // 81 bytes; byte 64 is the second of an `é`, so the cut backs off to 63.
        let accents = "x" + String(repeating: "é", count: 40)
        let mode = try only(parse("version: STSv1\nmode: \(accents)\nmx: a.example\nmax_age: 86400\n"), rule: "bad-mode")
        #expect(mode[detail: "value"] == .string("x" + String(repeating: "é", count: 31)))
    }

    @Test func findingsSerialiseWithComponentAndSeverity() throws {
        let evaluation = parse("version: STSv1\nmode: enforce\nmx: mail.example.com.\nmax_age: 86400\n")
        let json = try #require(evaluation.findings.first).json
        #expect(json["code"] == "policy-syntax")
        #expect(json["rule"] == "bad-mx-pattern")
        #expect(json["problem"] == "trailing-dot")
        #expect(json["pattern"] == "mail.example.com.")
        #expect(json["line"] == 3)
        #expect(json["severity"] == "error")
        #expect(json["component"] == "policy")
    }
}

private extension String {
    func replacingLF(with terminator: String) -> String {
        split(separator: "\n", omittingEmptySubsequences: false).joined(separator: terminator)
    }
}
