import Testing
@testable import MTAScanCore

/// RFC 5321 §4.2 replies, valid and hostile.
@Suite struct SMTPReplyParserTests {
    private func parse(_ text: String, limits: SMTPReplyLimits = SMTPReplyLimits()) -> SMTPReplyProgress {
        var parser = SMTPReplyParser(limits: limits)
        return parser.feed(Array(text.utf8))
    }

    private func parseByteByByte(_ bytes: [UInt8]) -> SMTPReplyProgress {
        var parser = SMTPReplyParser()
        var progress = SMTPReplyProgress.needMore
        for byte in bytes {
            progress = parser.feed(CollectionOfOne(byte))
            if progress != .needMore { break }
        }
        return progress
    }

    private func reply(_ text: String) -> SMTPReply? {
        if case .complete(let reply) = parse(text) { return reply }
        Issue.record("no reply from \(text.debugDescription): \(parse(text))")
        return nil
    }

    private func failure(_ text: String, limits: SMTPReplyLimits = SMTPReplyLimits()) -> SMTPReplyFailure? {
        if case .failed(let failure) = parse(text, limits: limits) { return failure }
        return nil
    }

    // MARK: Valid replies

    @Test func singleLine() {
        let reply = reply("220 foo.com Simple Mail Transfer Service Ready\r\n")
        #expect(reply == SMTPReply(code: 220, lines: ["foo.com Simple Mail Transfer Service Ready"]))
        #expect(reply?.isPositive == true)
    }

    /// RFC 5321 Appendix D.1's EHLO reply.
    @Test func rfcMultilineEHLOReply() {
        let reply = reply("250-foo.com greets bar.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n")
        #expect(reply?.code == 250)
        #expect(reply?.lines == ["foo.com greets bar.com", "8BITMIME", "SIZE", "DSN", "HELP"])
        #expect(reply?.text == "foo.com greets bar.com\n8BITMIME\nSIZE\nDSN\nHELP")
    }

    /// RFC 5321 §4.2.1's multiline example, with a code that is valid on the
    /// wire (the RFC's `123` is illustrative; `Reply-code` starts with 2...5).
    @Test func rfcMultilineExampleWithNumbersInTheText() {
        let reply = reply("250-First line\r\n250-Second line\r\n250-234 Text beginning with numbers\r\n250 The last line\r\n")
        #expect(reply?.lines == ["First line", "Second line", "234 Text beginning with numbers", "The last line"])
    }

    @Test func textIsOptional() {
        #expect(reply("250\r\n")?.lines == [""])
        #expect(reply("250 \r\n")?.lines == [""])
        #expect(reply("250-\r\n250\r\n")?.lines == ["", ""])
        #expect(reply("421\n")?.lines == [""])
    }

    @Test func negativeCodes() {
        #expect(reply("451 4.7.1 Greylisted, try again later\r\n")?.isTransientNegative == true)
        #expect(reply("554 5.7.1 No thanks\r\n")?.isPermanentNegative == true)
    }

    @Test func lineEndingsAreRecorded() {
        #expect(reply("250-a\r\n250 b\r\n")?.lineEnding == .crlf)
        #expect(reply("250-a\n250 b\n")?.lineEnding == .lf)
        #expect(reply("250-a\r\n250 b\n")?.lineEnding == .mixed)
        #expect(reply("250-a\n250 b\n")?.lines == ["a", "b"])
    }

    @Test func textIsKeptAsSentWithReplacementForBadUTF8() {
        #expect(reply("220 caf\u{E9} \t x\r\n")?.lines == ["café \t x"])
        var parser = SMTPReplyParser()
        #expect(parser.feed([0x32, 0x32, 0x30, 0x20, 0xFF, 0x0D, 0x0A]) == .complete(SMTPReply(code: 220, lines: ["\u{FFFD}"])))
    }

    @Test func bytesAfterTheReplyAreCountedNotConsumed() {
        var parser = SMTPReplyParser()
        #expect(parser.feed(Array("220 ok\r\nJUNK".utf8)) == .complete(SMTPReply(code: 220, lines: ["ok"])))
        #expect(parser.unconsumedByteCount == 4)
        // Final until reset.
        #expect(parser.feed(Array("250 x\r\n".utf8)) == .complete(SMTPReply(code: 220, lines: ["ok"])))
        parser.reset()
        #expect(!parser.hasPartialReply)
        #expect(parser.feed(Array("250 x\r\n".utf8)) == .complete(SMTPReply(code: 250, lines: ["x"])))
        #expect(parser.unconsumedByteCount == 0)
    }

    @Test func partialReplies() {
        var parser = SMTPReplyParser()
        #expect(!parser.hasPartialReply)
        #expect(parser.feed(Array("250-a\r\n250".utf8)) == .needMore)
        #expect(parser.hasPartialReply)
    }

    static let corpus = [
        "220 mail.example.com ESMTP\r\n", "250-a\r\n250-b\n250 c\r\n", "250\r\n", "2", "250-a\r\n",
        "251-a\r\n250 b\r\n", "25x\r\n", "HTTP/1.1 400 Bad Request\r\n", "220 ok\r\nmore", "250-\r\n250 \r\n",
    ]

    @Test(arguments: corpus)
    func byteAtATimeEqualsOneShot(text: String) {
        #expect(parseByteByByte(Array(text.utf8)) == parse(text))
    }

    // MARK: Failures

    @Test(arguments: [
        "abc\r\n", "25x ok\r\n", "2500 ok\r\n", "250_ok\r\n", "250\tok\r\n", "150 ok\r\n", "650 ok\r\n", "260 ok\r\n",
        "HTTP/1.1 400 Bad Request\r\n", "\r\n", "\n", " 250 ok\r\n", "25\r\n", "250-a\r\n25x b\r\n",
        "\u{16}\u{3}\u{1}",
    ])
    func malformed(text: String) {
        #expect(failure(text) == .malformed)
    }

    @Test func failsOnTheFirstByteThatCannotBeAReply() {
        for garbage in ["HTTP/1.1 200 OK", "\u{16}\u{3}\u{3}", "SSH-2.0"] {
            var parser = SMTPReplyParser()
            #expect(parser.feed(Array(garbage.utf8.prefix(1))) == .failed(.malformed))
        }
    }

    @Test func codesMustAgreeAcrossLines() {
        #expect(failure("250-a\r\n251 b\r\n") == .inconsistentCode)
        #expect(failure("220-a\r\n250 b\r\n") == .inconsistentCode)
    }

    @Test func lineLengthIsCapped() {
        let limits = SMTPReplyLimits()
        // The line break counts: `220 ` + text + CRLF up to the cap is fine.
        let fits = "220 " + String(repeating: "a", count: limits.maxLineBytes - 6) + "\r\n"
        #expect(reply(fits) != nil)
        let over = "220 " + String(repeating: "a", count: limits.maxLineBytes - 5) + "\r\n"
        #expect(failure(over) == .lineTooLong)
        // A line that never ends fails at the cap, not later.
        var parser = SMTPReplyParser()
        #expect(parser.feed(Array(("220 " + String(repeating: "a", count: 10_000)).utf8)) == .failed(.lineTooLong))
    }

    @Test func endlessBannerFailsAtTheLineCap() {
        var parser = SMTPReplyParser()
        let line = Array("220-Welcome to the endless banner\r\n".utf8)
        var lines = 0
        var progress = SMTPReplyProgress.needMore
        while progress == .needMore, lines < 1_000_000 {
            progress = parser.feed(line)
            lines += 1
        }
        #expect(progress == .failed(.tooManyLines))
        #expect(lines == SMTPReplyLimits().maxLines + 1)
    }

    @Test func replyBytesAreCapped() {
        let limits = SMTPReplyLimits(maxLineBytes: 2000, maxLines: 1000, maxReplyBytes: 4096)
        let line = "250-" + String(repeating: "x", count: 1000) + "\r\n"
        #expect(failure(String(repeating: line, count: 5), limits: limits) == .tooLarge)
        #expect(failure(String(repeating: line, count: 4), limits: limits) == nil)
    }

    @Test func failuresAreFinal() {
        var parser = SMTPReplyParser()
        #expect(parser.feed(Array("x".utf8)) == .failed(.malformed))
        #expect(parser.feed(Array("250 ok\r\n".utf8)) == .failed(.malformed))
    }

    @Test func randomBytesNeverCrash() {
        var generator = SplitMix64(seed: 5321)
        let alphabet = Array("0123456789 -\r\n250220".utf8) + [0, 0xFF]
        for round in 0..<3000 {
            let length = Int(generator.next() % 120)
            let bytes: [UInt8] = (0..<length).map { _ in
                round % 2 == 0 ? UInt8(truncatingIfNeeded: generator.next())
                    : alphabet[Int(generator.next() % UInt64(alphabet.count))]
            }
            var parser = SMTPReplyParser(limits: SMTPReplyLimits(maxLineBytes: 40, maxLines: 3, maxReplyBytes: 100))
            let progress = parser.feed(bytes)
            if case .complete(let reply) = progress {
                #expect((200...559).contains(reply.code))
                #expect(parser.unconsumedByteCount < bytes.count)
            }
            #expect(parseByteByByteLimited(bytes) == progress)
        }
    }

    private func parseByteByByteLimited(_ bytes: [UInt8]) -> SMTPReplyProgress {
        var parser = SMTPReplyParser(limits: SMTPReplyLimits(maxLineBytes: 40, maxLines: 3, maxReplyBytes: 100))
        var progress = SMTPReplyProgress.needMore
        for byte in bytes {
            progress = parser.feed(CollectionOfOne(byte))
            if progress != .needMore { break }
        }
        return progress
    }
}
