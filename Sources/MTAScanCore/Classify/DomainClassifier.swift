/// Everything mtascan concludes about one domain.
public struct DomainAssessment: Sendable, Equatable {
    public var findings: [Finding]
    public var verdict: Verdict
    /// The mode of the policy body, when one parsed (even if retrieval errors
    /// keep senders from applying it), so enforce-mode breakage stands out.
    public var mode: PolicyMode?
    /// One per distinct MX host, in preference order.
    public var hosts: [MXHostAssessment]
    /// DANE beside MTA-STS, with `scan --dane`; its findings are among `findings`.
    public var dane: DANEAssessment? = nil
}

/// Turns the facts of every phase into the domain's findings and verdict
/// (shared/spec/findings.md): the DNS phase's findings, then the policy
/// fetch's, then each MX probe's, then what follows from them together —
/// `mx-pkix-invalid-all`/`-some`, `mx-pattern-mismatch`, and the delivery risk.
///
/// - `mx-pkix-invalid-*` count the hosts whose certificate was put to the test
///   (some address reached TLS): `all` when none of them was valid. Hosts that
///   never reached TLS have their own finding (`mx-tcp`, `mx-smtp`,
///   `mx-no-starttls`, `mx-dns`) and are not counted twice.
/// - Consistency needs an applicable policy; risk needs one in mode `enforce`.
///   A host counts as deliverable when it matches a pattern and (once probed)
///   presented a valid certificate; a host wholly excluded from probing is
///   given the benefit of the doubt. `delivery-failure-risk` when no host is
///   deliverable, `delivery-degraded` when some are not.
public enum DomainClassifier {
    public static func classify(
        facts: DomainDNSFacts, dns: DNSPhaseAssessment, policy retrieval: PolicyRetrieval?,
        probes: [MXProbeObservation]?, publicSuffixList: PublicSuffixList?, providers: ProviderCatalogue = .builtIn,
        previous: PreviousScan? = nil, reportEndpoints: [ReportEndpointObservation]? = nil
    ) -> DomainAssessment {
        var findings = dns.findings
        if let retrieval { findings += retrieval.findings }
        if let orphan = OrphanedDelegation.finding(facts: facts, dnsFindings: dns.findings, retrieval: retrieval,
                                                   providers: providers) {
            findings.append(orphan)
        }
        let hostNames = distinctHosts(facts)
        let probesByHost = probes.map { Dictionary(grouping: $0, by: \.host) }
        for host in hostNames {
            for probe in probesByHost?[host] ?? [] { findings += probe.findings }
        }

        let policy = retrieval?.policy
        let hosts = hostNames.map { host in
            MXHostAssessment.assess(host: host, policy: policy, facts: facts,
                                    probes: probesByHost.map { $0[host] ?? [] })
        }
        if probes != nil, let finding = pkixFinding(hosts) { findings.append(finding) }
        if let policy, let publicSuffixList {
            let mismatches = MXConsistency.evaluate(patterns: policy.mx, mxHosts: hostNames, psl: publicSuffixList)
            // With an earlier scan (`--previous`), each mismatch says whether a pattern once matched.
            findings += previous.map { previous in
                StalePolicy.annotate(mismatches, patterns: policy.mx, currentHosts: hostNames,
                                     previous: previous.entry(for: facts.domain.text), scannedAt: previous.scannedAt)
            } ?? mismatches
        }
        if let policy, policy.mode == .enforce, let finding = riskFinding(hosts) { findings.append(finding) }

        var verdict = Verdict.of(stsRecordStatus: dns.stsRecord?.status, findings: findings)
        // `valid` claims the policy and every MX host were checked: what
        // `--exclude` kept from being checked leaves the verdict open.
        let unchecked = retrieval?.excluded == true
            || hostNames.contains { host in
                let own = probesByHost?[host] ?? []
                return !own.isEmpty && own.allSatisfy(\.excluded)
            }
        if verdict == .valid, unchecked { verdict = .unknown }
        // TLS-RPT endpoints (phase tlsrpt): warnings of component tlsrpt, after
        // the verdict, which they never change (`Verdict.of` skips tlsrpt).
        findings += reportEndpoints?.compactMap(\.finding) ?? []
        let mode = retrieval?.policy?.mode ?? retrieval?.evaluation?.parsedPolicy?.mode
        // DANE has a verdict of its own: its findings join the list, not the MTA-STS verdict.
        let dane = facts.daneLookups ? DANEAssessment.assess(facts: facts, probes: probes) : nil
        findings += dane?.findings ?? []
        return DomainAssessment(findings: findings, verdict: verdict, mode: mode, hosts: hosts, dane: dane)
    }

    /// MX host names in preference order, each once, without the null MX.
    static func distinctHosts(_ facts: DomainDNSFacts) -> [String] {
        var seen = Set<String>()
        return facts.mxHostsByPreference.map(\.host).filter { seen.insert($0).inserted }
    }

    private static func pkixFinding(_ hosts: [MXHostAssessment]) -> Finding? {
        let invalid = hosts.filter { $0.pkixValid == false }.map(\.host)
        guard !invalid.isEmpty else { return nil }
        let checked = hosts.filter { $0.pkixValid != nil }.count
        return Finding(invalid.count == checked ? .mxPKIXInvalidAll : .mxPKIXInvalidSome, [
            "mx_hosts": .strings(invalid), "hosts_checked": .int(checked),
        ])
    }

    private static func riskFinding(_ hosts: [MXHostAssessment]) -> Finding? {
        let failing = hosts.filter { $0.failure != nil }
        guard !hosts.isEmpty, !failing.isEmpty else { return nil }
        let deliverable = hosts.count - failing.count
        return Finding(deliverable == 0 ? .deliveryFailureRisk : .deliveryDegraded, [
            "mode": "enforce",
            "deliverable_hosts": .int(deliverable),
            "hosts": .int(hosts.count),
            "failing": .array(failing.map { host in
                .object(["mx_host": .string(host.host), "reason": .string(host.failure?.rawValue ?? "")])
            }),
        ])
    }
}
