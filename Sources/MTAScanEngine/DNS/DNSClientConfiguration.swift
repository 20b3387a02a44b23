public import MTAScanCore

/// How a `DNSClient` talks to its resolvers. Defaults suit a resolver on the
/// same network; a public resolver wants a lower `queriesPerSecondPerResolver`.
public struct DNSClientConfiguration: Sendable {
    /// Recursive resolvers, tried in turn; at least one.
    public var resolvers: [SocketAddress]
    /// Time to wait for the first attempt's answer; each retry waits twice as long as the one before.
    public var timeout: Duration = .seconds(2)
    /// Attempts per query over UDP (a truncated answer's TCP retry does not count).
    public var attempts: Int = 3
    /// EDNS0 UDP payload size advertised (RFC 6891); 1232 avoids IP fragmentation.
    public var ednsBufferSize: UInt16 = 1232
    /// Queries sent and not yet answered, per client; more wait in a queue.
    /// A ceiling: each resolver's congestion window finds the operating point.
    public var maxInFlight: Int = 4096
    /// Each resolver's congestion window at the start, before it has learnt anything.
    public var initialWindow: Int = 32
    /// Queries per second to each resolver (token bucket); 0 for no limit.
    public var queriesPerSecondPerResolver: Int = 50_000
    /// UDP sockets per address family, each on its own kernel-chosen random port.
    public var socketCount: Int = 16
    /// CNAMEs followed from the answer section before giving up.
    public var maxCNAMEChain: Int = 8
    /// Consecutive timeouts after which a resolver is skipped for `resolverCooldown`.
    public var resolverFailureThreshold: Int = 10
    public var resolverCooldown: Duration = .seconds(5)

    /// The congestion window of each resolver: from `initialWindow` up to `maxInFlight`.
    public var windowSettings: CongestionWindow.Settings {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) * 1e-18
        var settings = CongestionWindow.Settings(ceiling: maxInFlight, timeout: seconds)
        settings.initial = min(initialWindow, maxInFlight)
        settings.floor = min(settings.floor, maxInFlight)
        return settings
    }

    public init(resolvers: [SocketAddress]) {
        self.resolvers = resolvers
    }

    /// The share of the limits one of `count` clients (one per loop) gets.
    public mutating func divideLimits(by count: Int) {
        guard count > 1 else { return }
        maxInFlight = max(1, maxInFlight / count)
        if queriesPerSecondPerResolver > 0 {
            queriesPerSecondPerResolver = max(1, queriesPerSecondPerResolver / count)
        }
    }
}
