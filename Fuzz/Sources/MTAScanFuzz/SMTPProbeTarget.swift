import MTAScanCore

/// `SMTPProbeMachine` driven by an event script read from the input:
/// each step is an opcode byte (mod 6: connected, received, peer closed,
/// timeout, TLS established, TLS failed); `received` takes a length byte and
/// that many bytes, `timeout` a byte naming the stage. Any order of events is
/// allowed, engine bugs included (TLS news nobody asked for, stale timers).
///
/// Checks: once `.done`, every later event returns the same `.done`, and
/// `isFinished` agrees; no command is sent twice; STARTTLS only after EHLO,
/// HELO only after EHLO, the handshake only after STARTTLS; `.startTLS` at
/// most once and then the stage is `.tls`; `tlsEstablished` in the result
/// only if a handshake was asked for; the result has at most one step per
/// event.
enum SMTPProbeTarget {
    static let target = FuzzTarget(
        name: "smtp-probe",
        summary: "SMTP probe state machine: sticky done, command order, one STARTTLS, bounded steps"
    ) { input in
        let script = input.rest
        guard let ehloName = DomainName("probe.mtascan.test") else { return }
        var machine = SMTPProbeMachine(ehloName: ehloName)
        var done: SMTPProbeResult?
        var sent: [String] = []
        var handshakes = 0
        var events = 0
        var index = 0
        func next() -> UInt8? {
            guard index < script.count else { return nil }
            defer { index += 1 }
            return script[index]
        }
        while let opcode = next() {
            let event: SMTPProbeMachine.Event
            switch opcode % 6 {
            case 0: event = .connected
            case 1:
                let length = Int(next() ?? 0)
                let end = min(script.count, index + length)
                event = .received(Array(script[index..<end]))
                index = end
            case 2: event = .peerClosed
            case 3: event = .timeout(SMTPProbeStage.allCases[Int(next() ?? 0) % SMTPProbeStage.allCases.count])
            case 4: event = .tlsEstablished
            default: event = .tlsFailed
            }
            events += 1
            let action = machine.handle(event)
            if let done {
                Invariant.require(action == .done(done), "an event after .done changed the outcome: \(action)")
                continue
            }
            switch action {
            case .done(let result):
                done = result
                Invariant.require(machine.isFinished && machine.stage == nil, "done but not finished")
                Invariant.require(!result.tlsEstablished || handshakes == 1, "TLS established without a handshake")
                Invariant.require(result.steps.count <= events, "\(result.steps.count) steps from \(events) events")
                _ = result.finding
            case .send(let command):
                Invariant.require(!sent.contains(command.verb), "\(command.verb) sent twice")
                switch command {
                case .startTLS, .helo: Invariant.require(sent.contains("EHLO"), "\(command.verb) before EHLO")
                default: break
                }
                sent.append(command.verb)
                Invariant.require(!machine.isFinished && machine.stage != nil, "sent \(command.verb) while finished")
            case .startTLS:
                handshakes += 1
                Invariant.require(handshakes == 1, "a second TLS handshake")
                Invariant.require(sent.last == "STARTTLS", "handshake without STARTTLS")
                Invariant.require(machine.stage == .tls, "handshaking in stage \(String(describing: machine.stage))")
            case .wait:
                Invariant.require(!machine.isFinished, "wait while finished")
            }
        }
    }
}
