import MTAScanEngine

/// Writes a decoded `DNSMessage` back to the wire without compression, for
/// the round trip of `DNSMessageTarget`. mtascan itself never writes
/// responses, hence this lives with the fuzz targets.
///
/// What the decoded form does not keep is written as a constant: record
/// classes (IN), the header's Z bit (0), EDNS options (none). A message whose
/// decoded form cannot be written (an rdata over 65535 bytes once names are
/// uncompressed) gives nil.
enum DNSMessageWriter {
    static func wire(of message: DNSMessage) -> [UInt8]? {
        var out = Output()
        out.u16(message.id)
        let flags = message.flags
        out.u8(bit(flags.qr, 7) | (message.opcode & 0x0F) << 3 | bit(flags.aa, 2) | bit(flags.tc, 1) | bit(flags.rd, 0))
        let rcode = message.rcode.rawValue
        out.u8(bit(flags.ra, 7) | bit(flags.ad, 5) | bit(flags.cd, 4) | UInt8(truncatingIfNeeded: rcode & 0x0F))
        out.u16(message.question == nil ? 0 : 1)
        out.u16(UInt16(truncatingIfNeeded: message.answer.count))
        out.u16(UInt16(truncatingIfNeeded: message.authority.count))
        out.u16(UInt16(truncatingIfNeeded: message.additional.count + (message.edns == nil ? 0 : 1)))
        if let question = message.question {
            guard out.name(question.name) else { return nil }
            out.u16(question.type.rawValue)
            out.u16(question.recordClass)
        }
        for record in message.answer + message.authority + message.additional {
            guard out.record(record) else { return nil }
        }
        if let edns = message.edns {
            // RFC 6891 §6.1.3: TTL = extended RCODE (upper 8 of 12 bits), version, DO.
            out.u8(0)
            out.u16(41)
            out.u16(edns.udpPayloadSize)
            out.u8(UInt8(truncatingIfNeeded: rcode >> 4))
            out.u8(edns.version)
            out.u16(edns.dnssecOK ? 0x8000 : 0)
            out.u16(0)
        }
        return out.bytes
    }

    private static func bit(_ flag: Bool, _ shift: UInt8) -> UInt8 { flag ? 1 << shift : 0 }

    private struct Output {
        var bytes: [UInt8] = []

        mutating func u8(_ value: UInt8) { bytes.append(value) }
        mutating func u16(_ value: UInt16) {
            bytes.append(UInt8(truncatingIfNeeded: value >> 8))
            bytes.append(UInt8(truncatingIfNeeded: value))
        }
        mutating func u32(_ value: UInt32) {
            u16(UInt16(truncatingIfNeeded: value >> 16))
            u16(UInt16(truncatingIfNeeded: value))
        }

        /// A name in mtascan's presentation form (`DNSNameText`: `.` for the
        /// root, `\.`, `\\` and `\DDD` escapes) as uncompressed labels.
        mutating func name(_ text: String) -> Bool {
            // Every name the decoder hands out must read back: a name that
            // does not is a decoder bug, not a reason to skip the round trip.
            guard let labels = PresentationName.labels(text) else {
                Invariant.require(false, "decoded name \"\(text)\" is not a presentation-form name")
                return false
            }
            for label in labels {
                u8(UInt8(truncatingIfNeeded: label.count))
                bytes.append(contentsOf: label)
            }
            u8(0)
            return true
        }

        mutating func record(_ record: DNSRecord) -> Bool {
            guard name(record.name) else { return false }
            u16(record.type.rawValue)
            u16(1)  // IN: the decoded form keeps no class
            u32(record.ttl)
            let lengthAt = bytes.count
            u16(0)
            let start = bytes.count
            switch record.rdata {
            case .a(let address): bytes.append(contentsOf: address.bytes)
            case .aaaa(let address): bytes.append(contentsOf: address.bytes)
            case .cname(let target), .ns(let target), .ptr(let target):
                guard name(target) else { return false }
            case .mx(let preference, let exchange):
                u16(preference)
                guard name(exchange) else { return false }
            case .soa(let soa):
                guard name(soa.mname), name(soa.rname) else { return false }
                for value in [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum] { u32(value) }
            case .txt(let txt):
                for string in txt.strings {
                    u8(UInt8(truncatingIfNeeded: string.count))
                    bytes.append(contentsOf: string)
                }
            case .tlsa(let tlsa):
                bytes.append(contentsOf: [tlsa.usage, tlsa.selector, tlsa.matchingType])
                bytes.append(contentsOf: tlsa.data)
            case .other(_, let raw):
                bytes.append(contentsOf: raw)
            }
            let length = bytes.count - start
            guard length <= Int(UInt16.max) else { return false }
            bytes[lengthAt] = UInt8(truncatingIfNeeded: length >> 8)
            bytes[lengthAt + 1] = UInt8(truncatingIfNeeded: length)
            return true
        }
    }
}

/// Reads mtascan's presentation names back into labels (RFC 1035 §5.1
/// escapes). Independent of the core's zone-name decoder on purpose.
enum PresentationName {
    static func labels(_ text: String) -> [[UInt8]]? {
        let bytes = Array(text.utf8)
        if bytes == [UInt8(ascii: ".")] { return [] }
        var labels: [[UInt8]] = []
        var label: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: ".") {
                labels.append(label)
                label = []
                index += 1
            } else if byte == UInt8(ascii: "\\") {
                guard index + 1 < bytes.count else { return nil }
                let digits = bytes[(index + 1)...].prefix(3)
                if digits.count == 3, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                    let value = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
                    guard value <= 255 else { return nil }
                    label.append(UInt8(value))
                    index += 4
                } else {
                    label.append(bytes[index + 1])
                    index += 2
                }
            } else {
                label.append(byte)
                index += 1
            }
        }
        labels.append(label)
        guard labels.allSatisfy({ !$0.isEmpty && $0.count <= 63 }) else { return nil }
        return labels
    }
}
