internal import CLibUV

/// A libuv check handle (`uv_check_t`) on one loop: its handler runs once per
/// loop iteration, right after that iteration's I/O callbacks. Work the I/O
/// callbacks ask for can wait for it and then be done once for all of them.
/// Loop-confined: create and use it on its loop's thread only.
///
/// A started check keeps the loop running, as any active handle does, but
/// never makes it poll without blocking.
public final class LoopCheck {
    public let loop: EventLoop
    private let handle: UnsafeMutablePointer<uv_check_t>
    private var lifecycle = HandleLifecycle()
    private var onCheck: (() -> Void)?

    /// Creates a stopped check that calls `onCheck` on the loop thread after each iteration's I/O.
    public init(on loop: EventLoop, _ onCheck: @escaping () -> Void) throws(UVError) {
        loop.preconditionInEventLoop()
        self.loop = loop
        self.handle = .allocate(capacity: 1)
        self.onCheck = onCheck
        let result = uv_check_init(loop.uvLoop, handle)
        guard result == 0 else {
            handle.deallocate()
            lifecycle.abandon()
            throw UVError(code: result)
        }
        loop.adopt(handle, owner: self)
    }

    /// Starts calling the handler; harmless when started.
    public func start() throws(UVError) {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { throw UVError.handleClosed }
        try uvCheck(uv_check_start(handle, checkCallback))
    }

    /// Stops calling the handler; harmless when stopped or closed.
    public func stop() {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { return }
        uv_check_stop(handle)
    }

    public var isActive: Bool {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { return false }
        return uv_is_active(handlePointer(handle)) != 0
    }

    /// Closes the check; `onClosed` runs on the loop thread once libuv has released it (at
    /// once if it already has). The handler is never called after `close`.
    public func close(_ onClosed: (() -> Void)? = nil) {
        loop.preconditionInEventLoop()
        switch lifecycle.beginClose(onClosed) {
        case .closeNow:
            onCheck = nil
            uv_close(handlePointer(handle), handleCloseCallback)
        case .alreadyClosing:
            break
        case .alreadyClosed:
            onClosed?()
        }
    }

    fileprivate func check() {
        onCheck?()
    }
}

// Loop-confined: only its loop's thread may touch it (see EventLoop).
@available(*, unavailable)
extension LoopCheck: Sendable {}

extension LoopCheck: LoopOwnedHandle {
    func closeForShutdown() { close() }

    func handleDidClose() {
        let callbacks = lifecycle.didClose()
        handle.deallocate()
        for callback in callbacks { callback() }
    }
}

private let checkCallback: uv_check_cb = { handle in
    owner(of: handle, as: LoopCheck.self)?.check()
}
