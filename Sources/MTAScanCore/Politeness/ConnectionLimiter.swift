/// Politeness toward the hosts a scan touches: per destination, a token bucket
/// of new connections per second and a cap on concurrent connections; over all
/// destinations, a global cap. A provider's MX serving a million domains sees a
/// trickle, never a flood.
///
/// Pure: the caller passes the time (seconds, monotonic), so the engine drives
/// it from its loop clock and tests drive it deterministically. State is kept
/// per destination and bounded: a destination with no open connection whose
/// bucket has refilled carries no information and is forgotten, so memory
/// follows the destinations in use, not all destinations ever seen.
public struct ConnectionLimiter<Destination: Hashable & Sendable>: Sendable {
    public struct Limits: Sendable, Equatable {
        /// New connections per second to one destination.
        public var ratePerDestination: Double
        /// Connections that may start at once after a quiet spell.
        public var burstPerDestination: Int
        public var concurrentPerDestination: Int
        public var concurrentTotal: Int

        public init(ratePerDestination: Double = 1, burstPerDestination: Int = 2, concurrentPerDestination: Int = 2,
                    concurrentTotal: Int = 500) {
            self.ratePerDestination = max(ratePerDestination, 0.001)
            self.burstPerDestination = max(1, burstPerDestination)
            self.concurrentPerDestination = max(1, concurrentPerDestination)
            self.concurrentTotal = max(1, concurrentTotal)
        }
    }

    public enum Decision: Sendable, Equatable {
        case granted
        /// The destination's rate is used up: ask again after this many seconds.
        case retry(after: Double)
        /// A concurrency cap is reached: ask again when a connection is released.
        case busy
    }

    private struct Bucket: Sendable {
        var tokens: Double
        var updated: Double
        var active: Int
    }

    public let limits: Limits
    private var buckets: [Destination: Bucket] = [:]
    public private(set) var activeTotal = 0
    private var acquisitionsSinceSweep = 0

    public init(limits: Limits) {
        self.limits = limits
    }

    /// Destinations with state right now (open connections or a partly used bucket).
    public var trackedDestinations: Int { buckets.count }

    public mutating func acquire(_ destination: Destination, now: Double) -> Decision {
        sweepIfDue(now: now)
        guard activeTotal < limits.concurrentTotal else { return .busy }
        var bucket = buckets[destination] ?? Bucket(tokens: Double(limits.burstPerDestination), updated: now, active: 0)
        refill(&bucket, now: now)
        guard bucket.active < limits.concurrentPerDestination else {
            buckets[destination] = bucket
            return .busy
        }
        guard bucket.tokens >= 1 else {
            buckets[destination] = bucket
            return .retry(after: (1 - bucket.tokens) / limits.ratePerDestination)
        }
        bucket.tokens -= 1
        bucket.active += 1
        buckets[destination] = bucket
        activeTotal += 1
        return .granted
    }

    /// A connection granted earlier has ended.
    public mutating func release(_ destination: Destination, now: Double) {
        guard var bucket = buckets[destination], bucket.active > 0 else { return }
        refill(&bucket, now: now)
        bucket.active -= 1
        activeTotal -= 1
        buckets[destination] = bucket
    }

    private func refill(_ bucket: inout Bucket, now: Double) {
        let elapsed = max(0, now - bucket.updated)
        bucket.tokens = min(Double(limits.burstPerDestination), bucket.tokens + elapsed * limits.ratePerDestination)
        bucket.updated = now
    }

    /// Forgets destinations that are idle and refilled: exactly the state a new
    /// destination starts with, so forgetting them changes no decision.
    private mutating func sweepIfDue(now: Double) {
        acquisitionsSinceSweep += 1
        guard acquisitionsSinceSweep >= 1024, buckets.count >= 1024 else { return }
        acquisitionsSinceSweep = 0
        let full = Double(limits.burstPerDestination)
        let rate = limits.ratePerDestination
        buckets = buckets.filter { _, bucket in
            bucket.active > 0 || bucket.tokens + max(0, now - bucket.updated) * rate < full
        }
    }
}
