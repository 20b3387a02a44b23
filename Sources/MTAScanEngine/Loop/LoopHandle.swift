internal import CLibUV

/// The Swift owner of a libuv handle. `handle->data` holds a retained reference to it from
/// `EventLoop.adopt` (right after a successful init) until `handleCloseCallback`, so the
/// owner outlives every callback libuv can still make.
protocol LoopOwnedHandle: AnyObject {
    /// Close the handle because its loop is shutting down (the owner's own `close`).
    func closeForShutdown()
    /// The close callback ran: free the handle's memory, finish pending work, drop closures.
    func handleDidClose()
}

/// Where a loop-confined handle is in its life, and what waits for its close:
/// the close protocol every owner (`Timer`, `UDPSocket`, `TCPListener`,
/// `TCPStream`) follows. The owner calls the callbacks it is handed back, never
/// this struct, so a callback may touch the owner again.
struct HandleLifecycle {
    private enum State {
        case open
        /// `uv_close` called, close callback not yet run.
        case closing
        /// Close callback ran (or init failed); the handle memory is gone.
        case closed
    }

    enum CloseStep {
        /// The handle was open: drop the handlers and call `uv_close` now.
        case closeNow
        /// A close is under way; the callback will run with the others.
        case alreadyClosing
        /// Nothing left to close: run the callback at once.
        case alreadyClosed
    }

    private var state = State.open
    private var waiters: [() -> Void] = []

    var isOpen: Bool { if case .open = state { true } else { false } }

    /// Init failed after the handle memory was allocated and freed.
    mutating func abandon() { state = .closed }

    /// `close` was called; `onClosed` is kept for the close callback unless the step is `alreadyClosed`.
    mutating func beginClose(_ onClosed: (() -> Void)?) -> CloseStep {
        switch state {
        case .open:
            if let onClosed { waiters.append(onClosed) }
            state = .closing
            return .closeNow
        case .closing:
            if let onClosed { waiters.append(onClosed) }
            return .alreadyClosing
        case .closed:
            return .alreadyClosed
        }
    }

    /// The close callback ran: the callbacks to run, once the owner has freed what it holds.
    mutating func didClose() -> [() -> Void] {
        state = .closed
        defer { waiters = [] }
        return waiters
    }
}

extension EventLoop {
    /// Ties `owner` to `handle` until the close callback: call right after a successful init.
    func adopt<Handle>(_ handle: UnsafeMutablePointer<Handle>, owner: some LoopOwnedHandle) {
        handlePointer(handle).pointee.data = Unmanaged<AnyObject>.passRetained(owner).toOpaque()
        openHandleCount += 1
    }

    static func owning(_ loop: UnsafeMutablePointer<uv_loop_t>?) -> EventLoop? {
        guard let data = loop?.pointee.data else { return nil }
        return Unmanaged<EventLoop>.fromOpaque(data).takeUnretainedValue()
    }
}

/// The one close callback for every handle this module creates: releases the owner's
/// retain and lets it free the handle memory.
let handleCloseCallback: uv_close_cb = { handle in
    guard let handle, let data = handle.pointee.data else { return }
    handle.pointee.data = nil
    EventLoop.owning(handle.pointee.loop)?.openHandleCount -= 1
    let owner = Unmanaged<AnyObject>.fromOpaque(data).takeRetainedValue()
    (owner as? any LoopOwnedHandle)?.handleDidClose()
}

/// Every libuv handle struct begins with the `uv_handle_t` fields (uv.h, UV_HANDLE_FIELDS).
@inline(__always)
func handlePointer<Handle>(_ handle: UnsafeMutablePointer<Handle>) -> UnsafeMutablePointer<uv_handle_t> {
    UnsafeMutablePointer<uv_handle_t>(OpaquePointer(handle))
}

/// TCP handles begin with the `uv_stream_t` fields (uv.h, UV_STREAM_FIELDS).
@inline(__always)
func streamPointer(_ handle: UnsafeMutablePointer<uv_tcp_t>) -> UnsafeMutablePointer<uv_stream_t> {
    UnsafeMutablePointer<uv_stream_t>(OpaquePointer(handle))
}

/// The owner stored in a handle's `data`, for the handle's own callbacks.
@inline(__always)
func owner<Owner: AnyObject, Handle>(of handle: UnsafeMutablePointer<Handle>?, as _: Owner.Type) -> Owner? {
    guard let handle, let data = handlePointer(handle).pointee.data else { return nil }
    return Unmanaged<Owner>.fromOpaque(data).takeUnretainedValue()
}

/// A closure carried through a request's `data` field until the request's callback.
final class RequestCompletion {
    let callback: (UVError?) -> Void
    init(_ callback: @escaping (UVError?) -> Void) { self.callback = callback }
}

extension Duration {
    /// Whole milliseconds for libuv timers, rounded up so a timer never fires early;
    /// negative durations are 0, huge ones saturate.
    var uvMilliseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, seconds > 0 || attoseconds > 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1000)
        if overflow { return UInt64.max }
        let perMillisecond: Int64 = 1_000_000_000_000_000
        let fraction = UInt64((attoseconds + perMillisecond - 1) / perMillisecond)
        let (total, overflowed) = whole.addingReportingOverflow(fraction)
        return overflowed ? UInt64.max : total
    }
}

/// The `uv_alloc_cb` of every read and receive: lends the loop's receive buffer. Leaving
/// `buffer` empty (no loop) makes libuv report UV_ENOBUFS instead of reading.
let loopBufferAllocator: uv_alloc_cb = { handle, _, buffer in
    guard let handle, let buffer, let loop = EventLoop.owning(handle.pointee.loop),
        let base = loop.receiveBuffer.baseAddress
    else { return }
    buffer.pointee = uv_buf_init(base.assumingMemoryBound(to: CChar.self), UInt32(loop.receiveBuffer.count))
}

/// The `uv_alloc_cb` of a batch-receiving UDP socket: lends the loop's batch
/// buffer, which libuv fills with up to 20 datagrams per `recvmmsg`.
let loopDatagramBatchAllocator: uv_alloc_cb = { handle, _, buffer in
    guard let handle, let buffer, let loop = EventLoop.owning(handle.pointee.loop),
        let base = loop.datagramBatchBuffer.baseAddress
    else { return }
    buffer.pointee = uv_buf_init(base.assumingMemoryBound(to: CChar.self), UInt32(loop.datagramBatchBuffer.count))
}
