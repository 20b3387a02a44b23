import MTAScanCore

public struct STARTTLSProbeLimits: Sendable {
    public var connectTimeout: Duration = .seconds(10)
    /// The whole dialogue: an endless banner or a byte-a-second server ends here.
    public var totalTimeout: Duration = .seconds(30)

    public init() {}
}

/// What probing one MX host address produced.
public struct STARTTLSProbeResult: Sendable {
    public var address: SocketAddress
    /// `mx-tcp`, `mx-smtp`, `mx-no-starttls` or `mx-tls`; empty when STARTTLS
    /// succeeded with a certificate valid for the MX host.
    public var findings: [Finding]
    public var smtp: SMTPProbeResult?
    public var tls: TLSHandshakeOutcome?
    /// The local end of the connection: the source it bound (`--source-ip`), or the
    /// kernel's choice once connected; nil when the kernel chose and no connection was made.
    public var source: SocketAddress? = nil
    /// Set on a result answered from another name's probe (`SharedServerProbes`).
    public var sharedFrom: SharedProbeOrigin? = nil
}

/// One STARTTLS probe on one loop: banner, EHLO (HELO fallback), STARTTLS,
/// TLS with SNI = the MX host name and RFC 8461 verification, QUIT. The
/// dialogue is `SMTPProbeMachine`'s, which has no MAIL, RCPT or DATA to send;
/// this type only moves its bytes, through TLS once it asks for it.
final class STARTTLSProbe {
    private let host: DomainName
    /// Checked in the handshake beside PKIX (DANE, RFC 7672); empty: no DANE check.
    private let tlsa: [TLSARecordValue]
    private let address: SocketAddress
    private let source: SocketAddress?
    /// The local address, for the result: the bound source, or the kernel's choice once connected.
    private var localAddress: SocketAddress?
    private let context: TLSContext
    private let limits: STARTTLSProbeLimits
    private let completion: (STARTTLSProbeResult) -> Void
    private let connection: DeadlineConnection
    private var machine: SMTPProbeMachine
    private var session: TLSSession?
    private var outcome: TLSHandshakeOutcome?
    /// The system error of a read or write that failed, for the finding's `error` detail.
    private var resetError: String?
    private var finished: Bool { connection.isFinished }

    init(loop: EventLoop, context: TLSContext, host: DomainName, address: SocketAddress, source: SocketAddress? = nil,
         ehloName: DomainName, limits: STARTTLSProbeLimits = .init(), tlsa: [TLSARecordValue] = [],
         completion: @escaping (STARTTLSProbeResult) -> Void) throws {
        self.host = host
        self.tlsa = tlsa
        self.address = address
        self.source = source
        localAddress = source
        self.context = context
        self.limits = limits
        self.completion = completion
        machine = SMTPProbeMachine(ehloName: ehloName)
        connection = try DeadlineConnection(loop: loop)
    }

    func start() {
        do {
            try connection.open(
                to: address, from: source, connectTimeout: limits.connectTimeout, deadline: limits.totalTimeout,
                onDeadline: { self.timedOut() },
                onConnect: { error in
                    if let error { return self.finish(tcpFailure: ConnectFailureReason.of(error)) }
                    if self.localAddress == nil { self.localAddress = self.connection.localAddress() }
                    self.perform(self.machine.handle(.connected))
                },
                onBytes: { bytes in self.received(Array(copying: bytes)) },
                onEnd: { end in self.ended(end) })
        } catch {
            finish(tcpFailure: ConnectFailureReason.of(error))
        }
    }

    /// The peer's FIN lets TLS finish what it has (a failure, or a close after QUIT's
    /// reply); a read or write error ends the probe at once, at the stage it was in.
    private func ended(_ end: ConnectionEnd) {
        guard !finished else { return }
        if case .failed = end {
            resetError = end.errorName
            if session != nil, outcome == nil {
                return finishTLS(["reason": "protocol", "error": "connection reset during the handshake",
                                  "connection_error": .string(end.errorName ?? "")])
            }
            return perform(machine.handle(.connectionReset))
        }
        if let session {
            session.receivedEOF()
            pumpTLS()
        }
        if !finished { perform(machine.handle(.peerClosed)) }
    }

    private func received(_ bytes: [UInt8]) {
        guard !finished else { return }
        if let session {
            session.feed(bytes)
            pumpTLS()
        } else {
            perform(machine.handle(.received(bytes)))
        }
    }

    /// Drives the handshake, then hands decrypted replies to the machine.
    private func pumpTLS() {
        guard let session, !finished else { return }
        if outcome == nil {
            switch session.handshake() {
            case .wantIO:
                flushTLS()
                return
            case .failed(let failure):
                flushTLS()
                return finishTLS(failure.details)
            case .complete(let outcome):
                self.outcome = outcome
                flushTLS()
                if let details = outcome.failureDetails { return finishTLS(details) }
                perform(machine.handle(.tlsEstablished))
            }
        }
        while !finished {
            guard let result = try? session.read(maxBytes: 16 * 1024) else { return perform(machine.handle(.peerClosed)) }
            switch result {
            case .data(let bytes): perform(machine.handle(.received(bytes)))
            case .wantIO: return flushTLS()
            case .closed: return perform(machine.handle(.peerClosed))
            }
        }
    }

    private func perform(_ action: SMTPProbeMachine.Action) {
        guard !finished else { return }
        switch action {
        case .send(let command):
            if let session {
                try? session.write(command.bytes)
                flushTLS()
            } else {
                connection.send(command.bytes)
            }
        case .startTLS:
            do {
                let session = try TLSSession(context: context, serverName: host.text)
                session.enableDANE(baseDomain: host.text, records: tlsa)
                self.session = session
                pumpTLS()
            } catch {
                finishTLS(["reason": "protocol", "error": .string("\(error)")])
            }
        case .wait:
            break
        case .done(let result):
            var findings: [Finding] = []
            if var finding = result.finding {
                if result.failure?.reason == .reset, let resetError { finding = finding.adding("error", .string(resetError)) }
                findings.append(finding.adding("mx_host", .string(host.text)).adding("address", .string(address.ip.description)))
            }
            finish(STARTTLSProbeResult(address: address, findings: findings, smtp: result, tls: outcome))
        }
    }

    private func flushTLS() {
        guard let session else { return }
        connection.flush(session)
    }

    private func timedOut() {
        if let stage = machine.stage, stage != .tls {
            perform(machine.handle(.timeout(stage)))
        } else if session != nil, outcome == nil {
            finishTLS(["reason": "timeout", "error": "no complete handshake within the time limit"])
        } else {
            finish(tcpFailure: "timeout")
        }
    }

    /// Ends the probe with `mx-tls`, keeping what the dialogue showed before the
    /// handshake (banner, EHLO, STARTTLS): the machine closes its result with a
    /// `tls` step, and researchers need exactly these records' banners.
    private func finishTLS(_ details: JSONObject) {
        var details = details
        details["mx_host"] = .string(host.text)
        details["address"] = .string(address.ip.description)
        var smtp: SMTPProbeResult?
        if case .done(let result) = machine.handle(.tlsFailed) { smtp = result }
        finish(STARTTLSProbeResult(address: address, findings: [Finding(.mxTLS, details: details)], smtp: smtp, tls: outcome))
    }

    private func finish(tcpFailure reason: String) {
        finish(STARTTLSProbeResult(
            address: address,
            findings: [Finding(.mxTCP, ["mx_host": .string(host.text), "address": .string(address.ip.description), "reason": .string(reason)])],
            smtp: nil, tls: nil))
    }

    private func finish(_ result: STARTTLSProbeResult) {
        guard connection.finish() else { return }
        var result = result
        result.source = localAddress.map { SocketAddress(ip: $0.ip, port: 0) }
        completion(result)
    }
}
