import Dispatch
import MTAScanCore

public struct DNSPhaseConfiguration: Sendable {
    public var client: DNSClientConfiguration
    /// Event loop threads (default: one per core).
    public var threads: Int
    /// Domains resolving at once, over all loops: bounds memory, whatever the input size.
    public var maxDomainsInFlight: Int
    /// MX host names remembered per loop.
    public var hostCacheCapacity: Int
    /// Resolve the policy host and MX addresses of every domain, not only of
    /// those with an MTA-STS record.
    public var resolveEverything: Bool
    /// Look up TLSA records of MX hosts (`_25._tcp.<mx>`, DANE).
    public var resolveTLSA: Bool

    public init(client: DNSClientConfiguration, threads: Int = EventLoopGroup.defaultThreadCount,
                maxDomainsInFlight: Int = 4096, hostCacheCapacity: Int = 100_000, resolveEverything: Bool = false,
                resolveTLSA: Bool = false) {
        self.resolveTLSA = resolveTLSA
        self.client = client
        self.threads = threads
        self.maxDomainsInFlight = maxDomainsInFlight
        self.hostCacheCapacity = hostCacheCapacity
        self.resolveEverything = resolveEverything
    }
}

/// Runs the DNS phase for a stream of domains on a group of event loops.
///
/// The caller (one input thread) submits domains; `submit` blocks while
/// `maxDomainsInFlight` are unfinished, so a 100-million-name input streams
/// through in bounded memory. Each domain is resolved on one loop, by that
/// loop's DNS client and MX-host cache; its completion runs on that loop.
public final class DNSPhaseScanner: Sendable {
    private let group: EventLoopGroup
    private let states: [LoopState]
    private let window: DispatchSemaphore
    private let configuration: DNSPhaseConfiguration

    /// Loop-confined state: created, used and closed on its loop's thread only.
    private final class LoopState: @unchecked Sendable {
        // @unchecked: every access happens on `loop`'s thread (asserted by the
        // loop-confined types themselves); the class only carries them there.
        let loop: EventLoop
        var client: DNSClient?
        var cache: HostAddressCache?
        init(loop: EventLoop) { self.loop = loop }
    }

    public init(configuration: DNSPhaseConfiguration) throws {
        self.configuration = configuration
        group = try EventLoopGroup(threads: max(1, configuration.threads), label: "mtascan-dns")
        states = group.loops.map(LoopState.init)
        window = DispatchSemaphore(value: max(1, configuration.maxDomainsInFlight))
        var clientConfiguration = configuration.client
        // Each loop gets its share of the global limits.
        clientConfiguration.divideLimits(by: states.count)
        let ready = DispatchSemaphore(value: 0)
        let failures = FailureBox()
        for state in states {
            state.loop.execute { [clientConfiguration] in
                do {
                    let client = try DNSClient(loop: state.loop, configuration: clientConfiguration)
                    state.client = client
                    state.cache = HostAddressCache(client: client, capacity: configuration.hostCacheCapacity)
                } catch {
                    failures.record(error)
                }
                ready.signal()
            }
        }
        for _ in states { ready.wait() }
        if let error = failures.first {
            group.shutdown()
            throw error
        }
    }

    /// Resolves one domain; `completion` runs on a loop thread with the facts.
    /// Blocks while the in-flight window is full.
    public func submit(_ domain: DomainName, completion: @escaping @Sendable (DomainDNSFacts) -> Void) {
        window.wait()
        let state = group.loop(forKey: domain.text)
        let owner = states.first { $0.loop === state } ?? states[0]
        let resolveEverything = configuration.resolveEverything
        let resolveTLSA = configuration.resolveTLSA
        let window = self.window
        owner.loop.execute {
            guard let client = owner.client, let cache = owner.cache else {
                window.signal()
                return
            }
            DomainResolution(domain: domain, client: client, hostCache: cache, resolveEverything: resolveEverything,
                             resolveTLSA: resolveTLSA) { facts in
                completion(facts)
                window.signal()
            }.start()
        }
    }

    /// Waits for every submitted domain, then stops the loops. Returns the
    /// DNS clients' statistics, summed.
    @discardableResult
    public func finish() -> DNSClientStatistics {
        let permits = max(1, configuration.maxDomainsInFlight)
        for _ in 0..<permits { window.wait() }
        let collected = StatisticsBox()
        let done = DispatchSemaphore(value: 0)
        for state in states {
            state.loop.execute {
                if let client = state.client { collected.add(client.statistics) }
                state.client?.close()
                state.client = nil
                state.cache = nil
                done.signal()
            }
        }
        for _ in states { done.wait() }
        group.shutdown()
        for _ in 0..<permits { window.signal() }
        return collected.total
    }
}
