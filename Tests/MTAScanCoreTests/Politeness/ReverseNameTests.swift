import Testing
@testable import MTAScanCore

@Suite struct ReverseNameTests {
    @Test func ipv4() throws {
        #expect(ReverseName.of(try #require(IPBits("192.0.2.10"))).text == "10.2.0.192.in-addr.arpa")
    }

    /// RFC 3596 §2.5's own example.
    @Test func ipv6() throws {
        #expect(ReverseName.of(try #require(IPBits("4321:0:1:2:3:4:567:89ab"))).text
            == "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa")
    }

    @Test func explanationsSayWhatToFix() throws {
        #expect(FCrDNSOutcome.noPTR.explanation(address: "192.0.2.1").contains("no PTR"))
        #expect(FCrDNSOutcome.notConfirmed(names: ["a.example"]).explanation(address: "192.0.2.1").contains("a.example"))
        let name = try #require(DomainName("scanner.example"))
        #expect(FCrDNSOutcome.confirmed(name: name).explanation(address: "192.0.2.1").hasSuffix("scanner.example"))
    }
}
