import Testing
@testable import MTAScanCore

/// RFC 5321 §4.1.1.1 EHLO replies.
@Suite struct SMTPCapabilitiesTests {
    private func capabilities(_ lines: [String]) -> SMTPCapabilities {
        SMTPCapabilities(ehloReply: SMTPReply(code: 250, lines: lines))
    }

    /// RFC 3207 §5's example.
    @Test func rfc3207Example() {
        let found = capabilities(["mail.imc.org offers a warm hug of welcome", "8BITMIME", "STARTTLS", "DSN"])
        #expect(found.greeting == "mail.imc.org offers a warm hug of welcome")
        #expect(found.keywords == ["8BITMIME", "STARTTLS", "DSN"])
        #expect(found.supportsSTARTTLS)
    }

    @Test func keywordsAreUpperCasedAndParametersKept() {
        let found = capabilities(["mx.example", "starttls", "Size 35882577", "auth PLAIN login", "pipelining  ", "8bitmime"])
        #expect(found.keywords == ["STARTTLS", "SIZE", "AUTH", "PIPELINING", "8BITMIME"])
        #expect(found.supportsSTARTTLS)
        #expect(found.size == 35_882_577)
        #expect(found.extensions[2] == .init(keyword: "AUTH", parameters: ["PLAIN", "login"]))
        #expect(found.extensions[3].parameters.isEmpty)
        #expect(found.contains("PIPELINING"))
    }

    @Test func singleLineReplyHasNoExtensions() {
        let found = capabilities(["mx.example STARTTLS"])
        #expect(found.extensions.isEmpty)
        #expect(!found.supportsSTARTTLS)
    }

    @Test func linesThatAreNoKeywordAreLeftOut() {
        let found = capabilities(["mx.example", "AUTH=LOGIN PLAIN", "-STARTTLS", "", "  ", "X_Y", "STARTTLS"])
        #expect(found.keywords == ["STARTTLS"])
    }

    @Test func notStartTLSLookalikes() {
        #expect(!capabilities(["mx", "STARTTLSX", "START-TLS", "TLS"]).supportsSTARTTLS)
    }

    @Test func sizeWithoutOrWithABadValue() {
        #expect(capabilities(["mx", "SIZE"]).size == nil)
        #expect(capabilities(["mx", "SIZE -1"]).size == nil)
        #expect(capabilities(["mx", "SIZE 99999999999999999999999"]).size == nil)
        #expect(capabilities(["mx", "SIZE 0"]).size == 0)
    }
}
