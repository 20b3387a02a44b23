import Testing
@testable import MTAScanCore

@Suite struct ScanRecordTests {
    private let facts = DomainDNSFacts(
        domain: DomainName("example.com")!,
        mx: .answer([MXRecordValue(preference: 20, host: "b.example.net"), MXRecordValue(preference: 10, host: "a.example.net")]),
        stsTXT: .answer([Array("v=STSv1; id=1".utf8)]),
        tlsrptTXT: .nxdomain,
        policyHostIPv4: .answer(["192.0.2.9"], cnameChain: ["mta-sts.provider.example"]),
        policyHostIPv6: LookupResult(status: .nodata, cnameChain: ["mta-sts.provider.example"]),
        ns: .answer(["ns2.example.net", "ns1.example.net"]),
        mxHostAddresses: ["a.example.net": HostAddresses(ipv4: .answer(["192.0.2.25"]), ipv6: .nodata)])

    @Test func everyRecordHasTheSameKeysInTheSameOrder() throws {
        let dns = ScanRecord.dnsPhase(facts: facts, assessment: DNSPhaseClassifier.assess(facts), line: 3)
        let invalid = ScanRecord.invalidInput(line: 4, text: "bad..name", problem: InputProblem(.emptyLabel))
        let keys = try #require(dns.objectValue?.keys)
        #expect(keys == invalid.objectValue?.keys)
        #expect(keys.first == "schema_version")
        #expect(keys.contains("domain") && keys.contains("verdict") && keys.contains("findings"))
    }

    @Test func dnsPhaseRecordCarriesTheFactsInDeterministicOrder() throws {
        let record = ScanRecord.dnsPhase(facts: facts, assessment: DNSPhaseClassifier.assess(facts), line: 3)
        #expect(record["domain"] == "example.com")
        #expect(record["verdict"] == "valid")
        #expect(record["phases"] == ["dns"])
        #expect(record["sts_record"]?["status"] == "valid")
        #expect(record["sts_record"]?["id"] == "1")
        #expect(record["tlsrpt"]?["lookup"] == "nxdomain")
        #expect(record["tlsrpt"]?["status"] == "absent")
        let hosts = try #require(record["mx"]?["hosts"]?.arrayValue)
        #expect(hosts.map { $0["host"] } == ["a.example.net", "b.example.net"])
        #expect(hosts[0]["ipv4"] == ["192.0.2.25"])
        #expect(hosts[1]["ipv4"] == .null)
        #expect(record["policy_host"]?["cname_target"] == "mta-sts.provider.example")
        #expect(record["ns"]?["values"] == ["ns1.example.net", "ns2.example.net"])
    }

    @Test func tlsaRecordsOfMXHostsAppearWhenLookedUp() throws {
        var withTLSA = facts
        withTLSA.mxTLSA = ["a.example.net": .answer([TLSARecordValue(usage: 3, selector: 1, matchingType: 1, data: "ab01")])]
        let record = ScanRecord.dnsPhase(facts: withTLSA, assessment: DNSPhaseClassifier.assess(withTLSA), line: 1)
        let hosts = try #require(record["mx"]?["hosts"]?.arrayValue)
        // "ab01" is no SHA-256 digest: not usable by DANE.
        #expect(hosts[0]["tlsa"] == .object([
            "lookup": "answer", "dnssec": .null,
            "records": [.object(["usage": 3, "selector": 1, "matching_type": 1, "data": "ab01", "usable": false])],
        ]))
        #expect(hosts[1]["tlsa"] == .null)
    }

    @Test func invalidInputRecordsSayWhy() {
        let record = ScanRecord.invalidInput(line: 4, text: "bad..name", problem: InputProblem(.emptyLabel))
        #expect(record["verdict"] == .null)
        #expect(record["input_line"] == 4)
        #expect(record["input_error"]?["reason"] == "empty-label")
        #expect(record["findings"] == [])
    }
}
