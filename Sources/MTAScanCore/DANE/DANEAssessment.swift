/// DANE beside MTA-STS for one domain (`scan --dane`; RFC 7672, RFC 8461 §2):
/// which MX hosts a DANE-capable sender authenticates by TLSA, what it makes
/// of the rest, and the findings on the way.
///
/// A DANE sender uses the TLSA records of an MX host when the MX RRset is
/// DNSSEC-secure and the host's TLSA RRset is secure and has usable records
/// (DANE-TA or DANE-EE); it then ignores MTA-STS for that host, and defers
/// mail when no record matches the presented chain. A bogus answer (a
/// signature that does not hold) makes it defer too. Insecure records are
/// ignored. So DANE can rescue a domain whose MTA-STS is broken, and break
/// delivery for a domain whose MTA-STS is fine.
///
/// Pure: facts and probe observations in, verdict and findings out.
public struct DANEAssessment: Sendable, Equatable {
    public enum Verdict: String, Sendable, CaseIterable {
        /// MX RRset secure; every MX host has secure usable TLSA; every probe matched.
        case valid
        /// A DANE sender defers mail to at least one MX host: no TLSA record
        /// matched, or a bogus answer.
        case broken
        /// Some MX hosts are DANE-secured, others not.
        case partial
        /// Secure TLSA records, none usable: a DANE sender requires TLS but
        /// authenticates nothing (RFC 7672 §2.2), so no MX host is authenticated.
        case unauthenticated
        /// TLSA records exist, but DANE does not apply: they, or the MX RRset, are not DNSSEC-secure.
        case insecure
        /// No TLSA records.
        case none
        /// A TLSA or MX lookup failed without a DNSSEC reason: DANE's state is not known.
        case unknown
    }

    /// What DANE does for one MX host.
    public enum HostState: String, Sendable {
        /// Secure usable TLSA, and the probes' chains matched.
        case verified
        /// Secure usable TLSA; not probed (no mx phase, no connection, excluded).
        case secured
        /// Secure usable TLSA, and a presented chain matched none.
        case mismatch
        /// Secure TLSA, none usable.
        case unusable
        /// TLSA records, not DNSSEC-secure.
        case insecure
        case bogus
        /// No TLSA records.
        case absent
        /// The TLSA lookup failed (SERVFAIL that is not bogus, timeout).
        case unknown
    }

    public struct Host: Sendable, Equatable {
        public var host: String
        public var state: HostState
    }

    public var verdict: Verdict
    public var hosts: [Host]
    /// The MX RRset's DNSSEC status.
    public var mxDNSSEC: DNSSECStatus?
    public var findings: [Finding]

    /// MX hosts a DANE sender applies TLSA to (authenticating, deferring on failure, or
    /// requiring unauthenticated TLS when no record is usable).
    public var daneHosts: Int {
        guard mxDNSSEC == .secure else { return 0 }
        return hosts.filter { [.verified, .secured, .mismatch, .unusable, .bogus].contains($0.state) }.count
    }

    public static func assess(facts: DomainDNSFacts, probes: [MXProbeObservation]?) -> DANEAssessment {
        let names = DomainClassifier.distinctHosts(facts)
        var findings: [Finding] = []
        var hosts: [Host] = []
        let mxSecure = facts.mx.dnssec == .secure
        if facts.mx.dnssec == .bogus {
            findings.append(Finding(.daneBogus, ["lookup": "mx", "name": .string(facts.domain.text)]))
        }
        for name in names {
            let state = hostState(name, facts: facts, probes: probes)
            hosts.append(Host(host: name, state: state))
            let lookup = facts.mxTLSA[name]
            switch state {
            case .bogus:
                findings.append(Finding(.daneBogus, ["lookup": "tlsa", "mx_host": .string(name),
                                                     "name": .string("_25._tcp." + name)]))
            case .mismatch:
                let failed = (probes ?? []).filter { $0.host == name && $0.tls?.dane?.result == .mismatch }
                var details: JSONObject = ["mx_host": .string(name),
                                           "addresses": .strings(failed.map(\.address)),
                                           "records": .int(lookup?.values.count ?? 0)]
                if let first = failed.first?.tls?.dane {
                    details["verify_error"] = first.verifyError.map { .int($0) } ?? .null
                    details["error"] = first.message.map { .string($0) } ?? .null
                }
                // Without a secure MX RRset no sender applies these records: a fact, not a failure.
                findings.append(Finding(.daneTLSAMismatch, severity: mxSecure ? .error : .warning, details: details))
            case .insecure:
                findings.append(Finding(.daneTLSAInsecure, ["mx_host": .string(name),
                                                            "records": .int(lookup?.values.count ?? 0)]))
            default:
                break
            }
            // Unusable records beside usable ones are a warning; only unusable ones, an error.
            if let lookup, lookup.status == .answer, lookup.dnssec == .secure {
                let reasons = lookup.values.compactMap(TLSAUsability.reasonUnusable)
                if !reasons.isEmpty {
                    let none = reasons.count == lookup.values.count
                    findings.append(Finding(.daneTLSAUnusable, severity: none && mxSecure ? .error : .warning, [
                        "mx_host": .string(name), "unusable": .int(reasons.count), "records": .int(lookup.values.count),
                        "reasons": .strings(Array(Set(reasons)).sorted()),
                    ]))
                }
            }
        }
        let securedHosts = hosts.filter { [.verified, .secured, .mismatch, .unusable].contains($0.state) }
        if facts.mx.dnssec == .insecure, !securedHosts.isEmpty {
            findings.append(Finding(.daneMXInsecure, ["mx_hosts": .strings(securedHosts.map(\.host))]))
        }
        return DANEAssessment(verdict: verdict(hosts, mx: facts.mx.dnssec, mxStatus: facts.mx.status),
                              hosts: hosts, mxDNSSEC: facts.mx.dnssec, findings: findings)
    }

    static func hostState(_ host: String, facts: DomainDNSFacts, probes: [MXProbeObservation]?) -> HostState {
        guard let lookup = facts.mxTLSA[host] else { return .unknown }
        if lookup.dnssec == .bogus { return .bogus }
        switch lookup.status {
        case .nxdomain, .nodata, .notQueried: return .absent
        case .answer: break
        default: return lookup.status.isCutCNAMEChain ? .absent : .unknown
        }
        guard lookup.dnssec == .secure else { return .insecure }
        guard lookup.values.contains(where: TLSAUsability.isUsable) else { return .unusable }
        let checks = (probes ?? []).filter { $0.host == host }.compactMap(\.tls?.dane)
        if checks.contains(where: { $0.result == .mismatch }) { return .mismatch }
        return checks.isEmpty ? .secured : .verified
    }

    static func verdict(_ hosts: [Host], mx: DNSSECStatus?, mxStatus: LookupStatus) -> Verdict {
        if mx == .bogus { return .broken }
        guard !hosts.isEmpty else { return mxStatus.isFailure ? .unknown : .none }
        let states = hosts.map(\.state)
        let secured: Set<HostState> = [.verified, .secured, .mismatch, .unusable]
        let hasTLSA = states.contains { secured.contains($0) || $0 == .insecure || $0 == .bogus }
        guard mx == .secure else {
            if states.contains(.unknown) && !hasTLSA { return .unknown }
            return hasTLSA ? .insecure : .none
        }
        if states.contains(where: { $0 == .bogus || $0 == .mismatch }) { return .broken }
        let protected = states.filter { $0 == .verified || $0 == .secured }.count
        if protected == states.count { return .valid }
        if protected > 0 { return .partial }
        if states.contains(.unusable) { return .unauthenticated }
        if states.contains(.unknown) { return .unknown }
        return hasTLSA ? .insecure : .none
    }

    /// What a DANE-capable sender does, beside what an MTA-STS sender does
    /// (`mtaSTS`: the domain's MTA-STS verdict), in a sentence for people.
    public func senderView(mtaSTS: MTAScanCore.Verdict?) -> String {
        switch verdict {
        case .valid:
            let rescue = mtaSTS == .misconfigured ? " even though MTA-STS is misconfigured" : ""
            return "DANE-capable senders authenticate every MX host by its TLSA records and ignore MTA-STS: they deliver over verified TLS\(rescue)."
        case .broken:
            return "DANE-capable senders defer mail to the MX hosts whose TLSA records do not hold (no match, or a bogus answer), whatever MTA-STS says."
        case .unauthenticated:
            return "The TLSA records are DNSSEC-secure but none is usable for SMTP: DANE-capable senders require TLS but authenticate no MX host, and ignore MTA-STS."
        case .partial:
            return "DANE-capable senders use DANE for \(daneHosts) of \(hosts.count) MX hosts and MTA-STS, if any, for the others."
        case .insecure:
            return "TLSA records are published but not DNSSEC-secured: DANE does not apply, senders use MTA-STS if any."
        case .none:
            return "No TLSA records: DANE does not apply."
        case .unknown:
            return "A lookup failed: whether DANE applies is not known."
        }
    }

    public func json(mtaSTS: MTAScanCore.Verdict?) -> JSONValue {
        .object([
            "verdict": .string(verdict.rawValue),
            "mx_dnssec": mxDNSSEC.map { .string($0.rawValue) } ?? .null,
            "dane_hosts": .int(daneHosts),
            "hosts": .array(hosts.map { .object(["host": .string($0.host), "state": .string($0.state.rawValue)]) }),
            "sender_view": .string(senderView(mtaSTS: mtaSTS)),
        ])
    }
}
