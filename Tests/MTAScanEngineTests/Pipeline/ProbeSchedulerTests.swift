import MTAScanCore
import Testing
@testable import MTAScanEngine

/// The scheduler on a real loop, with work that takes real time (a timer):
/// exclusion before anything runs, one probe per key, limits per destination.
@Suite(.serialized) struct ProbeSchedulerTests {
    struct Observation {
        var started: [ProbeKey: Int] = [:]
        var startTimes: [IPAddress: [ContinuousClock.Instant]] = [:]
        var active: [IPAddress: Int] = [:]
        var peakActive: [IPAddress: Int] = [:]
        var peakTotal = 0
        var outcomes = 0
        var excluded = 0
    }

    private func run(requests: [ProbeKey], limits: ConnectionLimiter<IPAddress>.Limits,
                     exclusions: ExclusionList = ExclusionList(), workDuration: Duration = .milliseconds(5)) throws -> Observation {
        var observation = Observation()
        let report = try EventLoop.run { loop in
            var timers: [Timer] = []
            var scheduler: ProbeScheduler<String>?
            scheduler = ProbeScheduler<String>(loop: loop, limits: limits, exclusions: exclusions) { key, done in
                let ip = key.address.ip
                observation.started[key, default: 0] += 1
                observation.startTimes[ip, default: []].append(.now)
                observation.active[ip, default: 0] += 1
                observation.peakActive[ip] = max(observation.peakActive[ip] ?? 0, observation.active[ip] ?? 0)
                observation.peakTotal = max(observation.peakTotal, observation.active.values.reduce(0, +))
                guard let timer = try? Timer(on: loop, {
                    observation.active[ip, default: 0] -= 1
                    done("probed \(key.host)")
                }) else { return done("no timer") }
                timers.append(timer)
                try? timer.start(after: workDuration)
            }
            for key in requests {
                scheduler?.request(key) { outcome in
                    observation.outcomes += 1
                    if case .excluded = outcome { observation.excluded += 1 }
                    if observation.outcomes == requests.count {
                        scheduler?.close()
                        timers.forEach { $0.close() }
                        loop.requestShutdown()
                    }
                }
            }
        }
        expectClean(report)
        return observation
    }

    private func key(_ host: String, _ address: String) -> ProbeKey {
        ProbeKey(host: host, address: SocketAddress(address, defaultPort: 25)!)
    }

    @Test func oneProbePerHostAndAddressHoweverManyDomainsShareIt() throws {
        let requests = Array(repeating: key("mx1.provider.example", "127.0.0.1"), count: 500)
            + Array(repeating: key("mx2.provider.example", "127.0.0.1"), count: 500)
        let observation = try run(requests: requests, limits: .init(ratePerDestination: 1000, burstPerDestination: 10))
        #expect(observation.outcomes == 1000)
        #expect(observation.started.count == 2)
        #expect(observation.started.values.allSatisfy { $0 == 1 })
    }

    @Test func excludedAddressesAndDomainsAreNeverTouched() throws {
        let exclusions = try ExclusionList(parsing: "127.0.0.0/30\noptout.example\n")
        let requests = [key("mx.a.example", "127.0.0.2"), key("mx.optout.example", "127.0.0.9"), key("mx.b.example", "127.0.0.9")]
        let observation = try run(requests: requests, limits: .init(), exclusions: exclusions)
        #expect(observation.excluded == 2)
        #expect(Array(observation.started.keys) == [key("mx.b.example", "127.0.0.9")])
    }

    @Test func concurrencyAndRatePerDestinationHoldUnderLoad() throws {
        let limits = ConnectionLimiter<IPAddress>.Limits(ratePerDestination: 200, burstPerDestination: 4,
                                                         concurrentPerDestination: 2, concurrentTotal: 5)
        let requests = (0..<300).map { key("mx\($0).example", "127.0.0.\(1 + $0 % 3)") }
        let observation = try run(requests: requests, limits: limits)
        #expect(observation.outcomes == 300)
        #expect(observation.started.count == 300)
        #expect(observation.peakActive.values.allSatisfy { $0 <= 2 })
        #expect(observation.peakTotal <= 5)
        // In any 100 ms a destination saw at most rate × 0.1 + burst new connections.
        for (_, times) in observation.startTimes {
            var start = 0
            for end in times.indices {
                while times[start].duration(to: times[end]) >= .milliseconds(100) { start += 1 }
                #expect(end - start + 1 <= 20 + 4)
            }
        }
    }
}
