import MTAScanCore

/// What the policy and MX phases found for one domain (nil: the phase did not run for it).
public struct DomainProbeResults: Sendable {
    public var policy: PolicyRetrieval?
    public var mx: [MXProbeObservation]?
}

/// The policy fetch and the MX probes of one domain, on the domain's loop.
///
/// The policy host's addresses are tried in order (IPv4 first) until one
/// accepts a TCP connection, as a sender would; every address of every MX host
/// (up to `maxAddressesPerHost`) is probed. All requests go through the
/// owning desks, which de-duplicate and rate-limit them.
final class DomainProbes {
    private let facts: DomainDNSFacts
    private let loop: EventLoop
    private let router: ProbeRouter
    private let configuration: ProbeConfiguration
    private let completion: (DomainProbeResults) -> Void
    private var results = DomainProbeResults()
    /// MX probe results in host-preference and address order, whatever order they finish in.
    private var mxSlots: [MXProbeObservation?] = []
    private var pending = 0

    init(facts: DomainDNSFacts, loop: EventLoop, router: ProbeRouter, configuration: ProbeConfiguration,
         completion: @escaping (DomainProbeResults) -> Void) {
        self.facts = facts
        self.loop = loop
        self.router = router
        self.configuration = configuration
        self.completion = completion
    }

    /// Keeps itself alive through its callbacks until the last result.
    func start(fetchPolicy: Bool, probeMX: Bool) {
        pending = 1
        if fetchPolicy { startPolicy() }
        if probeMX { startMX() }
        stepDone()
    }

    private func stepDone() {
        pending -= 1
        guard pending == 0 else { return }
        if results.mx != nil { results.mx = mxSlots.compactMap { $0 } }
        completion(results)
    }

    // MARK: Policy

    private func startPolicy() {
        let host = facts.policyHostName
        let url = PolicyRetrieval.url(for: facts.domain)
        let addresses = Self.addresses(ipv4: facts.policyHostIPv4.values, ipv6: facts.policyHostIPv6.values,
                                       port: 443, limit: configuration.maxAddressesPerHost)
        // No address is policy-dns, already found by the DNS phase. Exclusions
        // (of the host name or an address) are the desks' to apply.
        guard !addresses.isEmpty else { return }
        pending += 1
        tryPolicy(addresses[...], host: host, url: url, tcpFailures: [], last: nil)
    }

    private func tryPolicy(_ remaining: ArraySlice<SocketAddress>, host: String, url: String,
                           tcpFailures: [AddressFailure], last: PolicyFetchResult?) {
        guard let address = remaining.first else {
            results.policy = last.map { Self.retrieval($0, url: url, tcpFailures: Array(tcpFailures.dropLast())) }
                ?? PolicyRetrieval(url: url, address: nil, excluded: true)
            return stepDone()
        }
        router.policy(ProbeKey(host: host, address: address), from: loop) { outcome in
            switch outcome {
            case .excluded:
                self.tryPolicy(remaining.dropFirst(), host: host, url: url, tcpFailures: tcpFailures, last: last)
            case .done(let result):
                if let tcp = result.findings.first(where: { $0.code == .policyTCP }) {
                    let failure = AddressFailure(address: address.ip.description,
                                                 reason: tcp[detail: "reason"]?.stringValue ?? "error")
                    self.tryPolicy(remaining.dropFirst(), host: host, url: url, tcpFailures: tcpFailures + [failure],
                                   last: result)
                } else {
                    self.results.policy = Self.retrieval(result, url: url, tcpFailures: tcpFailures)
                    self.stepDone()
                }
            }
        }
    }

    static func retrieval(_ result: PolicyFetchResult, url: String, tcpFailures: [AddressFailure]) -> PolicyRetrieval {
        PolicyRetrieval(url: url, address: result.address.ip.description, tcpFailures: tcpFailures,
                        tls: result.tls.map(TLSObservation.init), httpStatus: result.httpStatus,
                        contentType: result.contentType, findings: result.findings, evaluation: result.evaluation,
                        policy: result.policy)
    }

    // MARK: MX

    private func startMX() {
        results.mx = []
        var seen = Set<String>()
        for record in facts.mxHostsByPreference where seen.insert(record.host).inserted {
            guard let addresses = facts.mxHostAddresses[record.host] else { continue }
            let host = record.host
            let tlsa = DANETargets.records(for: host, in: facts)
            for address in Self.addresses(ipv4: addresses.ipv4.values, ipv6: addresses.ipv6.values, port: 25,
                                          limit: configuration.maxAddressesPerHost) {
                pending += 1
                let slot = mxSlots.count
                mxSlots.append(nil)
                router.mx(ProbeKey(host: host, address: address, tlsa: tlsa), from: loop) { outcome in
                    self.mxSlots[slot] = Self.observation(outcome, host: host, address: address)
                    self.stepDone()
                }
            }
        }
    }

    static func observation(_ outcome: ScheduledOutcome<STARTTLSProbeResult>, host: String,
                            address: SocketAddress) -> MXProbeObservation {
        switch outcome {
        case .excluded:
            return MXProbeObservation(host: host, address: address.ip.description, excluded: true)
        case .done(let result):
            return MXProbeObservation(host: host, address: address.ip.description,
                                      source: result.source?.ip.description, findings: result.findings,
                                      smtp: result.smtp, tls: result.tls.map(TLSObservation.init),
                                      sharedFrom: result.sharedFrom)
        }
    }

    /// IPv4 then IPv6, each sorted, at most `limit`, unparsable text skipped.
    static func addresses(ipv4: [String], ipv6: [String], port: UInt16, limit: Int) -> [SocketAddress] {
        let sorted = Set(ipv4).sorted() + Set(ipv6).sorted()
        return Array(sorted.compactMap { IPAddress($0).map { SocketAddress(ip: $0, port: port) } }.prefix(limit))
    }
}

/// Which MX hosts get a DANE check, and against which records: the usable
/// TLSA records of a secure answer (RFC 7672 §2.2, §3.1).
enum DANETargets {
    static func records(for host: String, in facts: DomainDNSFacts) -> [TLSARecordValue] {
        guard let lookup = facts.mxTLSA[host], lookup.status == .answer, lookup.dnssec == .secure else { return [] }
        return lookup.values.filter(TLSAUsability.isUsable)
    }

    static func hasAny(_ facts: DomainDNSFacts) -> Bool {
        facts.mxTLSA.keys.contains { !records(for: $0, in: facts).isEmpty }
    }
}

extension TLSObservation {
    init(_ outcome: TLSHandshakeOutcome) {
        self.init(pkixValid: outcome.isPKIXValid, json: outcome.json(), dane: outcome.dane)
    }
}
