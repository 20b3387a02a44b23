internal import CLibUV
internal import Glibc

/// A TCP connection (`uv_tcp_t`) on one loop, from `connect` or from a `TCPListener`.
/// Loop-confined: create and use it on its loop's thread only.
///
/// Every operation that takes a completion reports exactly once, on the loop thread:
/// `connect` (nil, an error, `UVError.timedOut`, or `UVError.canceled` if the stream closed
/// first), `write` and `shutdownWrites` (nil, an error, or `.canceled`), and reading, whose
/// `onEnd` says how the byte stream ended (nil for the peer's FIN, an error, or `.canceled`
/// when the stream closed while reading or paused). All of them precede `close`'s `onClosed`.
public final class TCPStream {
    public let loop: EventLoop
    let handle: UnsafeMutablePointer<uv_tcp_t>
    private var lifecycle = HandleLifecycle()
    private var connectCompletion: ((UVError?) -> Void)?
    private var connectTimer: Timer?
    private var reading = ReadState.notStarted
    private var onBytes: ((Span<UInt8>) -> Void)?
    private var onEnd: ((UVError?) -> Void)?

    private enum ReadState {
        case notStarted
        case active
        case paused
        case ended
    }

    /// A stream not yet connected: call `connect`, or hand it to a listener's accept.
    public init(on loop: EventLoop) throws(UVError) {
        loop.preconditionInEventLoop()
        self.loop = loop
        self.handle = .allocate(capacity: 1)
        let result = uv_tcp_init(loop.uvLoop, handle)
        guard result == 0 else {
            handle.deallocate()
            lifecycle.abandon()
            throw UVError(code: result)
        }
        loop.adopt(handle, owner: self)
    }

    /// Connects to `destination`, optionally from a given local address (port 0: any port).
    /// With a `timeout`, a connection not established in time completes with
    /// `UVError.timedOut` and the stream is closed (libuv cannot cancel a connect otherwise).
    /// Errors found at once (a bad source address, a second connect) are thrown and
    /// `completion` is not called.
    public func connect(
        to destination: SocketAddress,
        from source: SocketAddress? = nil,
        timeout: Duration? = nil,
        _ completion: @escaping (UVError?) -> Void
    ) throws(UVError) {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { throw UVError.handleClosed }
        guard connectCompletion == nil else { throw UVError(UV_EALREADY) }
        if let source {
            let flags: UInt32 = source.family == .ipv6 ? UV_TCP_IPV6ONLY.rawValue : 0
            try source.withSockAddr { (address) throws(UVError) in
                try uvCheck(uv_tcp_bind(handle, address, flags))
            }
        }
        // The timer comes first: once the connect request is out, nothing may fail.
        let timer: Timer? = if timeout != nil {
            try Timer(on: loop) { [weak self] in self?.connectTimedOut() }
        } else {
            nil
        }
        let request = UnsafeMutablePointer<uv_connect_t>.allocate(capacity: 1)
        let result = destination.withSockAddr { address in
            uv_tcp_connect(request, handle, address, tcpConnectCallback)
        }
        guard result == 0 else {
            request.deallocate()
            timer?.close()
            throw UVError(code: result)
        }
        connectCompletion = completion
        if let timer, let timeout {
            connectTimer = timer
            try? timer.start(after: timeout)  // cannot fail: the timer was just opened
        }
    }

    /// Starts delivering bytes: `onBytes` gets each chunk read (valid only during the call),
    /// `onEnd` is called once when reading ends. Use `pauseReading`/`resumeReading` for
    /// backpressure. Reading may start while the connect is still pending.
    public func startReading(
        onBytes: @escaping (Span<UInt8>) -> Void,
        onEnd: @escaping (UVError?) -> Void
    ) throws(UVError) {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { throw UVError.handleClosed }
        switch reading {
        case .notStarted: break
        case .active, .paused: throw UVError(UV_EALREADY)
        case .ended: throw UVError.endOfFile
        }
        try uvCheck(uv_read_start(streamPointer(handle), loopBufferAllocator, tcpReadCallback))
        self.onBytes = onBytes
        self.onEnd = onEnd
        reading = .active
    }

    /// Stops reading until `resumeReading`; the kernel buffers meanwhile, and once its window
    /// is full the peer stops sending. Harmless when not reading.
    public func pauseReading() {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen, case .active = reading else { return }
        uv_read_stop(streamPointer(handle))
        reading = .paused
    }

    /// Resumes a paused read. Harmless when already reading or ended.
    public func resumeReading() throws(UVError) {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen, case .paused = reading else { return }
        try uvCheck(uv_read_start(streamPointer(handle), loopBufferAllocator, tcpReadCallback))
        reading = .active
    }

    public var isReading: Bool {
        if case .active = reading { return true }
        return false
    }

    /// Queues bytes for sending (copied, so the caller's buffer is free at once). Writes go
    /// out in order; `completion` runs once they are handed to the kernel, or with an error.
    public func write(_ bytes: [UInt8], completion: ((UVError?) -> Void)? = nil) throws(UVError) {
        // Array.withUnsafeBytes rethrows untyped errors: carry the typed one out in a Result.
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(UVError) in try write(raw, completion: completion) }
        }
        try result.get()
    }

    /// `write(_:completion:)` for bytes lent as a `Span`.
    public func write(_ bytes: Span<UInt8>, completion: ((UVError?) -> Void)? = nil) throws(UVError) {
        try bytes.withUnsafeBytes { (raw) throws(UVError) in
            try write(raw, completion: completion)
        }
    }

    private func write(_ bytes: UnsafeRawBufferPointer, completion: ((UVError?) -> Void)?) throws(UVError) {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { throw UVError.handleClosed }
        let request = try OutgoingBytes<uv_write_t>(copying: bytes, completion: completion)
        var buffer = request.buffer
        let result = uv_write(request.request, streamPointer(handle), &buffer, 1, tcpWriteCallback)
        guard result == 0 else {
            request.discard()
            throw UVError(code: result)
        }
    }

    /// Bytes written but not yet handed to the kernel: the send-side backpressure signal.
    public var pendingWriteBytes: Int {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { return 0 }
        return uv_stream_get_write_queue_size(streamPointer(handle))
    }

    /// Half-closes: sends FIN once queued writes are out; reading continues.
    public func shutdownWrites(_ completion: ((UVError?) -> Void)? = nil) throws(UVError) {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { throw UVError.handleClosed }
        let request = UnsafeMutablePointer<uv_shutdown_t>.allocate(capacity: 1)
        request.pointee.data = completion.map { Unmanaged.passRetained(RequestCompletion($0)).toOpaque() }
        let result = uv_shutdown(request, streamPointer(handle), tcpShutdownCallback)
        guard result == 0 else {
            if let data = request.pointee.data { Unmanaged<RequestCompletion>.fromOpaque(data).release() }
            request.deallocate()
            throw UVError(code: result)
        }
    }

    public func localAddress() throws(UVError) -> SocketAddress {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { throw UVError.handleClosed }
        return try SocketAddress.fromSocketCall { uv_tcp_getsockname(handle, $0, $1) }
    }

    public func remoteAddress() throws(UVError) -> SocketAddress {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { throw UVError.handleClosed }
        return try SocketAddress.fromSocketCall { uv_tcp_getpeername(handle, $0, $1) }
    }

    /// Disables (true) or enables Nagle's algorithm.
    public func setNoDelay(_ enabled: Bool) throws(UVError) {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { throw UVError.handleClosed }
        try uvCheck(uv_tcp_nodelay(handle, enabled ? 1 : 0))
    }

    public var isClosed: Bool {
        !lifecycle.isOpen
    }

    /// Closes the stream. With `reset`, the connection is aborted with an RST instead of a
    /// FIN (no TIME_WAIT left behind; falls back to a normal close when a shutdown is pending
    /// or the socket was never opened). Pending operations complete with `.canceled`, then
    /// `onClosed` runs (at once if already closed). No bytes are delivered after `close`.
    public func close(reset: Bool = false, _ onClosed: (() -> Void)? = nil) {
        loop.preconditionInEventLoop()
        switch lifecycle.beginClose(onClosed) {
        case .closeNow:
            onBytes = nil
            connectTimer?.close()
            connectTimer = nil
            if !reset || uv_tcp_close_reset(handle, handleCloseCallback) != 0 {
                uv_close(handlePointer(handle), handleCloseCallback)
            }
        case .alreadyClosing:
            break
        case .alreadyClosed:
            onClosed?()
        }
    }

    // MARK: Callbacks

    fileprivate func connectFinished(_ status: Int32) {
        connectTimer?.close()
        connectTimer = nil
        guard let completion = connectCompletion else { return }  // timed out earlier
        connectCompletion = nil
        completion(status < 0 ? UVError(code: status) : nil)
    }

    private func connectTimedOut() {
        guard let completion = connectCompletion else { return }
        connectCompletion = nil
        // Closing cancels the connect request; its callback then finds nothing to report.
        close()
        completion(.timedOut)
    }

    fileprivate func read(_ count: Int, _ buffer: UnsafePointer<uv_buf_t>?) {
        if count > 0 {
            guard let base = buffer?.pointee.base else { return }
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(base).assumingMemoryBound(to: UInt8.self), count: count)
            onBytes?(bytes.span)
        } else if count < 0 {
            // libuv stops reading on EOF and errors; stopping again is harmless.
            uv_read_stop(streamPointer(handle))
            let error = UVError(code: Int32(truncatingIfNeeded: count))
            endReading(error == .endOfFile ? pendingSocketError() : error)
        }
        // 0: nothing to read right now (EAGAIN); libuv keeps polling.
    }

    /// At end of file, the error the socket still holds, if any. Linux can report a
    /// reset that follows data as a plain EOF (the RST marks the socket done before the
    /// queued bytes are read) and keep ECONNRESET in SO_ERROR: without this a peer that
    /// aborts mid-response would look like one that finished cleanly.
    private func pendingSocketError() -> UVError? {
        var fd = uv_os_fd_t()
        guard uv_fileno(handlePointer(handle), &fd) == 0 else { return nil }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error != 0 else { return nil }
        return UVError(code: -error)
    }

    private func endReading(_ error: UVError?) {
        switch reading {
        case .active, .paused:
            reading = .ended
            let end = onEnd
            onBytes = nil
            onEnd = nil
            end?(error)
        case .notStarted, .ended:
            break
        }
    }
}

// Loop-confined: only its loop's thread may touch it (see EventLoop).
@available(*, unavailable)
extension TCPStream: Sendable {}

extension TCPStream: LoopOwnedHandle {
    func closeForShutdown() { close() }

    func handleDidClose() {
        let callbacks = lifecycle.didClose()
        handle.deallocate()
        endReading(.canceled)
        connectCompletion = nil  // libuv reported the connect (as canceled) before this
        for callback in callbacks { callback() }
    }
}

private let tcpConnectCallback: uv_connect_cb = { request, status in
    guard let request else { return }
    let stream = request.pointee.handle
    request.deallocate()
    owner(of: stream, as: TCPStream.self)?.connectFinished(status)
}

private let tcpReadCallback: uv_read_cb = { stream, count, buffer in
    owner(of: stream, as: TCPStream.self)?.read(count, buffer)
}

private let tcpWriteCallback: uv_write_cb = { request, status in
    guard let request else { return }
    OutgoingBytes<uv_write_t>.complete(request, status: status)
}

private let tcpShutdownCallback: uv_shutdown_cb = { request, status in
    guard let request else { return }
    let data = request.pointee.data
    request.deallocate()
    guard let data else { return }
    Unmanaged<RequestCompletion>.fromOpaque(data).takeRetainedValue().callback(status < 0 ? UVError(code: status) : nil)
}
