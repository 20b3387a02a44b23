import MTAScanCore

/// The rate limits of `notify send` (docs/notify.md, "Rate limits"),
/// counted from the send log, so that they hold across runs: a run killed and
/// started again does not get a fresh allowance.
///
/// - total: hand-offs are spaced evenly, one every 3600/perHour seconds after
///   the last one, whichever run made it (the send loop sleeps);
/// - per recipient domain and per provider: at most so many hand-offs in any
///   hour; a notice over its quota waits for a later run (the loop does not
///   sleep an hour for it).
/// Every hand-off that may have reached the relay counts: accepted, uncertain,
/// interrupted. Refusals and dry runs do not.
public struct SendPacing: Sendable {
    public struct Limits: Sendable, Equatable {
        public var perHour: Int
        public var perDomainPerHour: Int
        public var perProviderPerHour: Int

        public init(perHour: Int = 60, perDomainPerHour: Int = 1, perProviderPerHour: Int = 20) {
            self.perHour = perHour
            self.perDomainPerHour = perDomainPerHour
            self.perProviderPerHour = perProviderPerHour
        }

        /// Milliseconds between two hand-offs.
        public var intervalMilliseconds: Int64 { perHour > 0 ? (3_600_000 + Int64(perHour) - 1) / Int64(perHour) : 0 }
    }

    public let limits: Limits
    /// Hand-offs of the last hour: (seconds, domain, provider).
    private var recent: [(at: Int64, domain: String, provider: String)]
    /// The last hand-off, in milliseconds since the epoch.
    private var lastMilliseconds: Int64?

    public init(limits: Limits, history: [CampaignStore.SendLogEntry]) {
        self.limits = limits
        recent = history.map { ($0.attemptAt, $0.domain, $0.provider) }
        lastMilliseconds = history.map(\.attemptAt).max().map { $0 * 1000 }
    }

    /// Why `domain` must wait for a later run, or nil when its quotas allow a hand-off now.
    public func blocked(domain: String, provider: String, now: Int64) -> String? {
        let hour = recent.filter { $0.at > now - 3600 }
        if hour.count(where: { $0.domain == domain }) >= limits.perDomainPerHour {
            return "its domain had \(limits.perDomainPerHour) hand-off(s) in the last hour (--per-domain-per-hour)"
        }
        if hour.count(where: { $0.provider == provider }) >= limits.perProviderPerHour {
            return "its provider \(provider) had \(limits.perProviderPerHour) hand-offs in the last hour (--per-provider-per-hour)"
        }
        return nil
    }

    /// How long to sleep before the next hand-off (milliseconds).
    public func wait(nowMilliseconds: Int64) -> Int64 {
        guard let lastMilliseconds else { return 0 }
        return max(0, lastMilliseconds + limits.intervalMilliseconds - nowMilliseconds)
    }

    public mutating func record(domain: String, provider: String, atMilliseconds: Int64) {
        recent.append((atMilliseconds / 1000, domain, provider))
        lastMilliseconds = atMilliseconds
    }

    /// The provider a notice counts against: the one the scan named (policy
    /// host or MX provider, docs/providers.md), else the last two labels of
    /// its first MX host (a coarse stand-in for the registrable domain),
    /// else the domain itself.
    public static func provider(of candidate: NoticeCandidate) -> String {
        if let provider = candidate.provider, !provider.isEmpty { return provider }
        if let mx = candidate.mxHosts.first {
            let labels = mx.lowercased().split(separator: ".").filter { !$0.isEmpty }
            if labels.count >= 2 { return "mx:" + labels.suffix(2).joined(separator: ".") }
        }
        return "domain:" + candidate.domain.lowercased()
    }
}
