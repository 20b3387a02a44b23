/// A DNS RR type code (RFC 1035 §3.2.2 and later registrations). A struct,
/// not an enum: any 16-bit code can come off the wire and must round-trip.
public struct DNSRecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = DNSRecordType(1)
    public static let ns = DNSRecordType(2)
    public static let cname = DNSRecordType(5)
    public static let soa = DNSRecordType(6)
    public static let ptr = DNSRecordType(12)
    public static let mx = DNSRecordType(15)
    public static let txt = DNSRecordType(16)
    public static let aaaa = DNSRecordType(28)
    /// The EDNS(0) pseudo-record (RFC 6891 §6.1).
    public static let opt = DNSRecordType(41)
    public static let tlsa = DNSRecordType(52)

    /// The mnemonic, or `TYPE<n>` (RFC 3597 §5) for codes without one here.
    public var description: String {
        switch self {
        case .a: "A"
        case .ns: "NS"
        case .cname: "CNAME"
        case .soa: "SOA"
        case .ptr: "PTR"
        case .mx: "MX"
        case .txt: "TXT"
        case .aaaa: "AAAA"
        case .opt: "OPT"
        case .tlsa: "TLSA"
        default: "TYPE\(rawValue)"
        }
    }
}

/// The Internet class, the only one mtascan asks about (RFC 1035 §3.2.4).
public enum DNSClass {
    public static let internet: UInt16 = 1
}
