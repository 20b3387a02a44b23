import Testing
@testable import MTAScanCore

@Suite struct ShardTests {
    /// Values from the Python snippet in Shard's documentation: the hash is a
    /// contract with every other tool that splits or joins mtascan's output.
    @Test func theHashIsFNV1a64ReducedByItsHighBits() {
        #expect(Shard.fnv1a64("".utf8) == 0xcbf2_9ce4_8422_2325)
        #expect(Shard.fnv1a64("example.com".utf8) == 0x5768_4663_4e27_14c6)
        #expect(Shard.fnv1a64("a".utf8) == 0xaf63_dc4c_8601_ec8c)
        let expected: [(String, [Int])] = [
            ("", [1, 3, 5, 796]), ("example.com", [0, 1, 2, 341]), ("a", [1, 2, 4, 685]),
            ("sts-valid.test", [0, 1, 2, 287]), ("xn--bcher-kva.example", [0, 1, 3, 481]),
        ]
        for (key, shards) in expected {
            #expect([2, 4, 7, 1000].map { Shard.index(of: key.utf8, count: $0) } == shards, "\(key)")
        }
    }

    @Test func everyNameHasExactlyOneShard() {
        let names = (0..<2000).map { "host\($0).example\($0 % 7).com" }
        for count in [1, 2, 3, 16] {
            let shards = (0..<count).compactMap { Shard(index: $0, count: count) }
            for name in names {
                #expect(shards.filter { $0.owns(name.utf8) }.count == 1)
            }
        }
    }

    /// Similar names (a zone's delegations differ in a few characters) spread
    /// evenly: no shard gets far more than its share.
    @Test func similarNamesSpreadEvenly() {
        let count = 8
        var sizes = [Int](repeating: 0, count: count)
        for number in 0..<80_000 { sizes[Shard.index(of: "d\(number).com".utf8, count: count)] += 1 }
        let share = 80_000 / count
        #expect(sizes.allSatisfy { abs($0 - share) < share / 20 }, "\(sizes)")
    }

    @Test func parsesIndexSlashCount() {
        #expect(Shard("0/4") == Shard(index: 0, count: 4))
        #expect(Shard("3/4")?.description == "3/4")
        #expect(Shard("0/1") != nil)
        for bad in ["4/4", "-1/4", "1/0", "1", "1/2/3", "a/4", "1/ 4", "", "/", "1/", "9999999999/99999999999"] {
            #expect(Shard(bad) == nil, "\(bad)")
        }
    }
}

@Suite struct ShardSelectionTests {
    private func resolve(_ option: String, _ environment: [String: String]) -> Result<ShardSelection.Resolved, ShardSelectionError>? {
        ShardSelection(option)?.resolve(environment: environment)
    }

    @Test func aFixedShardIgnoresTheEnvironment() throws {
        let resolved = try #require(try resolve("2/5", ["SLURM_ARRAY_TASK_ID": "0"])?.get())
        #expect(resolved == .init(shard: Shard(index: 2, count: 5)!, source: .option))
    }

    @Test func slurmArraysNumberedFromZeroOrOne() throws {
        let fromZero = try #require(try resolve("auto", ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4",
                                                          "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "3"])?.get())
        #expect(fromZero == .init(shard: Shard(index: 3, count: 4)!, source: .slurm))
        let fromOne = try #require(try resolve("auto", ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "1",
                                                         "SLURM_ARRAY_TASK_MAX": "4"])?.get())
        #expect(fromOne.shard == Shard(index: 0, count: 4))
        let countOnly = try #require(try resolve("auto", ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "3"])?.get())
        #expect(countOnly.shard == Shard(index: 2, count: 3))
        let given = try #require(try resolve("auto/10", ["SLURM_ARRAY_TASK_ID": "7"])?.get())
        #expect(given.shard == Shard(index: 7, count: 10))
    }

    @Test func slurmArraysWithGapsOrStepsAreRefused() {
        let gaps = resolve("auto", ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "3",
                                    "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "5"])
        #expect(throws: ShardSelectionError.self) { try gaps?.get() }
        let step = resolve("auto", ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_STEP": "2",
                                    "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "2"])
        #expect(throws: ShardSelectionError.self) { try step?.get() }
        let outside = resolve("auto/4", ["SLURM_ARRAY_TASK_ID": "4"])
        #expect(throws: ShardSelectionError.self) { try outside?.get() }
        let noCount = resolve("auto", ["SLURM_ARRAY_TASK_ID": "4"])
        #expect(throws: ShardSelectionError.self) { try noCount?.get() }
    }

    @Test func kubernetesIndexedJobsNeedTheCount() throws {
        let resolved = try #require(try resolve("auto", ["JOB_COMPLETION_INDEX": "5", "MTASCAN_SHARD_COUNT": "8"])?.get())
        #expect(resolved == .init(shard: Shard(index: 5, count: 8)!, source: .kubernetes))
        let given = try #require(try resolve("auto/6", ["JOB_COMPLETION_INDEX": "5"])?.get())
        #expect(given.shard == Shard(index: 5, count: 6))
        guard case .failure(let missing)? = resolve("auto", ["JOB_COMPLETION_INDEX": "5"]) else {
            Issue.record("a completion index without a count must be refused")
            return
        }
        #expect(missing.description.contains("MTASCAN_SHARD_COUNT"))
        let outside = resolve("auto", ["JOB_COMPLETION_INDEX": "8", "MTASCAN_SHARD_COUNT": "8"])
        #expect(throws: ShardSelectionError.self) { try outside?.get() }
    }

    @Test func autoWithoutASchedulerSaysWhatToGive() {
        guard case .failure(let error)? = resolve("auto", ["HOME": "/root"]) else {
            Issue.record("auto outside a scheduler must be refused")
            return
        }
        #expect(error.description.contains("--shard INDEX/COUNT"))
    }

    @Test func badOptionTexts() {
        for bad in ["auto/0", "auto/x", "automatic", "4/4", ""] { #expect(ShardSelection(bad) == nil, "\(bad)") }
    }
}

@Suite struct ShardPolitenessTests {
    @Test func ratesDivideExactlyAndCountsDownToOne() {
        let global = ShardPoliteness.Limits(ratePerIP: 1, burstPerIP: 8, connectionsPerIP: 4, queriesPerSecond: 0)
        let split = ShardPoliteness(global: global, shards: 4)
        #expect(split.perShard == .init(ratePerIP: 0.25, burstPerIP: 2, connectionsPerIP: 1, queriesPerSecond: 0))
        #expect(split.exceeded.isEmpty)
        // Four shards together never exceed what one scan may.
        #expect(split.perShard.ratePerIP * 4 <= global.ratePerIP)
        #expect(split.perShard.connectionsPerIP * 4 <= global.connectionsPerIP)
        #expect(split.perShard.burstPerIP * 4 <= global.burstPerIP)
    }

    @Test func countsBelowTheShardCountAreNamed() {
        let global = ShardPoliteness.Limits(ratePerIP: 1, burstPerIP: 2, connectionsPerIP: 2, queriesPerSecond: 3)
        let split = ShardPoliteness(global: global, shards: 4)
        #expect(split.perShard == .init(ratePerIP: 0.25, burstPerIP: 1, connectionsPerIP: 1, queriesPerSecond: 1))
        #expect(split.exceeded == ["--burst-per-ip", "--connections-per-ip", "--qps"])
        #expect(split.json["not_divisible"] == .strings(split.exceeded))
    }

    @Test func oneShardKeepsTheLimits() {
        let global = ShardPoliteness.Limits(ratePerIP: 3, burstPerIP: 2, connectionsPerIP: 2, queriesPerSecond: 100)
        #expect(ShardPoliteness(global: global, shards: 1).perShard == global)
    }
}
