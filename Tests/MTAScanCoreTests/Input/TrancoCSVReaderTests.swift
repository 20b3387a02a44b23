import Testing
@testable import MTAScanCore

@Suite struct TrancoCSVReaderTests {
    func read(_ text: String, maxLineLength: Int = 4096) -> ReadOutcome {
        readAcrossBoundaries(text) { source, chunk in
            TrancoCSVReader(source: source, chunkSize: chunk, maxLineLength: maxLineLength)
        }
    }

    @Test func readsRankCommaDomainWithCRLF() {
        let outcome = read("1,google.com\r\n2,Example.COM.\r\n3,facebook.com")
        #expect(outcome.summary == ["1:google.com", "2:example.com", "3:facebook.com"])
        #expect(outcome.items[1].text == "Example.COM.")
    }

    @Test func skipsAHeaderOnlyOnLineOne() {
        #expect(read("rank,domain\n1,a.com\n").summary == ["2:a.com"])
        // Tranco has no header: a header-like line further down is data.
        #expect(read("1,a.com\nrank,domain\n").summary == ["1:a.com", "2:domain"])
        // A numeric first field on line 1 is data, and so is an empty one.
        #expect(read("1,a.com\n").summary == ["1:a.com"])
        #expect(read(",a.com\n").summary == ["1:a.com"])
    }

    @Test func aSingleColumnIsTheDomain() {
        #expect(read("a.com\nb.org\n").summary == ["1:a.com", "2:b.org"])
        #expect(read("\"a.com\"\n").summary == ["1:a.com"])
    }

    @Test func unquotesRFC4180Fields() {
        let outcome = read("""
        "1","a.com"
        2, "b.com" 
        3,"c""d.com"
        4,"e,f.com"
        """)
        #expect(outcome.summary == [
            "1:a.com",
            "2:b.com",
            "3:!invalid-character:c\"d.com",
            "4:!invalid-character:e,f.com",
        ])
    }

    @Test func brokenQuotingIsAFailureForThatLineOnly() {
        let outcome = read("1,\"a.com\n2,\"b.com\"x\n3,c.com\n\"4,d.com\n")
        #expect(outcome.summary == [
            "1:!unterminated-quote:\"a.com",
            "2:!malformed-quote:\"b.com\"x",
            "3:c.com",
            "4:!unterminated-quote:\"4,d.com",
        ])
    }

    @Test func extraColumnsAreIgnoredAndAnEmptyDomainIsReported() {
        #expect(read("1,a.com,extra,\"x\"\n2,\n3, \n").summary == ["1:a.com", "2:!empty:", "3:!empty:"])
    }

    @Test func skipsBlankLinesAndTrimsWhitespace() {
        #expect(read("\n  1 , a.com  \n\r\n\t\n2,b.com\n").summary == ["2:a.com", "5:b.com"])
    }

    @Test func aLineOverTheCapYieldsOneLineTooLongItem() {
        let outcome = read("1,a.com\n2,\(String(repeating: "b", count: 100)).com\n3,c.com\n", maxLineLength: 40)
        #expect(outcome.summary.count == 3)
        #expect(outcome.items[1].line == 2)
        #expect(outcome.items[1].name == .failure(.lineTooLong(limit: 40)))
        #expect(outcome.summary[2] == "3:c.com")
    }

    @Test func dropsAByteOrderMarkBeforeTheHeader() {
        let outcome = readAcrossBoundaries([0xEF, 0xBB, 0xBF] + Array("rank,domain\n1,a.com\n".utf8)) { source, chunk in
            TrancoCSVReader(source: source, chunkSize: chunk)
        }
        #expect(outcome.summary == ["2:a.com"])
    }

    @Test func emptyInputYieldsNothing() {
        #expect(read("").items.isEmpty)
        #expect(read("\r\n\n").items.isEmpty)
    }

    @Test func binaryGarbageYieldsItemsNotCrashes() {
        let outcome = readAcrossBoundaries(pseudoRandomBytes(count: 20_000, seed: 2)) { source, chunk in
            TrancoCSVReader(source: source, chunkSize: chunk)
        }
        #expect(outcome.error == nil)
        #expect(!outcome.items.isEmpty)
        #expect(outcome.items.allSatisfy { $0.text.utf8.count <= InputItem.maxTextLength })
    }
}
