import Foundation
import MTAScanCore
import Testing

/// Issue 13, "Exactness", through the real pipeline on the local test internet:
/// what a scan records beyond the catalogue's codes and details (which
/// ScanScenarioTests checks for every scenario).
@Suite(.enabled(if: TestInternet.isRunning, "needs the local test internet: run tools/test.sh"), .serialized)
struct ExactnessScanTests {
    private func scan(_ domains: [String], _ extra: [String] = []) throws -> [String: JSONValue] {
        try ScanScenarioTests.scan(domains, extra).records
    }

    private func findings(_ record: JSONValue?, _ code: String) -> [JSONValue] {
        (record?["findings"]?.arrayValue ?? []).filter { $0["code"]?.stringValue == code }
    }

    /// Item 5: a blank line makes the policy invalid, and the record keeps its fields.
    @Test func aPolicyWithABlankLineIsInvalidButItsFieldsAreKept() throws {
        let record = try #require(try scan(["policy-syntax-blank-line.test"])["policy-syntax-blank-line.test"])
        #expect(record["verdict"] == "misconfigured")
        #expect(record["mode"] == "enforce")
        let policy = try #require(record["policy"])
        #expect(policy["valid"] == false)
        #expect(policy["mode"] == "enforce")
        #expect(policy["version"] == "STSv1")
        #expect(policy["mx"]?.arrayValue?.count == 2)
        let finding = try #require(findings(record, "policy-syntax").first)
        #expect(finding["rule"] == "blank-line")
        #expect(finding["severity"] == "error")
    }

    /// Item 6: a private CA's chain with its root sent along is untrusted, a self-signed leaf self-signed.
    @Test func anUntrustedRootIsNotASelfSignedLeaf() throws {
        let records = try scan(["mx-tls-untrusted-root.test", "mx-tls-self-signed.test", "policy-tls-untrusted-root.test"])
        let root = try #require(findings(records["mx-tls-untrusted-root.test"], "mx-tls").first)
        #expect(root["reason"] == "untrusted")
        #expect(root["verify_error"] == 19)
        let leaf = try #require(findings(records["mx-tls-self-signed.test"], "mx-tls").first)
        #expect(leaf["reason"] == "self-signed")
        #expect(leaf["verify_error"] == 18)
        #expect(findings(records["policy-tls-untrusted-root.test"], "policy-tls").first?["reason"] == "untrusted")
    }

    /// Item 7: a loop served whole in one answer is the owner's, whoever resolves it.
    @Test func aCNAMELoopServedWholeIsPolicyDNS() throws {
        let output = try MTAScanProcess.run(["scan", "--phases", "dns", "--resolver", "127.53.1.21"],
                                            stdin: "sts-valid.test\n", timeout: 60)
        #expect(output.status == 0, "\(output.stderr)")
        let record = try JSONParser.parse(try #require(output.stdoutLines.first))
        #expect(record["verdict"] == "misconfigured")
        let finding = try #require(findings(record, "policy-dns").first)
        #expect(finding["reason"] == "cname-loop")
        #expect(finding["cname_length"] == 3)
        #expect(finding["cname_chain"] == ["loop1.sts-valid.test", "loop2.sts-valid.test", "loop1.sts-valid.test"])
        #expect(finding["cname_chain_cut"] == true)
        #expect(record["policy_host"]?["lookup"]?["a"] == "cname-loop")
        #expect(findings(record, "dns-servfail").isEmpty)
    }

    @Test func overLongCNAMEChainsAreTheOwnersMisconfiguration() throws {
        let records = try scan(["cname-chain-too-long-policy-host.test", "cname-chain-too-long-mx.test"])
        let policy = try #require(findings(records["cname-chain-too-long-policy-host.test"], "policy-dns").first)
        #expect(policy["reason"] == "cname-chain-too-long")
        #expect(policy["cname_length"] == 10)
        #expect(policy["cname_chain"]?.arrayValue?.count == 10)
        #expect(records["cname-chain-too-long-policy-host.test"]?["verdict"] == "misconfigured")
        let mx = try #require(findings(records["cname-chain-too-long-mx.test"], "mx-dns").first)
        #expect(mx["mx_host"] == "mx.cname-chain-too-long-mx.test")
        #expect(mx["reason"] == "cname-chain-too-long")
        #expect(mx["cname_chain_cut"] == true)
    }

    /// Item 8: a probe that ends in mx-tls keeps what the dialogue showed.
    @Test func anMXTLSProbeKeepsBannerGreetingAndSTARTTLS() throws {
        let records = try scan(["mx-tls-expired.test", "mx-tls-protocol.test", "mx-starttls-alert.test"])
        for domain in ["mx-tls-expired.test", "mx-tls-protocol.test", "mx-starttls-alert.test"] {
            let probes = records[domain]?["mx"]?["hosts"]?.arrayValue?.first?["probes"]?.arrayValue ?? []
            let probe = try #require(probes.first, "\(domain): no probe")
            #expect(probe["result"] == "mx-tls", "\(domain)")
            #expect(probe["banner"]?.stringValue?.isEmpty == false, "\(domain): banner")
            #expect(probe["greeting"] == "ehlo", "\(domain): greeting")
            #expect(probe["starttls"] == true, "\(domain): starttls")
        }
    }

    /// Item 9: no certificate, no PKIX verdict; a certificate that failed, false.
    @Test func pkixValidOnlyWhereACertificateArrived() throws {
        let records = try scan(["mx-tls-protocol.test", "mx-starttls-alert.test", "mx-tls-expired.test"])
        for domain in ["mx-tls-protocol.test", "mx-starttls-alert.test"] {
            let record = records[domain]
            #expect(record?["mx"]?["hosts"]?.arrayValue?.first?["pkix_valid"] == .null, "\(domain)")
            #expect(findings(record, "mx-pkix-invalid-all").isEmpty, "\(domain)")
            #expect(findings(record, "mx-tls").count == 1, "\(domain)")
        }
        let expired = records["mx-tls-expired.test"]
        #expect(expired?["mx"]?["hosts"]?.arrayValue?.first?["pkix_valid"] == false)
        #expect(findings(expired, "mx-pkix-invalid-all").first?["hosts_checked"] == 1)
    }
}
