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
        id: UInt16, name: DomainName, type: DNSRecordType, recursionDesired: Bool = true, ednsBufferSize: UInt16?,
        dnssec: DNSSECRequest = .none
    ) -> [UInt8] {
        // Written through a pointer into storage of the exact size: this runs
        // for every query sent.
        let nameBytes = name.text.utf8.count
        let size = 12 + (nameBytes + 2) + 4 + (ednsBufferSize == nil ? 0 : 11)
        return [UInt8](unsafeUninitializedCapacity: size) { out, count in
            var at = 0
            func put(_ byte: UInt8) {
                out[at] = byte
                at += 1
            }
            func put16(_ value: UInt16) {
                put(UInt8(truncatingIfNeeded: value >> 8))
                put(UInt8(truncatingIfNeeded: value))
            }
            put16(id)
            put(recursionDesired ? 0x01 : 0x00)  // QR=0, OPCODE=QUERY, AA=0, TC=0, RD
            // AD in a query asks the resolver to say whether it validated the answer
            // (RFC 6840 §5.7), even over TCP without EDNS; CD asks for the data
            // even when validation fails (how a bogus answer is told from a broken server).
            put(dnssec == .none ? 0x00 : dnssec == .checkingDisabled ? 0x30 : 0x20)
            put16(1)  // QDCOUNT
            put16(0)  // ANCOUNT
            put16(0)  // NSCOUNT
            put16(ednsBufferSize == nil ? 0 : 1)  // ARCOUNT
            // A DomainName is validated: ASCII labels of 1–63 octets, 253 at most,
            // no empty label. Each label's length byte is written when its end is found.
            var lengthAt = at
            put(0)
            var length: UInt8 = 0
            // Over the text's contiguous UTF-8 (a DomainName's is native):
            // the String view checks its encoding byte by byte.
            var text = name.text
            text.withUTF8 { bytes in
                for byte in bytes {
                    if byte == UInt8(ascii: ".") {
                        out[lengthAt] = length
                        lengthAt = at
                        out[at] = 0
                        length = 0
                    } else {
                        out[at] = byte
                        length &+= 1
                    }
                    at += 1
                }
            }
            out[lengthAt] = length
            if length > 0 { put(0) }  // the root
            put16(type.rawValue)
            put16(DNSClass.internet)
            if let ednsBufferSize {
                put(0)  // owner: the root
                put16(DNSRecordType.opt.rawValue)
                put16(ednsBufferSize)  // CLASS carries the payload size
                put(0)  // extended RCODE
                put(0)  // version 0
                put16(dnssec == .none ? 0 : 0x8000)  // flags: DO (RFC 3225) when DNSSEC is asked
                put16(0)  // RDLENGTH: no options
            }
            count = at
        }
    }
}

/// What a query asks of DNSSEC.
public enum DNSSECRequest: Sendable, Equatable {
    /// Nothing: the resolver answers as usual.
    case none
    /// DO and AD: the answer's AD bit says whether the validating resolver found it secure.
    case validate
    /// DO, AD and CD: the data even if validation fails (bogus), to tell bogus from a broken server.
    case checkingDisabled
}
