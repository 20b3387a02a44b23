import ArgumentParser
internal import Glibc
import MTAScanCore
import MTAScanEngine
import MTAScanNotify

/// `notify send`: hands the campaign's messages to a relay over SMTP
/// submission (STARTTLS required, AUTH PLAIN or LOGIN), within rate limits,
/// with the state written before and after each hand-off
/// (docs/notify.md, "Sending"). Without `--send` it only counts; with
/// `--dry-run` it talks to the relay up to, not including, DATA.
struct NotifySendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Hand the campaign's messages to a mail relay (SMTP submission); nothing is sent without --send and --confirm N.",
        discussion: """
            Without --send: prints how many messages would go now and to whom, and contacts nobody.
            --dry-run: also talks to the relay for each (TLS, AUTH, MAIL, RCPT), then RSET: nothing is sent.
            --send --confirm N: sends, if N is the number it would send now. Every notice is sent at most once:
            a notice whose hand-off was interrupted becomes 'uncertain' and is not sent again without
            --retry-uncertain. Rate limits count the campaign's send log, across runs.
            SIGINT or SIGTERM stops cleanly: the hand-off under way finishes (at most --timeout) and is
            recorded, no other starts, and the exit status is 128 + the signal; a second signal stops at
            once (the notice under way becomes 'uncertain').
              mtascan notify send --campaign c.sqlite --relay relay.example.org:587 --relay-address 192.0.2.25 \\
                  --user campaign --password-file pw --send --confirm 12
            """
    )

    @OptionGroup var campaign: CampaignOption

    @Option(name: .long, help: ArgumentHelp("The relay's name (its certificate must carry it) and port, default 587.", valueName: "host[:port]"))
    var relay: String?

    @Option(name: .customLong("relay-address"), help: ArgumentHelp("The relay's IP address: mtascan does not resolve the relay's name.", valueName: "ip"))
    var relayAddress: String?

    @Option(name: .long, help: ArgumentHelp("SASL user name.", valueName: "name"))
    var user: String?

    @Option(name: .customLong("password-file"), help: ArgumentHelp("File whose first line is the password (never a flag: flags show in ps).", valueName: "file"))
    var passwordFile: String?

    @Option(name: .customLong("sendmail"), help: ArgumentHelp("Hand messages to the local MTA's sendmail program instead of a relay (PATH -f ENVELOPE -i -- RECIPIENTS).", valueName: "path"))
    var sendmail: String?

    // .unconditionalSingleValue: the value may itself begin with a dash (`-C`).
    @Option(name: .customLong("sendmail-arg"), parsing: .unconditionalSingleValue, help: ArgumentHelp("An argument for the sendmail program before the others, e.g. -C /etc/postfix-campaign (repeat).", valueName: "arg"))
    var sendmailArguments: [String] = []

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("PEM trust anchors for the relay's certificate (default: the system's).", valueName: "path"))
    var caFile: String?

    @Option(name: .customLong("ehlo-name"), help: ArgumentHelp("Name given in EHLO (default: the campaign's envelope domain).", valueName: "name"))
    var ehloName: String?

    @Option(name: .long, help: ArgumentHelp("A body template instead of the one kept in the campaign (notify render --template), kept in turn.", valueName: "file"))
    var template: String?

    @Flag(name: .customLong("dry-run"), help: "Talk to the relay up to RCPT for each message, then RSET: send nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Send (needs --confirm N).")
    var send = false

    @Option(name: .long, help: ArgumentHelp("The number of messages this run sends, as printed without --send.", valueName: "n"))
    var confirm: Int?

    @Option(name: .long, help: ArgumentHelp("Hard cap on hand-offs in this run.", valueName: "n"))
    var max: Int = 100

    @Option(name: .customLong("per-hour"), help: ArgumentHelp("Hand-offs per hour in all, spaced evenly (the loop sleeps).", valueName: "n"))
    var perHour: Int = 60

    @Option(name: .customLong("per-domain-per-hour"), help: ArgumentHelp("Hand-offs per recipient domain in any hour.", valueName: "n"))
    var perDomainPerHour: Int = 1

    @Option(name: .customLong("per-provider-per-hour"), help: ArgumentHelp("Hand-offs per provider (docs/providers.md) in any hour.", valueName: "n"))
    var perProviderPerHour: Int = 20

    @Option(name: .long, help: ArgumentHelp("Seconds for one message's whole dialogue with the relay.", valueName: "s"))
    var timeout: Int = 60

    @Flag(name: .customLong("retry-uncertain"), help: "Also send notices whose earlier hand-off has an unknown outcome (a recipient may get the message twice; its Message-ID is the same).")
    var retryUncertain = false

    func validate() throws {
        guard max >= 0, perHour > 0, perHour <= 36_000, perDomainPerHour > 0, perProviderPerHour > 0, timeout > 0 else {
            throw ValidationError("--max is at least 0; --per-hour 1 to 36000; the other limits and --timeout at least 1")
        }
        if send && dryRun { throw ValidationError("--send and --dry-run exclude each other") }
        if confirm != nil && !send { throw ValidationError("--confirm goes with --send") }
        if sendmail != nil {
            guard relay == nil && relayAddress == nil && user == nil && passwordFile == nil else {
                throw ValidationError("--sendmail replaces --relay, --relay-address, --user and --password-file")
            }
            if dryRun { throw ValidationError("--dry-run talks to a relay up to DATA: sendmail has no such step") }
        } else {
            guard relay != nil && relayAddress != nil && user != nil && passwordFile != nil else {
                throw ValidationError("give --relay, --relay-address, --user and --password-file, or --sendmail PATH")
            }
        }
    }

    func run() throws {
        let store = try campaign.open()
        let settings = try campaign.settings(store)
        let relay = sendmail == nil ? try relayConfiguration(settings) : nil
        let now = WallClock.now()

        for domain in try store.resolveInterrupted(at: now) {
            print("notify send: \(TerminalText.escaped(domain)): the last run ended during its hand-off; now 'uncertain' (not sent again without --retry-uncertain)")
        }
        let states: Set<NoticeState> = retryUncertain ? [.planned, .rendered, .uncertain] : [.planned, .rendered]
        // One message per notice, or per provider contact for notices grouped by provider.
        let batches = NoticeBatch.batches(try store.notices(in: states).filter { $0.group == "notify" })
        let limits = SendPacing.Limits(perHour: perHour, perDomainPerHour: perDomainPerHour, perProviderPerHour: perProviderPerHour)
        var pacing = SendPacing(limits: limits, history: try store.handOffs(since: now - 3600))

        // What this run would send: in order, each within its quotas as the earlier ones leave them.
        var chosen: [NoticeBatch] = []
        var simulated = pacing
        var waiting: [String] = []
        for batch in batches where chosen.count < max {
            if let reason = simulated.blocked(domain: batch.rateDomain, provider: batch.rateProvider, now: now) {
                waiting.append("\(batch.label): \(reason)")
                continue
            }
            simulated.record(domain: batch.rateDomain, provider: batch.rateProvider, atMilliseconds: now * 1000)
            chosen.append(batch)
        }
        let minutes = (Int64(chosen.count - 1 < 0 ? 0 : chosen.count - 1) * limits.intervalMilliseconds + 59_999) / 60_000
        let grouped = chosen.filter(\.isGrouped)
        let groupedText = grouped.isEmpty ? "" : ", \(grouped.count) of them grouped by provider for \(grouped.map(\.members.count).reduce(0, +)) domains"
        print("notify send: \(chosen.count) messages to send now (of \(batches.count) waiting\(groupedText); --max \(max), about \(minutes) min at --per-hour \(perHour))")
        for line in waiting.prefix(20) { print("  later: \(TerminalText.escaped(line))") }

        guard send || dryRun else {
            for batch in chosen {
                print("  \(TerminalText.escaped(batch.label))\t\(TerminalText.escaped(batch.recipients.joined(separator: ",")))")
            }
            print("Nothing was sent. To send: --send --confirm \(chosen.count) (or --dry-run to try the relay without DATA)")
            return
        }
        if send && confirm != chosen.count {
            throw CLIError("this run would send \(chosen.count) messages; confirm with --confirm \(chosen.count) (got \(confirm.map(String.init) ?? "none")). Nothing was sent.")
        }

        let composer = try campaign.composer(store, settings: settings, templatePath: template)
        let stop = ScanStop(drainTimeout: .seconds(timeout))
        let watcher = try Self.watchSignals(stop: stop, store: store, timeout: timeout)
        defer { watcher.cancel() }
        var counts: [String: Int] = [:]
        var handedOff = 0
        for batch in chosen {
            if stop.isRequested { break }
            if send {
                let wait = pacing.wait(nowMilliseconds: Self.nowMilliseconds())
                if wait > 0 && !Self.sleep(milliseconds: wait, unless: stop) { break }
            }
            let status = try handOff(batch, relay: relay, composer: composer, store: store)
            handedOff += 1
            counts[status.rawValue, default: 0] += 1
            if send { pacing.record(domain: batch.rateDomain, provider: batch.rateProvider, atMilliseconds: Self.nowMilliseconds()) }
        }
        let summary = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        if let signal = stop.signal {
            print("notify send: stopped by \(SignalWatcher.name(of: signal)): \(summary.isEmpty ? "nothing handed off" : summary); "
                  + "\(chosen.count - handedOff) not handed off, as they were (send again to go on)")
            throw ExitCode(128 + signal)
        }
        print("notify send: done: \(summary.isEmpty ? "nothing to do" : summary)")
    }

    /// A clean stop, with the scan's mechanism (`SignalWatcher`, `ScanStop`;
    /// docs/notify.md, "Stopping a send"): the first SIGINT, SIGTERM or SIGHUP
    /// lets the hand-off under way finish (it is bounded by --timeout) and have
    /// its outcome recorded, and no other starts; the run then prints its summary
    /// and exits with 128 + the signal. A second signal ends the run at once:
    /// the notice under way becomes `uncertain` (the at-most-once rule).
    private static func watchSignals(stop: ScanStop, store: CampaignStore, timeout: Int) throws -> SignalWatcher {
        try SignalWatcher(signals: [SIGINT, SIGTERM, SIGHUP]) { signal in
            let name = SignalWatcher.name(of: signal)
            switch stop.received(signal) {
            case .beginStop:
                notice("\(name): stopping after the hand-off under way (at most \(timeout) s); a second signal stops at once")
            case .stopNow:
                notice("\(name): stopping now; a hand-off under way becomes 'uncertain' (not sent again without --retry-uncertain)")
                // Exits inside the store's lock, so the interrupted hand-off cannot record an outcome after this.
                try? store.abandonHandOff(at: WallClock.now()) { _exit(128 + signal) }
                _exit(128 + signal)
            }
        }
    }

    private static func notice(_ text: String) {
        var errors = BufferedWriter(destination: .standardError, flushThreshold: 0)
        try? errors.write("notify send: \(text)\n")
    }

    /// One message (a notice, or a provider's grouped notices): state before,
    /// submission, state after, for every notice it carries.
    private func handOff(_ batch: NoticeBatch, relay: SubmissionRelay?,
                         composer: NoticeComposer, store: CampaignStore) throws -> CampaignStore.HandOffStatus {
        let notice = batch.lead
        let ids = batch.members.map(\.id)
        let domain = TerminalText.escaped(batch.label)
        let recipients = batch.recipients.compactMap(MailPath.init)
        guard let envelopeFrom = MailPath(notice.envelopeFrom), !recipients.isEmpty else {
            if send {
                try store.transition(ids, to: .failed, detail: "no usable envelope sender or recipient address", at: WallClock.now())
            }
            print("  failed\t\(domain)\tno usable address among \(TerminalText.escaped(batch.recipients.joined(separator: ",")))")
            return .refused
        }
        guard let relay else {
            return try handOffToSendmail(batch, envelopeFrom: envelopeFrom, recipients: recipients,
                                         composer: composer, store: store)
        }
        let relayText = "\(relay.name.text) (\(relay.address))"
        let message = composer.message(for: batch)
        let logID = try store.beginHandOff(batch, relay: relayText, recipients: recipients.map(\.text),
                                           dryRun: dryRun, at: WallClock.now())
        let request = SubmissionMachine.Request(envelopeFrom: envelopeFrom, recipients: recipients, message: message.bytes, dryRun: dryRun)
        let result: SubmissionResult
        do {
            result = try SubmissionClient.submit(request, to: relay)
        } catch {
            result = SubmissionResult(outcome: .failed(SubmissionFailure(stage: .banner, reason: .closed, text: "\(error)")))
        }
        let previous = notice.state == .uncertain ? NoticeState.uncertain : notice.state
        let finishedAt = WallClock.now()
        switch result.outcome {
        case .accepted(let queueID, let reply):
            try store.finishHandOff(logID: logID, noticeIDs: ids, status: .accepted, reply: reply, queueID: queueID,
                                    transcript: result.transcript, state: .sent,
                                    detail: "accepted by \(relayText)" + (queueID.map { ", queued as \($0)" } ?? ""), at: finishedAt)
            print("  sent\t\(domain)\tqueued as \(TerminalText.escaped(queueID ?? "?"))")
            return .accepted
        case .dryRun:
            try store.finishHandOff(logID: logID, noticeIDs: ids, status: .dryRun, reply: nil, queueID: nil,
                                    transcript: result.transcript, state: nil, detail: "", at: finishedAt)
            print("  dry-run\t\(domain)\trelay accepted the sender and \(recipients.count) recipient(s); RSET, nothing sent")
            return .dryRun
        case .failed(let failure):
            let reply = failure.description
            if result.uncertain {
                try store.finishHandOff(logID: logID, noticeIDs: ids, status: .uncertain, reply: reply, queueID: nil,
                                        transcript: result.transcript, state: dryRun ? nil : .uncertain,
                                        detail: "no verdict after the message was sent: \(reply)", at: finishedAt)
                print("  uncertain\t\(domain)\t\(TerminalText.escaped(reply))")
                return .uncertain
            }
            let relayProblem = [.banner, .ehlo, .starttls, .tls, .ehloTLS, .auth, .authUser, .authPassword].contains(failure.stage)
            let status: CampaignStore.HandOffStatus = dryRun ? .dryRunRefused : (failure.isTemporary || relayProblem ? .temporary : .refused)
            let state: NoticeState? = dryRun ? nil : (status == .refused ? .failed : previous)
            try store.finishHandOff(logID: logID, noticeIDs: ids, status: status, reply: reply, queueID: nil,
                                    transcript: result.transcript, state: state,
                                    detail: "\(status.rawValue) at \(relayText): \(reply)", at: finishedAt)
            print("  \(status.rawValue)\t\(domain)\t\(TerminalText.escaped(reply))")
            if relayProblem {
                // The relay, not this message: every other message would fail the same way.
                throw CLIError("the relay \(relayText) failed (\(TerminalText.escaped(reply))); stopped. Messages not handed off stay as they were.")
            }
            return status
        }
    }

    /// The same bracket as a relay hand-off (state before, state after), through
    /// the local sendmail program: exit 0 is `sent` (queued locally; bounces come
    /// back the same way), 75 temporary, another status a refusal, a sendmail that
    /// hangs after taking the message `uncertain`.
    private func handOffToSendmail(_ batch: NoticeBatch, envelopeFrom: MailPath, recipients: [MailPath],
                                   composer: NoticeComposer,
                                   store: CampaignStore) throws -> CampaignStore.HandOffStatus {
        let notice = batch.lead
        let ids = batch.members.map(\.id)
        let domain = TerminalText.escaped(batch.label)
        let program = sendmail ?? "sendmail"
        guard send else {
            print("  would send\t\(domain)\tvia \(TerminalText.escaped(program))")
            return .dryRun
        }
        let logID = try store.beginHandOff(batch, relay: "sendmail \(program)",
                                           recipients: recipients.map(\.text), dryRun: false, at: WallClock.now())
        let outcome = SendmailHandOff.submit(composer.message(for: batch).bytes, envelopeFrom: envelopeFrom.text,
                                             recipients: recipients.map(\.text), path: program,
                                             arguments: sendmailArguments, timeout: Double(timeout))
        let finishedAt = WallClock.now()
        let transcript = ["sendmail \(program) -f \(envelopeFrom.text) -i -- \(recipients.map(\.text).joined(separator: " "))"]
        switch outcome {
        case .queued:
            try store.finishHandOff(logID: logID, noticeIDs: ids, status: .accepted, reply: "exit 0", queueID: nil,
                                    transcript: transcript, state: .sent, detail: "queued by \(program)", at: finishedAt)
            print("  sent\t\(domain)\tqueued by \(TerminalText.escaped(program))")
            return .accepted
        case .uncertain(let text):
            try store.finishHandOff(logID: logID, noticeIDs: ids, status: .uncertain, reply: text, queueID: nil,
                                    transcript: transcript, state: .uncertain, detail: text, at: finishedAt)
            print("  uncertain\t\(domain)\t\(TerminalText.escaped(text))")
            return .uncertain
        case .temporary(let text), .refused(let text):
            let temporary = outcome == .temporary(text)
            try store.finishHandOff(logID: logID, noticeIDs: ids, status: temporary ? .temporary : .refused, reply: text,
                                    queueID: nil, transcript: transcript, state: temporary ? notice.state : .failed,
                                    detail: text, at: finishedAt)
            print("  \(temporary ? "temporary" : "refused")\t\(domain)\t\(TerminalText.escaped(text))")
            if temporary {
                // The local MTA, not this message: every other message would fail the same way.
                throw CLIError("\(TerminalText.escaped(program)) failed (\(TerminalText.escaped(text))); stopped. Messages not handed off stay as they were.")
            }
            return .refused
        }
    }

    private func relayConfiguration(_ settings: CampaignSettings) throws -> SubmissionRelay {
        guard let relay, let relayAddress, let user, let passwordFile else {
            throw CLIError("give --relay, --relay-address, --user and --password-file, or --sendmail PATH")
        }
        let parts = relay.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let name = DomainName(parts[0]),
              let port = parts.count == 2 ? UInt16(parts[1]) : 587, port > 0 else {
            throw CLIError("--relay \(TerminalText.escaped(relay)) is no NAME[:PORT] (the name its certificate carries)")
        }
        guard let address = SocketAddress(relayAddress, defaultPort: port) else {
            throw CLIError("--relay-address \(TerminalText.escaped(relayAddress)) is no IP address")
        }
        guard let ehlo = DomainName(ehloName ?? settings.envelopeDomain) else {
            throw CLIError("--ehlo-name \(TerminalText.escaped(ehloName ?? "")) is no host name")
        }
        let password: String
        do {
            let bytes = try FileDescriptor.readAll(path: passwordFile, maxBytes: 4096)
            password = String(decoding: bytes.prefix { $0 != 0x0A && $0 != 0x0D }, as: UTF8.self)
        } catch {
            throw CLIError("--password-file \(TerminalText.escaped(passwordFile)): \(error)")
        }
        var configured = SubmissionRelay(address: SocketAddress(ip: address.ip, port: port), name: name,
                                         trustRoots: caFile.map { .pemFile($0) } ?? .systemDefault, ehloName: ehlo,
                                         credentials: .init(user: user, password: password))
        configured.totalTimeout = .seconds(timeout)
        return configured
    }



    static func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// Sleeps in short steps, waking early when a signal asks the run to stop: false then.
    static func sleep(milliseconds: Int64, unless stop: ScanStop) -> Bool {
        let end = nowMilliseconds() + milliseconds
        while !stop.isRequested {
            let left = end - nowMilliseconds()
            if left <= 0 { return true }
            sleep(milliseconds: min(left, 100))
        }
        return false
    }

    static func sleep(milliseconds: Int64) {
        var request = timespec(tv_sec: Int(milliseconds / 1000), tv_nsec: Int(milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
