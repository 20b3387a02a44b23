import Testing
@testable import MTAScanEngine
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ExternalSorterTests {
    private func entries(_ count: Int, seed: UInt64) -> [[UInt8]] {
        var state = seed
        func random() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        return (0..<count).map { _ in
            let length = Int(random() % 40)
            // A small alphabet: many shared prefixes and equal entries.
            return (0..<length).map { _ in UInt8(0x61 + random() % 3) }
        }
    }

    private func drain(_ sorted: inout SortedEntries) -> [[UInt8]] {
        var result: [[UInt8]] = []
        while let entry = sorted.next() { result.append(entry) }
        return result
    }

    @Test func withinTheBudgetNothingIsSpilled() throws {
        let input = entries(1000, seed: 1)
        let sorter = ExternalSorter(memoryBudget: 1 << 20)
        for entry in input { try sorter.add(entry) }
        var sorted = try sorter.sorted()
        #expect(drain(&sorted) == input.sorted { $0.lexicographicallyPrecedes($1) })
        #expect(sorter.runCount == 0 && sorter.spilledBytes == 0)
    }

    /// A budget a fraction of the data: many runs on disk, merged back into
    /// exactly the in-memory order, and nothing left behind.
    @Test func beyondTheBudgetRunsAreMergedInOrder() throws {
        let input = entries(20_000, seed: 7) + [[], [], [0xFF], [0x00]]
        let directory = "/tmp/mtascan-sorter-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        #expect(mkdir(directory, 0o700) == 0)
        do {
            let sorter = ExternalSorter(memoryBudget: 16 << 10, temporaryDirectory: directory)
            for entry in input { try sorter.add(entry) }
            var sorted = try sorter.sorted()
            #expect(sorter.runCount > 10)
            #expect(drain(&sorted) == input.sorted { $0.lexicographicallyPrecedes($1) })
            #expect(sorted.error == nil)
        }
        // The sorter is gone: so are its runs and their folder (rmdir fails on a folder with anything left).
        #expect(rmdir(directory) == 0)
    }

    @Test func anUnwritableFolderIsAnError() throws {
        let sorter = ExternalSorter(memoryBudget: 1024, temporaryDirectory: "/nonexistent/folder")
        #expect(throws: FileError.self) {
            for entry in entries(1000, seed: 3) { try sorter.add(entry) }
        }
    }
}
