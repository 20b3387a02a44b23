import Testing
@testable import MTAScanCore

/// Mail submission to a campaign relay (RFC 6409, 3207, 4954), driven event by event.
@Suite struct SubmissionMachineTests {
    private static let name = DomainName("scanner.example.net")!
    private static let from = MailPath("bounces+t0k3n@scan.example.org")!
    private static let to = [MailPath("postmaster@a.example")!, MailPath("tlsrpt@a.example")!]

    private func machine(dryRun: Bool = false, message: String = "Subject: hi\r\n\r\nbody\r\n") -> SubmissionMachine {
        SubmissionMachine(ehloName: Self.name, credentials: .init(user: "campaign", password: "s3cret"),
                          request: .init(envelopeFrom: Self.from, recipients: Self.to, message: Array(message.utf8), dryRun: dryRun))
    }

    private func bytes(_ text: String) -> SubmissionMachine.Event { .received(Array(text.utf8)) }

    private func result(_ action: SubmissionMachine.Action, sourceLocation: SourceLocation = #_sourceLocation) -> SubmissionResult? {
        if case .done(let result) = action { return result }
        Issue.record("not done: \(action)", sourceLocation: sourceLocation)
        return nil
    }

    /// Up to the 235 of AUTH PLAIN.
    private func authenticate(_ machine: inout SubmissionMachine) {
        #expect(machine.handle(.connected) == .wait)
        #expect(machine.handle(bytes("220 relay.example ESMTP\r\n")) == .send(.ehlo(Self.name)))
        #expect(machine.handle(bytes("250-relay.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n")) == .send(.startTLS))
        #expect(machine.handle(bytes("220 2.0.0 Ready to start TLS\r\n")) == .startTLS)
        #expect(machine.stage == .tls)
        #expect(machine.handle(.tlsEstablished) == .send(.ehlo(Self.name)))
        #expect(machine.handle(bytes("250-relay.example\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n"))
                == .send(.authPlain(user: "campaign", password: "s3cret")))
        #expect(machine.handle(bytes("235 2.7.0 Authentication successful\r\n")) == .send(.mailFrom(Self.from)))
    }

    @Test func fullSubmission() throws {
        var machine = machine()
        authenticate(&machine)
        #expect(machine.handle(bytes("250 2.1.0 Ok\r\n")) == .send(.rcptTo(Self.to[0])))
        #expect(machine.handle(bytes("250 2.1.5 Ok\r\n")) == .send(.rcptTo(Self.to[1])))
        #expect(machine.handle(bytes("250 2.1.5 Ok\r\n")) == .send(.data))
        #expect(machine.handle(bytes("354 End data with <CR><LF>.<CR><LF>\r\n"))
                == .send(.message(Array("Subject: hi\r\n\r\nbody\r\n".utf8))))
        #expect(machine.stage == .endOfData)
        #expect(machine.handle(bytes("250 2.0.0 Ok: queued as 4Xk1bq2Z3Rz9\r\n")) == .send(.quit))
        let done = try #require(result(machine.handle(bytes("221 2.0.0 Bye\r\n"))))
        #expect(done.outcome == .accepted(queueID: "4Xk1bq2Z3Rz9", reply: "2.0.0 Ok: queued as 4Xk1bq2Z3Rz9"))
        #expect(!done.uncertain)
        #expect(!done.transcript.joined().contains("s3cret"))
        #expect(done.transcript.contains("AUTH PLAIN (credentials)"))
        // Done is final.
        #expect(machine.handle(.peerClosed) == .done(done))
    }

    /// A 250 to the end of DATA is the relay's promise; losing QUIT's reply changes nothing.
    @Test func acceptedStandsWhenQuitGoesUnanswered() throws {
        var machine = machine()
        authenticate(&machine)
        _ = machine.handle(bytes("250 Ok\r\n"))
        _ = machine.handle(bytes("250 Ok\r\n"))
        _ = machine.handle(bytes("250 Ok\r\n"))
        _ = machine.handle(bytes("354 go\r\n"))
        _ = machine.handle(bytes("250 2.0.0 Ok: queued as ABC\r\n"))
        let done = try #require(result(machine.handle(.peerClosed)))
        #expect(done.outcome == .accepted(queueID: "ABC", reply: "2.0.0 Ok: queued as ABC"))
    }

    @Test func dryRunStopsBeforeData() throws {
        var machine = machine(dryRun: true)
        authenticate(&machine)
        #expect(machine.handle(bytes("250 Ok\r\n")) == .send(.rcptTo(Self.to[0])))
        #expect(machine.handle(bytes("250 Ok\r\n")) == .send(.rcptTo(Self.to[1])))
        #expect(machine.handle(bytes("250 Ok\r\n")) == .send(.rset))
        #expect(machine.handle(bytes("250 2.0.0 Ok\r\n")) == .send(.quit))
        let done = try #require(result(machine.handle(bytes("221 Bye\r\n"))))
        #expect(done.outcome == .dryRun)
        #expect(!done.transcript.contains("DATA"))
    }

    /// Never AUTH, never MAIL in clear: a relay without STARTTLS gets QUIT.
    @Test func refusesWithoutSTARTTLS() throws {
        var machine = machine()
        _ = machine.handle(.connected)
        _ = machine.handle(bytes("220 relay ESMTP\r\n"))
        #expect(machine.handle(bytes("250-relay\r\n250 AUTH PLAIN\r\n")) == .send(.quit))
        let done = try #require(result(machine.handle(bytes("221 Bye\r\n"))))
        #expect(done.outcome == .failed(SubmissionFailure(stage: .ehlo, reason: .noSTARTTLS, code: 250)))
        #expect(!done.transcript.contains { $0.hasPrefix("AUTH") || $0.hasPrefix("MAIL") })
    }

    @Test func tlsFailureEndsAtOnce() throws {
        var machine = machine()
        _ = machine.handle(.connected)
        _ = machine.handle(bytes("220 relay ESMTP\r\n"))
        _ = machine.handle(bytes("250-relay\r\n250 STARTTLS\r\n"))
        #expect(machine.handle(bytes("220 go\r\n")) == .startTLS)
        let done = try #require(result(machine.handle(.tlsFailed("name-mismatch"))))
        #expect(done.outcome == .failed(SubmissionFailure(stage: .tls, reason: .tls, text: "name-mismatch")))
    }

    /// RFC 3207 §4.2, the STARTTLS command injection: bytes in clear after the 220.
    @Test func plaintextAfterSTARTTLSIsRefused() throws {
        var machine = machine()
        _ = machine.handle(.connected)
        _ = machine.handle(bytes("220 relay ESMTP\r\n"))
        _ = machine.handle(bytes("250-relay\r\n250 STARTTLS\r\n"))
        let done = try #require(result(machine.handle(bytes("220 go\r\n250 injected\r\n"))))
        #expect(done.outcome == .failed(SubmissionFailure(stage: .starttls, reason: .unexpectedData, code: 220)))
    }

    @Test func authLoginWhenNoPlain() throws {
        var machine = machine()
        _ = machine.handle(.connected)
        _ = machine.handle(bytes("220 relay\r\n"))
        _ = machine.handle(bytes("250-relay\r\n250 STARTTLS\r\n"))
        _ = machine.handle(bytes("220 go\r\n"))
        _ = machine.handle(.tlsEstablished)
        #expect(machine.handle(bytes("250-relay\r\n250 AUTH LOGIN CRAM-MD5\r\n")) == .send(.authLogin))
        #expect(machine.handle(bytes("334 VXNlcm5hbWU6\r\n")) == .send(.authLoginUser("campaign")))
        #expect(machine.handle(bytes("334 UGFzc3dvcmQ6\r\n")) == .send(.authLoginPassword("s3cret")))
        #expect(machine.handle(bytes("235 ok\r\n")) == .send(.mailFrom(Self.from)))
    }

    @Test func wrongPasswordIsPermanent() throws {
        var machine = machine()
        _ = machine.handle(.connected)
        _ = machine.handle(bytes("220 relay\r\n"))
        _ = machine.handle(bytes("250-relay\r\n250 STARTTLS\r\n"))
        _ = machine.handle(bytes("220 go\r\n"))
        _ = machine.handle(.tlsEstablished)
        _ = machine.handle(bytes("250-relay\r\n250 AUTH PLAIN\r\n"))
        #expect(machine.handle(bytes("535 5.7.8 Error: authentication failed\r\n")) == .send(.quit))
        let done = try #require(result(machine.handle(bytes("221 Bye\r\n"))))
        guard case .failed(let failure) = done.outcome else { Issue.record("not failed"); return }
        #expect(failure.reason == .authRejected && failure.code == 535 && !failure.isTemporary)
        #expect(!done.transcript.contains { $0.hasPrefix("MAIL") })
    }

    /// All recipients or none: a refused RCPT ends the transaction.
    @Test func refusedRecipientSendsNothing() throws {
        var machine = machine()
        authenticate(&machine)
        _ = machine.handle(bytes("250 Ok\r\n"))
        #expect(machine.handle(bytes("450 4.1.2 <postmaster@a.example>: Recipient address rejected\r\n")) == .send(.quit))
        let done = try #require(result(machine.handle(bytes("221 Bye\r\n"))))
        guard case .failed(let failure) = done.outcome else { Issue.record("not failed"); return }
        #expect(failure.stage == .rcpt && failure.isTemporary)
        #expect(!done.transcript.contains("DATA"))
    }

    /// The message went out, the verdict did not come back: maybe queued.
    @Test func lossAtEndOfDataIsUncertain() throws {
        var machine = machine()
        authenticate(&machine)
        _ = machine.handle(bytes("250 Ok\r\n"))
        _ = machine.handle(bytes("250 Ok\r\n"))
        _ = machine.handle(bytes("250 Ok\r\n"))
        _ = machine.handle(bytes("354 go\r\n"))
        let done = try #require(result(machine.handle(.timeout)))
        #expect(done.uncertain)
        #expect(done.outcome == .failed(SubmissionFailure(stage: .endOfData, reason: .timeout)))
    }

    @Test func lossBeforeDataIsCertain() throws {
        var machine = machine()
        authenticate(&machine)
        let done = try #require(result(machine.handle(.connectionReset)))
        #expect(!done.uncertain)
        #expect(done.outcome == .failed(SubmissionFailure(stage: .mail, reason: .reset)))
    }

    @Test func closingReply421EndsWithoutQuit() throws {
        var machine = machine()
        _ = machine.handle(.connected)
        let done = try #require(result(machine.handle(bytes("421 4.3.2 Service shutting down\r\n"))))
        guard case .failed(let failure) = done.outcome else { Issue.record("not failed"); return }
        #expect(failure.code == 421 && failure.isTemporary)
    }

    @Test func garbageIsMalformed() throws {
        var machine = machine()
        _ = machine.handle(.connected)
        let done = try #require(result(machine.handle(bytes("HTTP/1.1 400 Bad Request\r\n"))))
        guard case .failed(let failure) = done.outcome else { Issue.record("not failed"); return }
        #expect(failure.reason == .malformed && failure.stage == .banner)
    }

    // MARK: Bytes

    @Test func dotStuffing() {
        let stuffed = SubmissionCommand.dotStuffed(Array(".hidden\r\nline\n..two\r\n.".utf8))
        #expect(String(decoding: stuffed, as: UTF8.self) == "..hidden\r\nline\r\n...two\r\n..\r\n.\r\n")
        #expect(String(decoding: SubmissionCommand.dotStuffed([]), as: UTF8.self) == ".\r\n")
        #expect(String(decoding: SubmissionCommand.dotStuffed(Array("a\rb".utf8)), as: UTF8.self) == "a\r\nb\r\n.\r\n")
    }

    @Test func authPlainEncoding() {
        // RFC 4616 §4's example: "\0tim\0tanstaaftanstaaf".
        #expect(String(decoding: SubmissionCommand.authPlain(user: "tim", password: "tanstaaftanstaaf").bytes, as: UTF8.self)
                == "AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n")
        #expect(String(decoding: Base64.encode(Array("ab".utf8)), as: UTF8.self) == "YWI=")
        #expect(String(decoding: Base64.encode(Array("a".utf8)), as: UTF8.self) == "YQ==")
    }

    @Test func mailPathsCannotInject() {
        #expect(MailPath("postmaster@a.example") != nil)
        #expect(MailPath("bounces+abc@scan.example.org")?.domain == "scan.example.org")
        #expect(MailPath("a@b.example>\r\nRCPT TO:<x@y.example") == nil)
        #expect(MailPath("a b@c.example") == nil)
        #expect(MailPath("nobody") == nil)
        #expect(MailPath("@example.com") == nil)
        #expect(MailPath("a@") == nil)
        #expect(MailPath("pöstmaster@a.example") == nil)
    }

    @Test func queueIDs() {
        #expect(SubmissionResult.queueID(in: "2.0.0 Ok: queued as 4Xk1bq2Z3Rz9") == "4Xk1bq2Z3Rz9")
        #expect(SubmissionResult.queueID(in: "2.0.0 OK id=1abc") == nil)
    }
}
