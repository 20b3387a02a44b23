/// An IP address as 128 bits (IPv4 mapped into ::ffff:0:0/96), and a prefix of
/// them: enough for exclusion lists without the engine's socket types.
public struct IPBits: Sendable, Hashable {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public init(ipv4: UInt32) {
        high = 0
        low = 0x0000_FFFF_0000_0000 | UInt64(ipv4)
    }

    public var isIPv4: Bool { high == 0 && low >> 32 == 0x0000_FFFF }

    /// Dotted-quad IPv4 or RFC 4291 §2.2 IPv6 text (with `::` and an embedded IPv4 tail).
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        if !bytes.contains(UInt8(ascii: ":")) {
            guard let value = Self.parseIPv4(bytes[...]) else { return nil }
            self.init(ipv4: value)
            return
        }
        guard let groups = Self.parseIPv6(bytes) else { return nil }
        var high: UInt64 = 0, low: UInt64 = 0
        for index in 0..<4 { high = high << 16 | UInt64(groups[index]) }
        for index in 4..<8 { low = low << 16 | UInt64(groups[index]) }
        self.init(high: high, low: low)
    }

    /// Strict dotted-quad: four decimal octets, no leading zeros, no short forms ("127.1").
    public static func parseIPv4(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(ASCII.isDigit),
                  part.count == 1 || part.first != UInt8(ascii: "0") else { return nil }
            let octet = part.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            guard octet <= 255 else { return nil }
            value = value << 8 | UInt32(octet)
        }
        return value
    }

    /// Groups of `text` split once at `::` (the zero run), each side plain
    /// `h16` groups, the very last of which may be an IPv4 tail.
    public static func parseIPv6(_ bytes: [UInt8]) -> [UInt16]? {
        var gap: Int?
        for index in 0..<max(0, bytes.count - 1) where bytes[index] == UInt8(ascii: ":") && bytes[index + 1] == UInt8(ascii: ":") {
            guard gap == nil else { return nil }  // a second "::"
            gap = index
        }
        let headText = gap.map { bytes[..<$0] } ?? bytes[...]
        let tailText = gap.map { bytes[($0 + 2)...] } ?? []
        guard let head = groups(headText, mayEndWithIPv4: gap == nil),
              let tail = groups(tailText, mayEndWithIPv4: true) else { return nil }
        let total = head.count + tail.count
        if gap == nil { return total == 8 ? head : nil }
        guard total <= 7 else { return nil }
        return head + Array(repeating: 0, count: 8 - total) + tail
    }

    private static func groups(_ text: ArraySlice<UInt8>, mayEndWithIPv4: Bool) -> [UInt16]? {
        guard !text.isEmpty else { return [] }
        let pieces = text.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        var result: [UInt16] = []
        for (index, piece) in pieces.enumerated() {
            if index == pieces.count - 1, mayEndWithIPv4, piece.contains(UInt8(ascii: ".")) {
                guard let ipv4 = parseIPv4(piece) else { return nil }
                return result + [UInt16(ipv4 >> 16), UInt16(ipv4 & 0xFFFF)]
            }
            guard (1...4).contains(piece.count) else { return nil }
            var group: UInt16 = 0
            for byte in piece {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                group = group << 4 | UInt16(digit)
            }
            result.append(group)
        }
        return result
    }
}

/// A CIDR prefix: the networks of an exclusion list.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public let address: IPBits
    /// Over all 128 bits (an IPv4 /24 is /120 here).
    public let prefixLength: Int
    public let text: String

    public var description: String { text }

    /// `192.0.2.0/24`, `2001:db8::/32`, or a bare address (a /32 or /128).
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPBits(parts[0]) else { return nil }
        let maximum = address.isIPv4 ? 32 : 128
        var length = maximum
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (0...maximum).contains(parsed), parts[1].allSatisfy(\.isNumber) else { return nil }
            length = parsed
        }
        self.prefixLength = address.isIPv4 ? 96 + length : length
        self.address = Self.masked(address, prefixLength)
        self.text = String(text)
    }

    public func contains(_ candidate: IPBits) -> Bool {
        Self.masked(candidate, prefixLength) == address
    }

    static func masked(_ bits: IPBits, _ length: Int) -> IPBits {
        func mask(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : bits >= 64 ? .max : ~(UInt64.max >> UInt64(bits)) }
        return IPBits(high: bits.high & mask(length), low: bits.low & mask(length - 64))
    }
}
