import Testing
@testable import MTAScanCore

@Suite struct RecentNamesTests {
    /// Whether each insert was new.
    func inserts(_ keys: [UInt8], capacity: Int) -> [Bool] {
        var recent = RecentNames(capacity: capacity)
        return keys.map { recent.insert([$0]) }
    }

    @Test func remembersTheLastCapacityKeysFirstInFirstOut() {
        // 3 pushes 1 out; then 1 pushes 2 out.
        #expect(inserts([1, 1, 2, 3, 2, 3, 1, 2], capacity: 2) == [true, false, true, true, false, false, true, true])
    }

    @Test func aCapacityBelowOneStillSuppressesImmediateRepeats() {
        #expect(inserts([7, 7, 8, 7], capacity: 0) == [true, false, true, true])
    }
}
