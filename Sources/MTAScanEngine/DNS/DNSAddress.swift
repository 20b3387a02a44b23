/// An IPv4 address from an A record.
public struct IPv4Address: Sendable, Hashable, CustomStringConvertible {
    /// Network byte order: `bytes[0]` is the first octet.
    public let value: UInt32

    public init(value: UInt32) { self.value = value }

    /// Nil unless exactly four bytes.
    public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count == 4 else { return nil }
        value = bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    public var bytes: [UInt8] {
        [
            UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
            UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value),
        ]
    }

    /// Dotted decimal.
    public var text: String { bytes.map { String($0) }.joined(separator: ".") }
    public var description: String { text }
}

/// An IPv6 address from an AAAA record.
public struct IPv6Address: Sendable, Hashable, CustomStringConvertible {
    /// The eight 16-bit groups, most significant first.
    public let groups: [UInt16]

    /// Nil unless exactly sixteen bytes.
    public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count == 16 else { return nil }
        let array = Array(bytes)
        groups = (0..<8).map { UInt16(array[2 * $0]) << 8 | UInt16(array[2 * $0 + 1]) }
    }

    public var bytes: [UInt8] { groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } }

    /// RFC 5952 §4: lower-case hex, no leading zeros, the longest run of two
    /// or more zero groups (the first, on a tie) shortened to `::`.
    public var text: String {
        var bestStart = -1
        var bestLength = 1
        var runStart = -1
        for (index, group) in groups.enumerated() {
            if group == 0 {
                if runStart < 0 { runStart = index }
                if index - runStart + 1 > bestLength {
                    bestStart = runStart
                    bestLength = index - runStart + 1
                }
            } else {
                runStart = -1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard bestStart >= 0 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    public var description: String { text }
}
