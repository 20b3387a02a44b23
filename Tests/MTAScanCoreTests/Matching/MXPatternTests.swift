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

    @Test func acceptsSingleLabelAndNumericNonFinalLabels() {
        #expect(MXPattern("localhost") != nil)
        #expect(MXPattern("123.example.com") != nil)
        #expect(MXPattern("*.com") != nil)
    }
}
