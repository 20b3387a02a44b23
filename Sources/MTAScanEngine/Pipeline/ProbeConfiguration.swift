import MTAScanCore

/// How a scan touches other people's servers: what it trusts, who it says it
/// is, and how gently it goes. Defaults are polite.
public struct ProbeConfiguration: Sendable {
    public var tls: TLSConfiguration
    /// The name said in EHLO from a source without a name of its own, and from the
    /// kernel's choice of source (a destination family without a given source);
    /// the MX phase needs one.
    public var ehloName: DomainName?
    /// The addresses to connect from, each with its EHLO name (none: the kernel's choice).
    public var sources: ProbeSources
    /// Per destination IP and in total, over the whole scan.
    public var limits: ConnectionLimiter<IPAddress>.Limits
    public var exclusions: ExclusionList
    public var policyLimits: PolicyFetchLimits
    public var smtpLimits: STARTTLSProbeLimits
    /// Addresses tried per policy host and probed per MX host (IPv4 first).
    public var maxAddressesPerHost: Int
    /// (MX host, address) results remembered, over the whole scan.
    public var probeCacheCapacity: Int
    /// Probe the MX hosts of every domain, not only of MTA-STS domains.
    public var probeAllMX: Bool
    /// One probe per shared mail server, not per MX name, where the server's
    /// certificate does not depend on SNI (`SharedServerProbes`).
    public var shareProbesAcrossNames: Bool
    public var userAgentVersion: String

    public init(tls: TLSConfiguration = TLSConfiguration(), ehloName: DomainName? = nil,
                sources: ProbeSources = ProbeSources(),
                limits: ConnectionLimiter<IPAddress>.Limits = .init(), exclusions: ExclusionList = ExclusionList(),
                policyLimits: PolicyFetchLimits = .init(), smtpLimits: STARTTLSProbeLimits = .init(),
                maxAddressesPerHost: Int = 4, probeCacheCapacity: Int = 100_000, probeAllMX: Bool = false,
                shareProbesAcrossNames: Bool = true, userAgentVersion: String) {
        self.tls = tls
        self.ehloName = ehloName
        self.sources = sources
        self.limits = limits
        self.exclusions = exclusions
        self.policyLimits = policyLimits
        self.smtpLimits = smtpLimits
        self.maxAddressesPerHost = max(1, maxAddressesPerHost)
        self.probeCacheCapacity = max(1, probeCacheCapacity)
        self.probeAllMX = probeAllMX
        self.shareProbesAcrossNames = shareProbesAcrossNames
        self.userAgentVersion = userAgentVersion
    }

    /// Where a connection to `destination` binds (nil: the kernel chooses) and the
    /// name it says in EHLO: the bound source's own.
    func origin(toward destination: SocketAddress) -> (bind: SocketAddress?, ehloName: DomainName?) {
        guard let source = sources.source(toward: destination.ip) else { return (nil, ehloName) }
        return (SocketAddress(ip: source.address, port: 0), source.ehloName ?? ehloName)
    }

    /// This configuration's share of the limits on one of `loops` loops: each
    /// destination IP belongs to one loop, so per-destination limits hold
    /// exactly; the total cap is split.
    func share(of loops: Int) -> ProbeConfiguration {
        var copy = self
        copy.limits.concurrentTotal = max(1, limits.concurrentTotal / max(1, loops))
        copy.probeCacheCapacity = max(1, probeCacheCapacity / max(1, loops))
        return copy
    }
}
