import Testing
@testable import MTAScanCore

/// RFC 9110 §8.3.1 media types.
@Suite struct HTTPContentTypeTests {
    @Test func plainAndCaseFolded() {
        #expect(HTTPContentType.parse("text/plain") == HTTPContentType(mediaType: "text/plain"))
        #expect(HTTPContentType.parse(" Text/PLAIN ")?.mediaType == "text/plain")
    }

    /// RFC 9110 §8.3.1's equivalent examples.
    @Test func rfcEquivalentExamples() {
        let forms = [
            "text/html;charset=utf-8", "Text/HTML;Charset=\"utf-8\"", "text/html; charset=\"utf-8\"",
            "text/html;charset=UTF-8",
        ]
        for form in forms {
            let parsed = HTTPContentType.parse(form)
            #expect(parsed?.mediaType == "text/html", "\(form)")
            #expect(parsed?.parameter("charset")?.lowercased() == "utf-8", "\(form)")
        }
    }

    @Test func parametersInOrderWithQuotesAndEscapes() throws {
        let parsed = try #require(HTTPContentType.parse(#"text/plain; charset=us-ascii ;; format="a \"b\"";"#))
        #expect(parsed.parameters.map(\.name) == ["charset", "format"])
        #expect(parsed.parameter("format") == #"a "b""#)
    }

    @Test(arguments: [
        "", "text", "text/", "/plain", "text /plain", "text/ plain", "text/plain charset=x", "text/plain; charset",
        "text/plain; charset=", "text/plain; charset=\"open", "text/plain; =x", "text/plain; a=b c", "text/pl@in",
        "text/plain, text/html",
    ])
    func malformed(text: String) {
        #expect(HTTPContentType.parse(text) == nil)
    }

    @Test func singletonFieldMustNotConflict() {
        let head = HTTPResponseHead(status: 200, reason: "OK", headers: [
            ("content-type", "text/plain"), ("content-type", "text/html"),
        ])
        #expect(head.contentType == nil)
        let same = HTTPResponseHead(status: 200, reason: "OK", headers: [
            ("content-type", "text/plain"), ("content-type", "text/plain"),
        ])
        #expect(same.contentType?.mediaType == "text/plain")
    }
}
