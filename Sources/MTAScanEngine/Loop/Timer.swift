internal import CLibUV

/// A libuv timer (`uv_timer_t`) on one loop: fires its handler once after a delay, or
/// repeatedly. Loop-confined: create and use it on its loop's thread only.
///
/// libuv timers have millisecond resolution; delays are rounded up to whole milliseconds
/// and measured from the moment `start` is called, so a timer never fires early.
public final class Timer {
    public let loop: EventLoop
    private let handle: UnsafeMutablePointer<uv_timer_t>
    private var lifecycle = HandleLifecycle()
    private var onFire: (() -> Void)?

    /// Creates a stopped timer that calls `onFire` on the loop thread each time it fires.
    public init(on loop: EventLoop, _ onFire: @escaping () -> Void) throws(UVError) {
        loop.preconditionInEventLoop()
        self.loop = loop
        self.handle = .allocate(capacity: 1)
        self.onFire = onFire
        let result = uv_timer_init(loop.uvLoop, handle)
        guard result == 0 else {
            handle.deallocate()
            lifecycle.abandon()
            throw UVError(code: result)
        }
        loop.adopt(handle, owner: self)
    }

    /// (Re)starts the timer: first fire after `delay`, then every `interval` if given.
    /// Restarting an active timer replaces its schedule.
    public func start(after delay: Duration, repeat interval: Duration? = nil) throws(UVError) {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { throw UVError.handleClosed }
        // libuv measures from the loop time cached when the iteration began, which may be
        // well in the past after slow callbacks; refresh it (one vDSO clock read).
        uv_update_time(loop.uvLoop)
        try uvCheck(uv_timer_start(handle, timerCallback, delay.uvMilliseconds, interval?.uvMilliseconds ?? 0))
    }

    /// Stops the timer; it will not fire until started again. Harmless when stopped or closed.
    public func stop() {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { return }
        uv_timer_stop(handle)
    }

    /// Whether the timer is started and will fire.
    public var isActive: Bool {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { return false }
        return uv_is_active(handlePointer(handle)) != 0
    }

    public var isClosed: Bool {
        !lifecycle.isOpen
    }

    /// Closes the timer; `onClosed` runs on the loop thread once libuv has released it (at
    /// once if it already has). The handler is never called after `close`.
    public func close(_ onClosed: (() -> Void)? = nil) {
        loop.preconditionInEventLoop()
        switch lifecycle.beginClose(onClosed) {
        case .closeNow:
            onFire = nil
            uv_close(handlePointer(handle), handleCloseCallback)
        case .alreadyClosing:
            break
        case .alreadyClosed:
            onClosed?()
        }
    }

    fileprivate func fire() {
        onFire?()
    }
}

// Loop-confined: only its loop's thread may touch it (see EventLoop).
@available(*, unavailable)
extension Timer: Sendable {}

extension Timer: LoopOwnedHandle {
    func closeForShutdown() { close() }

    func handleDidClose() {
        let callbacks = lifecycle.didClose()
        handle.deallocate()
        for callback in callbacks { callback() }
    }
}

private let timerCallback: uv_timer_cb = { handle in
    owner(of: handle, as: Timer.self)?.fire()
}
