/// A walk over a DNS message's framing before ldns decodes it.
///
/// ldns 1.8.3's `ldns_wire2rdf` bounds each field by the end of the message,
/// not by RDLENGTH, and never checks that the rdata was used up: an A record
/// of 5 bytes, or a CNAME whose name runs on past its rdata, leaves it
/// reading the next record from the wrong offset and yields records that are
/// not in the message. This walk makes those a failure. It follows no
/// compression pointers (ldns does, and rejects loops and wild targets).
///
/// The types mtascan reads are checked here, field by field, without
/// allocating. Any other type (SRV, RRSIG, NSEC...) ldns reads by its own
/// descriptor, which may end before or after RDLENGTH; for those, ldns is
/// asked how far it reads the record (`LDNSRecordExtent`), which costs an
/// allocation, and a record it would not read to exactly RDLENGTH fails.
enum DNSWireFraming {
    static func problem(_ message: [UInt8]) -> DNSParseError? {
        message.withUnsafeBufferPointer { problem(in: $0) }
    }

    static func problem(in wire: UnsafeBufferPointer<UInt8>) -> DNSParseError? {
        guard wire.count >= 12 else { return .incompleteHeader }
        func count(_ offset: Int) -> Int { Int(wire[offset]) << 8 | Int(wire[offset + 1]) }
        var position = 12
        for _ in 0..<count(4) {
            switch skipName(wire, from: position, limit: wire.count) {
            case .failure(let failure): return failure.error(.question)
            case .success(let end): position = end
            }
            guard position + 4 <= wire.count else { return .truncated(section: .question) }
            position += 4
        }
        var optRecords = 0
        let sections: [(DNSSection, Int)] = [(.answer, count(6)), (.authority, count(8)), (.additional, count(10))]
        for (section, records) in sections {
            for index in 0..<records {
                let owner = position
                switch skipName(wire, from: position, limit: wire.count) {
                case .failure(let failure): return failure.error(section)
                case .success(let end): position = end
                }
                guard position + 10 <= wire.count else { return .truncated(section: section) }
                let type = DNSRecordType(UInt16(truncatingIfNeeded: count(position)))
                let rdataLength = count(position + 8)
                position += 10
                guard position + rdataLength <= wire.count else { return .truncated(section: section) }
                let rdata = position..<(position + rdataLength)
                position += rdataLength
                if type == .opt {
                    optRecords += 1
                    guard section == .additional, optRecords == 1, wire[owner] == 0 else { return .badOPT }
                }
                // RFC 8945 §5.1; ldns drops the record after a TSIG that is not last.
                if type == tsig, section != .additional || index != records - 1 { return .badTSIG }
                if !rdataFits(wire, rdata, type) { return .badRData(section: section, type: type) }
                if !isCheckedHere(type), LDNSRecordExtent.end(of: wire, recordAt: owner) != rdata.upperBound {
                    return .badRData(section: section, type: type)
                }
            }
        }
        // Bytes after the last record are not read by anyone; they are left alone.
        return nil
    }

    /// RFC 8945's transaction signature; mtascan never reads one, only places it.
    private static let tsig = DNSRecordType(250)

    private enum NameFailure: Error {
        case truncated, badName
        func error(_ section: DNSSection) -> DNSParseError {
            self == .truncated ? .truncated(section: section) : .badName(section: section)
        }
    }

    /// The offset after a name written at `start`: its labels up to the root
    /// label or a compression pointer, within `limit`.
    private static func skipName(_ wire: UnsafeBufferPointer<UInt8>, from start: Int, limit: Int)
        -> Result<Int, NameFailure>
    {
        var position = start
        while true {
            guard position < limit else { return .failure(.truncated) }
            let length = Int(wire[position])
            switch length & 0xC0 {
            case 0xC0:
                guard position + 2 <= limit else { return .failure(.truncated) }
                return .success(position + 2)
            case 0x00:
                if length == 0 { return .success(position + 1) }
                position += 1 + length
                // RFC 1035 §3.1: 255 octets at most, and that much without following pointers.
                guard position - start < 255 else { return .failure(.badName) }
            default:
                // 0x40 (RFC 6891's extended labels, deprecated) and 0x80 are not names we read.
                return .failure(.badName)
            }
        }
    }

    /// Types `rdataFits` checks field by field, which ldns then reads to
    /// exactly RDLENGTH. OPT too: ldns reads its rdata as one field, and its
    /// placement is checked above; asking ldns once per response would cost.
    private static func isCheckedHere(_ type: DNSRecordType) -> Bool {
        switch type {
        case .a, .aaaa, .cname, .ns, .ptr, .mx, .soa, .txt, .tlsa, .opt: return true
        default: return false
        }
    }

    /// Does the rdata hold exactly what its type requires? Types mtascan does
    /// not type-check pass as long as they fit in the message.
    private static func rdataFits(_ wire: UnsafeBufferPointer<UInt8>, _ rdata: Range<Int>, _ type: DNSRecordType)
        -> Bool
    {
        func name(from start: Int) -> Int? {
            guard case .success(let end) = skipName(wire, from: start, limit: rdata.upperBound) else { return nil }
            return end
        }
        switch type {
        case .a:
            return rdata.count == 4
        case .aaaa:
            return rdata.count == 16
        case .cname, .ns, .ptr:
            return name(from: rdata.lowerBound) == rdata.upperBound
        case .mx:
            return rdata.count > 2 && name(from: rdata.lowerBound + 2) == rdata.upperBound
        case .soa:
            guard let mnameEnd = name(from: rdata.lowerBound), let rnameEnd = name(from: mnameEnd) else { return false }
            return rnameEnd + 20 == rdata.upperBound
        case .txt:
            // One or more <character-string>s, exactly filling the rdata.
            guard !rdata.isEmpty else { return false }
            var position = rdata.lowerBound
            while position < rdata.upperBound { position += 1 + Int(wire[position]) }
            return position == rdata.upperBound
        case .tlsa:
            return rdata.count >= 3
        default:
            return true
        }
    }
}
