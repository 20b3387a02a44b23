import Testing
@testable import MTAScanCore

@Suite struct OrphanedDelegationTests {
    let providers: ProviderCatalogue

    init() throws {
        providers = ProviderCatalogue.builtIn.adding(
            try ProviderCatalogue.parseEntries("policy-host mta-sts-host.example testnet-policy-host"))
    }

    private func facts(cname: [String]) -> DomainDNSFacts {
        DomainDNSFacts(domain: DomainName("example.com")!, mx: .nodata, stsTXT: .answer([Array("v=STSv1; id=1".utf8)]),
                       tlsrptTXT: .nxdomain,
                       policyHostIPv4: cname.isEmpty ? .answer(["192.0.2.1"]) : .answer(["192.0.2.1"], cnameChain: cname),
                       policyHostIPv6: .nodata, ns: .nodata)
    }

    private func retrieval(status: Int?, findings: [Finding] = [], policy: Policy? = nil) -> PolicyRetrieval {
        PolicyRetrieval(url: "https://mta-sts.example.com/.well-known/mta-sts.txt", address: "192.0.2.1",
                        httpStatus: status, findings: findings, policy: policy)
    }

    private func finding(_ facts: DomainDNSFacts, dns: [Finding] = [], _ retrieval: PolicyRetrieval?) -> Finding? {
        OrphanedDelegation.finding(facts: facts, dnsFindings: dns, retrieval: retrieval, providers: providers)
    }

    @Test func eachKindOfEvidenceAtAKnownProvider() throws {
        let delegated = facts(cname: ["customer9.mta-sts-host.example"])
        let dangling = Finding(.policyDNS, ["reason": "dangling-cname"])
        let nx = try #require(finding(delegated, dns: [dangling], nil))
        #expect(nx.code == .policyOrphanedDelegation && nx.severity == .warning)
        #expect(nx[detail: "provider"] == "testnet-policy-host")
        #expect(nx[detail: "evidence"] == "nxdomain")
        #expect(nx[detail: "takeover_risk"] == true)
        #expect(nx[detail: "cname_target"] == "customer9.mta-sts-host.example")

        #expect(finding(delegated, retrieval(status: 404, findings: [Finding(.policyHTTP)]))?[detail: "evidence"] == "http-404")
        #expect(finding(delegated, retrieval(status: 410))?[detail: "evidence"] == "http-404")
        #expect(finding(delegated, retrieval(status: 200, findings: [Finding(.policySyntax, ["rule": "empty"])]))?[detail: "evidence"]
                == "empty-body")
        let mismatch = Finding(.policyTLS, ["reason": "name-mismatch"])
        let defaultCertificate = try #require(finding(delegated, retrieval(status: nil, findings: [mismatch])))
        #expect(defaultCertificate[detail: "evidence"] == "certificate-name-mismatch")
        #expect(defaultCertificate[detail: "takeover_risk"] == false)
        let placeholder = Policy(mode: .none, maxAge: 86400, mx: [])
        #expect(finding(delegated, retrieval(status: 200, policy: placeholder))?[detail: "evidence"] == "mode-none")
    }

    @Test func noEvidenceNoProviderOrNoDelegationIsNoFinding() {
        let delegated = facts(cname: ["customer9.mta-sts-host.example"])
        let served = Policy(mode: .enforce, maxAge: 604800, mx: [])
        #expect(finding(delegated, retrieval(status: 200, policy: served)) == nil)
        // An outage says nothing about the delegation.
        #expect(finding(delegated, retrieval(status: nil, findings: [Finding(.policyTCP, ["reason": "timeout"])])) == nil)
        #expect(finding(delegated, retrieval(status: 500, findings: [Finding(.policyHTTP)])) == nil)
        // A CNAME to a host no catalogue knows, or no CNAME at all: not a provider's.
        #expect(finding(facts(cname: ["policy.self-hosted.example"]), retrieval(status: 404)) == nil)
        #expect(finding(facts(cname: []), retrieval(status: 404)) == nil)
    }
}
