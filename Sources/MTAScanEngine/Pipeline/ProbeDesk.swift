import MTAScanCore

/// The probes of one loop: every destination IP belongs to exactly one desk
/// (`EventLoopGroup.loop(for:)`), so its politeness limits and the
/// de-duplication of (host, address) hold for the whole scan, whatever loop
/// the domain that asks is resolved on. Loop-confined.
final class ProbeDesk {
    let loop: EventLoop
    private let context: TLSContext
    private let configuration: ProbeConfiguration
    private var policyScheduler: ProbeScheduler<PolicyFetchResult>?
    private var mxScheduler: ProbeScheduler<STARTTLSProbeResult>?
    /// On `mxScheduler`, unless every name is to be probed (`shareProbesAcrossNames`).
    private var sharedServers: SharedServerProbes?
    /// TLS-RPT https endpoints (phase tlsrpt): few distinct ones (report
    /// providers serve many domains), each connected to once per scan.
    private var endpointScheduler: ProbeScheduler<PolicyFetchResult>?

    init(loop: EventLoop, configuration: ProbeConfiguration) throws {
        self.loop = loop
        self.configuration = configuration
        context = try TLSContext(configuration: configuration.tls)
        // Policy hosts are per domain (mta-sts.<domain>): a small cache catches
        // repeats in the input; MX hosts are shared, and cached broadly.
        policyScheduler = ProbeScheduler(loop: loop, limits: configuration.limits, exclusions: configuration.exclusions,
                                         cacheCapacity: 1024) { [unowned self] key, done in
            self.fetchPolicy(key, done)
        }
        mxScheduler = ProbeScheduler(loop: loop, limits: configuration.limits, exclusions: configuration.exclusions,
                                     cacheCapacity: configuration.probeCacheCapacity) { [unowned self] key, done in
            self.probeMX(key, done)
        }
        if configuration.shareProbesAcrossNames, let mxScheduler {
            sharedServers = SharedServerProbes(scheduler: mxScheduler, capacity: configuration.probeCacheCapacity)
        }
        endpointScheduler = ProbeScheduler(loop: loop, limits: configuration.limits,
                                           exclusions: configuration.exclusions, cacheCapacity: 4096) { [unowned self] key, done in
            self.checkReportEndpoint(key, done)
        }
    }

    func requestReportEndpoint(_ key: ProbeKey, _ completion: @escaping (ScheduledOutcome<PolicyFetchResult>) -> Void) {
        guard let endpointScheduler else { return completion(.excluded) }
        endpointScheduler.request(key, completion)
    }

    func requestPolicy(_ key: ProbeKey, _ completion: @escaping (ScheduledOutcome<PolicyFetchResult>) -> Void) {
        guard let policyScheduler else { return completion(.excluded) }
        policyScheduler.request(key, completion)
    }

    func requestMX(_ key: ProbeKey, _ completion: @escaping (ScheduledOutcome<STARTTLSProbeResult>) -> Void) {
        guard let mxScheduler else { return completion(.excluded) }
        if let sharedServers { return sharedServers.request(key, completion) }
        mxScheduler.request(key, completion)
    }

    var statistics: ProbeStatistics {
        ProbeStatistics(policyFetches: policyScheduler?.probesStarted ?? 0, mxProbes: mxScheduler?.probesStarted ?? 0,
                        cacheHits: (policyScheduler?.cacheHits ?? 0) + (mxScheduler?.cacheHits ?? 0),
                        mxSharedAnswers: sharedServers?.sharedAnswers ?? 0, sniChecks: sharedServers?.sniChecks ?? 0,
                        reportEndpointConnections: endpointScheduler?.probesStarted ?? 0,
                        reportEndpointConnectionCacheHits: endpointScheduler?.cacheHits ?? 0)
    }

    func close() {
        policyScheduler?.close()
        mxScheduler?.close()
        endpointScheduler?.close()
        policyScheduler = nil
        mxScheduler = nil
        sharedServers = nil
        endpointScheduler = nil
    }

    private func fetchPolicy(_ key: ProbeKey, _ done: @escaping (PolicyFetchResult) -> Void) {
        do {
            guard let host = DomainName(key.host) else { throw ProbeSetupError.badHostName }
            try PolicyFetch(loop: loop, context: context, host: host, address: key.address,
                            source: configuration.origin(toward: key.address).bind,
                            userAgentVersion: configuration.userAgentVersion, limits: configuration.policyLimits,
                            completion: done).start()
        } catch {
            // Never complete inside the scheduler's own call: it is still iterating its queue.
            let failure = PolicyFetchResult(address: key.address, findings: [Finding(.policyTCP, [
                "reason": .string(ConnectFailureReason.of(error)), "address": .string(key.address.ip.description)])], policy: nil, tls: nil,
                httpStatus: nil)
            let deferred = LoopBound(done)
            _ = loop.execute { deferred.value(failure) }
        }
    }

    /// `HEAD` of a TLS-RPT https endpoint over the policy fetch's transport:
    /// SNI and PKIX for the URI's host, no redirects, a body cap of 0 (only
    /// the status matters; a body fails the read after the status is known).
    private func checkReportEndpoint(_ key: ProbeKey, _ done: @escaping (PolicyFetchResult) -> Void) {
        do {
            guard let host = DomainName(key.host) else { throw ProbeSetupError.badHostName }
            let target = ReportEndpointTarget(scheme: .https, host: host, port: Int(key.address.port),
                                              requestTarget: key.path)
            let userAgent = PolicyFetchRequest(version: configuration.userAgentVersion).userAgent
            try PolicyFetch(loop: loop, context: context, host: host, address: key.address,
                            source: configuration.origin(toward: key.address).bind,
                            userAgentVersion: configuration.userAgentVersion, limits: configuration.policyLimits,
                            request: ReportEndpointRequest.bytes(target, userAgent: userAgent), maxBodyBytes: 0,
                            completion: done).start()
        } catch {
            let failure = PolicyFetchResult(address: key.address, findings: [Finding(.policyTCP, [
                "reason": .string(ConnectFailureReason.of(error))])], policy: nil, tls: nil, httpStatus: nil)
            let deferred = LoopBound(done)
            _ = loop.execute { deferred.value(failure) }
        }
    }

    private func probeMX(_ key: ProbeKey, _ done: @escaping (STARTTLSProbeResult) -> Void) {
        do {
            // The EHLO name is the one of the source this connection binds.
            let origin = configuration.origin(toward: key.address)
            guard let host = DomainName(key.host), let ehlo = origin.ehloName else {
                throw ProbeSetupError.badHostName
            }
            try STARTTLSProbe(loop: loop, context: context, host: host, address: key.address,
                              source: origin.bind, ehloName: ehlo,
                              limits: configuration.smtpLimits, tlsa: key.tlsa, completion: done).start()
        } catch {
            let failure = STARTTLSProbeResult(address: key.address, findings: [Finding(.mxTCP, [
                "mx_host": .string(key.host), "address": .string(key.address.ip.description),
                "reason": .string(ConnectFailureReason.of(error))])], smtp: nil, tls: nil,
                source: configuration.origin(toward: key.address).bind)
            let deferred = LoopBound(done)
            _ = loop.execute { deferred.value(failure) }
        }
    }
}

enum ProbeSetupError: Error, CustomStringConvertible {
    case badHostName
    var description: String { "bad-host-name" }
}

/// Connections a scan made, summed over loops.
public struct ProbeStatistics: Sendable, Equatable {
    public var policyFetches = 0
    public var mxProbes = 0
    /// Requests answered by a probe already made or in flight.
    public var cacheHits = 0
    /// MX names answered from another name's probe at a server whose
    /// certificate does not depend on SNI (`SharedServerProbes`).
    public var mxSharedAnswers = 0
    /// Of `mxProbes`, those under the SNI check name.
    public var sniChecks = 0
    /// Phase tlsrpt: distinct report endpoints checked (one lookup set each), and
    /// requests answered by a check already made or in flight.
    public var reportEndpointChecks = 0
    public var reportEndpointCacheHits = 0
    /// Phase tlsrpt: connections to https endpoints, and requests for one already made.
    public var reportEndpointConnections = 0
    public var reportEndpointConnectionCacheHits = 0

    public init(policyFetches: Int = 0, mxProbes: Int = 0, cacheHits: Int = 0, mxSharedAnswers: Int = 0,
                sniChecks: Int = 0, reportEndpointChecks: Int = 0, reportEndpointCacheHits: Int = 0,
                reportEndpointConnections: Int = 0, reportEndpointConnectionCacheHits: Int = 0) {
        self.policyFetches = policyFetches
        self.mxProbes = mxProbes
        self.cacheHits = cacheHits
        self.mxSharedAnswers = mxSharedAnswers
        self.sniChecks = sniChecks
        self.reportEndpointChecks = reportEndpointChecks
        self.reportEndpointCacheHits = reportEndpointCacheHits
        self.reportEndpointConnections = reportEndpointConnections
        self.reportEndpointConnectionCacheHits = reportEndpointConnectionCacheHits
    }

    mutating func add(_ other: ProbeStatistics) {
        policyFetches += other.policyFetches
        mxProbes += other.mxProbes
        cacheHits += other.cacheHits
        mxSharedAnswers += other.mxSharedAnswers
        sniChecks += other.sniChecks
        reportEndpointChecks += other.reportEndpointChecks
        reportEndpointCacheHits += other.reportEndpointCacheHits
        reportEndpointConnections += other.reportEndpointConnections
        reportEndpointConnectionCacheHits += other.reportEndpointConnectionCacheHits
    }
}

/// A value that is only ever used on one loop's thread, carried to that loop
/// through `EventLoop.execute`. @unchecked: the confinement is the caller's
/// promise, asserted by the loop-confined types the value touches.
final class LoopBound<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
