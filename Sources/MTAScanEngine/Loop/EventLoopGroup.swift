internal import CLibUV
import Synchronization

/// A fixed set of event loops, one thread each, and the choice of loop for new work:
/// round-robin (`next()`), or by a key (`loop(forKey:)`, `loop(for:)`) so that all work
/// for one destination lands on the same loop, where per-destination state (a rate limit,
/// a connection pool) can live without locks.
///
/// Keys are hashed with FNV-1a over their bytes, not with `Hasher` (which is seeded per
/// process), so a key maps to the same loop index in every run with the same thread count.
public final class EventLoopGroup: Sendable {
    public let loops: [EventLoop]
    private let cursor = Atomic<UInt>(0)

    /// One loop per core the process may use.
    public static var defaultThreadCount: Int { max(1, Int(uv_available_parallelism())) }

    /// Starts `threads` loops (at least one), labelled "<label>-0", "<label>-1", ...
    /// (Each loop ignores SIGPIPE for the process, `BrokenPipe`: a write to a peer
    /// that closed must fail with EPIPE on that connection, not end the program.)
    public init(threads: Int = EventLoopGroup.defaultThreadCount, label: String = "mtascan-loop") throws(UVError) {
        var loops: [EventLoop] = []
        for index in 0..<max(1, threads) {
            do {
                loops.append(try EventLoop(label: "\(label)-\(index)"))
            } catch {
                for loop in loops { loop.shutdown() }
                throw error
            }
        }
        self.loops = loops
    }

    /// The loops in turn.
    public func next() -> EventLoop {
        let ticket = cursor.wrappingAdd(1, ordering: .relaxed).oldValue
        return loops[Int(ticket % UInt(loops.count))]
    }

    /// The loop for a numeric key: always the same for the same key and thread count.
    public func loop(forKey key: UInt64) -> EventLoop {
        loops[Int(key % UInt64(loops.count))]
    }

    /// The loop for a textual key, such as a domain name (hashed as UTF-8, case-sensitive).
    public func loop(forKey key: some StringProtocol) -> EventLoop {
        loop(forKey: StableHash.fnv1a(key.utf8))
    }

    /// The loop for a destination, by its IP address (the port does not count, so every
    /// service of one host shares a loop).
    public func loop(for destination: SocketAddress) -> EventLoop {
        loop(for: destination.ip)
    }

    public func loop(for address: IPAddress) -> EventLoop {
        loop(forKey: StableHash.fnv1a(address.bytes))
    }

    /// Requests shutdown of every loop, then waits for each; returns their reports in order.
    @discardableResult
    public func shutdown() -> [ShutdownReport] {
        for loop in loops { loop.requestShutdown() }
        return loops.map { $0.shutdown() }
    }
}

/// FNV-1a, 64-bit: a fixed, seedless hash for sharding keys.
enum StableHash {
    static func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}
