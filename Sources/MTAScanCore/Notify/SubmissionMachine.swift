/// The client side of mail submission (RFC 6409) to a campaign's relay, as a
/// state machine without I/O, shaped like `SMTPProbeMachine`: the engine owns
/// the socket, the deadline and TLS, feeds events in and does what comes out.
/// It is a separate type from the probe on purpose: the probe's command type
/// cannot express a mail transaction, and this one exists to make one.
///
///     banner 220 → EHLO → 250 with STARTTLS → STARTTLS → 220 → TLS (certificate
///     verified for the relay's name) → EHLO → 250 with AUTH → AUTH PLAIN (or
///     LOGIN: 334, user, 334, password) → 235 → MAIL FROM → 250 → RCPT TO (each) → 250
///       → DATA → 354 → message + "." → 250 (queued as ID) → QUIT
///       ↘ dry run: RSET → 250 → QUIT (DATA is never sent)
///
/// Choices:
/// - TLS is required: without STARTTLS in the first EHLO reply, or if the
///   handshake or the certificate fails, the dialogue ends before AUTH, so
///   neither credentials nor mail ever travel in clear.
/// - One reply at a time, nothing pipelined; bytes after a reply and before
///   the next command put the dialogue out of step (`unexpected-data`).
/// - A notice goes to all its recipients or to none: a refused RCPT ends the
///   transaction (RSET, QUIT) rather than sending to the others alone.
/// - After a refusal the relay is in step, so the machine says QUIT; after 421
///   (RFC 5321 §3.8), a timeout, a close or a reset it ends at once.
/// - Once the message and its `.` are sent, a broken connection or a timeout
///   leaves the relay's verdict unknown: the result says `uncertain`, and the
///   caller decides (RFC 1047's duplicate problem); a 250 is final, whatever
///   happens to the QUIT after it.
public struct SubmissionMachine: Sendable {
    public enum Event: Sendable, Equatable {
        case connected
        /// Plaintext bytes from the relay (decrypted, once TLS is up).
        case received([UInt8])
        case peerClosed
        case connectionReset
        /// The engine's deadline ran out.
        case timeout
        /// The handshake completed and the certificate is valid for the relay's name.
        case tlsEstablished
        /// The handshake failed or the certificate is not valid; `reason` says why.
        case tlsFailed(String)
    }

    public enum Action: Sendable, Equatable {
        /// Write the command (through TLS once established), then keep reading.
        case send(SubmissionCommand)
        /// Start the TLS handshake, verifying the relay's name; report `.tlsEstablished` or `.tlsFailed`.
        case startTLS
        case wait
        /// Over: close the connection and take the result. Later events return it again.
        case done(SubmissionResult)
    }

    public struct Credentials: Sendable, Equatable {
        public var user: String
        public var password: String
        public init(user: String, password: String) {
            self.user = user
            self.password = password
        }
    }

    public struct Request: Sendable, Equatable {
        public var envelopeFrom: MailPath
        public var recipients: [MailPath]
        /// The message with CRLF line ends; the machine dot-stuffs it.
        public var message: [UInt8]
        /// Stop before DATA: RSET, QUIT.
        public var dryRun: Bool

        public init(envelopeFrom: MailPath, recipients: [MailPath], message: [UInt8], dryRun: Bool = false) {
            self.envelopeFrom = envelopeFrom
            self.recipients = recipients
            self.message = message
            self.dryRun = dryRun
        }
    }

    private enum State: Sendable {
        case idle
        case awaiting(SubmissionStage)
        case handshaking
        case finished(SubmissionResult)
    }

    public let ehloName: DomainName
    private let credentials: Credentials
    private let request: Request
    private var state = State.idle
    private var parser: SMTPReplyParser
    /// Set once the outcome is known (a failure, the 250 to DATA, the dry run's RSET); QUIT follows.
    private var outcome: SubmissionResult.Outcome?
    private var nextRecipient = 0
    private var transcript: [String] = []

    public init(ehloName: DomainName, credentials: Credentials, request: Request,
                limits: SMTPReplyLimits = SMTPReplyLimits()) {
        self.ehloName = ehloName
        self.credentials = credentials
        self.request = request
        parser = SMTPReplyParser(limits: limits)
    }

    /// The stage the machine waits in; nil before `.connected` and once done.
    public var stage: SubmissionStage? {
        switch state {
        case .idle, .finished: return nil
        case .awaiting(let stage): return stage
        case .handshaking: return .tls
        }
    }

    public mutating func handle(_ event: Event) -> Action {
        if case .finished(let result) = state { return .done(result) }
        switch event {
        case .connected:
            if case .idle = state { state = .awaiting(.banner) }
            return .wait
        case .received(let bytes):
            return received(bytes)
        case .peerClosed:
            return broken(.closed)
        case .connectionReset:
            return broken(.reset)
        case .timeout:
            return broken(.timeout)
        case .tlsEstablished:
            guard case .handshaking = state else { return .wait }
            transcript.append("(TLS established)")
            return send(.ehlo(ehloName), awaiting: .ehloTLS)
        case .tlsFailed(let reason):
            guard case .handshaking = state else { return .wait }
            return finish(.failed(SubmissionFailure(stage: .tls, reason: .tls, text: reason)))
        }
    }

    // MARK: Replies

    private mutating func received(_ bytes: [UInt8]) -> Action {
        let stage: SubmissionStage
        switch state {
        case .idle: stage = .banner
        case .awaiting(let awaited): stage = awaited
        case .handshaking, .finished: return .wait
        }
        state = .awaiting(stage)
        switch parser.feed(bytes) {
        case .needMore:
            return .wait
        case .failed(let problem):
            return broken(.malformed, text: problem.rawValue)
        case .complete(let reply):
            let extra = parser.unconsumedByteCount
            parser.reset()
            transcript.append("\(reply.code) \(ProbeText.excerpt(reply.lines.first ?? "", maxBytes: 200))")
            let action = answer(reply, at: stage)
            switch action {
            case .send where extra > 0, .startTLS where extra > 0:
                // Out of step: nothing more can be read in order (after STARTTLS's 220,
                // bytes in clear are an injection attempt, RFC 3207 §4.2). A 250 to
                // the end of DATA stands all the same.
                return finish(outcome ?? .failed(SubmissionFailure(stage: stage, reason: .unexpectedData, code: reply.code)))
            default:
                return action
            }
        }
    }

    private mutating func answer(_ reply: SMTPReply, at stage: SubmissionStage) -> Action {
        let code = reply.code
        if stage == .quit { return finish(outcome ?? .failed(failure(reply, at: stage, .unexpectedCode))) }
        if code == 421 { return finish(.failed(failure(reply, at: stage, .temporary))) }
        switch (stage, code) {
        case (.banner, 220):
            return send(.ehlo(ehloName), awaiting: .ehlo)
        case (.ehlo, 250):
            guard SMTPCapabilities(ehloReply: reply).supportsSTARTTLS else {
                return refuse(SubmissionFailure(stage: stage, reason: .noSTARTTLS, code: code))
            }
            return send(.startTLS, awaiting: .starttls)
        case (.starttls, 220):
            // RFC 3207 §4.2: nothing read before the handshake may be used after it;
            // the parser is fresh, and bytes after the 220 fail as unexpected data.
            state = .handshaking
            return .startTLS
        case (.ehloTLS, 250):
            let mechanisms = Self.authMechanisms(SMTPCapabilities(ehloReply: reply))
            if mechanisms.contains("PLAIN") {
                return send(.authPlain(user: credentials.user, password: credentials.password), awaiting: .auth)
            }
            if mechanisms.contains("LOGIN") { return send(.authLogin, awaiting: .auth) }
            return refuse(SubmissionFailure(stage: stage, reason: .noAuthMechanism, code: code,
                                            text: mechanisms.isEmpty ? "no AUTH offered" : "AUTH " + mechanisms.joined(separator: " ")))
        case (.auth, 334):
            return send(.authLoginUser(credentials.user), awaiting: .authUser)
        case (.authUser, 334):
            return send(.authLoginPassword(credentials.password), awaiting: .authPassword)
        case (.auth, 235), (.authPassword, 235):
            return send(.mailFrom(request.envelopeFrom), awaiting: .mail)
        case (.auth, 400...599), (.authUser, 400...599), (.authPassword, 400...599):
            return refuse(failure(reply, at: stage, .authRejected))
        case (.mail, 250):
            return nextRCPT()
        case (.rcpt, 250), (.rcpt, 251):
            return nextRCPT()
        case (.data, 354):
            return send(.message(request.message), awaiting: .endOfData)
        case (.endOfData, 250):
            let text = reply.lines.first ?? ""
            outcome = .accepted(queueID: SubmissionResult.queueID(in: text), reply: text)
            return send(.quit, awaiting: .quit)
        case (.rset, 250):
            outcome = .dryRun
            return send(.quit, awaiting: .quit)
        case (_, 400...499):
            return refuse(failure(reply, at: stage, .temporary))
        case (_, 500...599):
            return refuse(failure(reply, at: stage, .permanent))
        default:
            return refuse(failure(reply, at: stage, .unexpectedCode))
        }
    }

    private mutating func nextRCPT() -> Action {
        if nextRecipient < request.recipients.count {
            nextRecipient += 1
            return send(.rcptTo(request.recipients[nextRecipient - 1]), awaiting: .rcpt)
        }
        return request.dryRun ? send(.rset, awaiting: .rset) : send(.data, awaiting: .data)
    }

    /// `AUTH PLAIN LOGIN` → ["PLAIN", "LOGIN"], upper-cased.
    static func authMechanisms(_ capabilities: SMTPCapabilities) -> [String] {
        capabilities.extensions.first { $0.keyword == "AUTH" }?.parameters.map { $0.uppercased() } ?? []
    }

    private func failure(_ reply: SMTPReply, at stage: SubmissionStage, _ reason: SubmissionFailure.Reason) -> SubmissionFailure {
        SubmissionFailure(stage: stage, reason: reason, code: reply.code,
                          text: reply.lines.first.map { ProbeText.excerpt($0, maxBytes: 300) })
    }

    // MARK: Moves

    private mutating func send(_ command: SubmissionCommand, awaiting stage: SubmissionStage) -> Action {
        transcript.append(command.logText)
        state = .awaiting(stage)
        return .send(command)
    }

    /// A refusal while the relay is in step: keep the first failure, say QUIT.
    private mutating func refuse(_ failure: SubmissionFailure) -> Action {
        if outcome == nil { outcome = .failed(failure) }
        return send(.quit, awaiting: .quit)
    }

    /// The connection broke, timed out or spoke nonsense: end now.
    private mutating func broken(_ reason: SubmissionFailure.Reason, text: String? = nil) -> Action {
        let stage = self.stage ?? .banner
        if let outcome { return finish(outcome) }   // decided already; only QUIT's reply was missing
        var result = SubmissionResult(outcome: .failed(SubmissionFailure(stage: stage, reason: reason, text: text)),
                                      uncertain: stage == .endOfData, transcript: transcript)
        if case .failed(let failure) = result.outcome { transcript.append("(\(failure.reason.rawValue))") }
        result.transcript = transcript
        state = .finished(result)
        return .done(result)
    }

    private mutating func finish(_ outcome: SubmissionResult.Outcome) -> Action {
        let result = SubmissionResult(outcome: outcome, uncertain: false, transcript: transcript)
        state = .finished(result)
        return .done(result)
    }
}
