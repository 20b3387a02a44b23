import Testing
@testable import MTAScanCore

@Suite struct ExactlyOnceCheckTests {
    private let names = ["a.example", "b.example", "c.example", "d.example", "e.example", "f.example"]

    private func shardOf(_ name: String, _ count: Int) -> Shard {
        Shard(index: Shard.index(of: name.utf8, count: count), count: count)!
    }

    @Test func partsThatHoldEveryLineOnceAreExact() {
        var check = ExactlyOnceCheck(shardCount: 3)
        for (offset, name) in names.enumerated().reversed() {
            check.noteRecord(line: offset + 1, domain: name, part: "p", shard: shardOf(name, 3))
        }
        for (offset, name) in names.enumerated() { check.noteInput(line: offset + 1, key: name) }
        #expect(check.isExactlyOnce)
        #expect(check.records == 6 && check.inputLines == 6 && check.orphans == 0)
    }

    @Test func eachKindOfGapIsCountedAndShown() {
        var check = ExactlyOnceCheck(shardCount: 2)
        check.noteRecord(line: 1, domain: "a.example", part: "p0", shard: shardOf("a.example", 2))
        check.noteRecord(line: 1, domain: "a.example", part: "p1", shard: shardOf("a.example", 2))
        check.noteRecord(line: 3, domain: "other.example", part: "p0", shard: nil)
        let wrong = Shard(index: 1 - Shard.index(of: "d.example".utf8, count: 2), count: 2)!
        check.noteRecord(line: 4, domain: "d.example", part: "p9", shard: wrong)
        check.noteRecord(line: 99, domain: "z.example", part: "p0", shard: nil)
        for (offset, name) in names.prefix(4).enumerated() { check.noteInput(line: offset + 1, key: name) }
        #expect(!check.isExactlyOnce)
        #expect(check.duplicates.count == 1)
        #expect(check.missing.count == 1)
        #expect(check.missing.examples == ["input line 2: b.example, shard \(Shard.index(of: "b.example".utf8, count: 2))/2"])
        #expect(check.otherDomain.count == 1)
        #expect(check.misplaced.count == 1)
        #expect(check.misplaced.examples.first?.hasPrefix("p9: d.example") == true)
        #expect(check.orphans == 1)
    }

    @Test func examplesAreBoundedCountsAreNot() {
        var check = ExactlyOnceCheck()
        for line in 1...1000 { check.noteInput(line: line, key: "n\(line).example") }
        #expect(check.missing.count == 1000)
        #expect(check.missing.examples.count == ExactlyOnceCheck.Problems.maxExamples)
    }
}

@Suite struct PartsAgreementTests {
    private func metadata(shard: Shard?, state: String = "complete", size: Int = 100, dane: Bool = false,
                          version: String = "1.0") -> JSONValue {
        let shardJSON: JSONValue = shard.map { .object(["index": .int($0.index), "count": .int($0.count)]) } ?? .null
        return .object([
            "tool": .string("mtascan"), "tool_version": .string(version), "state": .string(state),
            "stop_reason": state == "complete" ? .null : .string("SIGTERM"),
            "input": .object(["path": .string("in.txt"), "format": .string("list"), "size_bytes": .int(size)]),
            "phases": .strings(["dns", "policy", "mx"]), "shard": shardJSON,
            "options": .object(["dane": .bool(dane), "threads": .int(Int.random(in: 1...8))]),
        ])
    }

    private func parts(_ count: Int, _ change: (Int, inout JSONValue) -> Void = { _, _ in }) -> [PartsAgreement.Part] {
        (0..<count).map { index in
            var value = metadata(shard: Shard(index: index, count: count))
            change(index, &value)
            return .init(name: "part-\(index)", metadata: value)
        }
    }

    @Test func shardsOfOneScanAgree() {
        let outcome = PartsAgreement.check(parts(4), inputSize: 100, inputFormat: .list)
        #expect(outcome == .init())
        #expect(PartsAgreement.check([.init(name: "whole", metadata: metadata(shard: nil))]) == .init())
    }

    @Test func aMissingOrRepeatedShardIsAProblem() {
        var four = parts(4)
        four[3] = four[1]
        let outcome = PartsAgreement.check(four)
        #expect(outcome.problems.contains { $0.hasPrefix("shard 1/4 is in 2 parts") })
        #expect(outcome.problems.contains { $0.hasPrefix("no part for shard 3/4") })
    }

    @Test func differentSplitsInputsOptionsAndStatesAreProblems() {
        let mixed = parts(2) + [.init(name: "other", metadata: metadata(shard: Shard(index: 2, count: 3)))]
        #expect(PartsAgreement.check(mixed).problems.contains { $0.hasPrefix("the parts split the input differently") })
        let resized = PartsAgreement.check(parts(2) { index, value in if index == 1 { value = metadata(shard: Shard(index: 1, count: 2), size: 99) } },
                                           inputSize: 100)
        #expect(resized.problems.contains { $0.contains("its input had 99 bytes") })
        let options = PartsAgreement.check(parts(2) { index, value in if index == 1 { value = metadata(shard: Shard(index: 1, count: 2), dane: true) } })
        #expect(options.problems == ["part-1: option dane true, but false in part-0"])
        let stopped = PartsAgreement.check(parts(2) { index, value in if index == 0 { value = metadata(shard: Shard(index: 0, count: 2), state: "interrupted") } })
        #expect(stopped.problems.count == 1 && stopped.problems[0].contains("interrupted (SIGTERM)"))
        let versions = PartsAgreement.check(parts(2) { index, value in if index == 0 { value = metadata(shard: Shard(index: 0, count: 2), version: "0.9") } })
        #expect(versions.problems.isEmpty && versions.warnings.count == 1)
    }

    @Test func partsWithoutMetadataOrWholeScansTwice() {
        let none = PartsAgreement.check([.init(name: "x", metadata: nil)])
        #expect(none.problems.first?.contains("no metadata side file") == true)
        let twice = PartsAgreement.check([.init(name: "a", metadata: metadata(shard: nil)),
                                          .init(name: "b", metadata: metadata(shard: nil))])
        #expect(twice.problems.first?.contains("2 outputs of whole scans") == true)
    }
}
