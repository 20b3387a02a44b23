internal import Glibc

/// The printed names of recently decoded wire names, by their uncompressed
/// wire form. A sweep meets the same MX hosts, name servers and SOA names in
/// answer after answer (a provider's MX host in millions of them); a name
/// found here is one hash and one compare, where printing it anew costs a
/// measuring pass, a writing pass and an allocation.
///
/// Direct-mapped and fixed in size: a slot is overwritten by the next name
/// that hashes to it, so memory is bounded (about 1 MiB of keys) whatever
/// the scan meets. Owned by one DNS client, on its loop thread.
struct DNSNameCache {
    static let slots = 4096
    /// Each slot's key: up to 255 octets of uncompressed name.
    private static let keyStride = 256

    private var keys: [UInt8]
    /// 0 for an empty slot (no wire name is empty: it has at least its root label).
    private var lengths: [UInt16]
    private var texts: [String]

    init() {
        keys = Array(repeating: 0, count: Self.slots * Self.keyStride)
        lengths = Array(repeating: 0, count: Self.slots)
        texts = Array(repeating: "", count: Self.slots)
    }

    /// An empty cache that holds nothing and allocates nothing, for swapping a real one in.
    static var none: DNSNameCache { DNSNameCache(empty: ()) }

    private init(empty: ()) {
        keys = []
        lengths = []
        texts = []
    }

    /// The printed name of `wire` (an uncompressed name, root label included),
    /// from the cache or made by `DNSNameText` and remembered.
    mutating func text(wire: UnsafeBufferPointer<UInt8>) -> String? {
        guard !lengths.isEmpty, wire.count <= Self.keyStride, let base = wire.baseAddress else {
            return DNSNameText.text(wire: wire)
        }
        // FNV-1a: a handful of instructions per byte, and names differ early and late.
        var hash: UInt32 = 2_166_136_261
        for byte in wire { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let slot = Int(hash ^ hash >> 16) & (Self.slots - 1)
        let offset = slot * Self.keyStride
        if Int(lengths[slot]) == wire.count {
            let same = keys.withUnsafeBufferPointer { keys in
                keys.baseAddress.map { memcmp($0 + offset, base, wire.count) == 0 } ?? false
            }
            if same { return texts[slot] }
        }
        guard let text = DNSNameText.text(wire: wire) else { return nil }
        keys.withUnsafeMutableBufferPointer { keys in
            if let destination = keys.baseAddress { (destination + offset).update(from: base, count: wire.count) }
        }
        lengths[slot] = UInt16(wire.count)
        texts[slot] = text
        return text
    }
}
