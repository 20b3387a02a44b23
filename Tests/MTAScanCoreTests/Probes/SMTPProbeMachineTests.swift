import Testing
@testable import MTAScanCore

/// The STARTTLS probe dialogue (RFC 5321, RFC 3207), driven event by event.
@Suite struct SMTPProbeMachineTests {
    private static let name = DomainName("scanner.example.net")!

    private func makeMachine() -> SMTPProbeMachine {
        SMTPProbeMachine(ehloName: Self.name)
    }

    private func bytes(_ text: String) -> SMTPProbeMachine.Event { .received(Array(text.utf8)) }

    /// Runs `events`, checking each action against `expected`, and returns the machine.
    @discardableResult
    private func run(
        _ machine: inout SMTPProbeMachine, _ steps: [(SMTPProbeMachine.Event, SMTPProbeMachine.Action?)],
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> SMTPProbeMachine.Action? {
        var last: SMTPProbeMachine.Action?
        for (event, expected) in steps {
            let action = machine.handle(event)
            if let expected, case .done = expected {} else if let expected {
                #expect(action == expected, "after \(event)", sourceLocation: sourceLocation)
            }
            last = action
        }
        return last
    }

    private func finalResult(_ action: SMTPProbeMachine.Action?, sourceLocation: SourceLocation = #_sourceLocation) -> SMTPProbeResult? {
        if case .done(let result) = action { return result }
        Issue.record("not done: \(String(describing: action))", sourceLocation: sourceLocation)
        return nil
    }

    private static let done = SMTPProbeMachine.Action.done(SMTPProbeResult())

    // MARK: Happy path

    /// RFC 3207 §5's dialogue, up to the handshake; mtascan then says QUIT.
    @Test func fullDialogue() throws {
        var machine = makeMachine()
        #expect(machine.stage == nil)
        let last = run(&machine, [
            (.connected, .wait),
            (bytes("220 mail.imc.org SMTP service ready\r\n"), .send(.ehlo(Self.name))),
            (bytes("250-mail.imc.org offers a warm hug of welcome\r\n250-8BITMIME\r\n"), .wait),
            (bytes("250-STARTTLS\r\n250 DSN\r\n"), .send(.startTLS)),
            (bytes("220 Go ahead\r\n"), .startTLS),
            (.tlsEstablished, .send(.quit)),
            (bytes("221 2.0.0 Bye\r\n"), Self.done),
        ])
        let result = try #require(finalResult(last))
        #expect(result.banner == "mail.imc.org SMTP service ready")
        #expect(result.capabilities?.keywords == ["8BITMIME", "STARTTLS", "DSN"])
        #expect(result.startTLSAdvertised)
        #expect(result.tlsEstablished)
        #expect(!result.usedHELO)
        #expect(result.failure == nil)
        #expect(result.finding == nil)
        #expect(!result.sawBareLF)
        #expect(!result.plaintextAfterSTARTTLS)
        #expect(result.steps == [.init(.banner, 220), .init(.ehlo, 250), .init(.starttls, 220), .init(.tls, nil), .init(.quit, 221)])
        #expect(machine.isFinished)
        #expect(machine.stage == nil)
    }

    @Test func stagesFollowTheDialogue() {
        var machine = makeMachine()
        var stages: [SMTPProbeStage?] = []
        for event in [
            .connected, bytes("220 hi\r\n"), bytes("250-x\r\n250 STARTTLS\r\n"), bytes("220 go\r\n"), .tlsEstablished,
        ] as [SMTPProbeMachine.Event] {
            _ = machine.handle(event)
            stages.append(machine.stage)
        }
        #expect(stages == [.banner, .ehlo, .starttls, .tls, .quit])
    }

    @Test func commandBytes() {
        #expect(SMTPCommand.ehlo(Self.name).bytes == Array("EHLO scanner.example.net\r\n".utf8))
        #expect(SMTPCommand.helo(Self.name).bytes == Array("HELO scanner.example.net\r\n".utf8))
        #expect(SMTPCommand.startTLS.bytes == Array("STARTTLS\r\n".utf8))
        #expect(SMTPCommand.quit.bytes == Array("QUIT\r\n".utf8))
    }

    /// One byte per event gives the same result as whole replies.
    @Test func byteAtATimeEqualsWholeReplies() throws {
        let replies = ["220-mx.example ESMTP\r\n220 second line\r\n", "250-mx.example\r\n250-SIZE 100\r\n250 STARTTLS\r\n", "220 go\r\n"]
        var whole = makeMachine()
        _ = whole.handle(.connected)
        for reply in replies { _ = whole.handle(bytes(reply)) }
        _ = whole.handle(.tlsEstablished)
        let expected = whole.handle(bytes("221 bye\r\n"))

        var single = makeMachine()
        _ = single.handle(.connected)
        var actions: [SMTPProbeMachine.Action] = []
        for reply in replies {
            for byte in reply.utf8 {
                let action = single.handle(.received([byte]))
                if action != .wait { actions.append(action) }
            }
        }
        #expect(actions == [.send(.ehlo(Self.name)), .send(.startTLS), .startTLS])
        _ = single.handle(.tlsEstablished)
        var last = SMTPProbeMachine.Action.wait
        for byte in "221 bye\r\n".utf8 { last = single.handle(.received([byte])) }
        #expect(last == expected)
        #expect(try #require(finalResult(last)).banner == "mx.example ESMTP\nsecond line")
    }

    // MARK: No STARTTLS

    @Test func heloFallback() throws {
        var machine = makeMachine()
        let last = run(&machine, [
            (.connected, .wait),
            (bytes("220 old.example Sendmail 8.6\r\n"), .send(.ehlo(Self.name))),
            (bytes("502 5.5.2 Command not recognized\r\n"), .send(.helo(Self.name))),
            (bytes("250 old.example Hello\r\n"), .send(.quit)),
            (bytes("221 bye\r\n"), Self.done),
        ])
        let result = try #require(finalResult(last))
        #expect(result.usedHELO)
        #expect(!result.startTLSAdvertised)
        #expect(result.capabilities == nil)
        #expect(result.failure == SMTPProbeFailure(stage: .helo, reason: .notAdvertised, code: 250, text: "old.example Hello"))
        #expect(result.finding?.code == .mxNoStartTLS)
        #expect(result.steps.map(\.code) == [220, 502, 250, 221])
    }

    @Test func heloRefusedToo() throws {
        var machine = makeMachine()
        let last = run(&machine, [
            (.connected, .wait),
            (bytes("220 x\r\n"), .send(.ehlo(Self.name))),
            (bytes("500 no\r\n"), .send(.helo(Self.name))),
            (bytes("550 not you either\r\n"), .send(.quit)),
            (.peerClosed, Self.done),
        ])
        let result = try #require(finalResult(last))
        #expect(result.failure == SMTPProbeFailure(stage: .helo, reason: .permanent, code: 550, text: "not you either"))
        #expect(result.finding?.code == .mxSMTP)
    }

    @Test func startTLSNotAdvertised() throws {
        var machine = makeMachine()
        let last = run(&machine, [
            (.connected, .wait),
            (bytes("220 x\r\n"), .send(.ehlo(Self.name))),
            (bytes("250-x\r\n250-PIPELINING\r\n250 8BITMIME\r\n"), .send(.quit)),
            (bytes("221 bye\r\n"), Self.done),
        ])
        let result = try #require(finalResult(last))
        #expect(!result.startTLSAdvertised)
        #expect(result.capabilities?.keywords == ["PIPELINING", "8BITMIME"])
        #expect(result.failure?.stage == .ehlo)
        #expect(result.failure?.reason == .notAdvertised)
        let finding = try #require(result.finding)
        #expect(finding.code == .mxNoStartTLS)
        #expect(finding.json.objectValue?.keys == ["code", "stage", "reason", "reply_code", "reply_text", "severity", "component"])
        #expect(finding.json["code"] == "mx-no-starttls")
        #expect(finding[detail: "reply_code"] == 250)
        #expect(finding[detail: "reply_text"] == "x")
        #expect(finding[detail: "stage"] == "ehlo")
        #expect(finding[detail: "reason"] == "not-advertised")
    }

    @Test(arguments: [("454 4.7.0 TLS not available due to temporary reason", SMTPProbeFailure.Reason.temporary),
                      ("501 5.5.4 Syntax error", .permanent), ("250 ok?", .unexpectedCode)])
    func startTLSRefused(reply: String, reason: SMTPProbeFailure.Reason) throws {
        var machine = makeMachine()
        let last = run(&machine, [
            (.connected, .wait),
            (bytes("220 x\r\n"), .send(.ehlo(Self.name))),
            (bytes("250-x\r\n250 STARTTLS\r\n"), .send(.startTLS)),
            (bytes(reply + "\r\n"), .send(.quit)),
            (bytes("221 bye\r\n"), Self.done),
        ])
        let result = try #require(finalResult(last))
        #expect(result.startTLSAdvertised)
        #expect(!result.tlsEstablished)
        #expect(result.failure?.stage == .starttls)
        #expect(result.failure?.reason == reason)
        #expect(result.finding?.code == .mxNoStartTLS)
    }

    // MARK: SMTP failures

    @Test(arguments: [
        ("421 4.3.2 Too busy", SMTPProbeFailure.Reason.temporary, false),
        ("450 4.7.1 Greylisted", .temporary, true),
        ("554 5.7.1 No SMTP service here", .permanent, true),
        ("250 not a banner", .unexpectedCode, true),
        ("354 what", .unexpectedCode, true),
    ])
    func bannerRefusals(banner: String, reason: SMTPProbeFailure.Reason, sendsQuit: Bool) throws {
        var machine = makeMachine()
        _ = machine.handle(.connected)
        let action = machine.handle(bytes(banner + "\r\n"))
        let last = sendsQuit ? machine.handle(bytes("221 bye\r\n")) : action
        if sendsQuit { #expect(action == .send(.quit)) }
        let result = try #require(finalResult(last))
        #expect(result.failure?.stage == .banner)
        #expect(result.failure?.reason == reason)
        #expect(result.banner == String(banner.dropFirst(4)))
        #expect(result.finding?.code == .mxSMTP)
    }

    @Test(arguments: [("421 4.7.0 closing", false), ("451 4.3.0 try later", true)])
    func ehloTemporaryFailureIsGreylisting(reply: String, sendsQuit: Bool) throws {
        var machine = makeMachine()
        _ = run(&machine, [(.connected, .wait), (bytes("220 x\r\n"), .send(.ehlo(Self.name)))])
        var last = machine.handle(bytes(reply + "\r\n"))
        if sendsQuit {
            #expect(last == .send(.quit))
            last = machine.handle(.peerClosed)
        }
        let result = try #require(finalResult(last))
        #expect(!result.usedHELO)
        let finding = try #require(result.finding)
        #expect(finding.code == .mxSMTP)
        #expect(finding[detail: "stage"] == "ehlo")
        #expect(finding[detail: "reason"] == "temporary")
        #expect(finding[detail: "reply_code"] == .int(Int(reply.prefix(3))!))
    }

    @Test func timeoutsEndTheStageTheyBelongTo() throws {
        let prefixes: [(SMTPProbeStage, [SMTPProbeMachine.Event])] = [
            (.banner, [.connected]),
            (.ehlo, [.connected, bytes("220 x\r\n")]),
            (.helo, [.connected, bytes("220 x\r\n"), bytes("502 no\r\n")]),
            (.starttls, [.connected, bytes("220 x\r\n"), bytes("250-x\r\n250 STARTTLS\r\n")]),
            (.quit, [.connected, bytes("220 x\r\n"), bytes("250 x\r\n")]),
            (.tls, [.connected, bytes("220 x\r\n"), bytes("250-x\r\n250 STARTTLS\r\n"), bytes("220 go\r\n")]),
        ]
        for (stage, events) in prefixes {
            var machine = makeMachine()
            for event in events { _ = machine.handle(event) }
            // A stale timer of another stage is ignored.
            let other: SMTPProbeStage = stage == .banner ? .quit : .banner
            #expect(machine.handle(.timeout(other)) == .wait)
            let result = try #require(finalResult(machine.handle(.timeout(stage))))
            #expect(result.steps.last == .init(stage, nil))
            if stage == .quit {
                // The QUIT followed a refusal; that refusal is what the probe reports.
                #expect(result.failure?.stage == .ehlo)
                #expect(result.failure?.reason == .notAdvertised)
                #expect(result.finding?.code == .mxNoStartTLS)
            } else {
                #expect(result.failure?.stage == stage)
                #expect(result.failure?.reason == .timeout)
                #expect(result.finding?.code == (stage == .tls ? nil : .mxSMTP), "\(stage)")
            }
        }
    }

    @Test func peerClosedAtEachStage() throws {
        var machine = makeMachine()
        #expect(try #require(finalResult(machine.handle(.peerClosed))).failure == SMTPProbeFailure(stage: .banner, reason: .closed))

        machine = makeMachine()
        _ = run(&machine, [(.connected, .wait), (bytes("220 x\r\n"), .send(.ehlo(Self.name))), (bytes("250-x\r\n"), .wait)])
        let result = try #require(finalResult(machine.handle(.peerClosed)))
        #expect(result.failure == SMTPProbeFailure(stage: .ehlo, reason: .closed))
        #expect(result.steps == [.init(.banner, 220), .init(.ehlo, nil)])
        #expect(result.finding?.code == .mxSMTP)
    }

    @Test func aResetEndsTheProbeAtItsStageWithReasonReset() throws {
        var machine = makeMachine()
        _ = run(&machine, [(.connected, .wait), (bytes("220 x\r\n"), .send(.ehlo(Self.name)))])
        let result = try #require(finalResult(machine.handle(.connectionReset)))
        #expect(result.failure == SMTPProbeFailure(stage: .ehlo, reason: .reset))
        #expect(result.steps == [.init(.banner, 220), .init(.ehlo, nil)])
        #expect(result.finding?.code == .mxSMTP)
        #expect(result.finding?.details["reason"] == "reset")
        // Once done, a late reset changes nothing.
        #expect(finalResult(machine.handle(.connectionReset)) == result)
    }

    @Test func malformedAndTooLongRepliesEndAtOnce() throws {
        var machine = makeMachine()
        _ = machine.handle(.connected)
        let garbage = try #require(finalResult(machine.handle(bytes("HTTP/1.1 400 Bad Request\r\n"))))
        #expect(garbage.failure == SMTPProbeFailure(stage: .banner, reason: .malformed, problem: .malformed))
        #expect(garbage.banner == nil)
        #expect(garbage.finding?[detail: "problem"] == "malformed")

        machine = makeMachine()
        _ = run(&machine, [(.connected, .wait), (bytes("220 x\r\n"), .send(.ehlo(Self.name)))])
        let mixed = try #require(finalResult(machine.handle(bytes("250-x\r\n251 y\r\n"))))
        #expect(mixed.failure == SMTPProbeFailure(stage: .ehlo, reason: .malformed, problem: .inconsistentCode))
    }

    @Test func endlessBannerFailsAtTheCap() throws {
        var machine = makeMachine()
        _ = machine.handle(.connected)
        var action = SMTPProbeMachine.Action.wait
        var events = 0
        while action == .wait, events < 100_000 {
            action = machine.handle(bytes("220-still talking\r\n"))
            events += 1
        }
        let result = try #require(finalResult(action))
        #expect(events == SMTPReplyLimits().maxLines + 1)
        #expect(result.failure == SMTPProbeFailure(stage: .banner, reason: .tooLong, problem: .tooManyLines))
        #expect(result.finding?.code == .mxSMTP)
        #expect(result.finding?[detail: "reason"] == "too-long")
    }

    @Test func bannerThenJunkInTheSameRead() throws {
        var machine = makeMachine()
        _ = machine.handle(.connected)
        let result = try #require(finalResult(machine.handle(bytes("220 ok\r\njunk junk junk"))))
        #expect(result.banner == "ok")
        #expect(result.failure == SMTPProbeFailure(stage: .banner, reason: .unexpectedData, code: 220))
        #expect(result.finding?.code == .mxSMTP)
    }

    @Test func bannerThenJunkInALaterRead() throws {
        var machine = makeMachine()
        _ = run(&machine, [(.connected, .wait), (bytes("220 ok\r\n"), .send(.ehlo(Self.name)))])
        let result = try #require(finalResult(machine.handle(bytes("junk"))))
        #expect(result.failure == SMTPProbeFailure(stage: .ehlo, reason: .malformed, problem: .malformed))
    }

    @Test func refusalFollowedByJunkKeepsTheRefusal() throws {
        var machine = makeMachine()
        _ = machine.handle(.connected)
        let result = try #require(finalResult(machine.handle(bytes("554 go away\r\nmore"))))
        #expect(result.failure?.reason == .permanent)
    }

    // MARK: TLS

    @Test func tlsFailureIsTheEnginesToReport() throws {
        var machine = makeMachine()
        _ = run(&machine, [
            (.connected, .wait), (bytes("220 x\r\n"), .send(.ehlo(Self.name))),
            (bytes("250-x\r\n250 STARTTLS\r\n"), .send(.startTLS)), (bytes("220 go\r\n"), .startTLS),
        ])
        let result = try #require(finalResult(machine.handle(.tlsFailed)))
        #expect(result.failure == SMTPProbeFailure(stage: .tls, reason: .handshake))
        #expect(!result.tlsEstablished)
        #expect(result.finding == nil)
    }

    @Test func plaintextAfterTheSTARTTLSReplyIsDiscarded() throws {
        var machine = makeMachine()
        _ = run(&machine, [
            (.connected, .wait), (bytes("220 x\r\n"), .send(.ehlo(Self.name))),
            (bytes("250-x\r\n250 STARTTLS\r\n"), .send(.startTLS)),
            (bytes("220 go\r\n250 injected\r\n"), .startTLS),
            (.tlsEstablished, .send(.quit)),
        ])
        let result = try #require(finalResult(machine.handle(bytes("221 bye\r\n"))))
        #expect(result.plaintextAfterSTARTTLS)
        #expect(result.failure == nil)
    }

    @Test func quitTroubleAfterTLSIsRecordedButNoFinding() throws {
        var machine = makeMachine()
        _ = run(&machine, [
            (.connected, .wait), (bytes("220 x\r\n"), .send(.ehlo(Self.name))),
            (bytes("250-x\r\n250 STARTTLS\r\n"), .send(.startTLS)), (bytes("220 go\r\n"), .startTLS),
            (.tlsEstablished, .send(.quit)),
        ])
        let result = try #require(finalResult(machine.handle(.timeout(.quit))))
        #expect(result.tlsEstablished)
        #expect(result.failure == SMTPProbeFailure(stage: .quit, reason: .timeout))
        #expect(result.finding == nil)
    }

    @Test func quitAfterARefusalKeepsTheRefusal() throws {
        var machine = makeMachine()
        _ = run(&machine, [(.connected, .wait), (bytes("450 later\r\n"), .send(.quit))])
        let result = try #require(finalResult(machine.handle(.timeout(.quit))))
        #expect(result.failure?.stage == .banner)
        #expect(result.failure?.reason == .temporary)
        #expect(result.steps == [.init(.banner, 450), .init(.quit, nil)])
    }

    @Test func bareLFIsNoted() throws {
        var machine = makeMachine()
        _ = run(&machine, [(.connected, .wait), (bytes("220 x\n"), .send(.ehlo(Self.name)))])
        let result = try #require(finalResult(machine.handle(.peerClosed)))
        #expect(result.sawBareLF)
    }

    // MARK: Robustness

    @Test func eventsAfterDoneRepeatDone() throws {
        var machine = makeMachine()
        let done = machine.handle(.peerClosed)
        for event in [.connected, bytes("220 x\r\n"), .peerClosed, .timeout(.banner), .tlsEstablished, .tlsFailed] as [SMTPProbeMachine.Event] {
            #expect(machine.handle(event) == done)
        }
    }

    @Test func eventsOutOfPlaceAreIgnored() {
        var machine = makeMachine()
        _ = machine.handle(.connected)
        #expect(machine.handle(.tlsEstablished) == .wait)
        #expect(machine.handle(.tlsFailed) == .wait)
        #expect(machine.handle(.connected) == .wait)
        #expect(machine.stage == .banner)
        _ = run(&machine, [
            (bytes("220 x\r\n"), .send(.ehlo(Self.name))), (bytes("250-x\r\n250 STARTTLS\r\n"), .send(.startTLS)),
            (bytes("220 go\r\n"), .startTLS),
        ])
        // Bytes while the engine does the handshake are TLS records, not the machine's.
        #expect(machine.handle(bytes("\u{16}\u{3}\u{3}")) == .wait)
        #expect(machine.handle(.connected) == .wait)
        #expect(machine.stage == .tls)
        #expect(machine.handle(.tlsEstablished) == .send(.quit))
    }

    @Test func randomServersNeverCrashAndNeverHang() {
        var generator = SplitMix64(seed: 3207)
        let replies = ["220 x\r\n", "250-x\r\n250 STARTTLS\r\n", "250 x\r\n", "502 no\r\n", "421 bye\r\n", "454 no\r\n",
                       "220-", "\r\n", "221 bye\r\n", "junk", "250-a\n", "554 no\r\n"]
        for _ in 0..<3000 {
            var machine = makeMachine()
            var sent: [SMTPCommand] = []
            var finished = false
            for _ in 0..<12 {
                let event: SMTPProbeMachine.Event
                switch generator.next() % 10 {
                case 0: event = .tlsEstablished
                case 1: event = .tlsFailed
                case 2: event = .timeout(SMTPProbeStage.allCases[Int(generator.next() % 6)])
                case 3: event = .received((0..<Int(generator.next() % 8)).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
                case 4: event = .connected
                default: event = bytes(replies[Int(generator.next() % UInt64(replies.count))])
                }
                switch machine.handle(event) {
                case .send(let command): sent.append(command)
                case .done: finished = true
                case .startTLS, .wait: break
                }
            }
            // STARTTLS only ever follows EHLO, QUIT is the last word.
            if let index = sent.firstIndex(of: .startTLS) { #expect(sent[..<index].contains(.ehlo(Self.name))) }
            if let index = sent.firstIndex(of: .quit) { #expect(index == sent.count - 1) }
            // A close always ends the probe.
            if !finished, case .done = machine.handle(.peerClosed) {} else if !finished { Issue.record("no end") }
        }
    }
}
