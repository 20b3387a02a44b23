internal import Glibc
internal import CMTAScanShims

/// Unpredictable 16-bit values (query IDs, socket choice) from the kernel's
/// CSPRNG, fetched 4 KiB at a time: one `getrandom` per 2048 queries instead
/// of one per query. Loop-confined.
struct RandomPool {
    private var buffer = [UInt16](repeating: 0, count: 2048)
    private var next = 2048

    mutating func uint16() -> UInt16 {
        if next == buffer.count { refill() }
        defer { next += 1 }
        return buffer[next]
    }

    private mutating func refill() {
        buffer.withUnsafeMutableBytes { bytes in
            var filled = 0
            while filled < bytes.count, let base = bytes.baseAddress {
                let n = mtascan_getrandom(base + filled, bytes.count - filled)
                if n > 0 { filled += n } else if errno != EINTR { break }
            }
            if filled < bytes.count {
                // getrandom cannot fail for a request this size once the pool
                // is initialised; fall back to the stdlib generator regardless.
                var generator = SystemRandomNumberGenerator()
                for index in (filled / 2)..<(bytes.count / 2) {
                    bytes.storeBytes(of: UInt16.random(in: .min ... .max, using: &generator), toByteOffset: index * 2, as: UInt16.self)
                }
            }
        }
        next = 0
    }
}
