import MTAScanCore

/// The TLS-RPT report endpoints of one loop (phase tlsrpt): every endpoint
/// (`ReportEndpointTarget.key`) belongs to exactly one desk, by a hash of the
/// key, so each is looked up once for the whole scan, however many domains
/// name it (a report provider serves millions). Loop-confined.
///
/// - `mailto:`: MX of the mail domain; A/AAAA only when there is no MX RRset
///   (RFC 5321 §5.1's implicit MX), through the loop's host address cache.
/// - `https:`: A/AAAA of the host, then a `HEAD` through the probe desks
///   (`ProbeRouter.reportEndpoint`): the same exclusions, per-destination
///   limits and (host, address) de-duplication as every other connection.
///   Addresses are tried in order (IPv4 first) until one takes a TCP
///   connection, as a sender would.
///
/// Conclusive results are kept in a bounded FIFO cache; a result resting on a
/// failed lookup is answered but not kept, so a later domain tries again.
final class ReportEndpointDesk {
    let loop: EventLoop
    private let router: ProbeRouter
    private let exclusions: ExclusionList
    private let maxAddresses: Int
    private let capacity: Int
    /// Set on the loop once its DNS client exists (`DomainScanner`).
    var client: DNSClient?
    var hostCache: HostAddressCache?

    private var known: [String: ReportEndpointResult] = [:]
    private var order: [String] = []
    private var oldest = 0
    private var waiters: [String: [(ReportEndpointResult) -> Void]] = [:]

    private(set) var checksStarted = 0
    private(set) var cacheHits = 0

    init(loop: EventLoop, router: ProbeRouter, exclusions: ExclusionList, maxAddresses: Int, capacity: Int = 16_384) {
        self.loop = loop
        self.router = router
        self.exclusions = exclusions
        self.maxAddresses = max(1, maxAddresses)
        self.capacity = max(1, capacity)
    }

    /// On this desk's loop; `completion` runs on it too, possibly at once (a cached or excluded endpoint).
    func check(_ target: ReportEndpointTarget, _ completion: @escaping (ReportEndpointResult) -> Void) {
        // An excluded name gets nothing: no lookup, no connection.
        if !exclusions.isEmpty, exclusions.excludes(domain: target.host.text) {
            return completion(ReportEndpointResult(status: .excluded))
        }
        let key = target.key
        if let result = known[key] {
            cacheHits += 1
            return completion(result)
        }
        if waiters[key] != nil {
            cacheHits += 1
            waiters[key, default: []].append(completion)
            return
        }
        guard let client, let hostCache else {
            return completion(ReportEndpointResult(status: .unknown, reason: .dnsFailure))
        }
        checksStarted += 1
        waiters[key] = [completion]
        let done: (ReportEndpointResult) -> Void = { [weak self] result in self?.store(result, for: key) }
        switch target.scheme {
        case .mailto: checkMailto(target.host, client: client, hostCache: hostCache, done)
        case .https: checkHTTPS(target, hostCache: hostCache, done)
        }
    }

    private func checkMailto(_ domain: DomainName, client: DNSClient, hostCache: HostAddressCache,
                             _ done: @escaping (ReportEndpointResult) -> Void) {
        client.query(domain, .mx) { lookup in
            let mx = lookup.coreResult { (rdata: DNSRData) -> MXRecordValue? in
                if case .mx(let preference, let exchange) = rdata {
                    MXRecordValue(preference: Int(preference), host: exchange == "." ? "" : exchange)
                } else { nil }
            }
            guard ReportEndpointCheck.mailtoNeedsAddresses(mx) else {
                return done(ReportEndpointCheck.mailto(mx: mx, addresses: nil))
            }
            hostCache.addresses(of: domain) { addresses in
                done(ReportEndpointCheck.mailto(mx: mx, addresses: addresses))
            }
        }
    }

    private func checkHTTPS(_ target: ReportEndpointTarget, hostCache: HostAddressCache,
                            _ done: @escaping (ReportEndpointResult) -> Void) {
        hostCache.addresses(of: target.host) { addresses in
            if let settled = ReportEndpointCheck.httpsAddresses(addresses) { return done(settled) }
            let candidates = DomainProbes.addresses(ipv4: addresses.ipv4.values, ipv6: addresses.ipv6.values,
                                                    port: UInt16(target.port), limit: self.maxAddresses)
            self.connect(candidates[...], target: target, addresses: addresses, last: nil, done)
        }
    }

    /// The next address, until one takes a TCP connection; the last failure otherwise.
    private func connect(_ remaining: ArraySlice<SocketAddress>, target: ReportEndpointTarget,
                         addresses: HostAddresses, last: ReportEndpointResult?,
                         _ done: @escaping (ReportEndpointResult) -> Void) {
        guard let address = remaining.first else {
            // Every address excluded (nothing sent), or every one refused TCP.
            return done(last ?? ReportEndpointResult(status: .excluded))
        }
        let key = ProbeKey(host: target.host.text, address: address, path: target.requestTarget)
        router.reportEndpoint(key, from: loop) { outcome in
            switch outcome {
            case .excluded:
                self.connect(remaining.dropFirst(), target: target, addresses: addresses, last: last, done)
            case .done(let fetched):
                let connection = Self.connection(fetched)
                let result = ReportEndpointCheck.https(addresses: addresses, address: address.ip.description,
                                                       connection: connection)
                if case .tcpFailed = connection {
                    self.connect(remaining.dropFirst(), target: target, addresses: addresses, last: result, done)
                } else {
                    done(result)
                }
            }
        }
    }

    /// The policy fetch's transport result, read as an endpoint check: its
    /// `policy-*` findings name the stage that failed, never reported as such.
    static func connection(_ result: PolicyFetchResult) -> ReportEndpointConnection {
        if let tcp = result.findings.first(where: { $0.code == .policyTCP }) {
            return .tcpFailed(reason: tcp[detail: "reason"]?.stringValue ?? "error")
        }
        if let tls = result.findings.first(where: { $0.code == .policyTLS }) {
            return .tlsFailed(reason: tls[detail: "reason"]?.stringValue ?? "error",
                              verifyError: tls[detail: "verify_error"]?.intValue)
        }
        if let status = result.httpStatus { return .answered(status: status) }
        let http = result.findings.first { $0.code == .policyHTTP }
        return .noStatus(reason: http?[detail: "reason"]?.stringValue ?? "error")
    }

    private func store(_ result: ReportEndpointResult, for key: String) {
        if result.reason != .dnsFailure { remember(result, for: key) }
        for waiter in waiters.removeValue(forKey: key) ?? [] { waiter(result) }
    }

    private func remember(_ result: ReportEndpointResult, for key: String) {
        while known.count >= capacity, oldest < order.count {
            known.removeValue(forKey: order[oldest])
            oldest += 1
        }
        if oldest > capacity {
            order.removeFirst(oldest)
            oldest = 0
        }
        known[key] = result
        order.append(key)
    }
}

/// Sends an endpoint check to the desk that owns the endpoint and brings the
/// answer back to the domain's loop (always later, never inside the call).
struct ReportEndpointRouter: Sendable {
    let group: EventLoopGroup
    let desks: [LoopBound<ReportEndpointDesk>]

    func check(_ target: ReportEndpointTarget, from origin: EventLoop,
               _ completion: @escaping (ReportEndpointResult) -> Void) {
        let loop = group.loop(forKey: target.key)
        guard let desk = desks.first(where: { $0.value.loop === loop }) else {
            let back = LoopBound(completion)
            _ = origin.execute { back.value(ReportEndpointResult(status: .unknown, reason: .dnsFailure)) }
            return
        }
        let back = LoopBound(completion)
        _ = desk.value.loop.execute {
            desk.value.check(target) { result in _ = origin.execute { back.value(result) } }
        }
    }
}

/// The `rua` URIs of one domain, each to its endpoint's desk; the observations
/// come back in record order, once, when the last is in.
final class DomainReportEndpoints {
    private let uris: [String]
    private let loop: EventLoop
    private let router: ReportEndpointRouter
    private let completion: ([ReportEndpointObservation]) -> Void
    private var slots: [ReportEndpointObservation?]
    private var pending = 0

    init(uris: [String], loop: EventLoop, router: ReportEndpointRouter,
         completion: @escaping ([ReportEndpointObservation]) -> Void) {
        self.uris = uris
        self.loop = loop
        self.router = router
        self.completion = completion
        slots = Array(repeating: nil, count: uris.count)
    }

    /// Keeps itself alive through its callbacks until the last result.
    func start() {
        pending = 1
        for (index, uri) in uris.enumerated() {
            let target = ReportEndpointTarget.parse(uri)
            guard index < ReportEndpointCheck.maxPerRecord, let target else {
                let reason: ReportEndpointReason = target == nil ? .unsupported : .limit
                slots[index] = ReportEndpointObservation(
                    uri: uri, target: target, result: ReportEndpointResult(status: .notChecked, reason: reason))
                continue
            }
            pending += 1
            router.check(target, from: loop) { result in
                self.slots[index] = ReportEndpointObservation(uri: uri, target: target, result: result)
                self.stepDone()
            }
        }
        stepDone()
    }

    private func stepDone() {
        pending -= 1
        guard pending == 0 else { return }
        completion(slots.compactMap { $0 })
    }
}
