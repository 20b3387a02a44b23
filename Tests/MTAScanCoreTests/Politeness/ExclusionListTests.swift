import Testing
@testable import MTAScanCore

@Suite struct ExclusionListTests {
    @Test(arguments: [
        ("192.0.2.1", true), ("0.0.0.0", true), ("255.255.255.255", true), ("::", true), ("::1", true),
        ("2001:db8::1", true), ("2001:DB8:0:0:0:0:0:1", true), ("::ffff:192.0.2.1", true), ("1::", true),
        ("fe80::1:2:3:4:5", true), ("1:2:3:4:5:6:7:8", true), ("1:2:3:4:5:6:192.0.2.1", true),
        ("256.0.0.1", false), ("01.2.3.4", false), ("1.2.3", false), ("1.2.3.4.5", false), (":::", false),
        ("1::2::3", false), ("1:2:3:4:5:6:7:8:9", false), ("1:2:3:4:5:6:7", false), ("12345::", false),
        ("g::1", false), (":1:2:3:4:5:6:7", false), ("1:2:3:4:5:6:7:", false), ("", false), ("example.com", false),
    ])
    func parsesAddresses(text: String, valid: Bool) {
        #expect((IPBits(text) != nil) == valid, "\(text)")
    }

    @Test func equalAddressesInDifferentSpellings() {
        #expect(IPBits("2001:db8::1") == IPBits("2001:0db8:0000:0000:0000:0000:0000:0001"))
        #expect(IPBits("::ffff:192.0.2.1") == IPBits("192.0.2.1"))
    }

    @Test func networksContainTheirAddressesOnly() throws {
        let v4 = try #require(IPNetwork("192.0.2.0/24"))
        #expect(v4.contains(try #require(IPBits("192.0.2.255"))))
        #expect(!v4.contains(try #require(IPBits("192.0.3.0"))))
        let v6 = try #require(IPNetwork("2001:db8::/32"))
        #expect(v6.contains(try #require(IPBits("2001:db8:ffff::1"))))
        #expect(!v6.contains(try #require(IPBits("2001:db9::1"))))
        #expect(!v6.contains(try #require(IPBits("192.0.2.1"))))
        let all = try #require(IPNetwork("0.0.0.0/0"))
        #expect(all.contains(try #require(IPBits("203.0.113.9"))))
        #expect(!all.contains(try #require(IPBits("::1"))))
        #expect(IPNetwork("192.0.2.0/33") == nil)
        #expect(IPNetwork("2001:db8::/129") == nil)
        #expect(IPNetwork("192.0.2.0/-1") == nil)
        #expect(IPNetwork("192.0.2.0/") == nil)
    }

    @Test func fileFormatWithCommentsNetworksAndSuffixes() throws {
        let list = try ExclusionList(parsing: """
            # opted out
            192.0.2.0/24   # a hosting provider
            2001:db8::/32
            Example.COM.

            198.51.100.7\r
            """)
        #expect(list.networks.count == 3)
        #expect(list.excludes(address: try #require(IPBits("192.0.2.44"))))
        #expect(list.excludes(address: try #require(IPBits("198.51.100.7"))))
        #expect(!list.excludes(address: try #require(IPBits("198.51.100.8"))))
        #expect(list.excludes(domain: "example.com"))
        #expect(list.excludes(domain: "MX1.example.com."))
        #expect(!list.excludes(domain: "badexample.com"))
        #expect(!list.excludes(domain: "com"))
    }

    @Test func aBadEntryIsAnErrorWithItsLine() {
        #expect(throws: ExclusionList.ParseError(line: 2, text: "not/a/thing")) {
            try ExclusionList(parsing: "192.0.2.0/24\nnot/a/thing\n")
        }
        #expect(ExclusionList().isEmpty)
    }
}
