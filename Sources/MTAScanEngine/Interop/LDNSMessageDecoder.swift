internal import CLDNS

/// Decodes a DNS message with ldns's codec (`ldns_wire2pkt`) into Swift
/// values. The only place a DNS message is seen as ldns objects: the packet
/// is freed before `decode` returns, on every path, and nothing that points
/// into it escapes (names, strings and rdata are copied out).
///
/// Callers check the framing first (`DNSWireFraming`); this then rejects
/// what ldns rejects (compression loops, pointers outside the message, names
/// over 255 octets once decompressed) and records whose fields do not have
/// the shape their type requires.
enum LDNSMessageDecoder {
    static func decode(_ wire: UnsafeBufferPointer<UInt8>) -> Result<DNSMessage, DNSParseError> {
        var packet: UnsafeMutablePointer<ldns_pkt>?
        guard let base = wire.baseAddress else { return .failure(error(LDNS_STATUS_WIRE_INCOMPLETE_HEADER)) }
        let status = ldns_wire2pkt(&packet, base, wire.count)
        // On failure ldns_wire2pkt frees what it built and leaves `packet` unset.
        guard status == LDNS_STATUS_OK, let packet else {
            return .failure(error(status))
        }
        defer { ldns_pkt_free(packet) }
        return message(packet)
    }

    private static func error(_ status: ldns_status) -> DNSParseError {
        let message = ldns_get_errorstr_by_id(status).map { String(cString: $0) } ?? "unknown"
        return .ldns(status: Int32(truncatingIfNeeded: status.rawValue), message: message)
    }

    private static func message(_ packet: UnsafeMutablePointer<ldns_pkt>) -> Result<DNSMessage, DNSParseError> {
        let hasEDNS = isSet(ldns_pkt_edns(packet))
        var rcode = UInt16(truncatingIfNeeded: ldns_pkt_get_rcode(packet).rawValue) & 0x0F
        if hasEDNS { rcode |= UInt16(ldns_pkt_edns_extended_rcode(packet)) << 4 }
        var question: DNSQuestion?
        if let questions = ldns_pkt_question(packet), ldns_rr_list_rr_count(questions) > 0,
            let first = ldns_rr_list_rr(questions, 0)
        {
            guard let name = ownerName(first) else { return .failure(.badName(section: .question)) }
            question = DNSQuestion(
                name: name, type: DNSRecordType(UInt16(truncatingIfNeeded: ldns_rr_get_type(first).rawValue)),
                recordClass: UInt16(truncatingIfNeeded: ldns_rr_get_class(first).rawValue))
        }
        var message = DNSMessage(
            id: ldns_pkt_id(packet),
            opcode: UInt8(truncatingIfNeeded: ldns_pkt_get_opcode(packet).rawValue),
            rcode: DNSResponseCode(rawValue: rcode),
            flags: DNSHeaderFlags(
                qr: isSet(ldns_pkt_qr(packet)), aa: isSet(ldns_pkt_aa(packet)), tc: isSet(ldns_pkt_tc(packet)),
                rd: isSet(ldns_pkt_rd(packet)),
                ra: isSet(ldns_pkt_ra(packet)), ad: isSet(ldns_pkt_ad(packet)), cd: isSet(ldns_pkt_cd(packet))),
            question: question)
        if hasEDNS {
            message.edns = DNSMessage.EDNS(
                udpPayloadSize: ldns_pkt_edns_udp_size(packet), version: ldns_pkt_edns_version(packet),
                dnssecOK: isSet(ldns_pkt_edns_do(packet)))
        }
        let sections: [(DNSSection, UnsafeMutablePointer<ldns_rr_list>?, WritableKeyPath<DNSMessage, [DNSRecord]>)] = [
            (.answer, ldns_pkt_answer(packet), \.answer),
            (.authority, ldns_pkt_authority(packet), \.authority),
            (.additional, ldns_pkt_additional(packet), \.additional),
        ]
        for (section, list, keyPath) in sections {
            guard let list else { continue }
            let count = ldns_rr_list_rr_count(list)
            var records: [DNSRecord] = []
            records.reserveCapacity(count)
            for index in 0..<count {
                guard let rr = ldns_rr_list_rr(list, index) else { continue }
                guard let record = record(rr) else {
                    let type = DNSRecordType(UInt16(truncatingIfNeeded: ldns_rr_get_type(rr).rawValue))
                    return .failure(.badRData(section: section, type: type))
                }
                records.append(record)
            }
            message[keyPath: keyPath] = records
        }
        return .success(message)
    }

    private static func record(_ rr: UnsafeMutablePointer<ldns_rr>) -> DNSRecord? {
        guard let name = ownerName(rr) else { return nil }
        let type = DNSRecordType(UInt16(truncatingIfNeeded: ldns_rr_get_type(rr).rawValue))
        guard let rdata = rdata(rr, type) else { return nil }
        return DNSRecord(name: name, type: type, ttl: ldns_rr_ttl(rr), rdata: rdata)
    }

    private static func ownerName(_ rr: UnsafeMutablePointer<ldns_rr>) -> String? {
        guard let owner = ldns_rr_owner(rr) else { return nil }
        return name(owner)
    }

    /// The rdata fields ldns split out, checked against what the type needs:
    /// ldns does not enforce a type's minimum field count (an empty A
    /// record has none), so a missing or odd-sized field is a failure here.
    private static func rdata(_ rr: UnsafeMutablePointer<ldns_rr>, _ type: DNSRecordType) -> DNSRData? {
        let count = ldns_rr_rd_count(rr)
        func field(_ index: Int) -> UnsafeBufferPointer<UInt8>? {
            guard index < count, let rdf = ldns_rr_rdf(rr, index) else { return nil }
            return bytes(rdf)
        }
        func nameField(_ index: Int) -> String? {
            guard index < count, let rdf = ldns_rr_rdf(rr, index), ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_DNAME
            else { return nil }
            return name(rdf)
        }
        func integer(_ index: Int, size: Int) -> UInt32? {
            guard let bytes = field(index), bytes.count == size else { return nil }
            return bytes.reduce(0) { $0 << 8 | UInt32($1) }
        }
        switch type {
        case .a:
            guard count == 1, let bytes = field(0), let address = IPv4Address(bytes: bytes) else { return nil }
            return .a(address)
        case .aaaa:
            guard count == 1, let bytes = field(0), let address = IPv6Address(bytes: bytes) else { return nil }
            return .aaaa(address)
        case .cname, .ns, .ptr:
            guard count == 1, let target = nameField(0) else { return nil }
            return type == .cname ? .cname(target) : type == .ns ? .ns(target) : .ptr(target)
        case .mx:
            guard count == 2, let preference = integer(0, size: 2), let exchange = nameField(1) else { return nil }
            return .mx(preference: UInt16(truncatingIfNeeded: preference), exchange: exchange)
        case .soa:
            guard count == 7, let mname = nameField(0), let rname = nameField(1), let serial = integer(2, size: 4),
                let refresh = integer(3, size: 4), let retry = integer(4, size: 4), let expire = integer(5, size: 4),
                let minimum = integer(6, size: 4)
            else { return nil }
            return .soa(
                DNSSOAData(
                    mname: mname, rname: rname, serial: serial, refresh: refresh, retry: retry, expire: expire,
                    minimum: minimum))
        case .txt:
            // Each field is a <character-string>: its length byte, then the bytes.
            guard count >= 1 else { return nil }
            var strings: [[UInt8]] = []
            strings.reserveCapacity(count)
            for index in 0..<count {
                guard let bytes = field(index), let length = bytes.first, Int(length) == bytes.count - 1 else {
                    return nil
                }
                strings.append(Array(bytes.dropFirst()))
            }
            return .txt(DNSTXTData(strings: strings))
        case .tlsa:
            // ldns gives usage, selector, matching type, then the data (absent when empty).
            guard count == 3 || count == 4, let usage = integer(0, size: 1), let selector = integer(1, size: 1),
                let matchingType = integer(2, size: 1)
            else { return nil }
            let data = count == 4 ? field(3).map { Array($0) } ?? [] : []
            return .tlsa(
                DNSTLSAData(
                    usage: UInt8(truncatingIfNeeded: usage), selector: UInt8(truncatingIfNeeded: selector),
                    matchingType: UInt8(truncatingIfNeeded: matchingType), data: data))
        default:
            // ldns keeps the rdata of types it does not know as one field,
            // and decompresses names in those it knows: concatenated, the
            // fields are the rdata in uncompressed wire form.
            var raw: [UInt8] = []
            for index in 0..<count {
                if let bytes = field(index) { raw.append(contentsOf: bytes) }
            }
            return .other(type: type.rawValue, bytes: raw)
        }
    }

    /// ldns's `bool` reaches Swift as a C integer.
    @inline(__always)
    private static func isSet<Flag: BinaryInteger>(_ flag: Flag) -> Bool { flag != 0 }

    private static func bytes(_ rdf: UnsafeMutablePointer<ldns_rdf>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: ldns_rdf_data(rdf), count: ldns_rdf_size(rdf))
    }

    private static func name(_ rdf: UnsafeMutablePointer<ldns_rdf>) -> String? {
        DNSNameText.text(wire: bytes(rdf))
    }
}
