import Testing
@testable import MTAScanCore

@Suite struct ResumeLedgerTests {
    @Test func aLineWithARecordForTheSameNameIsDone() {
        var ledger = ResumeLedger()
        let first = ledger.add(line: 3, domain: "example.com".utf8)
        let far = ledger.add(line: 5_000_000, domain: "example.net".utf8)
        #expect(first && far)
        #expect(ledger.status(line: 3, domain: "example.com".utf8) == .done)
        #expect(ledger.status(line: 5_000_000, domain: "example.net".utf8) == .done)
        #expect(ledger.status(line: 4, domain: "example.org".utf8) == .pending)
        #expect(ledger.status(line: 5_000_001, domain: "example.org".utf8) == .pending)
        #expect(ledger.count == 2)
    }

    @Test func aChangedInputIsNoticed() {
        var ledger = ResumeLedger()
        ledger.add(line: 1, domain: "example.com".utf8)
        // Of 255 fingerprints, another name collides rarely; over a few lines a changed input always shows.
        let others = ["example.net", "example.org", "a.example", "b.example", "mail.example.com"]
        let noticed = others.filter { ledger.status(line: 1, domain: $0.utf8) == .otherDomain }
        #expect(noticed.count >= others.count - 1)
    }

    @Test func aSecondRecordForALineIsADuplicate() {
        var ledger = ResumeLedger()
        let first = ledger.add(line: 2, domain: "example.com".utf8)
        let second = ledger.add(line: 2, domain: "example.com".utf8)
        let lineZero = ledger.add(line: 0, domain: "example.com".utf8)
        #expect(first && !second && !lineZero)
        #expect(ledger.duplicates == 1)
        #expect(ledger.count == 1)
    }

    @Test func fingerprintsAreNeverZero() {
        // Zero means "no record": a name hashing to it must still count as recorded.
        for index in 0..<10_000 {
            #expect(ResumeLedger.fingerprint("name\(index).example".utf8) != 0)
        }
    }
}
