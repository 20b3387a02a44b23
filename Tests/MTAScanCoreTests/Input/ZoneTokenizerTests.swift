import Testing
@testable import MTAScanCore

@Suite struct ZoneTokenizerTests {
    /// Tokens as text: `word`, `"quoted"`, `+` after a truncated word, `|` for an
    /// entry end, each `@line` where the tokenizer stood after it; `!reason@line` for an error.
    func tokens(_ text: String, sourceChunk: Int = .max, readerChunk: Int = 1 << 16, maxWordLength: Int = 64) -> [String] {
        var tokenizer = ZoneTokenizer(
            source: MemoryByteSource(text: text, chunkSize: sourceChunk), chunkSize: readerChunk, maxWordLength: maxWordLength
        )
        var result: [String] = []
        do {
            while true {
                switch try tokenizer.nextToken() {
                case .word(let word):
                    let body = String(decoding: word.bytes, as: UTF8.self)
                    result.append((word.isQuoted ? "\"\(body)\"" : body) + (word.isTruncated ? "+" : "") + "@\(tokenizer.line)")
                case .endOfEntry:
                    result.append("|@\(tokenizer.line)")
                case .endOfInput:
                    return result
                }
            }
        } catch let error as InputError {
            result.append("!\(error.reason)@\(error.line)")
        } catch {
            Issue.record("unexpected \(error)")
        }
        return result
    }

    func tokensEverySplit(_ text: String, maxWordLength: Int = 64) -> [String] {
        let reference = tokens(text, maxWordLength: maxWordLength)
        for size in boundaryChunkSizes {
            #expect(tokens(text, sourceChunk: size, maxWordLength: maxWordLength) == reference, "source chunk \(size)")
        }
        for size in [1, 2, 5] {
            #expect(tokens(text, readerChunk: size, maxWordLength: maxWordLength) == reference, "reader chunk \(size)")
        }
        return reference
    }

    @Test func splitsOnBlanksAndEndsEntriesAtLineFeeds() {
        #expect(tokensEverySplit("a b\tc\r\n\nd") == ["a@1", "b@1", "c@1", "|@2", "|@3", "d@3"])
    }

    @Test func commentsRunToTheEndOfTheLine() {
        #expect(tokensEverySplit("a ; b \"c ( \n;x\nd;e\n") == ["a@1", "|@2", "|@3", "d@3", "|@4"])
    }

    @Test func parenthesesJoinLines() {
        // RFC 1035 §5.1: line terminations are not recognized within parentheses.
        #expect(tokensEverySplit("a ( b ; c\n d\n ) e\nf") == ["a@1", "b@1", "d@2", "e@3", "|@4", "f@4"])
        #expect(tokensEverySplit("a(b)c\n") == ["a@1", "b@1", "c@1", "|@2"])
    }

    @Test func quotedWordsKeepSpecialsAndLineBreaks() {
        #expect(tokensEverySplit("a \"b ; ( c )\" d\n") == ["a@1", "\"b ; ( c )\"@1", "d@1", "|@2"])
        #expect(tokensEverySplit("\"x\ny\" z\n") == ["\"x\ny\"@2", "z@2", "|@3"])
        #expect(tokensEverySplit("\"a\\\"b\" \"\"\n") == ["\"a\\\"b\"@1", "\"\"@1", "|@2"])
        // A quote inside a word is an ordinary byte.
        #expect(tokensEverySplit("a\"b c\n") == ["a\"b@1", "c@1", "|@2"])
    }

    @Test func escapesKeepDelimitersInsideWords() {
        #expect(tokensEverySplit("a\\ b c\\;d e\\(f\\) \\\\ \\065\n") == ["a\\ b@1", "c\\;d@1", "e\\(f\\)@1", "\\\\@1", "\\065@1", "|@2"])
        // An escaped line feed is part of the word but still a new line.
        #expect(tokensEverySplit("a\\\nb c\n") == ["a\\\nb@2", "c@2", "|@3"])
        #expect(tokensEverySplit("a\\") == ["a\\@1"])
    }

    @Test func cutsLongWords() {
        let long = String(repeating: "x", count: 40)
        #expect(tokensEverySplit("\(long) y \"\(long)\"\n", maxWordLength: 8) == [
            "xxxxxxxx+@1", "y@1", "\"xxxxxxxx\"+@1", "|@2",
        ])
    }

    @Test func unterminatedQuoteFailsAtItsLine() {
        #expect(tokensEverySplit("a\n\"b\nc\nd") == ["a@1", "|@2", "!unterminated-quote@2"])
    }

    @Test func unterminatedParenthesisFailsAtItsLine() {
        #expect(tokensEverySplit("a\nb ( c\nd\n") == ["a@1", "|@2", "b@2", "c@2", "d@3", "!unterminated-parenthesis@2"])
    }

    @Test func strayClosingParenthesisFails() {
        #expect(tokensEverySplit("a\nb ) c\n") == ["a@1", "|@2", "b@2", "!unbalanced-parenthesis@2"])
    }

    func skipping(_ text: String, sourceChunk: Int = .max, readerChunk: Int = 1 << 16) -> [String] {
        var tokenizer = ZoneTokenizer(
            source: MemoryByteSource(text: text, chunkSize: sourceChunk), chunkSize: readerChunk, maxWordLength: 64
        )
        var result: [String] = []
        do {
            while case .word(let word) = try tokenizer.nextToken() {
                result.append(String(decoding: word.bytes, as: UTF8.self) + "@\(tokenizer.line)")
                try tokenizer.skipEntry()
            }
        } catch let error as InputError {
            result.append("!\(error.reason)@\(error.line)")
        } catch {
            Issue.record("unexpected \(error)")
        }
        return result
    }

    @Test func skipEntryPassesOverRecordDataOfAnyShape() {
        let zone = """
        a TXT "x ; ( \\" \n y" ; comment "
        b SOA ns ( 1 ; ( in a comment
          2 "(" 3 ) \\
        c MX 10 \\( d
        e
        """
        // Line 4 ends in an escaped line feed, so the SOA entry runs on through line 5.
        let expected = ["a@1", "b@3", "e@6"]
        #expect(skipping(zone) == expected)
        for size in boundaryChunkSizes { #expect(skipping(zone, sourceChunk: size) == expected, "source chunk \(size)") }
        for size in [1, 2, 5] { #expect(skipping(zone, readerChunk: size) == expected, "reader chunk \(size)") }
    }

    @Test func skipEntryReportsBrokenEnds() {
        #expect(skipping("a TXT \"x\ny\n") == ["a@1", "!unterminated-quote@1"])
        #expect(skipping("a SOA (\n1 2\n") == ["a@1", "!unterminated-parenthesis@1"])
        #expect(skipping("a b )\n") == ["a@1", "!unbalanced-parenthesis@1"])
    }
}
