/// The transport of one probe (a policy fetch, a STARTTLS probe): one outgoing
/// TCP connection under one deadline for the whole dialogue, a connect limit
/// of its own, and an end that happens exactly once, whichever comes first of
/// the probe's verdict and the deadline. Loop-confined, like its stream.
final class DeadlineConnection {
    private let stream: TCPStream
    private let timer: Timer
    private var onDeadline: (() -> Void)?
    private var onEnd: ((ConnectionEnd) -> Void)?
    private(set) var isFinished = false

    init(loop: EventLoop) throws {
        stream = try TCPStream(on: loop)
        var fire: (() -> Void)?
        timer = try Timer(on: loop) { fire?() }
        fire = { [weak self] in self?.onDeadline?() }
    }

    /// A probe whose own setup failed after this was made drops it unopened:
    /// close the handles now rather than at loop shutdown.
    deinit { _ = finish() }

    /// Starts the deadline and the connect. The handlers keep the probe alive
    /// until `finish`; errors found at once are thrown and no handler runs.
    /// `onEnd` runs at most once, before `finish`: for the peer's FIN, or for the
    /// first read or write error (a reset), whichever the stream reports first.
    func open(to destination: SocketAddress, from source: SocketAddress?, connectTimeout: Duration,
              deadline: Duration, onDeadline: @escaping () -> Void, onConnect: @escaping (UVError?) -> Void,
              onBytes: @escaping (Span<UInt8>) -> Void, onEnd: @escaping (ConnectionEnd) -> Void) throws {
        self.onDeadline = onDeadline
        self.onEnd = onEnd
        try timer.start(after: deadline)
        try stream.connect(to: destination, from: source, timeout: connectTimeout, onConnect)
        try stream.startReading(onBytes: onBytes, onEnd: { [weak self] error in self?.ended(error) })
    }

    /// Sends bytes unless the connection is gone (a late write after the probe ended is
    /// moot). A write the kernel refuses (EPIPE, ECONNRESET: the peer is gone) ends the
    /// connection as a read error would, so the probe reports it instead of waiting
    /// for its deadline.
    func send(_ bytes: [UInt8]) {
        guard !stream.isClosed, !isFinished, !bytes.isEmpty else { return }
        do {
            try stream.write(bytes) { [weak self] error in
                if let error { self?.ended(error) }
            }
        } catch {
            ended(error)
        }
    }

    /// The first end of the byte stream goes to the probe; later ones, and the
    /// `.canceled` of our own close, are not news.
    private func ended(_ error: UVError?) {
        guard !isFinished, error != .canceled, let end = onEnd else { return }
        onEnd = nil
        end(error.map(ConnectionEnd.failed) ?? .closed)
    }

    /// Sends whatever TLS has queued for the peer.
    func flush(_ session: TLSSession) {
        guard session.hasOutgoing else { return }
        send(session.drainOutgoing())
    }

    /// The local address of the connection (nil before it is connected, or once closed).
    func localAddress() -> SocketAddress? {
        guard !stream.isClosed else { return nil }
        return try? stream.localAddress()
    }

    /// Ends the connection; true the first time only, so the caller reports once.
    func finish() -> Bool {
        guard !isFinished else { return false }
        isFinished = true
        onDeadline = nil
        onEnd = nil
        timer.close()
        stream.close()
        return true
    }
}
