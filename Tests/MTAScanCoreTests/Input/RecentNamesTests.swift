import Testing
@testable import MTAScanCore

@Suite struct RecentNamesTests {
    /// Whether each insert was new.
    func inserts(_ keys: [UInt8], capacity: Int) -> [Bool] {
        var recent = RecentNames(capacity: capacity)
        return keys.map { recent.insert([$0][...]) }
    }

    @Test func remembersAtLeastCapacityLaterInsertsAndAtMostTwiceThat() {
        // Generations of two: [1 2] fills; 3 starts [3] with [1 2] older; 4 fills [3 4];
        // 5 starts [5] and drops [1 2], so 1 is new again.
        #expect(inserts([1, 1, 2, 3, 2, 3, 1, 2, 4, 5, 1], capacity: 2)
            == [true, false, true, true, false, false, false, false, true, true, true])
    }

    @Test func aCapacityBelowOneStillSuppressesImmediateRepeats() {
        #expect(inserts([7, 7, 8, 7, 9, 7], capacity: 0) == [true, false, true, false, true, true])
    }

    @Test func neverForgetsANameWithinCapacityInserts() {
        // Every name comes back after exactly `capacity` other names: always suppressed.
        let capacity = 100
        var recent = RecentNames(capacity: capacity)
        for round in 0..<10 {
            for name in 0...capacity {
                let key = [UInt8(truncatingIfNeeded: name), UInt8(name >> 8)][...]
                let isNew = recent.insert(key)
                #expect(isNew == (round == 0), "round \(round) name \(name)")
            }
        }
    }

    @Test(arguments: 1...5)
    func theGuaranteeHoldsWhereverTheNameFallsInAGeneration(capacity: Int) {
        for fillersBefore in 0..<2 * capacity {
            var recent = RecentNames(capacity: capacity)
            var filler = 1_000
            func insertFillers(_ count: Int) {
                for _ in 0..<count {
                    filler += 1
                    _ = recent.insert(Array("f\(filler)".utf8)[...])
                }
            }
            let name = Array("x".utf8)[...]
            insertFillers(fillersBefore)
            _ = recent.insert(name)
            insertFillers(capacity)
            let remembered = !recent.insert(name)
            #expect(remembered, "capacity \(capacity), \(fillersBefore) before")
            insertFillers(capacity)
            let forgotten = recent.insert(name)
            #expect(forgotten, "capacity \(capacity), \(fillersBefore) before")
        }
    }

    @Test func tellsApartNamesWhoseHashesShareATable() {
        // Thousands of names through tables that grow from 16 slots: all found again.
        var recent = RecentNames(capacity: 5_000)
        let names = (0..<5_000).map { Array("name\($0)".utf8)[...] }
        let first = names.map { recent.insert($0) }
        let second = names.map { recent.insert($0) }
        let other = recent.insert(Array("name5000".utf8)[...])
        #expect(first.allSatisfy { $0 })
        #expect(second.allSatisfy { !$0 })
        #expect(other)
    }
}
