public import MTAScanCore

/// Query messages, encoded directly: a query is a header and one question
/// (plus an OPT record), and writing those 30-odd bytes in Swift costs no
/// allocation beyond the result, where ldns would build and free a packet
/// object per query. Responses are decoded with ldns (`DNSMessage.parse`).
public enum DNSQuery {
    /// One question for `name`, class IN (RFC 1035 §4.1). With
    /// `ednsBufferSize`, an OPT record advertises that UDP payload size
    /// (RFC 6891 §6.1.2; version 0, DO clear).
    public static func wire(
        id: UInt16, name: DomainName, type: DNSRecordType, recursionDesired: Bool = true, ednsBufferSize: UInt16?
    ) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(12 + name.text.utf8.count + 2 + 4 + (ednsBufferSize == nil ? 0 : 11))
        append(id, to: &bytes)
        bytes.append(recursionDesired ? 0x01 : 0x00)  // QR=0, OPCODE=QUERY, AA=0, TC=0, RD
        bytes.append(0x00)  // RA=0, Z=0, AD=0, CD=0, RCODE=0
        append(1, to: &bytes)  // QDCOUNT
        append(0, to: &bytes)  // ANCOUNT
        append(0, to: &bytes)  // NSCOUNT
        append(ednsBufferSize == nil ? 0 : 1, to: &bytes)  // ARCOUNT
        // A DomainName is validated: ASCII labels of 1–63 octets, 253 at most.
        // Each label's length byte is written when its end is found.
        var lengthAt = bytes.count
        bytes.append(0)
        var length = 0
        for byte in name.text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard length > 0 else { continue }
                bytes[lengthAt] = UInt8(truncatingIfNeeded: length)
                lengthAt = bytes.count
                bytes.append(0)
                length = 0
            } else {
                bytes.append(byte)
                length += 1
            }
        }
        if length > 0 {
            bytes[lengthAt] = UInt8(truncatingIfNeeded: length)
            bytes.append(0)  // the root
        }
        append(type.rawValue, to: &bytes)
        append(DNSClass.internet, to: &bytes)
        if let ednsBufferSize {
            bytes.append(0)  // owner: the root
            append(DNSRecordType.opt.rawValue, to: &bytes)
            append(ednsBufferSize, to: &bytes)  // CLASS carries the payload size
            bytes.append(contentsOf: [0, 0, 0, 0])  // extended RCODE, version 0, flags (DO clear)
            append(0, to: &bytes)  // RDLENGTH: no options
        }
        return bytes
    }

    @inline(__always)
    private static func append(_ value: UInt16, to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }
}
