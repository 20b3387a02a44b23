/// A resource record of an answer, authority or additional section.
public struct DNSRecord: Sendable, Equatable {
    /// The owner name, lower-case, no trailing dot (`.` for the root).
    public var name: String
    public var type: DNSRecordType
    public var ttl: UInt32
    public var rdata: DNSRData

    public init(name: String, type: DNSRecordType, ttl: UInt32, rdata: DNSRData) {
        self.name = name
        self.type = type
        self.ttl = ttl
        self.rdata = rdata
    }
}

/// Typed record data for the types mtascan reads; the rest kept as bytes.
/// Names inside are lower-case without the trailing dot, like owner names.
public enum DNSRData: Sendable, Equatable {
    case a(IPv4Address)
    case aaaa(IPv6Address)
    case cname(String)
    case ns(String)
    case ptr(String)
    case mx(preference: UInt16, exchange: String)
    case txt(DNSTXTData)
    case soa(DNSSOAData)
    case tlsa(DNSTLSAData)
    /// Any other type: the rdata with names uncompressed (RFC 3597 types carry none).
    case other(type: UInt16, bytes: [UInt8])
}

/// TXT rdata (RFC 1035 §3.3.14): one or more character-strings.
public struct DNSTXTData: Sendable, Equatable {
    /// Each character-string, without its length byte.
    public var strings: [[UInt8]]

    public init(strings: [[UInt8]]) { self.strings = strings }

    /// The strings concatenated without separators, as RFC 8461 §3.1 and
    /// RFC 8460 §3 read a multi-string record.
    public var joined: [UInt8] { strings.flatMap { $0 } }
}

/// SOA rdata (RFC 1035 §3.3.13). `minimum` bounds negative caching (RFC 2308 §5).
public struct DNSSOAData: Sendable, Equatable {
    public var mname: String
    public var rname: String
    public var serial: UInt32
    public var refresh: UInt32
    public var retry: UInt32
    public var expire: UInt32
    public var minimum: UInt32

    public init(
        mname: String, rname: String, serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32,
        minimum: UInt32
    ) {
        self.mname = mname
        self.rname = rname
        self.serial = serial
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimum = minimum
    }
}

/// TLSA rdata (RFC 6698 §2.1).
public struct DNSTLSAData: Sendable, Equatable {
    public var usage: UInt8
    public var selector: UInt8
    public var matchingType: UInt8
    public var data: [UInt8]

    public init(usage: UInt8, selector: UInt8, matchingType: UInt8, data: [UInt8]) {
        self.usage = usage
        self.selector = selector
        self.matchingType = matchingType
        self.data = data
    }
}
