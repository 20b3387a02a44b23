import Testing
@testable import MTAScanCore

@Suite struct DNSPhaseClassifierTests {
    private func txt(_ records: String...) -> LookupResult<[UInt8]> {
        .answer(records.map { Array($0.utf8) })
    }

    private func facts(
        sts: LookupResult<[UInt8]> = .nxdomain,
        tlsrpt: LookupResult<[UInt8]> = .nxdomain,
        mx: LookupResult<MXRecordValue> = .answer([MXRecordValue(preference: 10, host: "mx.example.com")]),
        policyA: LookupResult<String> = .answer(["192.0.2.1"]),
        policyAAAA: LookupResult<String> = .nodata,
        mxAddresses: [String: HostAddresses] = ["mx.example.com": HostAddresses(ipv4: .answer(["192.0.2.25"]), ipv6: .nodata)]
    ) -> DomainDNSFacts {
        DomainDNSFacts(
            domain: DomainName("example.com")!, mx: mx, stsTXT: sts, tlsrptTXT: tlsrpt,
            policyHostIPv4: policyA, policyHostIPv6: policyAAAA, ns: .answer(["ns1.example.net"]),
            mxHostAddresses: mxAddresses)
    }

    private func codes(_ assessment: DNSPhaseAssessment) -> [String] {
        assessment.findings.map(\.code.rawValue)
    }

    @Test func noRecordMeansNoMTASTSAndNoOtherFindings() {
        let assessment = DNSPhaseClassifier.assess(facts(mx: .nodata, policyA: .nxdomain, policyAAAA: .nxdomain))
        #expect(assessment.findings.isEmpty)
        #expect(!assessment.hasMTASTSRecord)
        #expect(Verdict.of(stsRecordStatus: assessment.stsRecord?.status, findings: assessment.findings) == .noMTASTS)
    }

    @Test func validRecordWithResolvingHostsHasNoFindings() {
        let assessment = DNSPhaseClassifier.assess(facts(sts: txt("v=STSv1; id=1"), tlsrpt: txt("v=TLSRPTv1; rua=mailto:r@example.com")))
        #expect(assessment.findings.isEmpty)
        #expect(assessment.hasMTASTSRecord)
        #expect(assessment.tlsrptRecord?.isValid == true)
        #expect(Verdict.of(stsRecordStatus: assessment.stsRecord?.status, findings: assessment.findings) == .valid)
    }

    @Test func failedSTSLookupIsADNSErrorAndUnknown() {
        let assessment = DNSPhaseClassifier.assess(facts(sts: LookupResult(status: .timeout)))
        #expect(codes(assessment) == ["dns-timeout"])
        #expect(assessment.findings.first?[detail: "name"] == "_mta-sts.example.com")
        #expect(assessment.findings.first?[detail: "type"] == "TXT")
        #expect(assessment.stsRecord == nil)
        #expect(Verdict.of(stsRecordStatus: nil, findings: assessment.findings) == .unknown)
    }

    @Test func failedTLSRPTLookupIsOnlyAWarning() {
        let assessment = DNSPhaseClassifier.assess(facts(sts: txt("v=STSv1; id=1"), tlsrpt: LookupResult(status: .servfail)))
        #expect(codes(assessment) == ["dns-servfail"])
        #expect(assessment.findings.first?.severity == .warning)
        #expect(Verdict.of(stsRecordStatus: assessment.stsRecord?.status, findings: assessment.findings) == .valid)
    }

    @Test func policyHostWithoutAddressesIsPolicyDNS() {
        let nx = DNSPhaseClassifier.assess(facts(sts: txt("v=STSv1; id=1"), policyA: .nxdomain, policyAAAA: .nxdomain))
        #expect(codes(nx) == ["policy-dns"])
        #expect(nx.findings.first?[detail: "reason"] == "nxdomain")

        let dangling = DNSPhaseClassifier.assess(facts(
            sts: txt("v=STSv1; id=1"),
            policyA: LookupResult(status: .nxdomain, cnameChain: ["gone.provider.example"]),
            policyAAAA: LookupResult(status: .nxdomain, cnameChain: ["gone.provider.example"])))
        #expect(dangling.findings.first?[detail: "reason"] == "dangling-cname")
        #expect(dangling.findings.first?[detail: "cname_chain"] == ["gone.provider.example"])
        #expect(Verdict.of(stsRecordStatus: dangling.stsRecord?.status, findings: dangling.findings) == .misconfigured)
    }

    @Test func ipv6OnlyPolicyHostIsFine() {
        let assessment = DNSPhaseClassifier.assess(facts(sts: txt("v=STSv1; id=1"), policyA: .nodata, policyAAAA: .answer(["2001:db8::1"])))
        #expect(assessment.findings.isEmpty)
    }

    @Test func servfailOnThePolicyHostIsDNSNotPolicyDNS() {
        let assessment = DNSPhaseClassifier.assess(facts(sts: txt("v=STSv1; id=1"), policyA: LookupResult(status: .servfail), policyAAAA: .nodata))
        #expect(codes(assessment) == ["dns-servfail"])
        #expect(Verdict.of(stsRecordStatus: assessment.stsRecord?.status, findings: assessment.findings) == .unknown)
    }

    @Test func noMXRecordsIsMXNoneAndNullMXSaysSo() {
        #expect(codes(DNSPhaseClassifier.assess(facts(sts: txt("v=STSv1; id=1"), mx: .nodata))) == ["mx-none"])
        let nullMX = DNSPhaseClassifier.assess(facts(sts: txt("v=STSv1; id=1"), mx: .answer([MXRecordValue(preference: 0, host: "")])))
        #expect(codes(nullMX) == ["mx-none"])
        #expect(nullMX.findings.first?[detail: "reason"] == "null-mx")
    }

    @Test func mxHostWithoutAddressesIsMXDNSOncePerHost() {
        let mx: LookupResult<MXRecordValue> = .answer([
            MXRecordValue(preference: 20, host: "b.example.com"), MXRecordValue(preference: 10, host: "a.example.com"),
            MXRecordValue(preference: 30, host: "b.example.com"),
        ])
        let addresses = [
            "a.example.com": HostAddresses(ipv4: .answer(["192.0.2.1"]), ipv6: .nodata),
            "b.example.com": HostAddresses(ipv4: .nxdomain, ipv6: .nxdomain),
        ]
        let assessment = DNSPhaseClassifier.assess(facts(sts: txt("v=STSv1; id=1"), mx: mx, mxAddresses: addresses))
        #expect(codes(assessment) == ["mx-dns"])
        #expect(assessment.findings.first?[detail: "mx_host"] == "b.example.com")
    }

    @Test func recordFindingsComeThroughAndDecideTheVerdict() {
        let assessment = DNSPhaseClassifier.assess(facts(sts: txt("v=STSv1; id=1", "v=STSv1; id=2")))
        #expect(codes(assessment) == ["sts-record-multiple"])
        #expect(Verdict.of(stsRecordStatus: assessment.stsRecord?.status, findings: assessment.findings) == .misconfigured)
    }

    @Test func verdictCountsErrorsOnlyAndIgnoresTLSRPT() {
        let warning = Finding(.policyMaxAgeShort, ["max_age": 60])
        let tlsrptError = Finding(.tlsrptMultiple)
        #expect(Verdict.of(stsRecordStatus: .valid, findings: [warning, tlsrptError]) == .valid)
        #expect(Verdict.of(stsRecordStatus: .valid, findings: [Finding(.dnsTimeout), Finding(.mxTLS)]) == .misconfigured)
        #expect(Verdict.of(stsRecordStatus: .valid, findings: [Finding(.dnsTimeout)]) == .unknown)
        #expect(Verdict.of(stsRecordStatus: .absent, findings: [Finding(.tlsrptMultiple)]) == .noMTASTS)
    }

    // MARK: issue 13 item 7: a CNAME chain served whole that loops or is too long

    private var loop: LookupResult<String> {
        .cutCNAMEChain(name: "mta-sts.example.com", chain: ["loop1.example.com", "loop2.example.com", "loop1.example.com"])
    }

    @Test func aCNAMELoopOfThePolicyHostIsPolicyDNSNotServfail() {
        let assessment = DNSPhaseClassifier.assess(facts(sts: txt("v=STSv1; id=1"), policyA: loop, policyAAAA: loop))
        #expect(codes(assessment) == ["policy-dns"])
        let finding = assessment.findings.first
        #expect(finding?[detail: "host"] == "mta-sts.example.com")
        #expect(finding?[detail: "reason"] == "cname-loop")
        #expect(finding?[detail: "cname_length"] == 3)
        #expect(finding?[detail: "cname_chain"] == ["loop1.example.com", "loop2.example.com", "loop1.example.com"])
        #expect(finding?[detail: "cname_chain_cut"] == true)
        #expect(Verdict.of(stsRecordStatus: assessment.stsRecord?.status, findings: assessment.findings) == .misconfigured)
        // The owner's loop outweighs a resolver's trouble with the other address type.
        let mixed = DNSPhaseClassifier.assess(facts(sts: txt("v=STSv1; id=1"), policyA: loop, policyAAAA: LookupResult(status: .servfail)))
        #expect(codes(mixed) == ["policy-dns"])
    }

    @Test func aChainTooLongOfAnMXHostIsMXDNS() {
        let long = LookupResult<String>.cutCNAMEChain(name: "mx.example.com", chain: (1...10).map { "hop\($0).example.net" })
        let assessment = DNSPhaseClassifier.assess(facts(
            sts: txt("v=STSv1; id=1"), mxAddresses: ["mx.example.com": HostAddresses(ipv4: long, ipv6: long)]))
        #expect(codes(assessment) == ["mx-dns"])
        let finding = assessment.findings.first
        #expect(finding?[detail: "mx_host"] == "mx.example.com")
        #expect(finding?[detail: "reason"] == "cname-chain-too-long")
        #expect(finding?[detail: "cname_length"] == 10)
        #expect(finding?[detail: "cname_chain_cut"] == true)
        #expect(LookupStatus.cnameChainTooLong.isFailure == false)
        #expect(LookupStatus.cnameLoop.failureCode == nil)
    }
}
