import MTAScanCore

/// Where and how a campaign's messages are handed off (`notify send`).
public struct SubmissionRelay: Sendable {
    /// The relay's address; mtascan does not resolve the name (see docs/notify.md, "Sending").
    public var address: SocketAddress
    /// The name its certificate must carry (SNI, RFC 6125 check).
    public var name: DomainName
    /// Trust anchors for the relay's certificate.
    public var trustRoots: TLSConfiguration.TrustRoots
    public var ehloName: DomainName
    public var credentials: SubmissionMachine.Credentials
    public var connectTimeout: Duration = .seconds(10)
    /// The whole dialogue of one message, banner to QUIT.
    public var totalTimeout: Duration = .seconds(60)

    public init(address: SocketAddress, name: DomainName, trustRoots: TLSConfiguration.TrustRoots, ehloName: DomainName,
                credentials: SubmissionMachine.Credentials) {
        self.address = address
        self.name = name
        self.trustRoots = trustRoots
        self.ehloName = ehloName
        self.credentials = credentials
    }
}

/// One message to the relay on one loop: moves `SubmissionMachine`'s bytes over
/// TCP, through TLS once it asks, under one deadline (`DeadlineConnection`).
/// The certificate is checked as the STARTTLS probe checks an MX host's
/// (chain to the given anchors, name = the relay's), but here any failure
/// ends the dialogue: the machine sends nothing after a bad handshake.
final class SubmissionSession {
    private let relay: SubmissionRelay
    private let context: TLSContext
    private let connection: DeadlineConnection
    private var machine: SubmissionMachine
    private var session: TLSSession?
    private var handshakeDone = false
    private let completion: (SubmissionResult) -> Void

    init(loop: EventLoop, relay: SubmissionRelay, context: TLSContext, request: SubmissionMachine.Request,
         completion: @escaping (SubmissionResult) -> Void) throws {
        self.relay = relay
        self.context = context
        self.completion = completion
        machine = SubmissionMachine(ehloName: relay.ehloName, credentials: relay.credentials, request: request)
        connection = try DeadlineConnection(loop: loop)
    }

    func start() {
        do {
            try connection.open(
                to: relay.address, from: nil, connectTimeout: relay.connectTimeout, deadline: relay.totalTimeout,
                onDeadline: { self.perform(self.machine.handle(.timeout)) },
                onConnect: { error in
                    if let error {
                        return self.finish(SubmissionResult(outcome: .failed(SubmissionFailure(
                            stage: .banner, reason: .closed, text: "connect: \(ConnectFailureReason.of(error))"))))
                    }
                    self.perform(self.machine.handle(.connected))
                },
                onBytes: { bytes in self.received(Array(copying: bytes)) },
                onEnd: { end in self.ended(end) })
        } catch {
            finish(SubmissionResult(outcome: .failed(SubmissionFailure(
                stage: .banner, reason: .closed, text: "connect: \(ConnectFailureReason.of(error))"))))
        }
    }

    private func ended(_ end: ConnectionEnd) {
        if case .failed = end { return perform(machine.handle(.connectionReset)) }
        if let session {
            session.receivedEOF()
            pumpTLS()
        }
        perform(machine.handle(.peerClosed))
    }

    private func received(_ bytes: [UInt8]) {
        if let session {
            session.feed(bytes)
            pumpTLS()
        } else {
            perform(machine.handle(.received(bytes)))
        }
    }

    private func pumpTLS() {
        guard let session, !connection.isFinished else { return }
        if !handshakeDone {
            switch session.handshake() {
            case .wantIO:
                return connection.flush(session)
            case .failed(let failure):
                connection.flush(session)
                return perform(machine.handle(.tlsFailed(failure.message)))
            case .complete(let outcome):
                handshakeDone = true
                connection.flush(session)
                if let primary = outcome.primaryFailure {
                    return perform(machine.handle(.tlsFailed("\(primary.reason.rawValue): \(primary.message)")))
                }
                perform(machine.handle(.tlsEstablished))
            }
        }
        while !connection.isFinished {
            guard let result = try? session.read(maxBytes: 16 * 1024) else { return perform(machine.handle(.connectionReset)) }
            switch result {
            case .data(let bytes): perform(machine.handle(.received(bytes)))
            case .wantIO: return connection.flush(session)
            case .closed: return perform(machine.handle(.peerClosed))
            }
        }
    }

    private func perform(_ action: SubmissionMachine.Action) {
        guard !connection.isFinished else { return }
        switch action {
        case .send(let command):
            if let session {
                do {
                    try session.write(command.bytes)
                } catch {
                    return perform(machine.handle(.connectionReset))
                }
                connection.flush(session)
            } else {
                connection.send(command.bytes)
            }
        case .startTLS:
            do {
                let session = try TLSSession(context: context, serverName: relay.name.text)
                self.session = session
                pumpTLS()
            } catch {
                perform(machine.handle(.tlsFailed("\(error)")))
            }
        case .wait:
            break
        case .done(let result):
            if let session, handshakeDone {
                session.shutdown()
                connection.flush(session)
            }
            finish(result)
        }
    }

    private func finish(_ result: SubmissionResult) {
        guard connection.finish() else { return }
        completion(result)
    }
}

/// Blocking submission for the command line: one message, one connection,
/// on a loop run on the calling thread until the dialogue ends (bounded by
/// the relay's deadline). A campaign sends a few messages a minute at most,
/// so one connection per message costs nothing and keeps each hand-off
/// separate in the relay's log and in the campaign's.
public enum SubmissionClient {
    public static func submit(_ request: SubmissionMachine.Request, to relay: SubmissionRelay) throws -> SubmissionResult {
        let context = try TLSContext(configuration: TLSConfiguration(trustRoots: relay.trustRoots, minimumVersion: .tls1_2))
        var outcome: SubmissionResult?
        var setupError: (any Error)?
        _ = try EventLoop.run(label: "mtascan-submission") { loop in
            do {
                let session = try SubmissionSession(loop: loop, relay: relay, context: context, request: request) { result in
                    outcome = result
                    loop.requestShutdown()
                }
                session.start()
            } catch {
                setupError = error
                loop.requestShutdown()
            }
        }
        if let setupError { throw setupError }
        return outcome ?? SubmissionResult(outcome: .failed(SubmissionFailure(stage: .banner, reason: .closed, text: "the loop ended early")))
    }
}
