import Testing
@testable import MTAScanCore

@Suite struct MXPatternTests {
    // RFC 8461 §4.1's own examples.
    @Test func rfcWildcardExamples() throws {
        let pattern = try #require(MXPattern("*.example.com"))
        #expect(pattern.matches("mail.example.com"))
        #expect(!pattern.matches("example.com"))
        #expect(!pattern.matches("foo.bar.example.com"))
    }

    @Test func exactMatchIsCaseInsensitiveAndIgnoresOneTrailingDot() throws {
        let pattern = try #require(MXPattern("Mail.Example.COM"))
        #expect(pattern.text == "mail.example.com")
        #expect(pattern.matches("MAIL.example.com"))
        #expect(pattern.matches("mail.example.com."))
        #expect(!pattern.matches("mail.example.com.."))
        #expect(!pattern.matches("mail.example.co"))
        #expect(!pattern.matches("xmail.example.com"))
        #expect(!pattern.matches(""))
    }

    @Test func wildcardNeedsOneNonEmptyLabel() throws {
        let pattern = try #require(MXPattern("*.Example.com"))
        #expect(pattern.isWildcard)
        #expect(pattern.baseName == "example.com")
        #expect(pattern.matches("MX1.example.COM."))
        #expect(!pattern.matches(".example.com"))
        #expect(!pattern.matches("xexample.com"))
        #expect(!pattern.matches("*.example.com.evil"))
    }

    @Test(arguments: [
        ("", MXPattern.Problem.empty),
        ("postmaster@example.com", .emailAddress),
        ("mail.example.com.", .trailingDot),
        ("192.0.2.1", .ipAddress),
        ("[192.0.2.1]", .ipAddress),
        ("2001:db8::1", .ipAddress),
        ("mail.*.example.com", .misplacedWildcard),
        ("*mail.example.com", .misplacedWildcard),
        ("*", .misplacedWildcard),
        ("*.*.example.com", .misplacedWildcard),
        ("mail..example.com", .invalidName),
        ("-mail.example.com", .invalidName),
        ("mail_1.example.com", .invalidName),
        ("mail.exam ple.com", .invalidName),
        ("bücher.example", .invalidName),
    ])
    func rejects(text: String, problem: MXPattern.Problem) {
        guard case .failure(let got) = MXPattern.parse(text) else {
            Issue.record("\(text) accepted")
            return
        }
        #expect(got == problem)
    }

    @Test(arguments: ["mail-.example.com", "mail.example-", "mail.-example.com", "*.", "*.*", "mail.ex\u{0}ample.com",
                      "mail.example.com\t", "*..example.com"])
    func rejectsLabelsOutsideLetterDigitHyphen(text: String) {
        #expect(MXPattern(text) == nil)
    }

    @Test func labelAndNameLengthLimits() {
        let label63 = String(repeating: "a", count: 63)
        #expect(MXPattern(label63 + ".example.com") != nil)
        #expect(MXPattern.parse(label63 + "a.example.com") == .failure(.invalidName))
        let name253 = [label63, label63, label63, String(repeating: "b", count: 61)].joined(separator: ".")
        #expect(MXPattern(name253) != nil)
        #expect(MXPattern("*." + name253) != nil)
        #expect(MXPattern.parse("c" + name253) == .failure(.invalidName))
    }

    @Test func everyEntryPointAgreesAndLowerCases() throws {
        let bytes = Array("*.MX.Example.COM".utf8)
        let viaRaw = bytes.withUnsafeBytes { MXPattern.parse(bytes: $0) }
        #expect(viaRaw == MXPattern.parse(bytes: bytes))
        #expect(viaRaw == MXPattern.parse("*.MX.Example.COM"))
        #expect(viaRaw == MXPattern.parse("x*.MX.Example.COM".dropFirst()))
        let pattern = try viaRaw.get()
        #expect(pattern.text == "*.mx.example.com")
        #expect(pattern.baseName == "mx.example.com")
        #expect(pattern.description == "*.mx.example.com")
    }

    @Test func matchesOnBytesAndSubstrings() throws {
        let pattern = try #require(MXPattern("*.example.com"))
        #expect(pattern.matches("a.example.com.x".dropLast(2)))
        #expect(!pattern.matches("a.example.co"))
        #expect(!pattern.matches("example.com"))
        #expect(!pattern.matches("."))
        #expect(!pattern.matches(""))
    }

    @Test func acceptsSingleLabelAndNumericNonFinalLabels() {
        #expect(MXPattern("localhost") != nil)
        #expect(MXPattern("123.example.com") != nil)
        #expect(MXPattern("*.com") != nil)
    }
}
