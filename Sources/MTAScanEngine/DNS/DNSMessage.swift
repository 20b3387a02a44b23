/// A parsed DNS response (or any DNS message).
public struct DNSMessage: Sendable, Equatable {
    public var id: UInt16
    public var opcode: UInt8
    /// With EDNS, the full 12-bit code (RFC 6891 §6.1.3).
    public var rcode: DNSResponseCode
    public var flags: DNSHeaderFlags
    /// The first question; nil when the message has none (some FORMERR replies).
    public var question: DNSQuestion?
    public var answer: [DNSRecord]
    public var authority: [DNSRecord]
    /// Without the OPT pseudo-record (see `edns`) and without TSIG.
    public var additional: [DNSRecord]
    /// The OPT pseudo-record, if the message carried one.
    public var edns: EDNS?

    public init(
        id: UInt16, opcode: UInt8 = 0, rcode: DNSResponseCode, flags: DNSHeaderFlags, question: DNSQuestion?,
        answer: [DNSRecord] = [], authority: [DNSRecord] = [], additional: [DNSRecord] = [], edns: EDNS? = nil
    ) {
        self.id = id
        self.opcode = opcode
        self.rcode = rcode
        self.flags = flags
        self.question = question
        self.answer = answer
        self.authority = authority
        self.additional = additional
        self.edns = edns
    }

    /// EDNS(0) as carried in the OPT pseudo-record (RFC 6891 §6.1.3).
    public struct EDNS: Sendable, Equatable {
        /// The requestor's (or responder's) UDP payload size.
        public var udpPayloadSize: UInt16
        public var version: UInt8
        /// The DO bit (RFC 3225).
        public var dnssecOK: Bool

        public init(udpPayloadSize: UInt16, version: UInt8 = 0, dnssecOK: Bool = false) {
            self.udpPayloadSize = udpPayloadSize
            self.version = version
            self.dnssecOK = dnssecOK
        }
    }

    /// Parses a message off the wire. Hostile bytes give a `.failure`, never a
    /// crash: the framing is checked in Swift first (`DNSWireFraming`), then
    /// the message is decoded (names, compression) and every record of a
    /// typed kind must have the shape its type requires. Messages of the
    /// record types mtascan reads are decoded in Swift (`DNSWireDecoder`);
    /// any other, or any the Swift decoder doubts, by ldns, with the same
    /// result either way.
    public static func parse(_ bytes: [UInt8]) -> Result<DNSMessage, DNSParseError> {
        var none = DNSNameCache.none
        return bytes.withUnsafeBufferPointer { parse(wire: $0, names: &none) }
    }

    /// The same, on bytes a receive callback lends, without copying them.
    public static func parse(_ bytes: Span<UInt8>) -> Result<DNSMessage, DNSParseError> {
        var none = DNSNameCache.none
        return bytes.withUnsafeBufferPointer { parse(wire: $0, names: &none) }
    }

    /// ldns alone, after the same framing walk: the reference `parse` must
    /// agree with, for differential tests and fuzzing.
    public static func parseWithLDNS(_ bytes: [UInt8]) -> Result<DNSMessage, DNSParseError> {
        bytes.withUnsafeBufferPointer { wire in
            if let problem = DNSWireFraming.problem(in: wire) { return .failure(problem) }
            return LDNSMessageDecoder.decode(wire)
        }
    }

    /// The Swift decoder alone, after the framing walk: nil where it leaves
    /// the message to ldns.
    public static func parseWithoutLDNS(_ bytes: [UInt8]) -> DNSMessage? {
        var none = DNSNameCache.none
        return bytes.withUnsafeBufferPointer { wire in
            guard DNSWireFraming.problem(in: wire) == nil else { return nil }
            return DNSWireDecoder.decode(wire, names: &none)
        }
    }

    /// `parseForLookup` without a name cache: for differential tests and fuzzing.
    public static func parseForLookup(_ bytes: [UInt8]) -> Result<DNSMessage, DNSParseError> {
        var none = DNSNameCache.none
        return bytes.withUnsafeBufferPointer { parse(wire: $0, names: &none, sections: .lookup) }
    }

    /// `parse` for a DNS client's answers: names printed through its cache,
    /// and only what a lookup reads (`DNSWireDecoder.Sections.lookup`): the
    /// authority and additional sections come back empty, but for the OPT.
    static func parseForLookup(_ bytes: Span<UInt8>, names: inout DNSNameCache) -> Result<DNSMessage, DNSParseError> {
        bytes.withUnsafeBufferPointer { parse(wire: $0, names: &names, sections: .lookup) }
    }

    private static func parse(wire: UnsafeBufferPointer<UInt8>, names: inout DNSNameCache,
                              sections: DNSWireDecoder.Sections = .all) -> Result<DNSMessage, DNSParseError> {
        if let problem = DNSWireFraming.problem(in: wire) { return .failure(problem) }
        if let message = DNSWireDecoder.decode(wire, names: &names, sections: sections) { return .success(message) }
        // ldns decodes everything: what the Swift decoder was unsure of is its to judge.
        let decoded = LDNSMessageDecoder.decode(wire)
        guard sections == .lookup, case .success(var message) = decoded else { return decoded }
        message.authority = []
        message.additional = []
        return .success(message)
    }
}

/// Header flags (RFC 1035 §4.1.1; AD and CD from RFC 4035 §3.2).
public struct DNSHeaderFlags: Sendable, Equatable {
    public var qr: Bool
    public var aa: Bool
    /// Truncated: the answer did not fit and must be asked again over TCP.
    public var tc: Bool
    public var rd: Bool
    public var ra: Bool
    public var ad: Bool
    public var cd: Bool

    public init(
        qr: Bool = false, aa: Bool = false, tc: Bool = false, rd: Bool = false, ra: Bool = false, ad: Bool = false,
        cd: Bool = false
    ) {
        self.qr = qr
        self.aa = aa
        self.tc = tc
        self.rd = rd
        self.ra = ra
        self.ad = ad
        self.cd = cd
    }
}
