internal import CLibUV

/// A UDP socket (`uv_udp_t`) on one loop. Loop-confined: create and use it on its loop's
/// thread only.
///
/// Datagrams are received into the loop's shared 64 KiB buffer (the largest UDP payload
/// fits) and lent to `onDatagram` as a `Span`, so receiving allocates nothing; copy with
/// `Array(copying:)` to keep bytes. Many sockets may be open at once: each costs one file
/// descriptor and a small handle, no buffer.
public final class UDPSocket {
    public let loop: EventLoop
    private let handle: UnsafeMutablePointer<uv_udp_t>
    private var lifecycle = HandleLifecycle()
    private var isReceiving = false
    private var onDatagram: ((Span<UInt8>, SocketAddress) -> Void)?
    private var onReceiveError: ((UVError) -> Void)?
    private let receivesInBatches: Bool

    /// `batchReceive`: read with `recvmmsg`, up to 20 datagrams per system call,
    /// for a socket that receives many (the DNS client's); each is still
    /// delivered to `onDatagram` on its own.
    public init(on loop: EventLoop, batchReceive: Bool = false) throws(UVError) {
        loop.preconditionInEventLoop()
        self.loop = loop
        self.handle = .allocate(capacity: 1)
        receivesInBatches = batchReceive
        let result = batchReceive
            ? uv_udp_init_ex(loop.uvLoop, handle, UV_UDP_RECVMMSG.rawValue)  // low byte 0: AF_UNSPEC, created at bind
            : uv_udp_init(loop.uvLoop, handle)
        guard result == 0 else {
            handle.deallocate()
            lifecycle.abandon()
            throw UVError(code: result)
        }
        loop.adopt(handle, owner: self)
    }

    /// Binds to a local address; port 0 lets the kernel pick a random free port. An IPv6
    /// socket is IPv6-only (no IPv4-mapped traffic), so the two families never mix.
    public func bind(to address: SocketAddress, reuseAddress: Bool = false) throws(UVError) {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { throw UVError.handleClosed }
        var flags: UInt32 = 0
        if address.family == .ipv6 { flags |= UV_UDP_IPV6ONLY.rawValue }
        if reuseAddress { flags |= UV_UDP_REUSEADDR.rawValue }
        try address.withSockAddr { (pointer) throws(UVError) in
            try uvCheck(uv_udp_bind(handle, pointer, flags))
        }
    }

    /// Associates the socket with one peer: only its datagrams are delivered, `send(_:completion:)`
    /// goes to it, and the kernel reports ICMP errors about it (port unreachable becomes an
    /// ECONNREFUSED receive error), so a dead server is noticed without waiting for a timeout.
    /// An unbound socket is bound to the wildcard address first.
    public func connect(to peer: SocketAddress) throws(UVError) {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { throw UVError.handleClosed }
        try peer.withSockAddr { (address) throws(UVError) in
            try uvCheck(uv_udp_connect(handle, address))
        }
    }

    /// The peer of a connected socket.
    public func remoteAddress() throws(UVError) -> SocketAddress {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { throw UVError.handleClosed }
        return try SocketAddress.fromSocketCall { uv_udp_getpeername(handle, $0, $1) }
    }

    /// The bound local address (with the port the kernel chose for port 0).
    public func localAddress() throws(UVError) -> SocketAddress {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { throw UVError.handleClosed }
        return try SocketAddress.fromSocketCall { uv_udp_getsockname(handle, $0, $1) }
    }

    /// Asks the kernel for a receive buffer of `bytes` (SO_RCVBUF; Linux doubles
    /// it and caps it at net.core.rmem_max). A client with thousands of answers
    /// in flight loses datagrams to a small buffer, and each loss costs a retry.
    public func setReceiveBufferSize(_ bytes: Int32) throws(UVError) {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { throw UVError.handleClosed }
        var value = bytes
        try uvCheck(uv_recv_buffer_size(UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_handle_t.self), &value))
    }

    /// Sends one datagram. The bytes are copied, so the caller's buffer is free at once.
    /// Errors libuv detects at once are thrown (and `completion` is not called); otherwise
    /// `completion` runs exactly once on the loop thread: nil when the kernel took the
    /// datagram, an error, or `UVError.canceled` if the socket closed first. An unbound
    /// socket is bound to the wildcard address of the destination's family first.
    public func send(_ bytes: [UInt8], to destination: SocketAddress, completion: ((UVError?) -> Void)? = nil) throws(UVError) {
        // Array.withUnsafeBytes rethrows untyped errors: carry the typed one out in a Result.
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(UVError) in try send(raw, to: destination, completion: completion) }
        }
        try result.get()
    }

    /// `send(_:to:completion:)` for bytes lent as a `Span`.
    public func send(_ bytes: Span<UInt8>, to destination: SocketAddress, completion: ((UVError?) -> Void)? = nil) throws(UVError) {
        try bytes.withUnsafeBytes { (raw) throws(UVError) in
            try send(raw, to: destination, completion: completion)
        }
    }

    /// Sends one datagram to the peer of a connected socket (see `connect(to:)`); otherwise
    /// as `send(_:to:completion:)`.
    public func send(_ bytes: [UInt8], completion: ((UVError?) -> Void)? = nil) throws(UVError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(UVError) in try send(raw, to: nil, completion: completion) }
        }
        try result.get()
    }

    /// `send(_:completion:)` for bytes lent as a `Span`.
    public func send(_ bytes: Span<UInt8>, completion: ((UVError?) -> Void)? = nil) throws(UVError) {
        try bytes.withUnsafeBytes { (raw) throws(UVError) in
            try send(raw, to: nil, completion: completion)
        }
    }

    private func send(_ bytes: UnsafeRawBufferPointer, to destination: SocketAddress?, completion: ((UVError?) -> Void)?) throws(UVError) {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { throw UVError.handleClosed }
        // Without a completion to call, try the kernel first: no request, no
        // copy. libuv refuses (EAGAIN) while datagrams wait in its queue, so
        // order is kept; then the datagram is queued as below.
        if completion == nil, let base = bytes.baseAddress {
            var buffer = uv_buf_init(UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: CChar.self)), UInt32(bytes.count))
            let sent = if let destination {
                destination.withSockAddr { address in uv_udp_try_send(handle, &buffer, 1, address) }
            } else {
                uv_udp_try_send(handle, &buffer, 1, nil)
            }
            if sent >= 0 { return }
            if sent != UV_EAGAIN.rawValue { throw UVError(code: sent) }
        }
        let request = try OutgoingBytes<uv_udp_send_t>(copying: bytes, completion: completion)
        var buffer = request.buffer
        let result = if let destination {
            destination.withSockAddr { address in
                uv_udp_send(request.request, handle, &buffer, 1, address, udpSendCallback)
            }
        } else {
            uv_udp_send(request.request, handle, &buffer, 1, nil, udpSendCallback)
        }
        guard result == 0 else {
            request.discard()
            throw UVError(code: result)
        }
    }

    /// Datagrams queued in libuv, not yet handed to the kernel.
    public var pendingSendCount: Int {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { return 0 }
        return uv_udp_get_send_queue_count(handle)
    }

    /// Starts delivering datagrams: `onDatagram` gets each payload (valid only during the call)
    /// and its sender; `onError` gets receive errors, after which receiving continues (UDP
    /// errors such as ECONNREFUSED from an ICMP message concern one exchange, not the socket).
    /// A second call replaces the handlers. The socket must be bound or have sent.
    public func startReceiving(
        onDatagram: @escaping (Span<UInt8>, SocketAddress) -> Void,
        onError: @escaping (UVError) -> Void
    ) throws(UVError) {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { throw UVError.handleClosed }
        self.onDatagram = onDatagram
        self.onReceiveError = onError
        guard !isReceiving else { return }
        let result = uv_udp_recv_start(handle, receivesInBatches ? loopDatagramBatchAllocator : loopBufferAllocator,
                                       udpReceiveCallback)
        guard result == 0 else {
            self.onDatagram = nil
            self.onReceiveError = nil
            throw UVError(code: result)
        }
        isReceiving = true
    }

    /// Stops delivering datagrams (they queue in the kernel's socket buffer meanwhile).
    public func stopReceiving() {
        loop.preconditionInEventLoop()
        guard lifecycle.isOpen else { return }
        uv_udp_recv_stop(handle)
        isReceiving = false
        onDatagram = nil
        onReceiveError = nil
    }

    public var isClosed: Bool {
        !lifecycle.isOpen
    }

    /// Closes the socket. Pending sends complete with `UVError.canceled`, then `onClosed` runs
    /// (at once if already closed). No handler is called after `close`.
    public func close(_ onClosed: (() -> Void)? = nil) {
        loop.preconditionInEventLoop()
        switch lifecycle.beginClose(onClosed) {
        case .closeNow:
            onDatagram = nil
            onReceiveError = nil
            uv_close(handlePointer(handle), handleCloseCallback)
        case .alreadyClosing:
            break
        case .alreadyClosed:
            onClosed?()
        }
    }

    fileprivate func received(_ count: Int, _ buffer: UnsafePointer<uv_buf_t>?, _ sender: UnsafePointer<sockaddr>?, _ flags: UInt32) {
        if count < 0 {
            onReceiveError?(UVError(code: Int32(truncatingIfNeeded: count)))
            return
        }
        // count 0 without a sender: the socket had nothing more to read (udp.rst),
        // or (UV_UDP_MMSG_FREE) a batch is done with its buffer, the loop's own.
        guard let sender, let from = SocketAddress(sender), let base = buffer?.pointee.base else { return }
        if flags & UV_UDP_PARTIAL.rawValue != 0 {
            // Cannot happen with a 64 KiB buffer; surfaced rather than delivered cut short.
            onReceiveError?(.messageTooLong)
            return
        }
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(base).assumingMemoryBound(to: UInt8.self), count: count)
        onDatagram?(bytes.span, from)
    }
}

// Loop-confined: only its loop's thread may touch it (see EventLoop).
@available(*, unavailable)
extension UDPSocket: Sendable {}

extension UDPSocket: LoopOwnedHandle {
    func closeForShutdown() { close() }

    func handleDidClose() {
        let callbacks = lifecycle.didClose()
        handle.deallocate()
        for callback in callbacks { callback() }
    }
}

private let udpReceiveCallback: uv_udp_recv_cb = { handle, count, buffer, sender, flags in
    owner(of: handle, as: UDPSocket.self)?.received(count, buffer, sender, flags)
}

private let udpSendCallback: uv_udp_send_cb = { request, status in
    guard let request else { return }
    OutgoingBytes<uv_udp_send_t>.complete(request, status: status)
}
