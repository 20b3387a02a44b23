import Testing
@testable import MTAScanCore

/// RFC 9112 responses to the policy request, valid and hostile.
@Suite struct HTTPResponseParserTests {
    // MARK: Helpers

    /// Feeds everything at once, then closes if `close`.
    private func parse(_ text: String, cap: Int = PolicyParser.maxBodyBytes, close: Bool = true) -> HTTPParseProgress {
        parse(bytes: Array(text.utf8), cap: cap, close: close)
    }

    private func parse(bytes: [UInt8], cap: Int = PolicyParser.maxBodyBytes, close: Bool = true) -> HTTPParseProgress {
        var parser = HTTPResponseParser(maxBodyBytes: cap)
        let progress = parser.feed(bytes)
        return close ? parser.finish() : progress
    }

    /// Feeds one byte at a time, stopping at the first final result, then closes if `close`.
    private func parseByteByByte(_ bytes: [UInt8], cap: Int = PolicyParser.maxBodyBytes, close: Bool = true) -> HTTPParseProgress {
        var parser = HTTPResponseParser(maxBodyBytes: cap)
        var progress = HTTPParseProgress.needMore
        for byte in bytes {
            progress = parser.feed(CollectionOfOne(byte))
            if progress != .needMore { break }
        }
        return close ? parser.finish() : progress
    }

    private func response(_ text: String, cap: Int = PolicyParser.maxBodyBytes) throws -> HTTPResponse {
        let progress = parse(text, cap: cap)
        guard case .complete(let response) = progress else {
            Issue.record("expected a complete response, got \(progress)")
            throw Failed()
        }
        return response
    }

    private func failure(_ text: String, cap: Int = PolicyParser.maxBodyBytes, close: Bool = true) -> HTTPParseFailure? {
        failure(bytes: Array(text.utf8), cap: cap, close: close)
    }

    private func failure(bytes: [UInt8], cap: Int = PolicyParser.maxBodyBytes, close: Bool = true) -> HTTPParseFailure? {
        if case .failed(let failure) = parse(bytes: bytes, cap: cap, close: close) { return failure }
        return nil
    }

    private struct Failed: Error {}

    private static let policy = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"

    // MARK: Valid responses

    @Test func contentLengthResponse() throws {
        let text = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \(Self.policy.utf8.count)\r\n"
            + "X-Two:  spaced value \t\r\n\r\n" + Self.policy
        let response = try response(text)
        #expect(response.status == 200)
        #expect(response.reason == "OK")
        #expect(response.head.minorVersion == 1)
        #expect(response.headers.map(\.name) == ["content-type", "content-length", "x-two"])
        #expect(response.head.value(of: "x-two") == "spaced value")
        #expect(response.contentType == HTTPContentType(mediaType: "text/plain"))
        #expect(response.body == Array(Self.policy.utf8))
        #expect(!response.isRedirect)
    }

    @Test func completesWithoutWaitingForTheClose() {
        var parser = HTTPResponseParser()
        let progress = parser.feed(Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8))
        guard case .complete(let response) = progress else {
            Issue.record("\(progress)")
            return
        }
        #expect(response.body == Array("ok".utf8))
        // Later bytes and the close change nothing.
        #expect(parser.feed(Array("garbage".utf8)) == progress)
        #expect(parser.finish() == progress)
    }

    @Test func bytesAfterTheBodyAreIgnored() throws {
        let response = try response("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 500 No\r\n\r\n")
        #expect(response.body == Array("ok".utf8))
    }

    /// RFC 9112 §7.1: chunks, extensions to skip, a last chunk with its own
    /// extension, and a trailer section that is read and discarded.
    @Test func chunkedBodyWithExtensionsAndTrailers() throws {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"
            + "12;name=value;quoted=\"a b\"\r\nversion: STSv1\r\nmo\r\n"
            + "A ; ext\r\nde: enforc\r\n"
            + "0001\r\ne\r\n"
            + "0;last\r\nX-Checksum: abc\r\nX-Other: d\r\n\r\n"
        let response = try response(text)
        #expect(String(decoding: response.body, as: UTF8.self) == "version: STSv1\r\nmode: enforce")
        #expect(response.head.value(of: "x-checksum") == nil)   // trailers do not join the head
    }

    @Test func chunkedIsCaseInsensitiveAndListsMayHaveEmptyElements() throws {
        let response = try response("HTTP/1.1 200 OK\r\nTransfer-Encoding: ,\r\nTransfer-Encoding: , Chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")
        #expect(response.body == Array("ok".utf8))
    }

    @Test func hexChunkSizesInBothCases() throws {
        let body = String(repeating: "x", count: 0x1F)
        let response = try response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1f\r\n\(body)\r\n0\r\n\r\n")
        #expect(response.body.count == 0x1F)
        let upper = try self.response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1F\r\n\(body)\r\n0\r\n\r\n")
        #expect(upper == response)
    }

    @Test func http10BodyIsReadUntilClose() throws {
        var parser = HTTPResponseParser()
        #expect(parser.feed(Array("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n".utf8)) == .needMore)
        #expect(parser.feed(Array(Self.policy.utf8)) == .needMore)
        guard case .complete(let response) = parser.finish() else {
            Issue.record("not complete")
            return
        }
        #expect(response.head.minorVersion == 0)
        #expect(response.body == Array(Self.policy.utf8))
    }

    @Test func emptyBodyUntilClose() throws {
        #expect(try response("HTTP/1.1 200 OK\r\n\r\n").body.isEmpty)
    }

    @Test func noContentAndNotModifiedHaveNoBody() {
        for status in [204, 304] {
            var parser = HTTPResponseParser()
            // Complete at the end of the head, even with a Content-Length (RFC 9112 §6.3 rule 1).
            let progress = parser.feed(Array("HTTP/1.1 \(status) X\r\nContent-Length: 10\r\n\r\n".utf8))
            guard case .complete(let response) = progress else {
                Issue.record("\(status): \(progress)")
                continue
            }
            #expect(response.status == status)
            #expect(response.body.isEmpty)
        }
    }

    @Test func bareLFLineBreaksAreAccepted() throws {
        let response = try response("HTTP/1.1 200 OK\nContent-Length: 2\nX: y\n\nok")
        #expect(response.body == Array("ok".utf8))
        let chunked = try self.response("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nok\n0\n\n")
        #expect(chunked.body == Array("ok".utf8))
    }

    @Test func reasonPhraseMayBeEmptyOrMissing() throws {
        #expect(try response("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n").reason == "")
        #expect(try response("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n").reason == "")
        #expect(try response("HTTP/1.1 404 Not  Found\t!\r\nContent-Length: 0\r\n\r\n").reason == "Not  Found\t!")
        // obs-text is kept, decoded as UTF-8 with replacement.
        #expect(try response("HTTP/1.1 200 Gr\u{FC}n\r\nContent-Length: 0\r\n\r\n").reason == "Grün")
    }

    @Test func laterMinorVersionsAreRead() throws {
        #expect(try response("HTTP/1.9 200 OK\r\nContent-Length: 0\r\n\r\n").head.minorVersion == 9)
    }

    @Test func interimResponsesAreSkipped() throws {
        let text = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        let response = try response(text)
        #expect(response.status == 200)
        #expect(response.headers.map(\.name) == ["content-length"])
    }

    @Test func identicalContentLengthsAreOne() throws {
        // RFC 9110 §8.6 lets a recipient accept repeated identical values.
        #expect(try response("HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nok").body.count == 2)
    }

    @Test func bodyExactlyAtTheCapIsAccepted() throws {
        let body = String(repeating: "a", count: 100)
        #expect(try response("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + body, cap: 100).body.count == 100)
        #expect(try response("HTTP/1.1 200 OK\r\n\r\n" + body, cap: 100).body.count == 100)
        #expect(try response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n\(body.prefix(50))\r\n32\r\n\(body.prefix(50))\r\n0\r\n\r\n", cap: 100).body.count == 100)
    }

    // MARK: Byte-at-a-time equals one-shot

    static let corpus: [String] = [
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nA: b\r\n\r\n",
        "HTTP/1.0 200 OK\r\n\r\nuntil close",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 301 Moved\r\nLocation: https://x.example/\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\nContent-Length: 3\n\nabc",
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n",
        "HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n",
        "HTTP/2 200\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n",
        "HTTP/1.1 200 OK\r\n\r\n" + String(repeating: "b", count: 300),
        "",
        "HTTP/1.1 200 OK\r\nContent-",
    ]

    @Test(arguments: corpus)
    func byteAtATimeEqualsOneShot(text: String) {
        let bytes = Array(text.utf8)
        #expect(parseByteByByte(bytes, cap: 200) == parse(bytes: bytes, cap: 200))
        #expect(parseByteByByte(bytes, cap: 200, close: false) == parse(bytes: bytes, cap: 200, close: false))
    }

    @Test func anySplitEqualsOneShot() {
        var generator = SplitMix64(seed: 9112)
        for text in Self.corpus {
            let bytes = Array(text.utf8)
            let expected = parse(bytes: bytes, cap: 200)
            for _ in 0..<20 {
                var parser = HTTPResponseParser(maxBodyBytes: 200)
                var index = 0
                while index < bytes.count {
                    let length = 1 + Int(generator.next() % 17)
                    let end = min(bytes.count, index + length)
                    // An ArraySlice exercises the contiguous path, a lazy map the other one.
                    if generator.next() % 2 == 0 {
                        _ = parser.feed(bytes[index..<end])
                    } else {
                        _ = parser.feed(bytes[index..<end].lazy.map { $0 })
                    }
                    index = end
                }
                #expect(parser.finish() == expected, "\(text.debugDescription)")
            }
        }
    }

    // MARK: Status line

    @Test(arguments: [
        "HTTP/2 200 OK", "HTTP/1.1  200 OK", "HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 099 Low",
        "HTTP/1.1 600 High", "HTTP/1.1 abc OK", "HTTP/1.1 200OK", "http/1.1 200 OK", "HTTP/1.x 200 OK",
        "HTTP/1.1 200 O\u{1}K", "HTTP/1.1 200 O\rK", "HTTP/1.1", " HTTP/1.1 200 OK", "HTTP/1.1 200 OK\u{7F}",
    ])
    func malformedStatusLines(line: String) {
        #expect(failure(line + "\r\nContent-Length: 0\r\n\r\n")?.reason == .malformedStatusLine)
    }

    @Test func garbageFailsOnItsFirstByte() {
        for garbage in ["SSH-2.0-OpenSSH_9.6\r\n", "220 mail.example.com ESMTP\r\n", "\u{15}\u{3}\u{3}\u{0}\u{2}\u{2}\u{28}"] {
            var parser = HTTPResponseParser()
            guard case .failed(let failure) = parser.feed(Array(garbage.utf8.prefix(1))) else {
                Issue.record("\(garbage.debugDescription) not rejected at once")
                continue
            }
            #expect(failure.reason == .malformedStatusLine)
            #expect(failure.status == nil)
        }
    }

    @Test func switchingProtocolsIsUnexpected() {
        #expect(failure("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n")?.reason == .unexpectedUpgrade)
    }

    @Test func interimResponsesAreBounded() {
        let four = String(repeating: "HTTP/1.1 100 Continue\r\n\r\n", count: 4)
        #expect(failure(four + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") == nil)
        #expect(failure(four + "HTTP/1.1 100 Continue\r\n\r\n")?.reason == .tooManyInterimResponses)
        var parser = HTTPResponseParser()
        let endless = Array(String(repeating: "HTTP/1.1 102 Processing\r\n\r\n", count: 10_000).utf8)
        #expect(parser.feed(endless) == .failed(HTTPParseFailure(.tooManyInterimResponses)))
    }

    // MARK: Header section

    @Test(arguments: [
        ("No-Colon", HTTPParseFailure.Reason.malformedHeader),
        (": empty-name", .malformedHeader),
        ("Space Name: x", .malformedHeader),
        ("Name : x", .malformedHeader),
        ("Na(me: x", .malformedHeader),
        ("Name: a\u{0}b", .malformedHeader),
        ("Name: a\rb", .malformedHeader),
        ("Name: a\u{1B}b", .malformedHeader),
        ("Name: a\u{7F}", .malformedHeader),
        (" Leading: whitespace", .obsFold),
        ("\tLeading: tab", .obsFold),
    ])
    func malformedFirstFields(field: String, reason: HTTPParseFailure.Reason) {
        let found = failure("HTTP/1.1 404 Not Found\r\n\(field)\r\nContent-Length: 0\r\n\r\n")
        #expect(found?.reason == reason)
        #expect(found?.status == 404)   // the status line was read: it is kept
        #expect(found?.head == nil)
    }

    @Test func obsFoldIsRejected() {
        #expect(failure("HTTP/1.1 200 OK\r\nX-Long: first\r\n  second\r\nContent-Length: 0\r\n\r\n")?.reason == .obsFold)
    }

    @Test func emptyValuesAndObsTextAreFine() throws {
        let response = try response("HTTP/1.1 200 OK\r\nX-Empty:\r\nX-Text: caf\u{E9}\r\nContent-Length: 0\r\n\r\n")
        #expect(response.head.value(of: "x-empty") == "")
        #expect(response.head.value(of: "x-text") == "café")
    }

    @Test func oneMegabyteHeaderFailsEarly() {
        var parser = HTTPResponseParser()
        #expect(parser.feed(Array("HTTP/1.1 200 OK\r\nX-Big: ".utf8)) == .needMore)
        let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 1024)
        var fed = 0
        var progress = HTTPParseProgress.needMore
        while fed < 1024 * 1024, progress == .needMore {
            progress = parser.feed(piece)
            fed += piece.count
        }
        #expect(progress == .failed(HTTPParseFailure(.headerTooLarge, status: 200)))
        #expect(fed <= 17 * 1024)
    }

    @Test func headerSectionCapCountsEveryLine() {
        let limits = HTTPParserLimits()
        // 17 + 28 * 580 bytes: just under 16 KiB, and two more fields pass it.
        let field = "X-Pad: " + String(repeating: "p", count: 571) + "\r\n"
        #expect(field.utf8.count == 580)
        let head = "HTTP/1.1 200 OK\r\n" + String(repeating: field, count: 28)
        #expect(head.utf8.count < limits.maxHeaderBytes)
        #expect(failure(head + "Content-Length: 0\r\n\r\n") == nil)
        #expect(failure(head + String(repeating: field, count: 2) + "\r\n")?.reason == .headerTooLarge)
        // One huge line with no LF at all fails too.
        #expect(failure("HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 20_000), close: false)?.reason == .headerTooLarge)
        // As does a status line that never ends.
        #expect(failure("HTTP/1.1 200 " + String(repeating: "a", count: 20_000), close: false)?.reason == .headerTooLarge)
    }

    @Test func fieldCountIsCapped() {
        let hundred = String(repeating: "X: y\r\n", count: 100)
        #expect(failure("HTTP/1.1 200 OK\r\n" + hundred + "Content-Length: 0\r\n\r\n")?.reason == .tooManyHeaders)
        #expect(failure("HTTP/1.1 200 OK\r\n" + String(repeating: "X: y\r\n", count: 99) + "Content-Length: 0\r\n\r\n") == nil)
    }

    // MARK: Framing

    @Test(arguments: ["abc", "-1", "+5", "1,1", "1 1", "0x10", "", "1.0"])
    func badContentLengths(value: String) {
        #expect(failure("HTTP/1.1 200 OK\r\nContent-Length: \(value)\r\n\r\n")?.reason == .badContentLength)
    }

    @Test func conflictingContentLengthsAreRejected() {
        #expect(failure("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nokk")?.reason == .badContentLength)
    }

    @Test(arguments: [
        "gzip", "chunked, chunked", "gzip, chunked", "chunked, gzip", "identity", "chunked;x=1", "chun ked",
    ])
    func transferCodingsOtherThanChunked(value: String) {
        #expect(failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: \(value)\r\n\r\n0\r\n\r\n")?.reason == .badTransferEncoding)
    }

    @Test func transferEncodingInHTTP10IsFaultyFraming() {
        #expect(failure("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")?.reason == .badTransferEncoding)
    }

    @Test func transferEncodingWithContentLengthIsAmbiguous() {
        let found = failure("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        #expect(found?.reason == .ambiguousLength)
        #expect(found?.head?.status == 200)
    }

    // MARK: Chunks

    @Test(arguments: [
        "zz\r\n", "\r\n", ";ext\r\n", "5 x\r\nhello\r\n", "5;a\u{1}b\r\nhello\r\n", "-5\r\n",
        "5\r\nhelloX\r\n0\r\n\r\n", "5\r\nhello\r\r\n", "5\r\nhello0\r\n\r\n",
    ])
    func badChunks(chunks: String) {
        #expect(failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks)?.reason == .badChunk)
    }

    @Test func chunkLinesAreBounded() {
        let longExtension = "5;" + String(repeating: "e", count: 2000) + "\r\nhello\r\n0\r\n\r\n"
        #expect(failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + longExtension)?.reason == .badChunk)
        // Leading zeros are digits like any other, but the line cap still holds.
        let zeros = String(repeating: "0", count: 2000) + "5\r\nhello\r\n0\r\n\r\n"
        #expect(failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + zeros)?.reason == .badChunk)
    }

    @Test func hugeChunkSizesFailWithoutOverflow() {
        let found = failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffffffffffff\r\n", close: false)
        #expect(found?.reason == .bodyTooLarge)
        #expect(found?.status == 200)
    }

    @Test func chunksAddUpAgainstTheCap() {
        let chunk = "40\r\n" + String(repeating: "c", count: 64) + "\r\n"
        #expect(failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk + "0\r\n\r\n", cap: 128) == nil)
        let found = failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk + "1\r\n", cap: 128, close: false)
        #expect(found?.reason == .bodyTooLarge)
    }

    @Test func trailersAreCheckedAndBounded() {
        let prefix = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
        #expect(failure(prefix + "Bad Trailer\r\n\r\n")?.reason == .badTrailer)
        #expect(failure(prefix + " folded: x\r\n\r\n")?.reason == .badTrailer)
        #expect(failure(prefix + String(repeating: "T: v\r\n", count: 33) + "\r\n")?.reason == .badTrailer)
        #expect(failure(prefix + String(repeating: "T: v\r\n", count: 32) + "\r\n") == nil)
        #expect(failure(prefix + "T: " + String(repeating: "v", count: 5000) + "\r\n\r\n")?.reason == .badTrailer)
    }

    // MARK: Caps on the body

    @Test func tenMegabyteBodyWithContentLengthFailsAtTheHead() {
        var parser = HTTPResponseParser(maxBodyBytes: PolicyParser.maxBodyBytes)
        let progress = parser.feed(Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 10485760\r\n\r\n".utf8))
        guard case .failed(let failure) = progress else {
            Issue.record("\(progress)")
            return
        }
        #expect(failure.reason == .bodyTooLarge)
        #expect(failure.contentLength == 10_485_760)
        #expect(failure.head?.contentType?.mediaType == "text/plain")
    }

    @Test func tenMegabyteBodyUntilCloseFailsJustAfterTheCap() {
        var parser = HTTPResponseParser(maxBodyBytes: PolicyParser.maxBodyBytes)
        #expect(parser.feed(Array("HTTP/1.0 200 OK\r\n\r\n".utf8)) == .needMore)
        let piece = [UInt8](repeating: UInt8(ascii: "z"), count: 4096)
        var fed = 0
        var progress = HTTPParseProgress.needMore
        while fed < 10 * 1024 * 1024, progress == .needMore {
            progress = parser.feed(piece)
            fed += piece.count
        }
        #expect(progress.failureReason == .bodyTooLarge)
        #expect(fed == PolicyParser.maxBodyBytes + 4096)
    }

    @Test func tenMegabyteChunkFailsAtItsSizeLine() {
        let found = failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na00000\r\nzzz", close: false)
        #expect(found?.reason == .bodyTooLarge)
    }

    @Test func oversizedContentLengthWithoutDigitsOverflowing() {
        let found = failure("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999999999\r\n\r\n", close: false)
        #expect(found?.reason == .bodyTooLarge)
    }

    // MARK: Closes

    @Test func closeBeforeAnyByteIsNoResponse() {
        var parser = HTTPResponseParser()
        #expect(parser.feed([UInt8]()) == .needMore)
        #expect(parser.finish() == .failed(HTTPParseFailure(.noResponse)))
    }

    @Test(arguments: [
        "H", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK\r\nA: b\r\n", "HTTP/1.1 100 Continue\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: x\r\n",
    ])
    func closeInTheMiddleIsTruncated(text: String) {
        #expect(failure(text)?.reason == .truncated)
    }

    @Test func truncatedFailureKeepsTheStatus() {
        let found = failure("HTTP/1.1 404 Not Found\r\nContent-Length: 100\r\n\r\nabc")
        #expect(found?.reason == .truncated)
        #expect(found?.status == 404)
        #expect(found?.head?.status == 404)
    }

    @Test func failuresAreFinal() {
        var parser = HTTPResponseParser()
        let failed = parser.feed(Array("HTTP/9".utf8))
        #expect(failed.failureReason == .malformedStatusLine)
        #expect(parser.feed(Array(".1 200 OK\r\n\r\n".utf8)) == failed)
        #expect(parser.finish() == failed)
    }

    // MARK: Hostile input

    @Test func randomBytesNeverCrash() {
        var generator = SplitMix64(seed: 8461)
        let alphabet = Array("HTTP/1.0 2345\r\n:;-chunkedContent-LengthTransfer-Encoding\t ".utf8) + [0, 0x7F, 0xFF]
        for round in 0..<3000 {
            let length = Int(generator.next() % 200)
            let bytes: [UInt8] = (0..<length).map { _ in
                round % 2 == 0 ? UInt8(truncatingIfNeeded: generator.next())
                    : alphabet[Int(generator.next() % UInt64(alphabet.count))]
            }
            var parser = HTTPResponseParser(maxBodyBytes: 64)
            _ = parser.feed(bytes)
            #expect(parser.finish() != .needMore)
        }
    }

    @Test func randomMutationsOfValidResponsesNeverCrash() {
        var generator = SplitMix64(seed: 9110)
        for _ in 0..<3000 {
            var bytes = Array(Self.corpus[Int(generator.next() % 5)].utf8)
            for _ in 0..<(1 + Int(generator.next() % 4)) where !bytes.isEmpty {
                let index = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes[index] = UInt8(truncatingIfNeeded: generator.next())
                case 1: bytes.remove(at: index)
                default: bytes.insert(UInt8(truncatingIfNeeded: generator.next()), at: index)
                }
            }
            let oneShot = parse(bytes: bytes, cap: 100)
            #expect(oneShot != .needMore)
            #expect(parseByteByByte(bytes, cap: 100) == oneShot)
        }
    }
}

extension HTTPParseProgress {
    var failureReason: HTTPParseFailure.Reason? {
        if case .failed(let failure) = self { return failure.reason }
        return nil
    }
}
