import Testing
@testable import MTAScanCore

@Suite struct LineScannerTests {
    struct ScannedLine: Equatable {
        var number: Int
        var text: String
        var truncated: Bool
    }

    func scan(_ text: String, sourceChunk: Int = .max, readerChunk: Int = 1 << 16, maxLineLength: Int = 4096) throws -> [ScannedLine] {
        var scanner = LineScanner(
            source: MemoryByteSource(text: text, chunkSize: sourceChunk),
            chunkSize: readerChunk, maxLineLength: maxLineLength
        )
        var lines: [ScannedLine] = []
        while let line = try scanner.next() {
            lines.append(ScannedLine(number: line.number, text: String(decoding: line.bytes, as: UTF8.self), truncated: line.isTruncated))
        }
        return lines
    }

    func scanEverySplit(_ text: String, maxLineLength: Int = 4096) throws -> [ScannedLine] {
        let reference = try scan(text, maxLineLength: maxLineLength)
        for size in boundaryChunkSizes {
            #expect(try scan(text, sourceChunk: size, maxLineLength: maxLineLength) == reference, "source chunk \(size)")
        }
        for size in [1, 2, 5] {
            #expect(try scan(text, readerChunk: size, maxLineLength: maxLineLength) == reference, "reader chunk \(size)")
        }
        return reference
    }

    @Test func splitsOnLFAndDropsTheCROfCRLF() throws {
        let lines = try scanEverySplit("a\r\nbb\n\ncc\rc\n  d  ")
        #expect(lines.map(\.text) == ["a", "bb", "", "cc\rc", "  d  "])
        #expect(lines.map(\.number) == [1, 2, 3, 4, 5])
        #expect(lines.allSatisfy { !$0.truncated })
    }

    @Test func aFinalLFDoesNotStartAnotherLine() throws {
        #expect(try scanEverySplit("a\n").map(\.text) == ["a"])
        #expect(try scanEverySplit("\n").map(\.text) == [""])
    }

    @Test func emptyInputHasNoLines() throws {
        #expect(try scanEverySplit("").isEmpty)
    }

    @Test func cutsLongLinesToTheirFirstBytesAndGoesOn() throws {
        let lines = try scanEverySplit("abcdefghij\nxy\nabcde", maxLineLength: 4)
        #expect(lines == [
            ScannedLine(number: 1, text: "abcd", truncated: true),
            ScannedLine(number: 2, text: "xy", truncated: false),
            ScannedLine(number: 3, text: "abcd", truncated: true),
        ])
    }

    @Test func aLineAtTheLimitIsWholeEvenWithCRLF() throws {
        let lines = try scanEverySplit("abcd\r\nabcd\n", maxLineLength: 4)
        #expect(lines.map(\.text) == ["abcd", "abcd"])
        #expect(lines.allSatisfy { !$0.truncated })
    }

    @Test func aMegabyteLineIsSkippedWithoutBeingHeld() throws {
        let long = String(repeating: "x", count: 1 << 20)
        let lines = try scan(long + "\nok\n", sourceChunk: 4096, readerChunk: 4096, maxLineLength: 64)
        #expect(lines.map(\.truncated) == [true, false])
        #expect(lines.map(\.text) == [String(repeating: "x", count: 64), "ok"])
    }
}
