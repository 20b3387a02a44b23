import Testing
@testable import MTAScanCore

@Suite struct ScanOutputRecoveryTests {
    private func record(_ line: Int, _ domain: String, verdict: String = "valid") -> String {
        #"{"domain":"\#(domain)","input_line":\#(line),"verdict":"\#(verdict)","input_error":null,"excluded":null}"#
    }

    private func recover(_ text: String, chunkSize: Int = 1 << 20) throws -> ScanOutputRecovery {
        var source = MemoryByteSource(Array(text.utf8), chunkSize: chunkSize)
        return try ScanOutputRecovery.read(&source, chunkSize: chunkSize)
    }

    @Test(arguments: [1, 7, 64, 1 << 20])
    func keepsCompleteLinesAndCutsAPartialLastOne(chunkSize: Int) throws {
        let complete = record(2, "b.example") + "\n" + record(1, "a.example", verdict: "misconfigured") + "\n"
        let text = complete + #"{"domain":"c.exam"#
        let recovery = try recover(text, chunkSize: chunkSize)
        #expect(recovery.completeBytes == complete.utf8.count)
        #expect(recovery.partialBytes == text.utf8.count - complete.utf8.count)
        #expect(recovery.ledger.count == 2)
        #expect(recovery.ledger.status(line: 1, domain: "a.example".utf8) == .done)
        #expect(recovery.ledger.status(line: 3, domain: "c.example".utf8) == .pending)
        #expect(recovery.counts.records == 2)
        #expect(recovery.counts.byVerdict[.misconfigured] == 1)
        #expect(recovery.malformedCount == 0)
    }

    @Test func aFileThatEndsInANewlineHasNoPartialRecord() throws {
        let text = record(1, "a.example") + "\n"
        let recovery = try recover(text)
        #expect(recovery.partialBytes == 0)
        #expect(recovery.completeBytes == text.utf8.count)
        let empty = try recover("")
        #expect(empty.completeBytes == 0 && empty.partialBytes == 0 && empty.ledger.count == 0)
    }

    @Test func completeLinesThatAreNotRecordsAreReported() throws {
        let text = record(1, "a.example") + "\nnot json\n{\"domain\":\"x.example\"}\n[1]\n"
        let recovery = try recover(text)
        #expect(recovery.malformedCount == 3)
        #expect(recovery.malformed.map(\.line) == [2, 3, 4])
        #expect(recovery.ledger.count == 1)
    }

    @Test func anOverlongLineIsMalformedAndNeverHeldWhole() throws {
        let long = "{\"domain\":\"" + String(repeating: "a", count: 5000) + "\"}"
        var source = MemoryByteSource(Array((long + "\n" + record(1, "a.example") + "\n").utf8), chunkSize: 100)
        let recovery = try ScanOutputRecovery.read(&source, chunkSize: 100, maxLineLength: 1000)
        #expect(recovery.malformedCount == 1)
        #expect(recovery.ledger.count == 1)
        #expect(recovery.partialBytes == 0)
    }

    @Test func aSecondRecordForALineCountsOnce() throws {
        let text = record(1, "a.example") + "\n" + record(1, "a.example") + "\n"
        let recovery = try recover(text)
        #expect(recovery.ledger.duplicates == 1)
        #expect(recovery.counts.records == 1)
    }
}
