/// The Public Suffix List's rules as a hash table of name suffixes, built so
/// that a lookup can walk a name from its right end one label at a time and
/// extend the hash as it goes: the hash runs over the suffix's bytes in
/// reverse, so `hash("example.com")` continues from `hash("com")`.
///
/// Open addressing with linear probing over a power-of-two array of entry
/// indices; each probe compares the stored bytes, so a hash collision (which a
/// hostile name could aim for) costs a compare, never a wrong answer.
struct SuffixTable: Sendable {
    struct Flags: OptionSet, Sendable, Hashable {
        let rawValue: UInt8
        /// `S` is a rule.
        static let rule = Flags(rawValue: 1 << 0)
        /// `*.S` is a rule.
        static let wildcard = Flags(rawValue: 1 << 1)
        /// `!S` is a rule.
        static let exception = Flags(rawValue: 1 << 2)
        /// Some rule is longer than `S` and ends in it, so a lookup must look
        /// one label further left.
        static let interior = Flags(rawValue: 1 << 3)
        /// The rule, wildcard or exception above came from the PRIVATE section.
        static let privateRule = Flags(rawValue: 1 << 4)
        static let privateWildcard = Flags(rawValue: 1 << 5)
        static let privateException = Flags(rawValue: 1 << 6)
    }

    private struct Entry: Sendable {
        var hash: UInt64
        var start: Int32
        var count: Int32
        var flags: Flags
    }

    private let slots: [Int32]
    private let entries: [Entry]
    private let pool: [UInt8]
    private let shift: UInt64

    /// FNV-1a, fed right to left.
    static let seed: UInt64 = 0xcbf2_9ce4_8422_2325

    @inline(__always)
    static func extend(_ hash: UInt64, with byte: UInt8) -> UInt64 {
        (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }

    static func hash(_ suffix: some BidirectionalCollection<UInt8>) -> UInt64 {
        suffix.reversed().reduce(seed, extend)
    }

    var count: Int { entries.count }

    /// `suffixes` maps lower-case suffix bytes to their flags.
    init(_ suffixes: [[UInt8]: Flags]) {
        var capacity = 16
        while capacity < suffixes.count * 2 { capacity <<= 1 }
        var slots = [Int32](repeating: -1, count: capacity)
        var entries = [Entry]()
        entries.reserveCapacity(suffixes.count)
        var pool = [UInt8]()
        let shift = UInt64(64 - capacity.trailingZeroBitCount)
        let mask = capacity - 1
        // Sorted, so that the table's layout does not depend on hash order.
        for (bytes, flags) in suffixes.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            let hash = Self.hash(bytes)
            var slot = Self.slot(hash, shift: shift)
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(entries.count)
            entries.append(Entry(hash: hash, start: Int32(pool.count), count: Int32(bytes.count), flags: flags))
            pool.append(contentsOf: bytes)
        }
        self.slots = slots
        self.entries = entries
        self.pool = pool
        self.shift = shift
    }

    @inline(__always)
    private static func slot(_ hash: UInt64, shift: UInt64) -> Int {
        // Fibonacci hashing spreads FNV's weak low bits over the table.
        Int(truncatingIfNeeded: (hash &* 0x9e37_79b9_7f4a_7c15) >> shift)
    }

    /// The flags of the suffix `name[range]`, whose reverse-order hash is
    /// `hash`; compared case-insensitively. Nil when the table has no such suffix.
    func flags(hash: UInt64, name: UnsafeBufferPointer<UInt8>, range: Range<Int>) -> Flags? {
        let mask = slots.count - 1
        var slot = Self.slot(hash, shift: shift)
        while true {
            let index = Int(slots[slot])
            if index < 0 { return nil }
            let entry = entries[index]
            if entry.hash == hash, Int(entry.count) == range.count, equals(entry, name, range) {
                return entry.flags
            }
            slot = (slot + 1) & mask
        }
    }

    private func equals(_ entry: Entry, _ name: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        pool.withUnsafeBufferPointer { pool in
            var p = Int(entry.start)
            for i in range {
                if pool[p] != ASCII.lower(name[i]) { return false }
                p += 1
            }
            return true
        }
    }
}
