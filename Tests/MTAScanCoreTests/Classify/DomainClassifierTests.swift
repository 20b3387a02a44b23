import Testing
@testable import MTAScanCore

/// The findings that follow from the phases together: PKIX over all MX hosts,
/// consistency, delivery risk, and the verdict and mode.
@Suite struct DomainClassifierTests {
    private static let psl = try? PublicSuffixList(listText: Array("com\nnet\n".utf8))

    private func facts(hosts: [String] = ["mx1.example.com", "mx2.example.com"], withoutAddress: Set<String> = []) -> DomainDNSFacts {
        var addresses: [String: HostAddresses] = [:]
        for (index, host) in hosts.enumerated() {
            addresses[host] = HostAddresses(ipv4: withoutAddress.contains(host) ? .nxdomain : .answer(["192.0.2.\(index + 1)"]),
                                            ipv6: .nodata)
        }
        return DomainDNSFacts(
            domain: DomainName("example.com")!,
            mx: .answer(hosts.enumerated().map { MXRecordValue(preference: 10 * ($0.offset + 1), host: $0.element) }),
            stsTXT: .answer([Array("v=STSv1; id=1".utf8)]), tlsrptTXT: .nxdomain,
            policyHostIPv4: .answer(["192.0.2.80"]), policyHostIPv6: .nodata, ns: .answer(["ns.example.net"]),
            mxHostAddresses: addresses)
    }

    private func retrieval(mode: PolicyMode, patterns: [String] = ["*.example.com"]) -> PolicyRetrieval {
        let policy = Policy(mode: mode, maxAge: 604800, mx: patterns.compactMap { MXPattern($0) })
        return PolicyRetrieval(url: "https://mta-sts.example.com/.well-known/mta-sts.txt", address: "192.0.2.80",
                               httpStatus: 200, evaluation: PolicyEvaluation(policy: policy, findings: []), policy: policy)
    }

    private func ok(_ host: String, _ index: Int) -> MXProbeObservation {
        MXProbeObservation(host: host, address: "192.0.2.\(index)", tls: TLSObservation(pkixValid: true, json: .null))
    }

    private func expired(_ host: String, _ index: Int) -> MXProbeObservation {
        MXProbeObservation(host: host, address: "192.0.2.\(index)",
                           findings: [Finding(.mxTLS, ["reason": "expired"])], tls: TLSObservation(pkixValid: false, json: .null))
    }

    private func noSTARTTLS(_ host: String, _ index: Int) -> MXProbeObservation {
        MXProbeObservation(host: host, address: "192.0.2.\(index)", findings: [Finding(.mxNoStartTLS, ["reason": "not-advertised"])])
    }

    private func classify(_ facts: DomainDNSFacts, _ retrieval: PolicyRetrieval?, _ probes: [MXProbeObservation]?) -> DomainAssessment {
        DomainClassifier.classify(facts: facts, dns: DNSPhaseClassifier.assess(facts), policy: retrieval, probes: probes,
                                  publicSuffixList: Self.psl)
    }

    private func codes(_ assessment: DomainAssessment) -> [String] { assessment.findings.map(\.code.rawValue) }

    @Test func everythingGoodIsValid() {
        let assessment = classify(facts(), retrieval(mode: .enforce), [ok("mx1.example.com", 1), ok("mx2.example.com", 2)])
        #expect(assessment.findings.isEmpty)
        #expect(assessment.verdict == .valid)
        #expect(assessment.mode == .enforce)
        #expect(assessment.hosts.map(\.pkixValid) == [true, true])
        #expect(assessment.hosts.map(\.pattern) == ["*.example.com", "*.example.com"])
    }

    @Test func oneBadCertificateOfTwoIsSomeAndDegradedInEnforce() {
        let assessment = classify(facts(), retrieval(mode: .enforce), [ok("mx1.example.com", 1), expired("mx2.example.com", 2)])
        #expect(codes(assessment) == ["mx-tls", "mx-pkix-invalid-some", "delivery-degraded"])
        let risk = assessment.findings.last
        #expect(risk?[detail: "deliverable_hosts"] == 1)
        #expect(risk?[detail: "failing"] == .array([.object(["mx_host": "mx2.example.com", "reason": "pkix-invalid"])]))
        #expect(assessment.verdict == .misconfigured)
    }

    @Test func everyBadCertificateIsAllAndAFailureRiskInEnforceOnly() {
        let probes = [expired("mx1.example.com", 1), expired("mx2.example.com", 2)]
        #expect(codes(classify(facts(), retrieval(mode: .enforce), probes))
                == ["mx-tls", "mx-tls", "mx-pkix-invalid-all", "delivery-failure-risk"])
        #expect(codes(classify(facts(), retrieval(mode: .testing), probes)) == ["mx-tls", "mx-tls", "mx-pkix-invalid-all"])
    }

    /// A host that never reached TLS has its own finding and is not counted as PKIX-invalid,
    /// but a sender enforcing the policy cannot deliver there either.
    @Test func hostsWithoutTLSAreNotPKIXFindingsButAreRisk() {
        let assessment = classify(facts(), retrieval(mode: .enforce), [ok("mx1.example.com", 1), noSTARTTLS("mx2.example.com", 2)])
        #expect(codes(assessment) == ["mx-no-starttls", "delivery-degraded"])
        #expect(assessment.hosts.map(\.pkixValid) == [true, nil])
        #expect(assessment.hosts.last?.failure == .noTLS)
    }

    /// Issue 13 item 9: a handshake that failed before a certificate arrived
    /// (an alert, bytes that are no TLS) is `mx-tls`, not a PKIX-invalid host;
    /// the host still fails a sender enforcing the policy.
    @Test func aHandshakeWithoutACertificateIsNoPKIXFinding() {
        let alert = MXProbeObservation(host: "mx2.example.com", address: "192.0.2.2",
                                       findings: [Finding(.mxTLS, ["reason": "alert"])])
        let protocolError = MXProbeObservation(host: "mx1.example.com", address: "192.0.2.1",
                                               findings: [Finding(.mxTLS, ["reason": "protocol"])])
        #expect(alert.reachedTLS && !alert.certificateReceived && alert.pkixValid == nil)

        let some = classify(facts(), retrieval(mode: .enforce), [ok("mx1.example.com", 1), alert])
        #expect(codes(some) == ["mx-tls", "delivery-degraded"])
        #expect(some.hosts.map(\.pkixValid) == [true, nil])
        #expect(some.hosts.last?.failure == .noTLS)

        let all = classify(facts(), retrieval(mode: .enforce), [protocolError, alert])
        #expect(codes(all) == ["mx-tls", "mx-tls", "delivery-failure-risk"])
        #expect(all.verdict == .misconfigured)

        // One host with a bad certificate beside one without any: only the first is counted, of one checked.
        let mixed = classify(facts(), retrieval(mode: .testing), [expired("mx1.example.com", 1), alert])
        #expect(codes(mixed) == ["mx-tls", "mx-tls", "mx-pkix-invalid-all"])
        #expect(mixed.findings.last?[detail: "mx_hosts"] == ["mx1.example.com"])
        #expect(mixed.findings.last?[detail: "hosts_checked"] == 1)
    }

    @Test func aHostWithoutAddressIsNotDeliverable() {
        let assessment = classify(facts(withoutAddress: ["mx2.example.com"]), retrieval(mode: .enforce), [ok("mx1.example.com", 1)])
        #expect(codes(assessment) == ["mx-dns", "delivery-degraded"])
        #expect(assessment.hosts.last?.failure == .noAddress)
    }

    @Test func aMismatchedHostIsConsistencyAndRisk() {
        let assessment = classify(facts(hosts: ["mx.example.net"]), retrieval(mode: .enforce), [ok("mx.example.net", 1)])
        #expect(codes(assessment) == ["mx-pattern-mismatch", "delivery-failure-risk"])
        #expect(assessment.hosts.first?.matchesPolicy == false)
        #expect(assessment.hosts.first?.failure == .noPatternMatch)
    }

    /// An excluded host cannot be judged: no finding, and no risk on its account.
    @Test func excludedHostsGetTheBenefitOfTheDoubt() {
        let excluded = MXProbeObservation(host: "mx2.example.com", address: "192.0.2.2", excluded: true)
        let assessment = classify(facts(), retrieval(mode: .enforce), [ok("mx1.example.com", 1), excluded])
        #expect(assessment.findings.isEmpty)
        #expect(assessment.hosts.last?.pkixValid == nil)
        #expect(excluded.result == "excluded")
        // But `valid` would claim it was checked.
        #expect(assessment.verdict == .unknown)
        var excludedPolicy = retrieval(mode: .enforce)
        excludedPolicy.excluded = true
        excludedPolicy.policy = nil
        #expect(classify(facts(), excludedPolicy, [ok("mx1.example.com", 1), ok("mx2.example.com", 2)]).verdict == .unknown)
    }

    /// Without the MX phase only what DNS and the policy show: no PKIX findings, risk only from the patterns.
    @Test func withoutTheMXPhaseOnlyPatternsDecideRisk() {
        #expect(classify(facts(), retrieval(mode: .enforce), nil).findings.isEmpty)
        #expect(codes(classify(facts(hosts: ["mx.example.net"]), retrieval(mode: .enforce), nil))
                == ["mx-pattern-mismatch", "delivery-failure-risk"])
    }

    /// A body that parsed but may not be applied (wrong media type): its mode is
    /// reported, but consistency and risk need an applicable policy.
    @Test func theModeOfAnInapplicablePolicyIsStillReported() {
        var inapplicable = retrieval(mode: .enforce, patterns: ["mail.elsewhere.net"])
        inapplicable.policy = nil
        inapplicable.findings = [Finding(.policyContentType, ["problem": "other-type"])]
        let assessment = classify(facts(), inapplicable, [ok("mx1.example.com", 1), ok("mx2.example.com", 2)])
        #expect(codes(assessment) == ["policy-content-type"])
        #expect(assessment.mode == .enforce)
        #expect(assessment.hosts.first?.matchesPolicy == nil)
    }

    /// Beyond the per-domain cap an MX host is never looked up: unknown, not undeliverable.
    @Test func aHostNeverLookedUpIsNotARisk() {
        var dnsFacts = facts()
        dnsFacts.mxHostAddresses.removeValue(forKey: "mx2.example.com")
        let assessment = classify(dnsFacts, retrieval(mode: .enforce), [ok("mx1.example.com", 1)])
        #expect(assessment.findings.isEmpty)
        #expect(assessment.hosts.last?.failure == nil)
        #expect(assessment.verdict == .valid)
    }
}
