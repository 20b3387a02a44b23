import Glibc
import MTAScanEngine
import Synchronization
import Testing

/// Asserts what libuv's own tests assert at their end (test/task.h, MAKE_VALGRIND_HAPPY):
/// the loop closed, every handle's close callback ran, and nothing was left for shutdown to
/// close except `expectedForcedCloses` handles the test deliberately left open.
func expectClean(
    _ report: ShutdownReport,
    expectedForcedCloses: Int = 0,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(report.loopClosed, "uv_loop_close did not return 0: \(report)", sourceLocation: sourceLocation)
    #expect(report.handlesNotReleased == 0, "handles never reached their close callback: \(report)", sourceLocation: sourceLocation)
    #expect(
        report.handlesClosedByShutdown == expectedForcedCloses,
        "handles left open at shutdown: \(report)", sourceLocation: sourceLocation
    )
}

/// Runs a scenario on a fresh loop: `body` runs on the loop thread and calls `finish(value)`
/// exactly when the scenario is over (after closing what it opened). A guard timer fails a
/// scenario still running after `timeLimit`. The loop is then shut down and checked with
/// `expectClean`.
func onFreshLoop<Value: Sendable>(
    timeLimit: Duration = .seconds(10),
    expectedForcedCloses: Int = 0,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: @escaping @Sendable (EventLoop, _ finish: @escaping (Value) -> Void) throws -> Void
) async throws -> Value {
    let loop = try EventLoop(label: "test")
    let outcome: Result<Value, any Error>? = await withCheckedContinuation { continuation in
        let submitted = loop.execute {
            let once = ResumeOnce(continuation)
            do {
                let guardTimer = try Timer(on: loop) { once.resume(nil) }
                try guardTimer.start(after: timeLimit)
                try body(loop) { value in
                    guardTimer.close()
                    once.resume(.success(value))
                }
            } catch {
                once.resume(.failure(error))
            }
        }
        if !submitted { continuation.resume(returning: nil) }
    }
    let report = loop.shutdown()
    switch outcome {
    case .success(let value):
        expectClean(report, expectedForcedCloses: expectedForcedCloses, sourceLocation: sourceLocation)
        return value
    case .failure(let error):
        throw error
    case nil:
        Issue.record("scenario did not finish within \(timeLimit)", sourceLocation: sourceLocation)
        throw ScenarioTimedOut()
    }
}

struct ScenarioTimedOut: Error {}

/// A continuation that resumes once, whoever (scenario or guard timer) gets there first.
/// Loop-confined like the handles it is used with.
final class ResumeOnce<Value: Sendable> {
    private var continuation: CheckedContinuation<Value?, Never>?

    init(_ continuation: CheckedContinuation<Value?, Never>) {
        self.continuation = continuation
    }

    func resume(_ value: Value?) {
        continuation?.resume(returning: value)
        continuation = nil
    }
}

/// Calls `done` after `count` calls to `tick`: for scenarios that wait on several handles.
final class Countdown {
    private var remaining: Int
    private let done: () -> Void

    init(_ count: Int, done: @escaping () -> Void) {
        remaining = count
        self.done = done
        if count == 0 { done() }
    }

    func tick() {
        remaining -= 1
        if remaining == 0 { done() }
    }
}

/// A loopback port nobody listens on right now: bound by a throwaway socket, then released.
func unusedPort(_ ip: IPAddress = .loopbackV4, on loop: EventLoop) throws -> SocketAddress {
    let probe = try TCPListener(on: loop)
    defer { probe.close() }
    try probe.bind(to: SocketAddress(ip: ip, port: 0))
    try probe.listen(backlog: 1) { _ in }
    return try probe.localAddress()
}

/// A TCP socket listening on 127.0.0.1 with a backlog of 0 that never accepts: once one
/// connection sits in its accept queue, Linux drops further SYNs, so a connect hangs
/// until the connector gives up. Made with plain sockets because libuv accepts eagerly.
final class SilentListener: Sendable {
    let fd: Int32
    let address: SocketAddress

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw UVError(code: -errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && listen(fd, 0) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else {
            let error = errno
            close(fd)
            throw UVError(code: -error)
        }
        self.fd = fd
        self.address = SocketAddress(ip: .loopbackV4, port: UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}

extension Array where Element == UInt8 {
    init(_ text: String) { self = Array(text.utf8) }
}

/// A `Mutex` in a class, so closures sent to other tasks can share it.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
        mutex.withLock { body(&$0) }
    }

    var value: Value { mutex.withLock { $0 } }
}

/// An atomic counter in a class, for the same reason.
final class Counter: Sendable {
    private let atomic = Atomic(0)

    @discardableResult
    func add(_ amount: Int = 1) -> Int { atomic.add(amount, ordering: .relaxed).newValue }

    var value: Int { atomic.load(ordering: .relaxed) }
}
