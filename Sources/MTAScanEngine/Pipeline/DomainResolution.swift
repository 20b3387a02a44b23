import MTAScanCore

/// The DNS phase of one domain, on one loop.
///
/// First MX, `_mta-sts` TXT, `_smtp._tls` TXT and NS, in parallel. Then, only
/// where they can matter — the domain has something meant as an MTA-STS record,
/// or `resolveEverything` is set — `mta-sts.<domain>` A/AAAA and the addresses
/// of its MX hosts. For the ~99% of domains without MTA-STS this saves three or
/// more queries each, which on a TLD sweep is the difference between hours and days.
final class DomainResolution {
    private let domain: DomainName
    private let client: DNSClient
    private let hostCache: HostAddressCache
    private let resolveEverything: Bool
    /// The MX host addresses of every domain (`--probe-all-mx`), without the policy host's.
    private let resolveAllMXHosts: Bool
    private let resolveTLSA: Bool
    private let completion: (DomainDNSFacts) -> Void

    private var mx: LookupResult<MXRecordValue>?
    private var stsTXT: LookupResult<[UInt8]>?
    private var tlsrptTXT: LookupResult<[UInt8]>?
    private var ns: LookupResult<String>?
    private var policyIPv4: LookupResult<String>?
    private var policyIPv6: LookupResult<String>?
    private var mxAddresses: [String: HostAddresses] = [:]
    private var mxTLSA: [String: LookupResult<TLSARecordValue>] = [:]
    private var pending = 0
    private var secondStageStarted = false

    init(domain: DomainName, client: DNSClient, hostCache: HostAddressCache, resolveEverything: Bool,
         resolveAllMXHosts: Bool = false,
         resolveTLSA: Bool = false, completion: @escaping (DomainDNSFacts) -> Void) {
        self.resolveTLSA = resolveTLSA
        self.domain = domain
        self.client = client
        self.hostCache = hostCache
        self.resolveEverything = resolveEverything
        self.resolveAllMXHosts = resolveAllMXHosts
        self.completion = completion
    }

    /// Keeps itself alive through the closures it hands the client until the last answer.
    func start() {
        pending = 4
        // With DANE, the MX RRset's own security matters (RFC 7672 §2.2.1).
        validated(domain, .mx, validate: resolveTLSA, { (rdata: DNSRData) -> MXRecordValue? in
            if case .mx(let preference, let exchange) = rdata {
                MXRecordValue(preference: Int(preference), host: exchange == "." ? "" : exchange)
            } else { nil }
        }) { result, _ in
            self.mx = result
            self.stepDone()
        }
        query(TXT: "_mta-sts") { self.stsTXT = $0 }
        query(TXT: "_smtp._tls") { self.tlsrptTXT = $0 }
        client.query(domain, .ns) { lookup in
            self.ns = lookup.coreResult { if case .ns(let name) = $0 { name } else { nil } }
            self.stepDone()
        }
    }

    private func query(TXT label: String, _ store: @escaping (LookupResult<[UInt8]>) -> Void) {
        guard let name = domain.prepending(label) else {
            // The domain is too long to have this label: nothing can be there.
            store(.nxdomain)
            return stepDone()
        }
        client.query(name, .txt) { lookup in
            store(lookup.coreResult { if case .txt(let data) = $0 { data.joined } else { nil } })
            self.stepDone()
        }
    }

    private func stepDone() {
        pending -= 1
        guard pending == 0 else { return }
        if !secondStageStarted {
            secondStageStarted = true
            // Held while the second stage starts: the host cache answers a cached
            // host at once, inside the loop, and without the hold the count would
            // reach zero there and finish the domain before its other lookups
            // (a second record for one input line when they came back).
            pending += 1
            startSecondStage()
            pending -= 1
            if pending > 0 { return }
        }
        finish()
    }

    private func startSecondStage() {
        let relevant = resolveEverything || hasMTASTSRecord
        if relevant, let policyHost = domain.prepending("mta-sts") {
            pending += 2
            client.query(policyHost, .a) { lookup in
                self.policyIPv4 = lookup.coreResult { if case .a(let address) = $0 { address.text } else { nil } }
                self.stepDone()
            }
            client.query(policyHost, .aaaa) { lookup in
                self.policyIPv6 = lookup.coreResult { if case .aaaa(let address) = $0 { address.text } else { nil } }
                self.stepDone()
            }
        }
        // DANE is measured for every domain with MX hosts, MTA-STS or not.
        guard relevant || resolveAllMXHosts || resolveTLSA else { return }
        for host in Self.hostsToResolve(mx?.values ?? []) {
            guard let name = DomainName(host) else { continue }
            pending += 1
            hostCache.addresses(of: name) { addresses in
                self.mxAddresses[host] = addresses
                self.stepDone()
            }
            // DANE (RFC 7672): TLSA at _25._tcp.<mx host>.
            if resolveTLSA, let tlsaName = name.prepending("_25._tcp") {
                pending += 1
                validated(tlsaName, .tlsa, validate: true, { (rdata: DNSRData) -> TLSARecordValue? in
                    guard case .tlsa(let data) = rdata else { return nil }
                    return TLSARecordValue(usage: Int(data.usage), selector: Int(data.selector),
                                           matchingType: Int(data.matchingType), data: Hex.lowercase(data.data))
                }) { result, bogusData in
                    // A bogus TLSA RRset is kept as served (checking disabled), marked bogus.
                    self.mxTLSA[host] = bogusData ?? result
                    self.stepDone()
                }
            }
        }
    }

    /// A lookup whose DNSSEC status is asked when `validate` (DO and AD): secure
    /// when the resolver set AD, insecure when it did not, and bogus when it
    /// answered SERVFAIL but answers with checking disabled. `done` gets the
    /// result (the SERVFAIL itself for a bogus answer) and, for a bogus one, the
    /// data as served.
    private func validated<Value>(
        _ name: DomainName, _ type: DNSRecordType, validate: Bool, _ extract: @escaping (DNSRData) -> Value?,
        _ done: @escaping (LookupResult<Value>, LookupResult<Value>?) -> Void
    ) {
        client.query(name, type, dnssec: validate ? .validate : .none) { lookup in
            var result = lookup.coreResult(extract)
            guard validate else { return done(result, nil) }
            guard result.status == .servfail else {
                result.dnssec = lookup.authenticated ? .secure : .insecure
                return done(result, nil)
            }
            self.client.query(name, type, dnssec: .checkingDisabled) { unchecked in
                var served = unchecked.coreResult(extract)
                guard !served.status.isFailure else { return done(result, nil) }
                result.dnssec = .bogus
                served.dnssec = .bogus
                done(result, served)
            }
        }
    }

    /// MX hosts resolved (and later probed) per domain, in preference order: far
    /// above any real deployment, and a bound on what one hostile MX RRset of
    /// thousands of names can make the scanner do.
    static let maxMXHosts = 32

    static func hostsToResolve(_ records: [MXRecordValue]) -> [String] {
        var seen = Set<String>()
        let ordered = records.filter { !$0.host.isEmpty }.sorted { ($0.preference, $0.host) < ($1.preference, $1.host) }
        return Array(ordered.map(\.host).filter { seen.insert($0).inserted }.prefix(maxMXHosts))
    }

    /// Something at `_mta-sts` that is meant as a record (valid or not).
    private var hasMTASTSRecord: Bool {
        guard let stsTXT, stsTXT.status == .answer else { return false }
        return STSRecord.evaluate(stsTXT.values).status != .absent
    }

    private var finished = false

    private func finish() {
        // Exactly one record per input line rests on exactly one completion.
        assert(!finished, "DomainResolution finished twice")
        guard !finished else { return }
        finished = true
        completion(DomainDNSFacts(
            domain: domain, mx: mx ?? .nodata, stsTXT: stsTXT ?? .nodata, tlsrptTXT: tlsrptTXT ?? .nodata,
            policyHostIPv4: policyIPv4 ?? .notQueried, policyHostIPv6: policyIPv6 ?? .notQueried,
            ns: ns ?? .nodata, mxHostAddresses: mxAddresses, mxTLSA: mxTLSA))
    }
}

