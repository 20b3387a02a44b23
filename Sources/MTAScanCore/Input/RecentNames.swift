/// Remembers the names added lately, exactly, in bounded memory.
///
/// Two generations of at most `capacity` names each: names go into the newer
/// one; when it is full, the older is dropped and the newer takes its place.
/// So a name, once added, is remembered for at least the next `capacity`
/// additions and forgotten after at most 2 × `capacity`. There are no
/// per-name deletions (which cost a linear-probing table a rehash of its
/// neighbours) and, once both generations have grown, no allocations.
struct RecentNames {
    let capacity: Int
    private var newer: NameTable
    private var older: NameTable

    /// The arena offsets of a table must fit 32 bits: 2^24 names of up to 256 bytes.
    static let maxCapacity = 1 << 24

    init(capacity: Int) {
        self.capacity = min(max(1, capacity), Self.maxCapacity)
        newer = NameTable()
        older = NameTable()
    }

    /// Adds `name`; false if it is still remembered.
    mutating func insert(_ name: ArraySlice<UInt8>) -> Bool {
        name.withUnsafeBufferPointer { name in
            let hash = Self.hash(name)
            if newer.contains(name, hash: hash) || older.contains(name, hash: hash) { return false }
            if newer.count == capacity {
                swap(&newer, &older)
                newer.removeAll()
            }
            newer.insert(name, hash: hash)
            return true
        }
    }

    static func hash(_ name: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(name))
        return UInt64(truncatingIfNeeded: hasher.finalize())
    }
}

/// An insert-only open-addressing set of byte strings: one 64-bit slot per
/// entry, (32 bits of hash, arena offset + 1), in a power-of-two table at
/// most half full, so a probe is one cache line; the bytes sit in one arena
/// and are compared in full on a hash match. Hashes come from `Hasher`,
/// seeded per process, so a crafted input cannot make probes collide.
struct NameTable {
    private(set) var count = 0
    /// 0 for an empty slot.
    private var slots: [UInt64] = Array(repeating: 0, count: 16)
    /// Names as (length, bytes...).
    private var arena: [UInt8] = []

    func contains(_ name: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Bool {
        let tag = hash >> 32
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        return slots.withUnsafeBufferPointer { slots in
            while slots[slot] != 0 {
                let entry = slots[slot]
                if entry >> 32 == tag && stored(at: Int(entry & 0xFFFF_FFFF) - 1, equals: name) { return true }
                slot = (slot + 1) & mask
            }
            return false
        }
    }

    /// Adds a name known to be absent.
    mutating func insert(_ name: UnsafeBufferPointer<UInt8>, hash: UInt64) {
        if (count + 1) * 2 > slots.count { grow() }
        let offset = arena.count
        let stored = name.prefix(255)
        arena.append(UInt8(stored.count))
        arena.append(contentsOf: stored)
        place(hash & 0xFFFF_FFFF_0000_0000 | UInt64(offset + 1), hash: hash)
        count += 1
    }

    mutating func removeAll() {
        slots.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        arena.removeAll(keepingCapacity: true)
        count = 0
    }

    private mutating func place(_ entry: UInt64, hash: UInt64) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = entry
    }

    /// Doubles the table. The low hash bits that pick a slot are not kept, so
    /// each name is hashed again: rare, since a table only grows to its size once.
    private mutating func grow() {
        let entries = slots.filter { $0 != 0 }
        slots = Array(repeating: 0, count: slots.count * 2)
        for entry in entries {
            let offset = Int(entry & 0xFFFF_FFFF) - 1
            let length = Int(arena[offset])
            let hash = arena.withUnsafeBufferPointer { arena in
                RecentNames.hash(UnsafeBufferPointer(rebasing: arena[offset + 1..<offset + 1 + length]))
            }
            place(entry, hash: hash)
        }
    }

    private func stored(at offset: Int, equals name: UnsafeBufferPointer<UInt8>) -> Bool {
        arena.withUnsafeBufferPointer { arena in
            let length = Int(arena[offset])
            return length == min(name.count, 255)
                && UnsafeBufferPointer(rebasing: arena[offset + 1..<offset + 1 + length])
                    .bytesEqual(UnsafeBufferPointer(rebasing: name.prefix(255)))
        }
    }
}
