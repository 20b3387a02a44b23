import MTAScanEngine
import Testing

@Suite struct SocketAddressTests {
    @Test func parsesIPv4WithPort() throws {
        let address = try #require(SocketAddress("192.0.2.1:53"))
        #expect(address.ip == IPAddress(ipv4: 192, 0, 2, 1))
        #expect(address.port == 53)
        #expect(address.family == .ipv4)
        #expect(address.description == "192.0.2.1:53")
    }

    @Test func parsesBracketedIPv6WithPort() throws {
        let address = try #require(SocketAddress("[2001:db8::1]:853"))
        #expect(address.ip == IPAddress(ipv6: 0x2001_0DB8_0000_0000, 1))
        #expect(address.port == 853)
        #expect(address.description == "[2001:db8::1]:853")
    }

    @Test func bareAddressesNeedADefaultPort() throws {
        #expect(SocketAddress("127.0.0.1") == nil)
        #expect(SocketAddress("::1") == nil)
        #expect(SocketAddress("127.0.0.1", defaultPort: 53) == SocketAddress(ip: .loopbackV4, port: 53))
        #expect(SocketAddress("::1", defaultPort: 53) == SocketAddress(ip: .loopbackV6, port: 53))
        #expect(SocketAddress("[::1]", defaultPort: 53) == SocketAddress(ip: .loopbackV6, port: 53))
        // A bare IPv6 address's last group is never read as a port.
        #expect(SocketAddress("2001:db8::53", defaultPort: 25)?.port == 25)
    }

    @Test func explicitPortWinsOverDefault() {
        #expect(SocketAddress("127.0.0.1:5353", defaultPort: 53)?.port == 5353)
        #expect(SocketAddress("127.0.0.1:0")?.port == 0)
        #expect(SocketAddress("127.0.0.1:65535")?.port == 65535)
    }

    @Test(arguments: [
        "", ":", ":53", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:+53", "127.0.0.1: 53",
        "127.0.0.1:053x", "256.0.0.1:53", "1.2.3:53", "1.2.3.4.5:53", "01.2.3.4:53", "127.1:53",
        " 127.0.0.1:53", "127.0.0.1 :53", "[127.0.0.1]:53", "[::1", "::1]:53", "[::1]53", "[::1]:",
        "[::1]:99999", "1::2::3", "gggg::1", "example.com:53", "127.0.0.1\u{0}:53", "127.0.0.1:5\u{0}3",
        "[::1\u{0}]:53", "1.2.3.4%2:53", "[fe80::1%eth0]:53", "[fe80::1%]:53", "[fe80::1%99999999999]:53",
        "１２７.0.0.1:53", String(repeating: "1", count: 200),
    ])
    func rejectsMalformedText(_ text: String) {
        #expect(SocketAddress(text, defaultPort: 53) == nil)
    }

    @Test func acceptsNumericScopeAndMappedForms() throws {
        let scoped = try #require(SocketAddress("[fe80::1%2]:53"))
        #expect(scoped.ip.scopeID == 2)
        #expect(scoped.description == "[fe80::1%2]:53")
        #expect(SocketAddress(scoped.description) == scoped)
        let mapped = try #require(SocketAddress("[::ffff:192.0.2.1]:25"))
        #expect(mapped.ip.bytes == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 192, 0, 2, 1])
    }

    @Test func formatsIPv6Canonically() throws {
        // RFC 5952: lower case, leading zeros dropped, the longest zero run compressed.
        let address = try #require(IPAddress("2001:0DB8:0000:0000:0001:0000:0000:0001"))
        #expect(address.description == "2001:db8::1:0:0:1")
        #expect(IPAddress("0:0:0:0:0:0:0:1")?.description == "::1")
        #expect(IPAddress("::")?.description == "::")
    }

    @Test func textRoundTrips() throws {
        for text in ["0.0.0.0:0", "255.255.255.255:65535", "[::]:1", "[2001:db8:1:2:3:4:5:6]:443", "[::ffff:10.0.0.1]:25"] {
            let address = try #require(SocketAddress(text))
            #expect(address.description == text)
            #expect(SocketAddress(address.description) == address)
        }
    }

    @Test func bytesAreInNetworkOrder() {
        #expect(IPAddress.loopbackV4.bytes == [127, 0, 0, 1])
        #expect(IPAddress.loopbackV6.bytes == Array(repeating: 0, count: 15) + [1])
    }

    @Test func loopbackRecognised() {
        #expect(IPAddress(ipv4: 127, 0, 0, 53).isLoopback)
        #expect(IPAddress.loopbackV6.isLoopback)
        #expect(!IPAddress(ipv4: 10, 0, 0, 1).isLoopback)
        #expect(!IPAddress.anyV6.isLoopback)
    }

    @Test func equalAddressesHashEqually() throws {
        let a = try #require(SocketAddress("[2001:DB8::1]:53"))
        let b = try #require(SocketAddress("[2001:db8:0::1]:53"))
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
        #expect(SocketAddress("127.0.0.1:53") != SocketAddress("127.0.0.1:54"))
    }
}
