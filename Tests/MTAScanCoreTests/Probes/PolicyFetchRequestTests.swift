import Testing
@testable import MTAScanCore

@Suite struct PolicyFetchRequestTests {
    @Test func exactRequestBytes() throws {
        let request = PolicyFetchRequest(version: "0.3.1", infoURL: "https://scan.example.org/about")
        let host = try #require(DomainName("MTA-STS.Example.COM."))
        let text = String(decoding: request.bytes(host: host), as: UTF8.self)
        #expect(text == """
            GET /.well-known/mta-sts.txt HTTP/1.1\r
            Host: mta-sts.example.com\r
            User-Agent: mtascan/0.3.1 (+https://scan.example.org/about)\r
            Accept: text/plain\r
            Accept-Encoding: identity\r
            Connection: close\r
            \r

            """)
    }

    @Test func defaultInfoURLIsAPlaceholder() {
        #expect(PolicyFetchRequest(version: "1").userAgent == "mtascan/1 (+https://mtascan.invalid/about)")
    }

    @Test func userAgentPartsCannotInjectHeaders() {
        let request = PolicyFetchRequest(version: "1.0\r\nX-Evil: 1", infoURL: "https://a.example/\r\n\r\nGET / HTTP/1.1")
        #expect(request.userAgent == "mtascan/1.0X-Evil:1 (+https://a.example/GET/HTTP/1.1)")
        let bytes = request.bytes(host: DomainName("mta-sts.example.com")!)
        // Exactly the seven line breaks of the request itself.
        #expect(bytes.filter { $0 == UInt8(ascii: "\n") }.count == 7)
        #expect(bytes.filter { $0 == UInt8(ascii: "\r") }.count == 7)
    }

    @Test func textHostsMustBeDomainNames() {
        let request = PolicyFetchRequest(version: "1")
        #expect(request.bytes(host: "mta-sts.example.com\r\nX-Evil: 1") == nil)
        #expect(request.bytes(host: "mta-sts.example.com/x") == nil)
        #expect(request.bytes(host: "") == nil)
        #expect(request.bytes(host: "mta-sts.example.com") == request.bytes(host: DomainName("mta-sts.example.com")!))
    }

    @Test func parserReadsTheRequestAsNotAResponse() {
        // The request is no response: a server that echoes it fails at once.
        var parser = HTTPResponseParser()
        let bytes = PolicyFetchRequest(version: "1").bytes(host: DomainName("a.example")!)
        #expect(parser.feed(bytes).failureReason == .malformedStatusLine)
    }
}
