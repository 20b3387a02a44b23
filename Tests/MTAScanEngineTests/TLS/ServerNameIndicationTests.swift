import Testing
@testable import MTAScanEngine

@Suite struct ServerNameIndicationTests {
    @Test func hostNamesAreSentWithoutTheTrailingDot() {
        #expect(ServerNameIndication.wireName(for: "mta-sts.example.com") == "mta-sts.example.com")
        #expect(ServerNameIndication.wireName(for: "mx1.example.com.") == "mx1.example.com")
        #expect(ServerNameIndication.wireName(for: "_dmarc-like.Example.COM") == "_dmarc-like.Example.COM")
        #expect(ServerNameIndication.wireName(for: "1.example.com") == "1.example.com")
        #expect(ServerNameIndication.wireName(for: "localhost") == "localhost")
    }

    @Test(arguments: [
        "", ".", "192.0.2.1", "192.0.2.1.", "10", "2001:db8::1", "[2001:db8::1]", "a..b", ".a", "a b",
        "mx\u{0}.example.com", "bücher.example", "*.example.com", String(repeating: "a", count: 64) + ".com",
        String(repeating: "a.", count: 127) + "ab",
    ])
    func namesThatCannotBeSentGetNoSNI(host: String) {
        #expect(ServerNameIndication.wireName(for: host) == nil)
    }

    @Test func longestNamesStillGo() {
        let label63 = String(repeating: "a", count: 63)
        #expect(ServerNameIndication.wireName(for: label63 + ".com") != nil)
        let name253 = [label63, label63, label63, String(repeating: "b", count: 61)].joined(separator: ".")
        #expect(name253.utf8.count == 253)
        #expect(ServerNameIndication.wireName(for: name253) == name253)
    }
}
