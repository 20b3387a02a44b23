internal import CLibUV

/// A listening TCP socket on one loop that accepts every connection as a `TCPStream`.
/// Loop-confined: create and use it on its loop's thread only.
public final class TCPListener {
    public let loop: EventLoop
    private let handle: UnsafeMutablePointer<uv_tcp_t>
    private var lifecycle = HandleLifecycle()
    private var onConnection: ((Result<TCPStream, UVError>) -> Void)?

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

    /// Binds to a local address (port 0: the kernel picks one). IPv6 listeners are IPv6-only.
    /// libuv defers some bind errors (EADDRINUSE) to `listen`.
    public func bind(to address: SocketAddress) throws(UVError) {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { throw UVError.handleClosed }
        let flags: UInt32 = address.family == .ipv6 ? UV_TCP_IPV6ONLY.rawValue : 0
        try address.withSockAddr { (pointer) throws(UVError) in
            try uvCheck(uv_tcp_bind(handle, pointer, flags))
        }
    }

    /// Starts listening; each incoming connection is accepted and passed to `onConnection`
    /// as a new stream the callee owns (and must close), or as the accept error.
    public func listen(backlog: Int32 = 128, onConnection: @escaping (Result<TCPStream, UVError>) -> Void) throws(UVError) {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { throw UVError.handleClosed }
        self.onConnection = onConnection
        let result = uv_listen(streamPointer(handle), backlog, listenerConnectionCallback)
        guard result == 0 else {
            self.onConnection = nil
            throw UVError(code: result)
        }
    }

    public func localAddress() throws(UVError) -> SocketAddress {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { throw UVError.handleClosed }
        return try SocketAddress.fromSocketCall { uv_tcp_getsockname(handle, $0, $1) }
    }

    public var isClosed: Bool {
        !lifecycle.isOpen
    }

    /// Stops listening and closes the socket; streams already accepted stay open.
    public func close(_ onClosed: (() -> Void)? = nil) {
        loop.preconditionInEventLoop()
        switch lifecycle.beginClose(onClosed) {
        case .closeNow:
            onConnection = nil
            uv_close(handlePointer(handle), handleCloseCallback)
        case .alreadyClosing:
            break
        case .alreadyClosed:
            onClosed?()
        }
    }

    fileprivate func connectionArrived(_ status: Int32) {
        guard lifecycle.isOpen, let onConnection else { return }
        guard status >= 0 else {
            onConnection(.failure(UVError(code: status)))
            return
        }
        let stream: TCPStream
        do {
            stream = try TCPStream(on: loop)
        } catch {
            onConnection(.failure(error))
            return
        }
        let result = uv_accept(streamPointer(handle), streamPointer(stream.handle))
        guard result == 0 else {
            stream.close()
            onConnection(.failure(UVError(code: result)))
            return
        }
        onConnection(.success(stream))
    }
}

// Loop-confined: only its loop's thread may touch it (see EventLoop).
@available(*, unavailable)
extension TCPListener: Sendable {}

extension TCPListener: LoopOwnedHandle {
    func closeForShutdown() { close() }

    func handleDidClose() {
        let callbacks = lifecycle.didClose()
        handle.deallocate()
        for callback in callbacks { callback() }
    }
}

private let listenerConnectionCallback: uv_connection_cb = { server, status in
    owner(of: server, as: TCPListener.self)?.connectionArrived(status)
}
