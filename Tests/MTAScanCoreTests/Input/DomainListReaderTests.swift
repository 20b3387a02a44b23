import Testing
@testable import MTAScanCore

@Suite struct DomainListReaderTests {
    func read(_ text: String, maxLineLength: Int = 4096) -> ReadOutcome {
        readAcrossBoundaries(text) { source, chunk in
            DomainListReader(source: source, chunkSize: chunk, maxLineLength: maxLineLength)
        }
    }

    func read(bytes: [UInt8]) -> ReadOutcome {
        readAcrossBoundaries(bytes) { source, chunk in DomainListReader(source: source, chunkSize: chunk) }
    }

    @Test func oneNamePerLineCaseFoldedWithoutTrailingDot() {
        let outcome = read("example.com\nMail.Example.ORG.\n_mta-sts.example.net")
        #expect(outcome.summary == ["1:example.com", "2:mail.example.org", "3:_mta-sts.example.net"])
        #expect(outcome.items.map(\.text) == ["example.com", "Mail.Example.ORG.", "_mta-sts.example.net"])
        #expect(outcome.error == nil)
    }

    @Test func skipsBlankLinesCommentsAndSurroundingWhitespace() {
        let outcome = read("""
        # a list of domains
        \t example.com \t

           # indented comment
        example.org # trailing comment
        example.net\t#tab before the comment
        a#b.com
        """)
        #expect(outcome.summary == ["2:example.com", "5:example.org", "6:example.net", "7:!invalid-character:a#b.com"])
    }

    @Test func handlesCRLF() {
        #expect(read("example.com\r\n\r\nexample.org\r\n").summary == ["1:example.com", "3:example.org"])
    }

    @Test func invalidNamesBecomeFailuresAtTheirLine() {
        let outcome = read("""
        good.com
        exa mple.com
        a..b
        bücher.de
        \(String(repeating: "a", count: 64)).com
        .
        ok.org
        """)
        #expect(outcome.summary == [
            "1:good.com",
            "2:!invalid-character:exa mple.com",
            "3:!empty-label:a..b",
            "4:!non-ascii:bücher.de",
            "5:!label-too-long:\(String(repeating: "a", count: 64)).com",
            "6:!empty:.",
            "7:ok.org",
        ])
    }

    @Test func aLineOverTheCapYieldsOneLineTooLongItem() {
        let outcome = read("first.com\n\(String(repeating: "x", count: 100))\nnext.com\n", maxLineLength: 32)
        #expect(outcome.summary == [
            "1:first.com",
            "2:!line-too-long:\(String(repeating: "x", count: 32))",
            "3:next.com",
        ])
    }

    @Test func aLongCommentDoesNotMakeTheLineTooLong() {
        let comment = String(repeating: "c", count: 100)
        let outcome = read("# \(comment)\nname.com   # \(comment)\n", maxLineLength: 32)
        #expect(outcome.summary == ["2:name.com"])
    }

    @Test func dropsAByteOrderMarkOnLineOne() {
        #expect(read(bytes: [0xEF, 0xBB, 0xBF] + Array("example.com\n".utf8)).summary == ["1:example.com"])
    }

    @Test func emptyAndBlankInputsYieldNothing() {
        #expect(read("").items.isEmpty)
        #expect(read("\n\n  \r\n# only comments\n").items.isEmpty)
    }

    @Test func binaryGarbageYieldsItemsNotCrashes() {
        let bytes = pseudoRandomBytes(count: 20_000, seed: 1)
        let outcome = read(bytes: bytes)
        #expect(outcome.error == nil)
        #expect(!outcome.items.isEmpty)
        let lineCount = bytes.count(where: { $0 == UInt8(ascii: "\n") }) + 1
        #expect(outcome.items.allSatisfy { (1...lineCount).contains($0.line) && $0.text.utf8.count <= InputItem.maxTextLength })
        #expect(Set(outcome.items.map(\.line)).count == outcome.items.count)
    }

    @Test func namesThatCannotBeRegisteredDomainsAreFailures() {
        let outcome = read("localhost\n2\n192.0.2.1\n1.2.3\nexample.123\nCOM.\n4.example\n_dmarc.example.com\n")
        #expect(outcome.summary == [
            "1:!single-label:localhost", "2:!numeric-tld:2", "3:!ip-address:192.0.2.1", "4:!numeric-tld:1.2.3",
            "5:!numeric-tld:example.123", "6:!single-label:COM.", "7:4.example", "8:_dmarc.example.com",
        ])
    }
}

