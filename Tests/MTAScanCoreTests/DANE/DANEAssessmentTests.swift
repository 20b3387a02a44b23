import Testing
@testable import MTAScanCore

@Suite struct DANEAssessmentTests {
    static let digest = String(repeating: "ab", count: 32)
    static let eeRecord = TLSARecordValue(usage: 3, selector: 1, matchingType: 1, data: digest)
    static let pkixRecord = TLSARecordValue(usage: 1, selector: 1, matchingType: 1, data: digest)

    /// A domain with two MX hosts; `mx` and `tlsa` give the DNSSEC picture.
    private func facts(mx: DNSSECStatus?, tlsa: [String: LookupResult<TLSARecordValue>]) -> DomainDNSFacts {
        var mxLookup = LookupResult<MXRecordValue>.answer([MXRecordValue(preference: 10, host: "a.example.net"),
                                                         MXRecordValue(preference: 20, host: "b.example.net")])
        mxLookup.dnssec = mx
        return DomainDNSFacts(domain: DomainName("example.com")!, mx: mxLookup, stsTXT: .nxdomain, tlsrptTXT: .nxdomain,
                              policyHostIPv4: .notQueried, policyHostIPv6: .notQueried, ns: .nodata,
                              mxTLSA: tlsa)
    }

    private func tlsa(_ records: [TLSARecordValue], _ dnssec: DNSSECStatus) -> LookupResult<TLSARecordValue> {
        var lookup = LookupResult<TLSARecordValue>.answer(records)
        lookup.dnssec = dnssec
        return lookup
    }

    private func absent() -> LookupResult<TLSARecordValue> {
        var lookup = LookupResult<TLSARecordValue>.nxdomain
        lookup.dnssec = .secure
        return lookup
    }

    private func probe(_ host: String, _ result: DANEVerification.Result?) -> MXProbeObservation {
        let dane = result.map { DANEVerification(result: $0, verifyError: $0 == .mismatch ? 65 : nil) }
        return MXProbeObservation(host: host, address: "192.0.2.1",
                                  tls: TLSObservation(pkixValid: false, json: .null, dane: dane))
    }

    private func codes(_ assessment: DANEAssessment) -> [String] { assessment.findings.map(\.code.rawValue) }

    @Test func everyHostSecuredAndVerifiedIsValid() {
        let both = facts(mx: .secure, tlsa: ["a.example.net": tlsa([Self.eeRecord], .secure),
                                             "b.example.net": tlsa([Self.eeRecord], .secure)])
        let verified = DANEAssessment.assess(facts: both, probes: [probe("a.example.net", .verified),
                                                                   probe("b.example.net", .verified)])
        #expect(verified.verdict == .valid && verified.findings.isEmpty && verified.daneHosts == 2)
        #expect(verified.senderView(mtaSTS: .misconfigured).contains("even though MTA-STS is misconfigured"))
        // Without the mx phase the records are published and secure: valid as far as DNS shows.
        let unprobed = DANEAssessment.assess(facts: both, probes: nil)
        #expect(unprobed.verdict == .valid && unprobed.hosts.map(\.state) == [.secured, .secured])
    }

    @Test func aMismatchBreaksDeliveryForDANESenders() {
        let both = facts(mx: .secure, tlsa: ["a.example.net": tlsa([Self.eeRecord], .secure),
                                             "b.example.net": tlsa([Self.eeRecord], .secure)])
        let result = DANEAssessment.assess(facts: both, probes: [probe("a.example.net", .verified),
                                                                 probe("b.example.net", .mismatch)])
        #expect(result.verdict == .broken)
        #expect(codes(result) == ["dane-tlsa-mismatch"])
        #expect(result.findings[0].severity == .error)
        #expect(result.findings[0][detail: "mx_host"] == "b.example.net")
        #expect(result.findings[0][detail: "verify_error"] == 65)
    }

    @Test func onlyUnusableRecordsBreakMixedOnesWarn() {
        let onlyPKIX = DANEAssessment.assess(facts: facts(mx: .secure, tlsa: [
            "a.example.net": tlsa([Self.pkixRecord], .secure), "b.example.net": tlsa([Self.eeRecord], .secure),
        ]), probes: nil)
        // One host authenticated, one with only unusable records (mandatory TLS, no authentication).
        #expect(onlyPKIX.verdict == .partial)
        #expect(codes(onlyPKIX) == ["dane-tlsa-unusable"])
        #expect(onlyPKIX.findings[0].severity == .error)
        #expect(onlyPKIX.findings[0][detail: "reasons"] == ["pkix-usage"])
        let mixed = DANEAssessment.assess(facts: facts(mx: .secure, tlsa: [
            "a.example.net": tlsa([Self.pkixRecord, Self.eeRecord], .secure),
            "b.example.net": tlsa([Self.eeRecord], .secure),
        ]), probes: nil)
        #expect(mixed.verdict == .valid)
        #expect(codes(mixed) == ["dane-tlsa-unusable"] && mixed.findings[0].severity == .warning)
    }

    @Test func onlyUnusableRecordsEverywhereAuthenticateNothing() {
        let result = DANEAssessment.assess(facts: facts(mx: .secure, tlsa: [
            "a.example.net": tlsa([Self.pkixRecord], .secure), "b.example.net": tlsa([Self.pkixRecord], .secure),
        ]), probes: nil)
        #expect(result.verdict == .unauthenticated)
        #expect(codes(result) == ["dane-tlsa-unusable", "dane-tlsa-unusable"])
        #expect(result.daneHosts == 2)
    }

    @Test func insecureRecordsDoNotApply() {
        let insecureTLSA = DANEAssessment.assess(facts: facts(mx: .secure, tlsa: [
            "a.example.net": tlsa([Self.eeRecord], .insecure), "b.example.net": absent(),
        ]), probes: nil)
        #expect(insecureTLSA.verdict == .insecure)
        #expect(codes(insecureTLSA) == ["dane-tlsa-insecure"])
        // Secure TLSA under an insecure MX RRset: no sender applies them, even a mismatch only warns.
        let insecureMX = DANEAssessment.assess(facts: facts(mx: .insecure, tlsa: [
            "a.example.net": tlsa([Self.eeRecord], .secure), "b.example.net": tlsa([Self.eeRecord], .secure),
        ]), probes: [probe("a.example.net", .mismatch)])
        #expect(insecureMX.verdict == .insecure)
        #expect(Set(codes(insecureMX)) == ["dane-tlsa-mismatch", "dane-mx-insecure"])
        #expect(insecureMX.findings.allSatisfy { $0.severity == .warning })
        #expect(insecureMX.daneHosts == 0)
    }

    @Test func someHostsSecuredIsPartial() {
        let result = DANEAssessment.assess(facts: facts(mx: .secure, tlsa: [
            "a.example.net": tlsa([Self.eeRecord], .secure), "b.example.net": absent(),
        ]), probes: [probe("a.example.net", .verified)])
        #expect(result.verdict == .partial && result.findings.isEmpty)
        #expect(result.senderView(mtaSTS: nil).contains("1 of 2 MX hosts"))
    }

    @Test func bogusAnswersBreak() {
        let bogusTLSA = DANEAssessment.assess(facts: facts(mx: .secure, tlsa: [
            "a.example.net": tlsa([Self.eeRecord], .bogus), "b.example.net": tlsa([Self.eeRecord], .secure),
        ]), probes: nil)
        #expect(bogusTLSA.verdict == .broken)
        #expect(codes(bogusTLSA) == ["dane-bogus"])
        #expect(bogusTLSA.findings[0][detail: "lookup"] == "tlsa")
        var servfail = LookupResult<MXRecordValue>(status: .servfail)
        servfail.dnssec = .bogus
        let bogusMX = DANEAssessment.assess(facts: DomainDNSFacts(
            domain: DomainName("example.com")!, mx: servfail, stsTXT: .nxdomain, tlsrptTXT: .nxdomain,
            policyHostIPv4: .notQueried, policyHostIPv6: .notQueried, ns: .nodata), probes: nil)
        #expect(bogusMX.verdict == .broken && codes(bogusMX) == ["dane-bogus"])
    }

    @Test func noRecordsIsNoneAndFailedLookupsUnknown() {
        let none = DANEAssessment.assess(facts: facts(mx: .secure, tlsa: ["a.example.net": absent(),
                                                                          "b.example.net": absent()]), probes: nil)
        #expect(none.verdict == .none && none.findings.isEmpty)
        var timeout = LookupResult<TLSARecordValue>(status: .timeout)
        timeout.dnssec = .insecure
        let unknown = DANEAssessment.assess(facts: facts(mx: .secure, tlsa: ["a.example.net": timeout,
                                                                             "b.example.net": absent()]), probes: nil)
        #expect(unknown.verdict == .unknown)
    }

    /// DANE findings sit in the record but never move the MTA-STS verdict.
    @Test func daneFindingsNeverChangeTheMTASTSVerdict() {
        let findings = [Finding(.daneTLSAMismatch), Finding(.daneBogus)]
        #expect(Verdict.of(stsRecordStatus: .valid, findings: findings) == .valid)
        #expect(Verdict.of(stsRecordStatus: .absent, findings: findings) == .noMTASTS)
    }

    @Test func recordJSONCarriesTheVerdictAndHosts() throws {
        let both = facts(mx: .secure, tlsa: ["a.example.net": tlsa([Self.eeRecord], .secure),
                                             "b.example.net": absent()])
        let record = ScanRecord.dnsPhase(facts: both, assessment: DNSPhaseClassifier.assess(both), line: 1)
        #expect(record["dane"]?["verdict"] == "partial")
        #expect(record["dane"]?["mx_dnssec"] == "secure")
        #expect(record["dane"]?["hosts"]?.arrayValue?.map { $0["state"] } == ["secured", "absent"])
        #expect(record["mx"]?["dnssec"] == "secure")
        #expect(record["mx"]?["hosts"]?.arrayValue?.first?["tlsa"]?["dnssec"] == "secure")
        let plain = ScanRecord.dnsPhase(facts: DomainDNSFacts(
            domain: DomainName("example.com")!, mx: .nodata, stsTXT: .nxdomain, tlsrptTXT: .nxdomain,
            policyHostIPv4: .notQueried, policyHostIPv6: .notQueried, ns: .nodata), assessment: DNSPhaseClassifier.assess(both), line: 1)
        #expect(plain["dane"] == .null)
    }
}
