import MTAScanCore
internal import CLibUV
internal import Glibc

// Text <-> IPAddress: the core's strict parser (no octal, no leading zeros, no short
// IPv4 forms such as "127.1"), and libuv's inet_ntop for RFC 5952 output.
extension IPAddress: CustomStringConvertible {
    /// Parses a bare address: "192.0.2.1", "2001:db8::1", "fe80::1%2" (numeric scope only).
    public init?(_ text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        guard utf8.count <= 64 else { return nil }
        self.init(asciiBytes: utf8[...])
    }

    init?(asciiBytes: ArraySlice<UInt8>) {
        // The longest IPv6 text with a scope is 56 bytes; the C parser gets a NUL-terminated
        // copy, so an embedded NUL must be refused here or it would cut the input short.
        guard !asciiBytes.isEmpty, asciiBytes.count <= 56,
            asciiBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else { return nil }

        var addressBytes = asciiBytes
        var scopeID: UInt32 = 0
        if let percent = asciiBytes.firstIndex(of: UInt8(ascii: "%")) {
            guard let scope = Self.parseScope(asciiBytes[(percent + 1)...]) else { return nil }
            scopeID = scope
            addressBytes = asciiBytes[..<percent]
        }
        let isV6 = addressBytes.contains(UInt8(ascii: ":"))
        guard isV6 || scopeID == 0 else { return nil }

        // The core's parser, shared with exclusion lists: one reading of address text.
        if isV6 {
            guard let groups = IPBits.parseIPv6(Array(addressBytes)) else { return nil }
            let high = groups[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
            let low = groups[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
            self.init(ipv6: high, low, scopeID: scopeID)
        } else {
            guard let value = IPBits.parseIPv4(addressBytes) else { return nil }
            self.init(ipv4: value)
        }
    }

    public var description: String {
        switch storage {
        case .v4(let value):
            return "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
        case .v6(_, _, let scopeID):
            let raw = bytes
            let text = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { output -> String in
                guard let base = output.baseAddress else { return "" }
                let result = raw.withUnsafeBytes { uv_inet_ntop(AF_INET6, $0.baseAddress, base, output.count) }
                return result == 0 ? String(cString: base) : ""
            }
            return scopeID == 0 ? text : "\(text)%\(scopeID)"
        }
    }

    private static func parseScope(_ digits: ArraySlice<UInt8>) -> UInt32? {
        guard !digits.isEmpty, digits.count <= 10 else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value <= UInt64(UInt32.max) ? UInt32(value) : nil
    }

}
