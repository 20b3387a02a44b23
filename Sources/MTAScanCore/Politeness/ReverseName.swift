/// The reverse-mapping name of an address: `d.c.b.a.in-addr.arpa` (RFC 1035
/// §3.5) or the nibble form under `ip6.arpa` (RFC 3596 §2.5).
public enum ReverseName {
    public static func of(_ address: IPBits) -> DomainName {
        if address.isIPv4 {
            let value = UInt32(truncatingIfNeeded: address.low)
            let octets = (0..<4).map { String(value >> (8 * UInt32($0)) & 0xFF) }
            return DomainName(validated: octets.joined(separator: ".") + ".in-addr.arpa")
        }
        let hex = Array("0123456789abcdef")
        var nibbles: [String] = []
        for word in [address.low, address.high] {
            for shift in stride(from: 0, to: 64, by: 4) { nibbles.append(String(hex[Int(word >> UInt64(shift) & 0xF)])) }
        }
        return DomainName(validated: nibbles.joined(separator: ".") + ".ip6.arpa")
    }
}

/// Forward-confirmed reverse DNS of the scanner's source address: its PTR
/// names, and whether one of them resolves back to the address. Receivers
/// check this of an EHLO name; a scanner that fails it looks like spam.
public enum FCrDNSOutcome: Sendable, Equatable {
    case confirmed(name: DomainName)
    /// No PTR record (NXDOMAIN or NODATA).
    case noPTR
    /// PTR names exist, but none resolves back to the address.
    case notConfirmed(names: [String])
    /// A lookup failed (SERVFAIL, timeout...): nothing is known.
    case lookupFailed(name: String, status: LookupStatus)

    /// What to tell the person running the scan.
    public func explanation(address: String) -> String {
        switch self {
        case .confirmed(let name):
            return "\(address) has forward-confirmed reverse DNS: \(name.text)"
        case .noPTR:
            return "\(address) has no PTR record: publish one (a name whose A/AAAA is \(address)), or scan from an address that has one"
        case .notConfirmed(let names):
            return "\(address) has PTR \(names.joined(separator: ", ")), but no such name resolves back to \(address): add the A/AAAA record or fix the PTR"
        case .lookupFailed(let name, let status):
            return "the lookup of \(name) failed (\(status.rawValue)): FCrDNS of \(address) cannot be checked; try again or check --resolver"
        }
    }
}
