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
        #expect(read("1,a.com\nrank,domain\n").summary == ["1:a.com", "2:!single-label:domain"])
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

    // MARK: issue 9: headers, column order, names that are not registered domains

    private func reader(_ text: String) -> (ReadOutcome, skippedHeader: String?) {
        var reader = TrancoCSVReader(source: MemoryByteSource(Array(text.utf8)))
        var items: [InputItem] = []
        while let item = try? reader.next() { items.append(item) }
        return (ReadOutcome(items: items, error: nil), reader.skippedHeader)
    }

    @Test func aFirstLineWithADomainOrARankIsData() {
        #expect(read("example.com,1\nexample.org,2\n").summary == ["1:example.com", "2:example.org"])
        #expect(reader("example.com,1\n").skippedHeader == nil)
        #expect(read("1,example.com\n").summary == ["1:example.com"])
        #expect(read("example.com\n").summary == ["1:example.com"])
        // A digit-led or dotted field is never a column name.
        #expect(read("1st,example.com\n").summary == ["1:example.com"])
        #expect(read("a.b,c\n").summary == ["1:a.b"])
    }

    @Test func headersAreSkippedAndNamed() {
        for (text, expected) in [
            ("rank,domain\n1,a.com\n", ["2:a.com"]),
            ("Domain,Rank\na.com,1\n", ["2:a.com"]),
            ("domain\na.com\n", ["2:a.com"]),
            ("\"rank\",\"domain\"\r\n1,a.com\r\n", ["2:a.com"]),
            (",domain,category\n0,a.com,news\n", ["2:a.com"]),          // a pandas index column
            ("position,hostname,score\n1,a.com,9\n", ["2:a.com"]),
        ] {
            let (outcome, header) = reader(text)
            #expect(outcome.summary == expected, "\(text)")
            #expect(header == text.split(whereSeparator: \.isNewline).first.map(String.init), "\(text)")
        }
    }

    @Test func columnOrderFromTheHeaderOrTheFirstRow() {
        #expect(read("domain,rank\na.com,1\nb.com,2\n").summary == ["2:a.com", "3:b.com"])
        #expect(read("rank,site\n1,a.com\n").summary == ["2:a.com"])
        #expect(read("site,rank\na.com,1\n").summary == ["2:a.com"])
        // No header: a numeric column is the rank, the other the domain.
        #expect(read("a.com,1\nb.com,2\n").summary == ["1:a.com", "2:b.com"])
        #expect(read("1,a.com\n2,b.com\n").summary == ["1:a.com", "2:b.com"])
        // Ambiguous: the one that looks like a domain, else Tranco's second.
        #expect(read("a.com,news\nb.com,sport\n").summary == ["1:a.com", "2:b.com"])
        #expect(read("1x,2y\n").summary == ["1:!single-label:2y"])
        // Decided once: a later line is read by the same column.
        #expect(read("a.com,1\n2,b.com\n").summary == ["1:a.com", "2:!numeric-tld:2"])
        // A named column further right than a line reaches is that line's failure.
        #expect(read("rank,category,domain\n1,news\n2,news,b.com\n").summary == ["2:!missing-field:1,news", "3:b.com"])
    }

    @Test func namesThatCannotBeRegisteredDomainsAreInputErrors() {
        let outcome = read("1,2\n2,1.2.3.4\n3,localhost\n4,example.123\n5,1.2.3\n6,com\n7,a.example\n8,4.example\n")
        #expect(outcome.summary == [
            "1:!numeric-tld:2", "2:!ip-address:1.2.3.4", "3:!single-label:localhost", "4:!numeric-tld:example.123",
            "5:!numeric-tld:1.2.3", "6:!single-label:com", "7:a.example", "8:4.example",
        ])
    }
}

