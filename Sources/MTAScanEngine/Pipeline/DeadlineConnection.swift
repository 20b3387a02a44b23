/// The transport of one probe (a policy fetch, a STARTTLS probe): one outgoing
/// TCP connection under one deadline for the whole dialogue, a connect limit
/// of its own, and an end that happens exactly once, whichever comes first of
/// the probe's verdict and the deadline. Loop-confined, like its stream.
final class DeadlineConnection {
    private let stream: TCPStream
    private let timer: Timer
    private var onDeadline: (() -> Void)?
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
    func open(to destination: SocketAddress, from source: SocketAddress?, connectTimeout: Duration,
              deadline: Duration, onDeadline: @escaping () -> Void, onConnect: @escaping (UVError?) -> Void,
              onBytes: @escaping (Span<UInt8>) -> Void, onEnd: @escaping () -> Void) throws {
        self.onDeadline = onDeadline
        try timer.start(after: deadline)
        try stream.connect(to: destination, from: source, timeout: connectTimeout, onConnect)
        try stream.startReading(onBytes: onBytes, onEnd: { _ in onEnd() })
    }

    /// Sends bytes unless the connection is gone (a late write after the peer left is moot).
    func send(_ bytes: [UInt8]) {
        guard !stream.isClosed, !bytes.isEmpty else { return }
        try? stream.write(bytes)
    }

    /// Sends whatever TLS has queued for the peer.
    func flush(_ session: TLSSession) {
        guard session.hasOutgoing else { return }
        send(session.drainOutgoing())
    }

    /// Ends the connection; true the first time only, so the caller reports once.
    func finish() -> Bool {
        guard !isFinished else { return false }
        isFinished = true
        onDeadline = nil
        timer.close()
        stream.close()
        return true
    }
}
