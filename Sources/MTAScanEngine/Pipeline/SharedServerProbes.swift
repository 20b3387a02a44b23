import MTAScanCore

/// One STARTTLS probe per shared mail server, not one per MX name.
///
/// A provider that gives every customer an MX name of its own
/// (`<tenant>.mail.protection.outlook.com`) on a handful of addresses would
/// otherwise get one handshake per (name, address): hundreds of thousands to
/// the same servers. Per address:
/// 1. the first MX name is probed as usual;
/// 2. when a second name asks, the first name's result is taken (from the
///    scheduler's cache) and the address is probed once more under
///    `sniCheckName`, a name no server has a certificate for; names that ask
///    meanwhile wait;
/// 3. if the check got the very certificate the first name got, the server
///    does not choose it by SNI: every other name is judged offline against
///    that certificate (chain failures carry over; the name check is made
///    again) and answered without a connection. Otherwise, or if the first
///    probe did not complete a handshake with a certificate valid for its
///    name, every name is probed on its own, as before.
///
/// A name the shared certificate does not cover is still probed itself: the
/// one case where an SNI-selecting server with that certificate as its default
/// would answer otherwise. Keys with TLSA records (`--dane`) are never shared:
/// their check belongs to the name. Loop-confined, one per desk, like the
/// scheduler it sits on.
final class SharedServerProbes {
    /// Under `.invalid` (RFC 6761 §6.4): no certificate can name it, and a
    /// server operator who sees it in a log sees what it is for.
    static let sniCheckName = "sni-check.mtascan.invalid"

    private struct Waiting {
        let key: ProbeKey
        let completion: (ScheduledOutcome<STARTTLSProbeResult>) -> Void
    }

    private enum State {
        /// One name seen: probed as usual.
        case single(host: String)
        /// A second name arrived: the first name's result and the SNI check
        /// are awaited; other names wait for the decision.
        case checking(host: String, waiting: [Waiting])
        /// The server's certificate does not depend on SNI: `base` (the probe
        /// of `host`) answers the other names it covers.
        case shared(base: STARTTLSProbeResult, host: String)
        case perName
    }

    private let scheduler: ProbeScheduler<STARTTLSProbeResult>
    private let capacity: Int
    private var states: [SocketAddress: State] = [:]
    /// Insertion order, for evicting the oldest state past `capacity`.
    private var order: [SocketAddress] = []
    private var oldest = 0

    /// Names answered from another name's probe.
    private(set) var sharedAnswers = 0
    /// Probes made under `sniCheckName`.
    private(set) var sniChecks = 0

    init(scheduler: ProbeScheduler<STARTTLSProbeResult>, capacity: Int) {
        self.scheduler = scheduler
        self.capacity = max(1, capacity)
    }

    func request(_ key: ProbeKey, _ completion: @escaping (ScheduledOutcome<STARTTLSProbeResult>) -> Void) {
        guard key.tlsa.isEmpty, !scheduler.isExcluded(key) else { return scheduler.request(key, completion) }
        switch states[key.address] {
        case nil:
            remember(.single(host: key.host), for: key.address)
            scheduler.request(key, completion)
        case .single(let host) where host == key.host, .checking(let host, _) where host == key.host:
            scheduler.request(key, completion)
        case .single(let host):
            states[key.address] = .checking(host: host, waiting: [Waiting(key: key, completion: completion)])
            check(key.address, firstHost: host)
        case .checking(let host, var waiting):
            waiting.append(Waiting(key: key, completion: completion))
            states[key.address] = .checking(host: host, waiting: waiting)
        case .shared(let base, let host):
            guard host != key.host, let answer = Self.answer(from: base, probedAs: host, for: key.host) else {
                return scheduler.request(key, completion)
            }
            sharedAnswers += 1
            completion(.done(answer))
        case .perName:
            scheduler.request(key, completion)
        }
    }

    /// Step 2: the first name's result (a cache hit, or the probe in flight),
    /// then the SNI check, only when sharing is possible at all.
    private func check(_ address: SocketAddress, firstHost: String) {
        scheduler.request(ProbeKey(host: firstHost, address: address)) { [weak self] outcome in
            guard let self else { return }
            guard case .done(let base) = outcome, Self.canShare(base) else { return self.settle(address, .perName) }
            self.sniChecks += 1
            self.scheduler.request(ProbeKey(host: Self.sniCheckName, address: address)) { [weak self] outcome in
                guard let self else { return }
                guard case .done(let check) = outcome, Self.sameCertificate(base, check) else {
                    return self.settle(address, .perName)
                }
                self.settle(address, .shared(base: base, host: firstHost))
            }
        }
    }

    private func settle(_ address: SocketAddress, _ state: State) {
        guard case .checking(_, let waiting) = states[address] else { return }
        states[address] = state
        for request in waiting { self.request(request.key, request.completion) }
    }

    private func remember(_ state: State, for address: SocketAddress) {
        if states.count >= capacity { evictOldest() }
        states[address] = state
        order.append(address)
    }

    /// Drops the oldest state that nobody waits on: a dropped address starts
    /// again at step 1, at the cost of one more SNI check.
    private func evictOldest() {
        var skipped: [SocketAddress] = []
        while oldest < order.count {
            let address = order[oldest]
            oldest += 1
            if case .checking = states[address] {
                skipped.append(address)
                continue
            }
            states.removeValue(forKey: address)
            break
        }
        order.append(contentsOf: skipped)
        if oldest >= 1024, oldest * 2 >= order.count {
            order.removeFirst(oldest)
            oldest = 0
        }
    }

    // MARK: Decisions (pure)

    /// A result others may take: a completed handshake whose certificate names
    /// the probed host, and nothing wrong but (name-independent) certificate
    /// failures. A reset, a timeout or an SMTP refusal says nothing about
    /// another name and may be passing.
    static func canShare(_ result: STARTTLSProbeResult) -> Bool {
        guard result.sharedFrom == nil, let tls = result.tls, tls.peerCertificate != nil, tls.matchedName != nil,
              tls.dane == nil else { return false }
        return result.findings.allSatisfy { $0.code == .mxTLS }
    }

    static func sameCertificate(_ base: STARTTLSProbeResult, _ check: STARTTLSProbeResult) -> Bool {
        guard let first = base.tls?.peerCertificate?.sha256Fingerprint,
              let second = check.tls?.peerCertificate?.sha256Fingerprint else { return false }
        return first == second
    }

    /// `base` (the probe of `probedHost`) as the result for `host`, or nil when
    /// its certificate does not name `host`.
    static func answer(from base: STARTTLSProbeResult, probedAs probedHost: String,
                       for host: String) -> STARTTLSProbeResult? {
        guard let tls = base.tls?.judged(forName: host), tls.matchedName != nil else { return nil }
        var result = base
        result.tls = tls
        result.findings = base.findings.map { $0.adding("mx_host", .string(host)) }
        result.sharedFrom = SharedProbeOrigin(host: probedHost, sniCheckName: sniCheckName)
        return result
    }
}
