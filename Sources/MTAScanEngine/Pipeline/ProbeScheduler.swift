import MTAScanCore

/// Which probe: a host name at one address (policy host, MX host or TLS-RPT
/// report endpoint).
public struct ProbeKey: Hashable, Sendable {
    public var host: String
    public var address: SocketAddress
    /// A TLS-RPT https endpoint's request target (path and query); empty otherwise.
    public var path: String = ""
    /// The MX host's usable, DNSSEC-secure TLSA records, checked in the same
    /// handshake (RFC 7672); empty without DANE.
    public var tlsa: [TLSARecordValue]

    public init(host: String, address: SocketAddress, tlsa: [TLSARecordValue] = [], path: String = "") {
        self.host = host
        self.address = address
        self.tlsa = tlsa
        self.path = path
    }
}

public enum ScheduledOutcome<Result: Sendable>: Sendable {
    case done(Result)
    /// The address or host is on the exclusion list: nothing was sent.
    case excluded
}

/// Gatekeeper of every connection a scan opens, on one loop:
/// 1. the exclusion list, before any packet;
/// 2. de-duplication: one probe per (host, address) for the whole scan, with
///    later requests answered from a bounded cache and concurrent ones waiting
///    for the probe in flight — a provider's MX serving a million domains is
///    probed once per host name;
/// 3. politeness: `ConnectionLimiter` per destination IP and in total; work
///    that may not start yet waits in a queue, retried when a connection ends
///    or the destination's rate allows.
final class ProbeScheduler<Result: Sendable> {
    typealias Work = (_ key: ProbeKey, _ done: @escaping (Result) -> Void) -> Void

    private let loop: EventLoop
    private let exclusions: ExclusionList
    private var limiter: ConnectionLimiter<IPAddress>
    private let cacheCapacity: Int
    private let work: Work
    private let clock = ContinuousClock()
    private let epoch: ContinuousClock.Instant

    private var cache: [ProbeKey: Result] = [:]
    private var cacheOrder: [ProbeKey] = []
    private var cacheOldest = 0
    private var waiters: [ProbeKey: [(ScheduledOutcome<Result>) -> Void]] = [:]
    /// Work not yet started, per destination in request order, and the destinations
    /// with queued work in the order they first waited: a drain visits each waiting
    /// destination once and stops at its first refusal, so a busy provider with
    /// thousands of queued probes costs O(1) per drain, not O(queued probes).
    private var queues: [IPAddress: PendingKeys] = [:]
    private var waitingDestinations: [IPAddress] = []
    private var retryTimer: Timer?

    private(set) var probesStarted = 0
    private(set) var cacheHits = 0

    init(loop: EventLoop, limits: ConnectionLimiter<IPAddress>.Limits, exclusions: ExclusionList = ExclusionList(),
         cacheCapacity: Int = 100_000, work: @escaping Work) {
        self.loop = loop
        self.exclusions = exclusions
        limiter = ConnectionLimiter(limits: limits)
        self.cacheCapacity = max(1, cacheCapacity)
        self.work = work
        epoch = clock.now
    }

    func request(_ key: ProbeKey, _ completion: @escaping (ScheduledOutcome<Result>) -> Void) {
        if isExcluded(key) { return completion(.excluded) }
        if let cached = cache[key] {
            cacheHits += 1
            return completion(.done(cached))
        }
        if waiters[key] != nil {
            cacheHits += 1
            waiters[key, default: []].append(completion)
            return
        }
        waiters[key] = [completion]
        let destination = key.address.ip
        if queues[destination] == nil { waitingDestinations.append(destination) }
        queues[destination, default: PendingKeys()].append(key)
        drain()
    }

    func close() {
        retryTimer?.close()
        retryTimer = nil
    }

    func isExcluded(_ key: ProbeKey) -> Bool {
        if exclusions.isEmpty { return false }
        if exclusions.excludes(domain: key.host) { return true }
        guard let bits = IPBits(key.address.ip.description) else { return false }
        return exclusions.excludes(address: bits)
    }

    private var now: Double {
        let elapsed = epoch.duration(to: clock.now)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// Starts every queued probe the limiter allows, keeping queue order per destination.
    private func drain() {
        var earliestRetry: Double?
        var stillWaiting: [IPAddress] = []
        let now = self.now
        for (index, destination) in waitingDestinations.enumerated() {
            guard var pending = queues[destination] else { continue }
            var totalCapReached = false
            refused: while let key = pending.first {
                switch limiter.acquire(destination, now: now) {
                case .granted:
                    pending.removeFirst()
                    launch(key)
                case .retry(let after):
                    earliestRetry = min(earliestRetry ?? after, after)
                    break refused
                case .busy:
                    // The total cap refuses every destination alike: stop looking.
                    totalCapReached = limiter.activeTotal >= limiter.limits.concurrentTotal
                    break refused
                }
            }
            queues[destination] = pending.isEmpty ? nil : pending
            if !pending.isEmpty { stillWaiting.append(destination) }
            if totalCapReached {
                stillWaiting += waitingDestinations[(index + 1)...]
                break
            }
        }
        waitingDestinations = stillWaiting
        if let earliestRetry { scheduleRetry(after: earliestRetry) }
    }

    private func launch(_ key: ProbeKey) {
        probesStarted += 1
        work(key) { [weak self] result in
            guard let self else { return }
            self.limiter.release(key.address.ip, now: self.now)
            self.remember(result, for: key)
            for waiter in self.waiters.removeValue(forKey: key) ?? [] { waiter(.done(result)) }
            self.drain()
        }
    }

    private func remember(_ result: Result, for key: ProbeKey) {
        if cache.count >= cacheCapacity, cacheOldest < cacheOrder.count {
            cache.removeValue(forKey: cacheOrder[cacheOldest])
            cacheOldest += 1
            if cacheOldest >= 1024, cacheOldest * 2 >= cacheOrder.count {
                cacheOrder.removeFirst(cacheOldest)
                cacheOldest = 0
            }
        }
        cache[key] = result
        cacheOrder.append(key)
    }

    private func scheduleRetry(after seconds: Double) {
        if retryTimer == nil { retryTimer = try? Timer(on: loop) { [weak self] in self?.drain() } }
        guard let retryTimer, !retryTimer.isActive else { return }
        try? retryTimer.start(after: .milliseconds(max(1, Int((seconds * 1000).rounded(.up)))))
    }
}

/// A FIFO of probe keys that pops from the front without moving the rest.
private struct PendingKeys {
    private var keys: [ProbeKey] = []
    private var head = 0

    var first: ProbeKey? { head < keys.count ? keys[head] : nil }
    var isEmpty: Bool { head >= keys.count }

    mutating func append(_ key: ProbeKey) { keys.append(key) }

    mutating func removeFirst() {
        head += 1
        if head >= 64, head * 2 >= keys.count {
            keys.removeFirst(head)
            head = 0
        }
    }
}
