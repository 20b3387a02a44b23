/// An IPv4 or IPv6 address, stored by value (no heap): it travels with every received
/// datagram and keys the sharding of work across loops.
public struct IPAddress: Hashable, Sendable {
    public enum Family: Hashable, Sendable {
        case ipv4
        case ipv6
    }

    enum Storage: Hashable, Sendable {
        /// The address as a number: 127.0.0.1 is 0x7F00_0001.
        case v4(UInt32)
        /// The 128 bits as two numbers, most significant first; the scope (interface
        /// index) of a link-local address, 0 when none.
        case v6(high: UInt64, low: UInt64, scopeID: UInt32)
    }

    let storage: Storage

    /// An IPv4 address from its numeric value (127.0.0.1 is 0x7F00_0001).
    public init(ipv4 value: UInt32) {
        storage = .v4(value)
    }

    public init(ipv4 a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        storage = .v4(UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d))
    }

    /// An IPv6 address from its 128 bits, most significant half first.
    public init(ipv6 high: UInt64, _ low: UInt64, scopeID: UInt32 = 0) {
        storage = .v6(high: high, low: low, scopeID: scopeID)
    }

    public var family: Family {
        switch storage {
        case .v4: .ipv4
        case .v6: .ipv6
        }
    }

    /// The address in network byte order: 4 or 16 bytes (the scope is not included).
    public var bytes: [UInt8] {
        switch storage {
        case .v4(let value):
            return (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
        case .v6(let high, let low, _):
            let halves = (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            return halves + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
        }
    }

    /// The interface index of a scoped (link-local) IPv6 address; 0 otherwise.
    public var scopeID: UInt32 {
        if case .v6(_, _, let scopeID) = storage { return scopeID }
        return 0
    }

    public var isLoopback: Bool {
        switch storage {
        case .v4(let value): value >> 24 == 127
        case .v6(let high, let low, _): high == 0 && low == 1
        }
    }

    public static let loopbackV4 = IPAddress(ipv4: 0x7F00_0001)
    public static let loopbackV6 = IPAddress(ipv6: 0, 1)
    public static let anyV4 = IPAddress(ipv4: 0)
    public static let anyV6 = IPAddress(ipv6: 0, 0)
}

/// An IP address and a port: where a datagram came from, where a stream connects to.
///
/// Text forms: "192.0.2.1:53", "[2001:db8::1]:53", and, when a default port is given,
/// the bare "192.0.2.1" and "2001:db8::1". A scope is written "%N" with a numeric
/// interface index ("[fe80::1%2]:53"); interface names are not resolved.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    public var ip: IPAddress
    public var port: UInt16

    public init(ip: IPAddress, port: UInt16) {
        self.ip = ip
        self.port = port
    }

    public var family: IPAddress.Family { ip.family }

    /// Parses "host:port", "[v6]:port", or a bare address when `defaultPort` is given.
    /// Returns nil for anything else (names are not resolved here).
    public init?(_ text: some StringProtocol, defaultPort: UInt16? = nil) {
        let utf8 = Array(text.utf8)
        // The longest valid form, "[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255%4294967295]:65535",
        // is 64 bytes; anything longer is not an address.
        guard !utf8.isEmpty, utf8.count <= 64 else { return nil }

        let hostBytes: ArraySlice<UInt8>
        let portBytes: ArraySlice<UInt8>?
        if utf8[0] == UInt8(ascii: "[") {
            guard let close = utf8.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            hostBytes = utf8[1..<close]
            let rest = utf8[(close + 1)...]
            if rest.isEmpty {
                portBytes = nil
            } else {
                guard rest.first == UInt8(ascii: ":") else { return nil }
                portBytes = rest.dropFirst()
            }
            // Brackets are for IPv6 only (RFC 3986 §3.2.2).
            guard hostBytes.contains(UInt8(ascii: ":")) else { return nil }
        } else {
            let colons = utf8.lazy.filter { $0 == UInt8(ascii: ":") }.count
            if colons == 1, let colon = utf8.firstIndex(of: UInt8(ascii: ":")) {
                hostBytes = utf8[..<colon]
                portBytes = utf8[(colon + 1)...]
            } else {
                // No colon: bare IPv4. Two or more: bare IPv6, whose last group must not
                // be mistaken for a port.
                hostBytes = utf8[...]
                portBytes = nil
            }
        }

        let port: UInt16
        if let portBytes {
            guard let parsed = Self.parsePort(portBytes) else { return nil }
            port = parsed
        } else {
            guard let defaultPort else { return nil }
            port = defaultPort
        }
        guard let ip = IPAddress(asciiBytes: hostBytes) else { return nil }
        self.init(ip: ip, port: port)
    }

    /// "192.0.2.1:53" or "[2001:db8::1]:53": the form `init?(_:defaultPort:)` reads back.
    public var description: String {
        switch ip.family {
        case .ipv4: "\(ip):\(port)"
        case .ipv6: "[\(ip)]:\(port)"
        }
    }

    /// 1 to 5 ASCII digits, at most 65535; no sign, no spaces.
    private static func parsePort(_ bytes: ArraySlice<UInt8>) -> UInt16? {
        guard !bytes.isEmpty, bytes.count <= 5 else { return nil }
        var value: UInt32 = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt32(byte - UInt8(ascii: "0"))
        }
        return value <= UInt32(UInt16.max) ? UInt16(value) : nil
    }
}
