/// The client side of a STARTTLS probe, as a state machine without I/O:
/// the engine owns the socket, the timers and TLS, feeds events in and does
/// what the returned action says (the shape of async-http-client's
/// `HTTP1ConnectionStateMachine`).
///
/// The dialogue:
///
///     banner 220 → EHLO → 250 with STARTTLS → STARTTLS → 220 → TLS handshake → QUIT → 221
///                       ↘ 5yz → HELO → 250: no STARTTLS is possible (`not-advertised`) → QUIT
///
/// **No mail is ever sent.** The machine can only send `SMTPCommand`s, and
/// that type has no `MAIL`, `RCPT` or `DATA`: a mail transaction cannot be
/// expressed, let alone started.
///
/// Choices:
/// - No EHLO after TLS. RFC 3207 §4.2 asks for one before a mail transaction;
///   mtascan starts none. QUIT is valid in any state (RFC 5321 §4.1.1.10) and
///   its 221, read through TLS, shows the server speaks SMTP over the new
///   channel, for one round trip less per MX host.
/// - After a refusal (4yz, 5yz, `not-advertised`) the server is in step, so
///   the machine says goodbye with QUIT (RFC 5321 §3.1 asks this after a 554
///   banner); after a 421 the server closes anyway (§3.8), and after a
///   timeout, a close, a reset, bytes that are no reply or unsolicited bytes the
///   stream is out of step: the probe ends at once.
/// - Replies are read one at a time and nothing is pipelined, so bytes that
///   follow a reply before the next command are the server talking out of
///   turn (`unexpected-data`). After the 220 to STARTTLS they are discarded
///   and noted instead (`SMTPProbeResult.plaintextAfterSTARTTLS`), since
///   senders go on with TLS there.
///
/// How results map onto findings: `SMTPProbeFailure.findingCode`.
public struct SMTPProbeMachine: Sendable {
    public enum Event: Sendable, Equatable {
        /// The TCP connection is up; the banner timer starts.
        case connected
        /// Plaintext bytes from the server (never TLS records).
        case received([UInt8])
        case peerClosed
        /// Reading or writing failed: the peer reset the connection (or the
        /// socket broke otherwise). The engine adds the system error's name.
        case connectionReset
        /// The engine's timer for `stage` ran out. A timer for another stage
        /// than the current one is stale and ignored.
        case timeout(SMTPProbeStage)
        case tlsEstablished
        case tlsFailed
    }

    public enum Action: Sendable, Equatable {
        /// Write the command (through TLS once it is established), then keep reading.
        case send(SMTPCommand)
        /// Start the TLS handshake on this connection and report `.tlsEstablished`
        /// or `.tlsFailed`. Bytes read before it were the machine's and are gone.
        case startTLS
        /// Nothing to do: keep reading, keep the current timer.
        case wait
        /// The probe is over: close the connection if it is still open and
        /// take the result. Every later event returns the same action.
        case done(SMTPProbeResult)
    }

    private enum State: Sendable {
        case idle
        case awaiting(SMTPProbeStage)
        case handshaking
        case finished
    }

    public let ehloName: DomainName
    private var state = State.idle
    private var parser: SMTPReplyParser
    private var result = SMTPProbeResult()

    /// - Parameter ehloName: the name mtascan gives in EHLO and HELO: the
    ///   scanner's own host name, with address and PTR records that match.
    public init(ehloName: DomainName, limits: SMTPReplyLimits = SMTPReplyLimits()) {
        self.ehloName = ehloName
        parser = SMTPReplyParser(limits: limits)
    }

    /// The stage the machine waits in, for the engine's timer: nil before
    /// `.connected` and once done.
    public var stage: SMTPProbeStage? {
        switch state {
        case .idle, .finished: return nil
        case .awaiting(let stage): return stage
        case .handshaking: return .tls
        }
    }

    public var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    public mutating func handle(_ event: Event) -> Action {
        switch event {
        case .connected: return connected()
        case .received(let bytes): return received(bytes)
        case .peerClosed: return peerClosed()
        case .connectionReset: return connectionReset()
        case .timeout(let stage): return timedOut(stage)
        case .tlsEstablished: return tlsEstablished()
        case .tlsFailed: return tlsFailed()
        }
    }

    // MARK: Events

    public mutating func connected() -> Action {
        switch state {
        case .idle:
            state = .awaiting(.banner)
            return .wait
        case .finished:
            return .done(result)
        default:
            return .wait
        }
    }

    public mutating func received(_ bytes: some Collection<UInt8>) -> Action {
        let stage: SMTPProbeStage
        switch state {
        case .idle: stage = .banner   // bytes before `.connected` can only be the banner
        case .awaiting(let awaited): stage = awaited
        case .handshaking: return .wait   // TLS records are the engine's; these cannot be ours
        case .finished: return .done(result)
        }
        state = .awaiting(stage)

        switch parser.feed(bytes) {
        case .needMore:
            return .wait
        case .failed(let problem):
            let isTooLong = problem != .malformed && problem != .inconsistentCode
            result.steps.append(.init(stage, nil))
            return finish(SMTPProbeFailure(stage: stage, reason: isTooLong ? .tooLong : .malformed, problem: problem))
        case .complete(let reply):
            let extraBytes = parser.unconsumedByteCount
            parser.reset()
            result.steps.append(.init(stage, reply.code))
            if reply.lineEnding != .crlf { result.sawBareLF = true }
            return answer(reply, at: stage, extraBytes: extraBytes)
        }
    }

    public mutating func peerClosed() -> Action {
        if isFinished { return .done(result) }
        let stage = self.stage ?? .banner   // closed before `.connected` arrived: no banner
        result.steps.append(.init(stage, nil))
        return finish(SMTPProbeFailure(stage: stage, reason: .closed))
    }

    public mutating func connectionReset() -> Action {
        if isFinished { return .done(result) }
        let stage = self.stage ?? .banner
        result.steps.append(.init(stage, nil))
        return finish(SMTPProbeFailure(stage: stage, reason: .reset))
    }

    public mutating func timedOut(_ timedOutStage: SMTPProbeStage) -> Action {
        if isFinished { return .done(result) }
        guard timedOutStage == stage else { return .wait }
        result.steps.append(.init(timedOutStage, nil))
        return finish(SMTPProbeFailure(stage: timedOutStage, reason: .timeout))
    }

    public mutating func tlsEstablished() -> Action {
        switch state {
        case .handshaking:
            result.tlsEstablished = true
            result.steps.append(.init(.tls, nil))
            return send(.quit, awaiting: .quit)
        case .finished:
            return .done(result)
        default:
            return .wait   // not asked for: an engine bug, ignored
        }
    }

    public mutating func tlsFailed() -> Action {
        switch state {
        case .handshaking:
            result.steps.append(.init(.tls, nil))
            return finish(SMTPProbeFailure(stage: .tls, reason: .handshake))
        case .finished:
            return .done(result)
        default:
            return .wait
        }
    }

    // MARK: Replies

    /// What the reply to `stage` calls for.
    private mutating func answer(_ reply: SMTPReply, at stage: SMTPProbeStage, extraBytes: Int) -> Action {
        if stage == .banner {
            result.banner = ProbeText.excerpt(reply.text, maxBytes: SMTPProbeResult.maxBannerBytes)
        }
        if stage == .quit { return finish(nil) }

        let next: Action
        switch (stage, reply.code) {
        case (.banner, 220):
            next = send(.ehlo(ehloName), awaiting: .ehlo)
        case (.ehlo, 250):
            let capabilities = SMTPCapabilities(ehloReply: reply)
            result.capabilities = capabilities
            result.startTLSAdvertised = capabilities.supportsSTARTTLS
            next = capabilities.supportsSTARTTLS
                ? send(.startTLS, awaiting: .starttls)
                : refuse(reply, at: stage, reason: .notAdvertised)
        case (.ehlo, 500...599):
            // RFC 5321 §3.2: a server that does not know EHLO answers 5yz; HELO still works.
            result.usedHELO = true
            next = send(.helo(ehloName), awaiting: .helo)
        case (.helo, 250):
            next = refuse(reply, at: stage, reason: .notAdvertised)
        case (.starttls, 220):
            // RFC 3207 §4.2: nothing read before the handshake may be carried into it.
            if extraBytes > 0 { result.plaintextAfterSTARTTLS = true }
            state = .handshaking
            return .startTLS
        case (_, 421):
            // RFC 5321 §3.8: the server is closing the channel; no QUIT.
            return finish(failure(reply, at: stage, reason: .temporary))
        case (_, 400...499):
            next = refuse(reply, at: stage, reason: .temporary)
        case (_, 500...599):
            next = refuse(reply, at: stage, reason: .permanent)
        default:
            next = refuse(reply, at: stage, reason: .unexpectedCode)
        }

        guard extraBytes == 0 else {
            // Out of step: whatever the reply said, nothing more can be read in order.
            return finish(SMTPProbeFailure(stage: stage, reason: .unexpectedData, code: reply.code))
        }
        return next
    }

    /// Records a refusal and says goodbye.
    private mutating func refuse(_ reply: SMTPReply, at stage: SMTPProbeStage, reason: SMTPProbeFailure.Reason) -> Action {
        record(failure(reply, at: stage, reason: reason))
        return send(.quit, awaiting: .quit)
    }

    private func failure(_ reply: SMTPReply, at stage: SMTPProbeStage, reason: SMTPProbeFailure.Reason) -> SMTPProbeFailure {
        let firstLine = reply.lines.first.map { ProbeText.excerpt($0, maxBytes: SMTPProbeResult.maxTextBytes) }
        return SMTPProbeFailure(stage: stage, reason: reason, code: reply.code, text: firstLine)
    }

    // MARK: Moves

    private mutating func send(_ command: SMTPCommand, awaiting stage: SMTPProbeStage) -> Action {
        state = .awaiting(stage)
        return .send(command)
    }

    /// Keeps the first failure: what went wrong first is what the finding reports.
    private mutating func record(_ failure: SMTPProbeFailure?) {
        if result.failure == nil, let failure { result.failure = failure }
    }

    private mutating func finish(_ failure: SMTPProbeFailure?) -> Action {
        record(failure)
        state = .finished
        return .done(result)
    }
}
