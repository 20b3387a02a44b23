internal import CLibUV
import Synchronization

/// One libuv event loop (`uv_loop_t`) and the one thread that runs it.
///
/// ## Threading model
/// - libuv is not thread-safe. Each `EventLoop` owns a `uv_loop_t` that only its *loop
///   thread* touches: the thread started by `init(label:)` (or the caller of
///   `EventLoop.run(label:_:)`), which sits in `uv_run` until shutdown.
/// - Loop-confined objects (`Timer`, `UDPSocket`, `TCPStream`, `TCPListener`) are not
///   `Sendable`. They are created on their loop's thread (a precondition checks it), used
///   only there, and every callback they take runs there. A callback's `Span` is a view of
///   the loop's receive buffer, valid only for the duration of the call.
/// - `EventLoop` itself is `Sendable`, and `execute(_:)` is the one way in from other
///   threads: it queues a `@Sendable` closure behind a `Mutex` and wakes the loop through a
///   `uv_async_t`; the loop runs queued closures in submission order. Results leave the
///   loop through whatever `Sendable` channel the caller brings (a continuation, a `Mutex`).
/// - `inEventLoop` tells whether the calling thread is this loop's thread.
///
/// ## Handle lifetime
/// Every successful `uv_*_init` is matched by exactly one `uv_close`, and a handle's memory
/// and its Swift owner are released only in the close callback, the first moment libuv no
/// longer references the handle (docs/src/design.rst, "Handles and requests"). From init to
/// that callback `handle->data` holds a retained reference to the owner, so an owner the
/// caller drops stays alive until its handle is closed, by the caller or by shutdown.
/// Requests (writes, sends, connects, shutdowns) complete exactly once, with
/// `UVError.canceled` when their handle closes first, before the handle's close callback.
///
/// ## Shutdown
/// `requestShutdown()` (any thread, returns at once) or `shutdown()` (blocks; not on the
/// loop thread): new work is refused, work already queued runs, every handle still open is
/// closed, and the loop runs until `uv_loop_close` succeeds (nothing left open), then the
/// thread exits and is joined. A loop must be shut down: until then its thread keeps it alive.
public final class EventLoop: @unchecked Sendable {
    // Why @unchecked Sendable is sound: the fields below that are not Sendable (`uvLoop`,
    // `wakeup`, `receiveBuffer`, `openHandleCount`, `handlesClosedByShutdown`, `isLoopClosed`)
    // are read and written only on the loop thread (every entry point checks
    // `preconditionInEventLoop()`), or before that thread starts / after it has exited, which
    // thread creation and join order. The one exception is `uv_async_send(wakeup)`, which libuv
    // documents as thread-safe and which is only called under `inbox`'s lock while the phase is
    // `.running`, that is before the loop thread closes `wakeup` (it leaves `.running` under the
    // same lock first). Everything else is a `Mutex` or an `Atomic`.

    /// A name for logs and thread dumps.
    public let label: String

    let uvLoop: UnsafeMutablePointer<uv_loop_t>
    private let wakeup: UnsafeMutablePointer<uv_async_t>
    private let inbox = Mutex(Inbox())
    /// The loop thread's `pthread_t`, 0 while no thread runs the loop.
    private let loopThread = Atomic<UInt>(0)
    private let joinableThread = Mutex<uv_thread_t?>(nil)
    private let finalReport = Mutex<ShutdownReport?>(nil)

    /// The buffer every read and receive on this loop fills. libuv calls alloc, read and the
    /// read callback back to back, so one buffer per loop serves all handles; 64 KiB holds the
    /// largest UDP datagram.
    let receiveBuffer: UnsafeMutableRawBufferPointer
    static let receiveBufferSize = 65_536
    /// Room for one `recvmmsg` of a batch-receiving UDP socket: libuv gives
    /// each datagram 64 KiB and takes at most 20 per call (libuv 1.44, udp.c).
    let datagramBatchBuffer: UnsafeMutableRawBufferPointer
    static let datagramBatchSize = 20 * 65_536

    // Loop-confined bookkeeping.
    var openHandleCount = 0
    private var handlesClosedByShutdown = 0
    private var isLoopClosed = false

    private struct Inbox: ~Copyable {
        var work: [@Sendable () -> Void] = []
        var phase = Phase.running
    }

    private enum Phase {
        case running
        case shutdownRequested
        case closing
    }

    /// Starts a loop on a new thread.
    public convenience init(label: String = "mtascan-loop") throws(UVError) {
        let (loop, wakeup) = try Self.makeLoop()
        self.init(label: label, loop: loop, wakeup: wakeup)
        var thread = uv_thread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let result = uv_thread_create(&thread, loopThreadEntry, context)
        guard result == 0 else {
            Unmanaged<EventLoop>.fromOpaque(context).release()
            // No other thread can reach this loop yet: close it here.
            requestShutdown()
            _ = runOnCurrentThread()
            throw UVError(code: result)
        }
        joinableThread.withLock { $0 = thread }
    }

    private init(label: String, loop: UnsafeMutablePointer<uv_loop_t>, wakeup: UnsafeMutablePointer<uv_async_t>) {
        self.label = label
        self.uvLoop = loop
        self.wakeup = wakeup
        self.receiveBuffer = .allocate(byteCount: Self.receiveBufferSize, alignment: 16)
        self.datagramBatchBuffer = .allocate(byteCount: Self.datagramBatchSize, alignment: 16)
        loop.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        adopt(wakeup, owner: self)
    }

    deinit {
        // An unclosed loop may still be referenced by libuv's own structures: leak it rather
        // than free memory under them. (A loop that was never shut down cannot get here:
        // its thread holds a reference.)
        if isLoopClosed {
            uvLoop.deallocate()
            receiveBuffer.deallocate()
            datagramBatchBuffer.deallocate()
        }
    }

    private static func makeLoop() throws(UVError) -> (UnsafeMutablePointer<uv_loop_t>, UnsafeMutablePointer<uv_async_t>) {
        // Every loop's sockets write with plain write(): a closed peer must be EPIPE on
        // that write, not SIGPIPE for the process (`BrokenPipe`).
        BrokenPipe.ignoreSignal()
        let loop = UnsafeMutablePointer<uv_loop_t>.allocate(capacity: 1)
        let initResult = uv_loop_init(loop)
        guard initResult == 0 else {
            loop.deallocate()
            throw UVError(code: initResult)
        }
        let wakeup = UnsafeMutablePointer<uv_async_t>.allocate(capacity: 1)
        let asyncResult = uv_async_init(loop, wakeup, wakeupCallback)
        guard asyncResult == 0 else {
            wakeup.deallocate()
            uv_loop_close(loop)
            loop.deallocate()
            throw UVError(code: asyncResult)
        }
        return (loop, wakeup)
    }

    /// Runs a loop on the calling thread: `body` runs first, on this thread, and may create
    /// handles and submit work; then the loop runs until something calls `requestShutdown()`
    /// and everything has closed. For tests and for a command-line tool's main thread.
    public static func run(label: String = "mtascan-main", _ body: (EventLoop) -> Void) throws(UVError) -> ShutdownReport {
        let (loop, wakeup) = try makeLoop()
        let eventLoop = EventLoop(label: label, loop: loop, wakeup: wakeup)
        eventLoop.loopThread.store(uv_thread_self(), ordering: .relaxed)
        body(eventLoop)
        return eventLoop.runOnCurrentThread()
    }

    /// Whether the calling thread is this loop's thread.
    public var inEventLoop: Bool {
        loopThread.load(ordering: .relaxed) == uv_thread_self()
    }

    func preconditionInEventLoop(file: StaticString = #fileID, line: UInt = #line) {
        precondition(inEventLoop, "\(label): loop-confined object used off its loop thread", file: file, line: line)
    }

    /// Queues `work` to run on the loop thread. Safe from any thread, including the loop's own
    /// (the work then runs on a later turn of the loop). Returns false, without queuing, once
    /// shutdown has been requested.
    @discardableResult
    public func execute(_ work: @escaping @Sendable () -> Void) -> Bool {
        inbox.withLock { inbox in
            guard case .running = inbox.phase else { return false }
            inbox.work.append(work)
            // One wake-up per empty-to-non-empty transition: the drain it triggers takes
            // everything queued until then, and uv_async_send coalesces anyway.
            if inbox.work.count == 1 { uv_async_send(wakeup) }
            return true
        }
    }

    /// Starts shutting the loop down and returns at once. Safe from any thread; repeated calls
    /// do nothing.
    public func requestShutdown() {
        inbox.withLock { inbox in
            guard case .running = inbox.phase else { return }
            inbox.phase = .shutdownRequested
            uv_async_send(wakeup)
        }
    }

    /// Shuts the loop down and waits until its thread has closed everything and exited.
    /// Must not be called on the loop thread (use `requestShutdown()` there).
    @discardableResult
    public func shutdown() -> ShutdownReport {
        precondition(!inEventLoop, "\(label): shutdown() would wait for itself; use requestShutdown()")
        requestShutdown()
        joinableThread.withLock { thread in
            // Holding the lock while joining makes concurrent callers wait for the same join.
            if var handle = thread {
                uv_thread_join(&handle)
                thread = nil
            }
        }
        // A loop from `run(label:_:)` has no thread to join: wait for its runner to finish.
        while true {
            if let report = finalReport.withLock({ $0 }) { return report }
            uv_sleep(1)
        }
    }

    // MARK: Loop thread

    fileprivate func runOnCurrentThread() -> ShutdownReport {
        loopThread.store(uv_thread_self(), ordering: .relaxed)
        uv_run(uvLoop, UV_RUN_DEFAULT)
        let report = finishClosing()
        loopThread.store(0, ordering: .relaxed)
        finalReport.withLock { $0 = report }
        return report
    }

    fileprivate func drainInbox() {
        let (batch, beginClosing) = inbox.withLock { inbox -> ([@Sendable () -> Void], Bool) in
            var batch: [@Sendable () -> Void] = []
            swap(&batch, &inbox.work)
            guard case .shutdownRequested = inbox.phase else { return (batch, false) }
            // Leaving the lock with phase .closing means no thread calls uv_async_send again,
            // so `wakeup` may be closed below.
            inbox.phase = .closing
            return (batch, true)
        }
        for work in batch { work() }
        if beginClosing {
            uv_close(handlePointer(wakeup), handleCloseCallback)
            handlesClosedByShutdown += closeAllHandles()
            // Leave the open-ended uv_run after this iteration; `finishClosing` takes over.
            uv_stop(uvLoop)
        }
    }

    /// Closes every handle not already closing; returns how many it closed.
    private func closeAllHandles() -> Int {
        var count = 0
        uv_walk(uvLoop, closeForShutdownWalker, &count)
        return count
    }

    /// After the open-ended `uv_run` has stopped: one loop iteration at a time, close whatever
    /// is still open (including handles that callbacks opened during shutdown, such as a retry
    /// timer, which would otherwise keep `uv_run` waiting for them) until libuv agrees the
    /// loop is empty (the pattern of libuv's MAKE_VALGRIND_HAPPY). Bounded, so a callback that
    /// reopens a handle every time it is closed cannot hang shutdown.
    private func finishClosing() -> ShutdownReport {
        var closed = uv_loop_close(uvLoop) == 0
        var rounds = 0
        while !closed, rounds < 1000 {
            rounds += 1
            handlesClosedByShutdown += closeAllHandles()
            uv_run(uvLoop, UV_RUN_ONCE)
            closed = uv_loop_close(uvLoop) == 0
        }
        isLoopClosed = closed
        return ShutdownReport(
            handlesClosedByShutdown: handlesClosedByShutdown,
            handlesNotReleased: openHandleCount,
            loopClosed: isLoopClosed
        )
    }
}

extension EventLoop: LoopOwnedHandle {
    // The loop owns one handle itself, `wakeup`; it is closed by `drainInbox`, never by the walk.
    func closeForShutdown() {}

    func handleDidClose() {
        wakeup.deallocate()
    }
}

/// What a loop's shutdown found. A clean shutdown has `loopClosed` true and
/// `handlesNotReleased` 0; `handlesClosedByShutdown` counts the libuv handles that were
/// still open when shutdown began (a `TCPStream` with a connect timeout counts two), which
/// a program that closes what it opens keeps at 0.
public struct ShutdownReport: Hashable, Sendable, CustomStringConvertible {
    public var handlesClosedByShutdown: Int
    /// Handles initialised but whose close callback never ran: owners and memory not released.
    public var handlesNotReleased: Int
    /// `uv_loop_close` returned 0: libuv holds nothing open on this loop.
    public var loopClosed: Bool

    public var isClean: Bool { loopClosed && handlesNotReleased == 0 }

    public var description: String {
        "loopClosed=\(loopClosed) handlesNotReleased=\(handlesNotReleased) handlesClosedByShutdown=\(handlesClosedByShutdown)"
    }
}

private let loopThreadEntry: uv_thread_cb = { context in
    guard let context else { return }
    let loop = Unmanaged<EventLoop>.fromOpaque(context).takeRetainedValue()
    _ = loop.runOnCurrentThread()
}

private let wakeupCallback: uv_async_cb = { async in
    guard let async, let data = async.pointee.data else { return }
    Unmanaged<EventLoop>.fromOpaque(data).takeUnretainedValue().drainInbox()
}

private let closeForShutdownWalker: uv_walk_cb = { handle, counter in
    guard let handle, uv_is_closing(handle) == 0, let data = handle.pointee.data else { return }
    guard let owner = Unmanaged<AnyObject>.fromOpaque(data).takeUnretainedValue() as? any LoopOwnedHandle else { return }
    owner.closeForShutdown()
    counter?.assumingMemoryBound(to: Int.self).pointee += 1
}
