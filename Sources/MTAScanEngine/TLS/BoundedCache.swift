/// A dictionary that keeps at most `capacity` entries, dropping the oldest
/// inserted when full: the TLS caches' memory stays fixed however many
/// certificates a scan meets. Not thread-safe: each belongs to one loop.
struct BoundedCache<Key: Hashable, Value> {
    let capacity: Int
    private var values: [Key: Value] = [:]
    /// Keys in insertion order, as a ring once full.
    private var order: [Key] = []
    private var oldest = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { values.count }

    subscript(key: Key) -> Value? { values[key] }

    mutating func insert(_ value: Value, for key: Key) {
        if values[key] == nil {
            if order.count < capacity {
                order.append(key)
            } else {
                values[order[oldest]] = nil
                order[oldest] = key
                oldest = (oldest + 1) % capacity
            }
        }
        values[key] = value
    }
}
