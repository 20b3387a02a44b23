@testable import MTAScanEngine
import Testing

@Suite struct EventLoopGroupTests {
    @Test func nextIsRoundRobin() throws {
        let group = try EventLoopGroup(threads: 3)
        #expect(group.loops.count == 3)
        let picks = (0..<6).map { _ in group.next() }
        for (index, loop) in picks.enumerated() {
            #expect(loop === group.loops[index % 3])
        }
        for report in group.shutdown() { expectClean(report) }
    }

    @Test func keyedChoiceIsStable() throws {
        let group = try EventLoopGroup(threads: 4)
        #expect(group.loop(forKey: "example.com") === group.loop(forKey: "example.com"))
        let a = try #require(SocketAddress("192.0.2.1:53"))
        let b = try #require(SocketAddress("192.0.2.1:853"))
        #expect(group.loop(for: a) === group.loop(for: b), "the port does not count")
        // The hash is seedless FNV-1a, so the index is the same in every run.
        #expect(group.loop(forKey: "a") === group.loops[Int(UInt64(0xAF63_DC4C_8601_EC8C) % 4)])
        // Keys spread over every loop.
        let used = Set((0..<200).map { ObjectIdentifier(group.loop(forKey: "mx\($0).example")) })
        #expect(used.count == 4)
        for report in group.shutdown() { expectClean(report) }
    }

    @Test func fnv1aMatchesPublishedVectors() {
        #expect(StableHash.fnv1a([]) == 0xCBF2_9CE4_8422_2325)
        #expect(StableHash.fnv1a("a".utf8) == 0xAF63_DC4C_8601_EC8C)
        #expect(StableHash.fnv1a("foobar".utf8) == 0x8594_4171_F739_67E8)
    }

    @Test func defaultIsOneLoopPerCore() throws {
        #expect(EventLoopGroup.defaultThreadCount >= 1)
        let group = try EventLoopGroup()
        #expect(group.loops.count == EventLoopGroup.defaultThreadCount)
        #expect(Set(group.loops.map(\.label)).count == group.loops.count)
        for report in group.shutdown() { expectClean(report) }
    }

    @Test func workFromManyThreadsRunsOnTheLoopOfItsKey() async throws {
        let group = try EventLoopGroup(threads: 4)
        let producers = 16
        let itemsEach = 250
        let misplaced = Counter()
        let ran = Counter()
        await withTaskGroup(of: Void.self) { producerTasks in
            for producer in 0..<producers {
                producerTasks.addTask {
                    for item in 0..<itemsEach {
                        let key = "domain-\(producer)-\(item).example"
                        let target = group.loop(forKey: key)
                        target.execute {
                            let onlyTarget = group.loops.allSatisfy { $0.inEventLoop == ($0 === target) }
                            if !onlyTarget || group.loop(forKey: key) !== target {
                                misplaced.add()
                            }
                            ran.add()
                        }
                    }
                }
            }
        }
        // A barrier per loop: queued last, it runs after everything submitted above.
        for loop in group.loops {
            await withCheckedContinuation { continuation in
                loop.execute { continuation.resume() }
            }
        }
        #expect(ran.value == producers * itemsEach)
        #expect(misplaced.value == 0)
        for report in group.shutdown() { expectClean(report) }
    }

    @Test func shutdownLeavesNoHandles() async throws {
        let group = try EventLoopGroup(threads: 3)
        // Every loop gets a socket and a timer it never closes.
        for loop in group.loops {
            loop.execute {
                let socket = try? UDPSocket(on: loop)
                try? socket?.bind(to: SocketAddress(ip: .loopbackV4, port: 0))
                let timer = try? Timer(on: loop) {}
                try? timer?.start(after: .seconds(60))
            }
        }
        let reports = group.shutdown()
        #expect(reports.count == 3)
        for report in reports { expectClean(report, expectedForcedCloses: 2) }
        for loop in group.loops { #expect(!loop.execute {}) }
    }
}

