/// Builds DNS messages byte by byte for tests, independently of the codec
/// under test: names may be compressed (RFC 1035 §4.1.4) against earlier
/// ones, and every length can be made to lie.
struct DNSWireBuilder {
    private(set) var bytes: [UInt8] = []
    /// Offsets of names (and their suffixes) written so far, for compression.
    private var offsets: [String: Int] = [:]
    var compress = true

    struct Header {
        var id: UInt16 = 0x1234
        var flags: UInt16 = 0x8180  // QR, RD, RA
        var questions: UInt16 = 1
        var answers: UInt16 = 0
        var authorities: UInt16 = 0
        var additionals: UInt16 = 0
    }

    init(_ header: Header) {
        u16(header.id)
        u16(header.flags)
        u16(header.questions)
        u16(header.answers)
        u16(header.authorities)
        u16(header.additionals)
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func u32(_ value: UInt32) {
        u16(UInt16(value >> 16))
        u16(UInt16(value & 0xFFFF))
    }

    mutating func raw(_ data: [UInt8]) { bytes.append(contentsOf: data) }

    /// A name in dotted text (`.` or `` for the root), compressed when a
    /// suffix was written before and `compress` is on.
    mutating func name(_ text: String) {
        var labels = text.split(separator: ".").map(String.init)
        while !labels.isEmpty {
            let suffix = labels.joined(separator: ".").lowercased()
            if compress, let offset = offsets[suffix] {
                u16(0xC000 | UInt16(offset))
                return
            }
            if bytes.count < 0x3FFF { offsets[suffix] = bytes.count }
            let label = Array(labels.removeFirst().utf8)
            u8(UInt8(label.count))
            raw(label)
        }
        u8(0)
    }

    mutating func question(_ name: String, type: UInt16, recordClass: UInt16 = 1) {
        self.name(name)
        u16(type)
        u16(recordClass)
    }

    /// A record whose RDLENGTH is what `rdata` wrote, unless `rdataLength` lies.
    mutating func record(
        _ name: String, type: UInt16, recordClass: UInt16 = 1, ttl: UInt32 = 300, rdataLength: UInt16? = nil,
        rdata: (inout DNSWireBuilder) -> Void
    ) {
        self.name(name)
        u16(type)
        u16(recordClass)
        u32(ttl)
        let lengthOffset = bytes.count
        u16(0)
        let start = bytes.count
        rdata(&self)
        let length = rdataLength ?? UInt16(bytes.count - start)
        bytes[lengthOffset] = UInt8(length >> 8)
        bytes[lengthOffset + 1] = UInt8(length & 0xFF)
    }

    /// An OPT pseudo-record (RFC 6891 §6.1.2).
    mutating func opt(payloadSize: UInt16, extendedRcode: UInt8 = 0, version: UInt8 = 0, dnssecOK: Bool = false) {
        u8(0)
        u16(41)
        u16(payloadSize)
        u8(extendedRcode)
        u8(version)
        u16(dnssecOK ? 0x8000 : 0)
        u16(0)
    }

    /// A <character-string>.
    mutating func string(_ text: String) {
        let data = Array(text.utf8)
        u8(UInt8(data.count))
        raw(data)
    }
}

/// SplitMix64: a reproducible generator, so a failing fuzz case can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
