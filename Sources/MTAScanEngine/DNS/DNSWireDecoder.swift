/// Decodes, straight from the wire, the messages a scan gets back almost
/// always: records of the types mtascan reads (A, AAAA, CNAME, NS, PTR, MX,
/// TXT, SOA, TLSA) and an OPT. It exists for speed: ldns builds an object per
/// record, per name and per field, and frees them again, which was about a
/// quarter of a DNS-phase scan's CPU.
///
/// It decides nothing ldns would decide differently. Whatever it does not
/// take on, or finds doubtful, gives nil, and the caller asks ldns
/// (`LDNSMessageDecoder`), which then accepts or rejects with its own error:
/// - a record of any other type, TSIG included;
/// - a name ldns has to judge: a label of 64 to 191, a pointer to offset 0
///   or past the end, more than `maximumPointers` pointers, over 255 octets;
/// - rdata that does not fill its RDLENGTH exactly (`DNSWireFraming` has
///   already refused that, but this decoder does not rely on it).
///
/// So a message it decodes is, value for value, the one ldns would give;
/// `DNSWireDecoderTests` and the `dns-message` fuzz target check exactly
/// that against ldns.
enum DNSWireDecoder {
    /// ldns follows up to 65,535 pointers; a real name needs a handful. A
    /// chain longer than this is left to ldns to accept or refuse.
    static let maximumPointers = 64

    /// What of a message is decoded.
    enum Sections {
        /// Everything, as ldns gives it.
        case all
        /// What a lookup reads: the header, the question, the answer section
        /// and the OPT record (EDNS and the extended RCODE). The authority and
        /// additional records are stepped over, their names not decompressed:
        /// an NXDOMAIN's SOA was half the names a scan printed, for nothing.
        case lookup
    }

    /// Names are printed through `cache` (a client's; `DNSNameCache.none` for none).
    /// The message must have passed `DNSWireFraming` (which `.lookup` relies on
    /// to step over the records it does not decode).
    static func decode(_ wire: UnsafeBufferPointer<UInt8>, names cache: inout DNSNameCache,
                       sections: Sections = .all) -> DNSMessage? {
        var reader = Reader(wire: wire, decodesEverything: sections == .all)
        // Lent to the reader for this message, not copied: swapped in and back.
        swap(&reader.cache, &cache)
        defer { swap(&reader.cache, &cache) }
        return reader.message()
    }

    private struct Reader {
        let wire: UnsafeBufferPointer<UInt8>
        var position = 12
        /// Names already decoded, by the offset they start at: answers point
        /// back at the question's name, so most owners are found here.
        var names = NameMemo()
        var cache = DNSNameCache.none
        let decodesEverything: Bool

        init(wire: UnsafeBufferPointer<UInt8>, decodesEverything: Bool) {
            self.wire = wire
            self.decodesEverything = decodesEverything
        }

        mutating func message() -> DNSMessage? {
            guard wire.count >= 12 else { return nil }
            let flagsHigh = wire[2]
            let flagsLow = wire[3]
            var message = DNSMessage(
                id: UInt16(wire[0]) << 8 | UInt16(wire[1]),
                opcode: (flagsHigh >> 3) & 0x0F,
                rcode: DNSResponseCode(rawValue: UInt16(flagsLow & 0x0F)),
                flags: DNSHeaderFlags(
                    qr: flagsHigh & 0x80 != 0, aa: flagsHigh & 0x04 != 0, tc: flagsHigh & 0x02 != 0,
                    rd: flagsHigh & 0x01 != 0, ra: flagsLow & 0x80 != 0, ad: flagsLow & 0x20 != 0,
                    cd: flagsLow & 0x10 != 0),
                question: nil)
            for index in 0..<count(at: 4) {
                guard let name = name(), let type = uint16(), let recordClass = uint16() else { return nil }
                if index == 0 {
                    message.question = DNSQuestion(name: name, type: DNSRecordType(type), recordClass: recordClass)
                }
            }
            guard let answer = records(count(at: 6)) else { return nil }
            message.answer = answer
            if decodesEverything {
                guard let authority = records(count(at: 8)) else { return nil }
                message.authority = authority
            } else {
                for _ in 0..<count(at: 8) { guard skipRecord() else { return nil } }
            }
            var additional: [DNSRecord] = []
            for _ in 0..<count(at: 10) {
                if !decodesEverything {
                    // Only the OPT is read: its owner is the root, one zero byte.
                    guard position + 3 <= wire.count else { return nil }
                    guard wire[position] == 0, count(at: position + 1) == Int(DNSRecordType.opt.rawValue) else {
                        guard skipRecord() else { return nil }
                        continue
                    }
                }
                guard let owner = name(), let type = uint16(), let recordClass = uint16(), let ttl = uint32()
                else { return nil }
                if type == DNSRecordType.opt.rawValue {
                    // ldns keeps the last OPT; a second is refused by the framing walk anyway.
                    guard let length = uint16(), skip(Int(length)) else { return nil }
                    message.edns = DNSMessage.EDNS(
                        udpPayloadSize: recordClass, version: UInt8(truncatingIfNeeded: ttl >> 16),
                        dnssecOK: ttl & 0x8000 != 0)
                    message.rcode = DNSResponseCode(rawValue: UInt16(flagsLow & 0x0F) | UInt16(ttl >> 24) << 4)
                    continue
                }
                guard let record = record(owner: owner, type: DNSRecordType(type), ttl: ttl) else { return nil }
                additional.append(record)
            }
            message.additional = additional
            return message
        }

        private mutating func records(_ count: Int) -> [DNSRecord]? {
            var records: [DNSRecord] = []
            records.reserveCapacity(count)
            for _ in 0..<count {
                guard let owner = name(), let type = uint16(), uint16() != nil, let ttl = uint32(),
                    let record = record(owner: owner, type: DNSRecordType(type), ttl: ttl)
                else { return nil }
                records.append(record)
            }
            return records
        }

        /// The record after its owner, type, class and TTL: RDLENGTH and the rdata.
        private mutating func record(owner: String, type: DNSRecordType, ttl: UInt32) -> DNSRecord? {
            guard let length = uint16() else { return nil }
            let end = position + Int(length)
            guard end <= wire.count, let rdata = rdata(type, end: end), position == end else { return nil }
            return DNSRecord(name: owner, type: type, ttl: ttl, rdata: rdata)
        }

        private mutating func rdata(_ type: DNSRecordType, end: Int) -> DNSRData? {
            switch type {
            case .a:
                guard end - position == 4, let value = uint32() else { return nil }
                return .a(IPv4Address(value: value))
            case .aaaa:
                guard end - position == 16,
                    let address = IPv6Address(bytes: UnsafeBufferPointer(rebasing: wire[position..<end]))
                else { return nil }
                position = end
                return .aaaa(address)
            case .cname, .ns, .ptr:
                guard let target = name() else { return nil }
                return type == .cname ? .cname(target) : type == .ns ? .ns(target) : .ptr(target)
            case .mx:
                guard let preference = uint16(), let exchange = name() else { return nil }
                return .mx(preference: preference, exchange: exchange)
            case .soa:
                guard let mname = name(), let rname = name(), let serial = uint32(), let refresh = uint32(),
                    let retry = uint32(), let expire = uint32(), let minimum = uint32()
                else { return nil }
                return .soa(
                    DNSSOAData(
                        mname: mname, rname: rname, serial: serial, refresh: refresh, retry: retry, expire: expire,
                        minimum: minimum))
            case .txt:
                guard position < end else { return nil }
                var strings: [[UInt8]] = []
                while position < end {
                    let length = Int(wire[position])
                    let start = position + 1
                    guard start + length <= end else { return nil }
                    strings.append(Array(UnsafeBufferPointer(rebasing: wire[start..<(start + length)])))
                    position = start + length
                }
                return .txt(DNSTXTData(strings: strings))
            case .tlsa:
                guard end - position >= 3 else { return nil }
                let usage = wire[position]
                let selector = wire[position + 1]
                let matchingType = wire[position + 2]
                let data = Array(UnsafeBufferPointer(rebasing: wire[(position + 3)..<end]))
                position = end
                return .tlsa(DNSTLSAData(usage: usage, selector: selector, matchingType: matchingType, data: data))
            default:
                return nil
            }
        }

        /// Steps over a record the framing walk has checked: its owner (labels
        /// up to the root or a first pointer), type, class, TTL and rdata.
        private mutating func skipRecord() -> Bool {
            while true {
                guard position < wire.count else { return false }
                let label = Int(wire[position])
                if label >= 0xC0 {
                    position += 2
                    break
                }
                position += 1 + label
                if label == 0 { break }
            }
            guard skip(8), let length = uint16() else { return false }
            return skip(Int(length))
        }

        // MARK: names

        /// The name at `position`, decompressed as `ldns_wire2dname` does,
        /// printed by `DNSNameText`; `position` moves past it (past its first
        /// pointer, if it has one).
        private mutating func name() -> String? {
            let start = position
            // A pointer straight to a name decoded before: no need to copy it again.
            if start + 2 <= wire.count, wire[start] >= 0xC0 {
                let target = Int(wire[start] & 0x3F) << 8 | Int(wire[start + 1])
                if let known = names[target] {
                    position = start + 2
                    return known
                }
            }
            let text: String? = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { buffer in
                guard let length = uncompress(into: buffer) else { return nil }
                return cache.text(wire: UnsafeBufferPointer(rebasing: buffer[0..<length]))
            }
            guard let text else { return nil }
            names.remember(text, at: start)
            return text
        }

        /// Writes the uncompressed name into `buffer` (root label included)
        /// and returns its length; nil where ldns could judge otherwise.
        private mutating func uncompress(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int? {
            var cursor = position
            var resumeAt: Int?
            var pointers = 0
            var length = 0
            while true {
                guard cursor < wire.count else { return nil }
                let label = Int(wire[cursor])
                if label >= 0xC0 {
                    guard cursor + 2 <= wire.count else { return nil }
                    let target = (label & 0x3F) << 8 | Int(wire[cursor + 1])
                    pointers += 1
                    guard target != 0, target < wire.count, pointers <= DNSWireDecoder.maximumPointers else { return nil }
                    if resumeAt == nil { resumeAt = cursor + 2 }
                    cursor = target
                    continue
                }
                if label == 0 {
                    buffer[length] = 0
                    position = resumeAt ?? cursor + 1
                    return length + 1
                }
                // Labels of 64-191 are ldns's LABEL_OVERFLOW; 255 octets is RFC 1035 §3.1's bound.
                guard label <= 63, cursor + 1 + label <= wire.count, length + 1 + label < 255 else { return nil }
                buffer[length] = UInt8(label)
                if let to = buffer.baseAddress, let from = wire.baseAddress {
                    (to + length + 1).update(from: from + cursor + 1, count: label)
                }
                length += 1 + label
                cursor += 1 + label
            }
        }

        // MARK: integers

        private func count(at offset: Int) -> Int { Int(wire[offset]) << 8 | Int(wire[offset + 1]) }

        private mutating func uint16() -> UInt16? {
            guard position + 2 <= wire.count else { return nil }
            defer { position += 2 }
            return UInt16(wire[position]) << 8 | UInt16(wire[position + 1])
        }

        private mutating func uint32() -> UInt32? {
            guard position + 4 <= wire.count else { return nil }
            defer { position += 4 }
            return UInt32(wire[position]) << 24 | UInt32(wire[position + 1]) << 16 | UInt32(wire[position + 2]) << 8
                | UInt32(wire[position + 3])
        }

        private mutating func skip(_ count: Int) -> Bool {
            guard position + count <= wire.count else { return false }
            position += count
            return true
        }
    }

    /// The first four names of a message by offset, without an allocation:
    /// the question's name and the first owners are what later names point to.
    private struct NameMemo {
        private var offsets: (Int, Int, Int, Int) = (-1, -1, -1, -1)
        private var texts: (String, String, String, String) = ("", "", "", "")
        private var count = 0

        subscript(offset: Int) -> String? {
            if offsets.0 == offset { return texts.0 }
            if offsets.1 == offset { return texts.1 }
            if offsets.2 == offset { return texts.2 }
            if offsets.3 == offset { return texts.3 }
            return nil
        }

        mutating func remember(_ text: String, at offset: Int) {
            switch count {
            case 0: (offsets.0, texts.0) = (offset, text)
            case 1: (offsets.1, texts.1) = (offset, text)
            case 2: (offsets.2, texts.2) = (offset, text)
            case 3: (offsets.3, texts.3) = (offset, text)
            default: return
            }
            count += 1
        }
    }
}
