/// Why bytes are not a usable DNS message. `label` is stable, for counting.
public enum DNSParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer than the 12 header bytes (an empty datagram included).
    case incompleteHeader
    /// A section runs past the end of the message.
    case truncated(section: DNSSection)
    /// A label with the reserved 0x40/0x80 type bits, or a name over 255 octets.
    case badName(section: DNSSection)
    /// RDLENGTH disagrees with what the type's rdata holds: an A record of 5
    /// bytes, a CNAME whose name runs past its rdata, a TXT string overrun.
    case badRData(section: DNSSection, type: DNSRecordType)
    /// More than one OPT record, or one outside the additional section, or
    /// with a non-root owner (RFC 6891 §6.1.1).
    case badOPT
    /// A TSIG record other than the last of the additional section, where
    /// RFC 8945 §5.1 allows one only. ldns, on meeting it elsewhere in that
    /// section, stops reading one record early: the records after it would
    /// silently be lost.
    case badTSIG
    /// ldns refused the message (compression loops and pointers outside the
    /// message end up here): its `ldns_status` code and message.
    case ldns(status: Int32, message: String)

    public var label: String {
        switch self {
        case .incompleteHeader: "incomplete-header"
        case .truncated: "truncated"
        case .badName: "bad-name"
        case .badRData: "bad-rdata"
        case .badOPT: "bad-opt"
        case .badTSIG: "bad-tsig"
        case .ldns: "ldns"
        }
    }

    public var description: String {
        switch self {
        case .incompleteHeader: "incomplete header"
        case .truncated(let section): "\(section) section truncated"
        case .badName(let section): "bad name in \(section) section"
        case .badRData(let section, let type): "bad \(type) rdata in \(section) section"
        case .badOPT: "misplaced or repeated OPT record"
        case .badTSIG: "TSIG record not last in the additional section"
        case .ldns(let status, let message): "ldns status \(status): \(message)"
        }
    }
}

/// A section of a DNS message (RFC 1035 §4.1).
public enum DNSSection: String, Sendable, Equatable {
    case question, answer, authority, additional
}
