import Dispatch
import Synchronization
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

/// What the scan learned about one domain, every phase that ran.
public struct DomainScanOutcome: Sendable {
    public var facts: DomainDNSFacts
    public var dns: DNSPhaseAssessment
    public var probes: DomainProbeResults
    /// Phase tlsrpt: each `rua` URI's endpoint; nil when the phase did not run
    /// (empty when the domain has no valid TLS-RPT record).
    public var reportEndpoints: [ReportEndpointObservation]? = nil
}

/// Runs the phases of a scan for a stream of domains on a group of event loops.
///
/// The caller (one input thread) submits domains; `submit` blocks while
/// `maxDomainsInFlight` are unfinished, so a 100-million-name input streams
/// through in bounded memory. Each domain is resolved on one loop, by that
/// loop's DNS client and MX-host cache; its probes go to the loops that own
/// their destination IPs (`ProbeDesk`); its completion runs on its own loop.
public final class DomainScanner: Sendable {
    private let group: EventLoopGroup
    private let states: [LoopState]
    private let window: AdmissionWindow
    private let configuration: DNSPhaseConfiguration
    private let probes: ProbeConfiguration?
    private let fetchPolicies: Bool
    private let probeMX: Bool
    private let router: ProbeRouter
    private let checkReportEndpoints: Bool
    private let endpointRouter: ReportEndpointRouter
    /// Set by `stopAdmitting()`: `submit` refuses from then on.
    private let admissionClosed = Atomic<Bool>(false)

    /// Loop-confined state: created, used and closed on its loop's thread only.
    private final class LoopState: @unchecked Sendable {
        // @unchecked: every access happens on `loop`'s thread (asserted by the
        // loop-confined types themselves); the class only carries them there.
        let loop: EventLoop
        var client: DNSClient?
        var cache: HostAddressCache?
        let desk: LoopBound<ProbeDesk>?
        var endpointDesk: ReportEndpointDesk?
        init(loop: EventLoop, desk: ProbeDesk?) {
            self.loop = loop
            self.desk = desk.map(LoopBound.init)
        }
    }

    /// `probes` is needed when `phases` has `policy`, `mx` or `tlsrpt`.
    public init(configuration: DNSPhaseConfiguration, phases: Set<ScanRecord.Phase> = [.dns],
                probes: ProbeConfiguration? = nil) throws {
        self.configuration = configuration
        self.probes = probes
        fetchPolicies = phases.contains(.policy) && probes != nil
        probeMX = phases.contains(.mx) && probes?.ehloName != nil
        checkReportEndpoints = phases.contains(.tlsrpt) && probes != nil
        group = try EventLoopGroup(threads: max(1, configuration.threads), label: "mtascan-scan")
        let loops = group.loops
        // Desks are created here but used only on their loops; a TLS context
        // is created per loop, so no OpenSSL object is shared between threads.
        var desks: [ProbeDesk?] = []
        if let probes, fetchPolicies || probeMX || checkReportEndpoints {
            let share = probes.share(of: loops.count)
            for loop in loops { desks.append(try ProbeDesk(loop: loop, configuration: share)) }
        } else {
            desks = loops.map { _ in nil }
        }
        states = zip(loops, desks).map { LoopState(loop: $0.0, desk: $0.1) }
        router = ProbeRouter(group: group, desks: states.compactMap(\.desk))
        // Endpoint desks, like probe desks, are made here and used only on their loops.
        var endpointDesks: [LoopBound<ReportEndpointDesk>] = []
        if checkReportEndpoints, let probes {
            for state in states {
                let desk = ReportEndpointDesk(loop: state.loop, router: router, exclusions: probes.exclusions,
                                              maxAddresses: probes.maxAddressesPerHost)
                state.endpointDesk = desk
                endpointDesks.append(LoopBound(desk))
            }
        }
        endpointRouter = ReportEndpointRouter(group: group, desks: endpointDesks)
        window = AdmissionWindow(capacity: configuration.maxDomainsInFlight)
        var clientConfiguration = configuration.client
        // Each loop gets its share of the global limits.
        clientConfiguration.divideLimits(by: states.count)
        let ready = DispatchSemaphore(value: 0)
        let failures = FailureBox()
        for state in states {
            _ = state.loop.execute { [clientConfiguration] in
                do {
                    let client = try DNSClient(loop: state.loop, configuration: clientConfiguration)
                    state.client = client
                    state.cache = HostAddressCache(client: client, capacity: configuration.hostCacheCapacity)
                    state.endpointDesk?.client = client
                    state.endpointDesk?.hostCache = state.cache
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

    /// Scans one domain; `completion` runs on a loop thread with what was found.
    /// Blocks while the in-flight window is full. Returns false, without
    /// scanning, once `stopAdmitting()` was called (also while blocked).
    @discardableResult
    public func submit(_ domain: DomainName, completion: @escaping @Sendable (DomainScanOutcome) -> Void) -> Bool {
        guard window.acquire(unless: { admissionClosed.load(ordering: .acquiring) }) else { return false }
        let state = group.loop(forKey: domain.text)
        let owner = states.first { $0.loop === state } ?? states[0]
        let resolveEverything = configuration.resolveEverything
        let resolveAllMXHosts = probeMX && probes?.probeAllMX == true
        let resolveTLSA = configuration.resolveTLSA
        let window = self.window
        let router = self.router
        let probes = self.probes
        let fetchPolicies = self.fetchPolicies
        let probeMX = self.probeMX
        let checkReportEndpoints = self.checkReportEndpoints
        let endpointRouter = self.endpointRouter
        _ = owner.loop.execute {
            guard let client = owner.client, let cache = owner.cache else {
                window.release()
                return
            }
            DomainResolution(domain: domain, client: client, hostCache: cache, resolveEverything: resolveEverything,
                             resolveAllMXHosts: resolveAllMXHosts,
                             resolveTLSA: resolveTLSA) { facts in
                let assessment = DNSPhaseClassifier.assess(facts)
                let relevant = assessment.hasMTASTSRecord
                let policy = fetchPolicies && relevant
                // A DANE-secured MX host is probed whatever MTA-STS says: its DANE check needs the handshake.
                let mx = probeMX && (relevant || probes?.probeAllMX == true || DANETargets.hasAny(facts))
                // Phase tlsrpt: the endpoints of a valid TLS-RPT record, MTA-STS or not
                // (TLS-RPT reports DANE failures too).
                let uris = checkReportEndpoints ? (assessment.tlsrptRecord.map { $0.isValid ? $0.rua : [] } ?? []) : nil
                // One completion for the domain, when the probes and the endpoint checks are both in.
                let join = OutcomeJoin(outcome: DomainScanOutcome(facts: facts, dns: assessment, probes: DomainProbeResults(),
                                                                  reportEndpoints: uris.map { _ in [] })) { outcome in
                    completion(outcome)
                    window.release()
                }
                if let probes, policy || mx {
                    join.pending += 1
                    DomainProbes(facts: facts, loop: owner.loop, router: router, configuration: probes) { results in
                        join.outcome.probes = results
                        join.stepDone()
                    }.start(fetchPolicy: policy, probeMX: mx)
                }
                if let uris, !uris.isEmpty {
                    join.pending += 1
                    DomainReportEndpoints(uris: uris, loop: owner.loop, router: endpointRouter) { observations in
                        join.outcome.reportEndpoints = observations
                        join.stepDone()
                    }.start()
                }
                join.stepDone()
            }.start()
        }
        return true
    }

    /// Refuses every later `submit`, also one blocked in the window now: the
    /// first step of a clean stop. Domains already submitted go on.
    public func stopAdmitting() {
        admissionClosed.store(true, ordering: .releasing)
    }

    /// Waits until every submitted domain has completed or `deadline()` has
    /// passed, whichever comes first, and returns how many were still in
    /// flight then (0: all done). `deadline` is asked again every few
    /// milliseconds, so a caller may move it (nil: no deadline), as a second
    /// signal does. Call it once, from the one thread that ends the scan (the
    /// input thread or a signal's), after `stopAdmitting()` or the last `submit`.
    public func drain(until deadline: () -> ContinuousClock.Instant?) -> Int {
        window.waitUntilEmpty(until: deadline)
    }

    /// Waits for every submitted domain, then stops the loops. Returns the
    /// DNS clients' statistics and the probes', summed.
    @discardableResult
    public func finish() -> (dns: DNSClientStatistics, probes: ProbeStatistics) {
        // After a drain that timed out, wait for the rest too (a caller that
        // must not wait calls `statistics()` and leaves the loops running).
        _ = window.waitUntilEmpty(until: { nil })
        let totals = collectStatistics(closing: true)
        group.shutdown()
        return totals
    }

    /// The statistics so far, summed over the loops, which keep running: for
    /// the metadata of a scan that stops with domains still in flight.
    public func statistics() -> (dns: DNSClientStatistics, probes: ProbeStatistics) {
        collectStatistics(closing: false)
    }

    private func collectStatistics(closing: Bool) -> (dns: DNSClientStatistics, probes: ProbeStatistics) {
        let collected = StatisticsBox()
        let probeTotals = ProbeStatisticsBox()
        let done = DispatchSemaphore(value: 0)
        for state in states {
            _ = state.loop.execute {
                if let client = state.client { collected.add(client.statistics) }
                if let desk = state.desk { probeTotals.add(desk.value.statistics) }
                if let desk = state.endpointDesk {
                    probeTotals.add(ProbeStatistics(reportEndpointChecks: desk.checksStarted,
                                                    reportEndpointCacheHits: desk.cacheHits))
                }
                if closing {
                    state.desk?.value.close()
                    state.endpointDesk?.client = nil
                    state.endpointDesk?.hostCache = nil
                    state.client?.close()
                    state.client = nil
                    state.cache = nil
                }
                done.signal()
            }
        }
        for _ in states { done.wait() }
        return (collected.total, probeTotals.total)
    }
}

/// Joins the parts of one domain's scan that run at once (probes, endpoint
/// checks): `pending` starts at 1, held while the parts start, so a part that
/// answers at once cannot complete the domain before the others began.
private final class OutcomeJoin {
    var outcome: DomainScanOutcome
    var pending = 1
    private let completion: (DomainScanOutcome) -> Void

    init(outcome: DomainScanOutcome, completion: @escaping (DomainScanOutcome) -> Void) {
        self.outcome = outcome
        self.completion = completion
    }

    func stepDone() {
        pending -= 1
        guard pending == 0 else { return }
        completion(outcome)
    }
}
