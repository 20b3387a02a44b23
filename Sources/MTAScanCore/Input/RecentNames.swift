/// The last `capacity` distinct keys inserted, forgetting the oldest first
/// (FIFO). Bounds the zone reader's duplicate suppression: memory stays at
/// `capacity` keys however many delegations a zone holds.
struct RecentNames {
    /// A name's bytes, hashed in one call rather than byte by byte.
    struct Key: Hashable {
        var bytes: [UInt8]

        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    let capacity: Int
    private var members: Set<Key> = []
    private var order: [Key] = []
    private var oldest = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        members.reserveCapacity(min(self.capacity, 1 << 20))
    }

    /// Adds `bytes`; false if they are among the last `capacity` keys added.
    mutating func insert(_ bytes: [UInt8]) -> Bool {
        let key = Key(bytes: bytes)
        guard !members.contains(key) else { return false }
        if order.count < capacity {
            order.append(key)
        } else {
            members.remove(order[oldest])
            order[oldest] = key
            oldest = (oldest + 1) % capacity
        }
        members.insert(key)
        return true
    }
}
