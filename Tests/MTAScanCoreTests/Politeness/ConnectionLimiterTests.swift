import Testing
@testable import MTAScanCore

@Suite struct ConnectionLimiterTests {
    @Test func burstThenRate() {
        var limiter = ConnectionLimiter<String>(limits: .init(ratePerDestination: 2, burstPerDestination: 2, concurrentPerDestination: 10))
        #expect(limiter.acquire("mx", now: 0) == .granted)
        #expect(limiter.acquire("mx", now: 0) == .granted)
        #expect(limiter.acquire("mx", now: 0) == .retry(after: 0.5))
        #expect(limiter.acquire("other", now: 0) == .granted)
        #expect(limiter.acquire("mx", now: 0.5) == .granted)
        #expect(limiter.acquire("mx", now: 0.6) == .retry(after: 0.4))
    }

    @Test func concurrencyCapsPerDestinationAndInTotal() {
        var limiter = ConnectionLimiter<String>(limits: .init(ratePerDestination: 100, burstPerDestination: 100,
                                                             concurrentPerDestination: 1, concurrentTotal: 2))
        #expect(limiter.acquire("a", now: 0) == .granted)
        #expect(limiter.acquire("a", now: 0) == .busy)
        #expect(limiter.acquire("b", now: 0) == .granted)
        #expect(limiter.acquire("c", now: 0) == .busy)
        limiter.release("a", now: 1)
        #expect(limiter.activeTotal == 1)
        #expect(limiter.acquire("c", now: 1) == .granted)
        #expect(limiter.acquire("a", now: 1) == .busy)
        limiter.release("unknown", now: 1)
        #expect(limiter.activeTotal == 2)
    }

    /// A greedy caller that asks again exactly when told: in every one-second
    /// window a destination sees at most rate + burst new connections.
    @Test func theObservedRateStaysWithinTheLimit() {
        let limits = ConnectionLimiter<Int>.Limits(ratePerDestination: 5, burstPerDestination: 3, concurrentPerDestination: 1_000)
        var limiter = ConnectionLimiter<Int>(limits: limits)
        var generator = SplitMix64(seed: 7)
        var grants: [Int: [Double]] = [:]
        var now = 0.0
        for _ in 0..<50_000 {
            now += Double(generator.next() % 1000) / 100_000  // 0–10 ms apart
            let destination = Int(generator.next() % 4)
            if limiter.acquire(destination, now: now) == .granted {
                grants[destination, default: []].append(now)
                limiter.release(destination, now: now)
            }
        }
        for (_, times) in grants {
            var start = 0
            for end in times.indices {
                while times[end] - times[start] >= 1 { start += 1 }
                #expect(end - start + 1 <= Int(limits.ratePerDestination) + limits.burstPerDestination)
            }
            // …and the limiter is not stingy: close to the rate over the whole run.
            #expect(Double(times.count) >= now * limits.ratePerDestination * 0.9)
        }
    }

    @Test func idleDestinationsAreForgottenWithoutChangingDecisions() {
        var limiter = ConnectionLimiter<Int>(limits: .init(ratePerDestination: 10, burstPerDestination: 1, concurrentPerDestination: 1))
        for destination in 0..<100_000 {
            let now = Double(destination) * 0.001
            #expect(limiter.acquire(destination, now: now) == .granted)
            limiter.release(destination, now: now)
        }
        // Each bucket refills in 0.1 s = 100 destinations later: only recent ones are kept.
        #expect(limiter.trackedDestinations < 2_500)
        // Used 1 ms ago: still limited, for the rest of its 0.1 s.
        guard case .retry(let after) = limiter.acquire(99_999, now: 100) else {
            Issue.record("not limited")
            return
        }
        #expect(abs(after - 0.099) < 1e-9)
        #expect(limiter.acquire(99_999, now: 101) == .granted)
    }
}
