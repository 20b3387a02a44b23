import Foundation
import MTAScanCore
import Testing

/// `mtascan notify send` through the test internet's campaign relay
/// (tools/testnet/campaign_relay.py): real submission (STARTTLS, SASL), a real
/// relay queue, real delivery into the mailstore's Maildirs and real DSNs into
/// the campaign's bounce Maildir. Each test plans its own campaign, so its
/// messages are told apart from earlier runs' by their tokens (Message-ID).
@Suite(.enabled(if: TestInternet.isRunning, "needs the local test internet: run tools/test.sh"), .serialized)
struct NotifySendTests {
    // campaign_relay.py's plan.
    static let accept = ["policy-http-404.test", "policy-syntax-empty.test", "policy-tls-expired.test", "sts-multiple.test"]
    static let reject = "policy-http-500.test"
    static let deferring = "policy-syntax-bad-mode.test"
    static let noMX = "mx-none.test"
    /// A scenario domain with an error finding that the relay has no route for: refused at RCPT.
    static let unrouted = "policy-syntax-missing-mode.test"

    static var runDirectory: String {
        ProcessInfo.processInfo.environment["TESTNET_RUN"]
            ?? TestInternet.repositoryRoot.appendingPathComponent("tools/testnet/run").path
    }

    static var relayArguments: [String] {
        ["--relay", "relay.mailhost.test", "--relay-address", "127.25.254.1", "--user", "campaign",
         "--password-file", runDirectory + "/postfix-relay/password", "--ca-file", runDirectory + "/ca/bundle.pem"]
    }

    /// A scanned, planned and rendered campaign in a fresh directory; the tokens by domain.
    struct Campaign {
        let directory: URL
        let database: String
        let tokens: [String: String]
    }

    static func makeCampaign(_ domains: [String]) throws -> Campaign {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-send-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let input = directory.appendingPathComponent("domains.txt").path
        try (domains.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let scan = try MTAScanProcess.run(["scan"] + TestInternet.scanArguments + [input])
        #expect(scan.status == 0, "\(scan.stderr)")
        let scanPath = directory.appendingPathComponent("scan.ndjson").path
        try scan.stdout.write(toFile: scanPath, atomically: true, encoding: .utf8)
        let database = directory.appendingPathComponent("c.sqlite").path
        let plan = try MTAScanProcess.run(["notify", "plan", scanPath, "--campaign", database,
                                           "--from", "Scan team <scan@campaign.test>", "--envelope-domain", "campaign.test"])
        #expect(plan.status == 0, "\(plan.stderr)")
        let review = directory.appendingPathComponent("review").path
        let render = try MTAScanProcess.run(["notify", "render", "--campaign", database, "--out", review])
        #expect(render.status == 0, "\(render.stderr)")
        var tokens: [String: String] = [:]
        for domain in domains {
            guard let eml = FileManager.default.contents(atPath: "\(review)/\(domain).eml"),
                  let id = Mail(String(decoding: eml, as: UTF8.self)).header("Message-ID"),
                  let token = id.dropFirst().split(separator: ".").first else { continue }
            tokens[domain] = String(token)
        }
        return Campaign(directory: directory, database: database, tokens: tokens)
    }

    /// Headers of one stored message (Maildir files have LF line ends).
    struct Mail {
        let headers: [(String, String)]
        let text: String
        init(_ text: String) {
            self.text = text
            var headers: [(String, String)] = []
            for line in text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n") {
                if line.isEmpty { break }
                if line.first == " " || line.first == "\t", let last = headers.popLast() {
                    headers.append((last.0, last.1 + " " + line.trimmingCharacters(in: .whitespaces)))
                } else if let colon = line.firstIndex(of: ":") {
                    headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
                }
            }
            self.headers = headers
        }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    /// Every message in a Maildir (new and cur).
    static func maildir(_ path: String) -> [Mail] {
        ["new", "cur"].flatMap { sub -> [Mail] in
            let folder = path + "/" + sub
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            return names.compactMap { FileManager.default.contents(atPath: folder + "/" + $0) }
                .map { Mail(String(decoding: $0, as: UTF8.self)) }
        }
    }

    /// The messages of `token` in `domain`'s postmaster Maildir.
    static func delivered(_ domain: String, token: String) -> [Mail] {
        maildir("\(runDirectory)/mail/mailstore/\(domain)/postmaster")
            .filter { $0.header("Message-ID") == "<\(token).mtascan@campaign.test>" }
    }

    static func bounces(token: String) -> [Mail] {
        maildir("\(runDirectory)/mail/campaign/bounces").filter { $0.header("To") == "bounces+\(token)@campaign.test" }
    }

    static func waitFor(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return condition()
    }

    static func states(_ database: String) throws -> [String: String] {
        let list = try MTAScanProcess.run(["notify", "list", "--campaign", database])
        #expect(list.status == 0, "\(list.stderr)")
        return Dictionary(list.stdout.split(separator: "\n").map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            return (String(fields[0]), String(fields[2]))
        }, uniquingKeysWith: { $1 })
    }

    @Test func sendDeliversOnceAndASecondSendSendsNothing() throws {
        let domains = Self.accept + [Self.reject, Self.deferring, Self.noMX, Self.unrouted]
        let campaign = try Self.makeCampaign(domains)
        defer { try? FileManager.default.removeItem(at: campaign.directory) }
        #expect(campaign.tokens.count == domains.count)
        let base = ["notify", "send", "--campaign", campaign.database] + Self.relayArguments

        // Without --send: a count, nobody contacted.
        let count = try MTAScanProcess.run(base)
        #expect(count.status == 0, "\(count.stderr)")
        #expect(count.stdout.contains("notify send: 8 messages to send now"))
        #expect(count.stdout.contains("Nothing was sent. To send: --send --confirm 8"))
        // The wrong count sends nothing.
        let wrong = try MTAScanProcess.run(base + ["--send", "--confirm", "6"])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("confirm with --confirm 8"))
        // A dry run talks to the relay up to RCPT; the relay refuses the unrouted domain there
        // (the domain without MX it takes: its failure comes later, as a DSN).
        let dry = try MTAScanProcess.run(base + ["--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.components(separatedBy: "\n  dry-run\t").count - 1 == 7, "\(dry.stdout)")
        #expect(dry.stdout.contains("dry-run-refused\t\(Self.unrouted)\trcpt: permanent 550 5.4.6"), "\(dry.stdout)")
        #expect(try Self.states(campaign.database).values.allSatisfy { $0 == "rendered" })
        for domain in Self.accept { #expect(Self.delivered(domain, token: campaign.tokens[domain] ?? "?").isEmpty) }

        let send = try MTAScanProcess.run(base + ["--send", "--confirm", "8", "--per-hour", "36000"])
        #expect(send.status == 0, "\(send.stderr)")
        #expect(send.stdout.contains("notify send: done: 7 accepted, 1 refused"), "\(send.stdout)")
        let states = try Self.states(campaign.database)
        #expect(states[Self.unrouted] == "failed")
        for domain in Self.accept + [Self.reject, Self.deferring, Self.noMX] { #expect(states[domain] == "sent", "\(domain)") }

        // Delivered once each, with the headers a campaign promises.
        for domain in Self.accept {
            let token = campaign.tokens[domain] ?? "?"
            #expect(Self.waitFor(20) { !Self.delivered(domain, token: token).isEmpty }, "\(domain)")
            let mails = Self.delivered(domain, token: token)
            #expect(mails.count == 1, "\(domain)")
            guard let mail = mails.first else { continue }
            #expect(mail.header("Return-Path") == "<bounces+\(token)@campaign.test>")
            #expect(mail.header("Auto-Submitted") == "auto-generated")
            #expect(mail.header("List-Unsubscribe")?.contains("<mailto:optout+\(token)@campaign.test?subject=unsubscribe>") == true)
            #expect(mail.header("To") == "postmaster@\(domain)")
            #expect(mail.header("Subject")?.contains(domain) == true)
            #expect(mail.text.contains("Received: from relay.mailhost.test"))
        }
        // The refused recipient: Postfix's DSN to the notice's own bounce address.
        let rejectToken = campaign.tokens[Self.reject] ?? "?"
        #expect(Self.waitFor(20) { !Self.bounces(token: rejectToken).isEmpty })
        let dsn = try #require(Self.bounces(token: rejectToken).first)
        #expect(dsn.header("Content-Type")?.contains("report-type=delivery-status") == true)
        #expect(dsn.text.contains("550 5.1.1 <postmaster@\(Self.reject)>"))
        #expect(dsn.text.contains("<\(rejectToken).mtascan@campaign.test>"))
        // The domain without MX: taken at RCPT, bounced by the relay's queue manager.
        let noMXToken = campaign.tokens[Self.noMX] ?? "?"
        #expect(Self.waitFor(20) { !Self.bounces(token: noMXToken).isEmpty })
        let noMXDSN = try #require(Self.bounces(token: noMXToken).first)
        #expect(noMXDSN.header("Content-Type")?.contains("report-type=delivery-status") == true)
        #expect(noMXDSN.text.contains("Status: 5.4.4"), "\(noMXDSN.text)")
        #expect(noMXDSN.text.contains("Host or domain name not found"))
        #expect(noMXDSN.text.contains("<\(noMXToken).mtascan@campaign.test>"))

        // Again: nothing to send, nothing sent.
        let again = try MTAScanProcess.run(base + ["--send", "--confirm", "0", "--per-hour", "36000"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("notify send: 0 messages to send now"))
        Thread.sleep(forTimeInterval: 1)
        for domain in Self.accept { #expect(Self.delivered(domain, token: campaign.tokens[domain] ?? "?").count == 1) }

        // The deferring domain: the relay keeps retrying and tells the sender (delay_warning_time).
        let deferToken = campaign.tokens[Self.deferring] ?? "?"
        #expect(Self.waitFor(60) { Self.bounces(token: deferToken).contains { $0.header("Subject") == "Delayed Mail (still being retried)" } })

        // Postfix's real DSNs read back into the campaign (other campaigns' bounces in
        // the same Maildir are no notice of this one): the refused domain bounced hard,
        // the deferring one is deferred; reading again changes nothing.
        let bounces = try MTAScanProcess.run(["notify", "bounces", "--campaign", campaign.database,
                                              "\(Self.runDirectory)/mail/campaign/bounces"])
        #expect(bounces.status == 0, "\(bounces.stderr)")
        #expect(bounces.stdout.contains("hard no-such-user: 1"), "\(bounces.stdout)")
        #expect(bounces.stdout.contains("hard domain-without-mail: 1"), "\(bounces.stdout)")
        #expect(bounces.stdout.contains("soft temporary: 1") || bounces.stdout.contains("soft other: 1"), "\(bounces.stdout)")
        let afterBounces = try MTAScanProcess.run(["notify", "list", "--campaign", campaign.database]).stdout
        #expect(afterBounces.contains("\(Self.reject)\tnotify\tbounced\t"), "\(afterBounces)")
        #expect(afterBounces.contains("\(Self.noMX)\tnotify\tbounced\t"), "\(afterBounces)")
        #expect(afterBounces.contains("\(Self.unrouted)\tnotify\tfailed\t"), "\(afterBounces)")
        #expect(afterBounces.contains("\(Self.deferring)\tnotify\tdeferred\t"), "\(afterBounces)")
        let again2 = try MTAScanProcess.run(["notify", "bounces", "--campaign", campaign.database,
                                             "\(Self.runDirectory)/mail/campaign/bounces"])
        #expect(!again2.stdout.contains("bounced:") && !again2.stdout.contains("deferred:"), "\(again2.stdout)")
    }

    /// The local sendmail interface: Postfix's own sendmail into the relay
    /// instance (`-C`), its pickup and queue, delivery into the mailstore; a
    /// second run sends nothing; a program that fails stops the run.
    @Test func sendmailHandsMessagesToTheLocalMTA() throws {
        let campaign = try Self.makeCampaign(Array(Self.accept.prefix(2)))
        defer { try? FileManager.default.removeItem(at: campaign.directory) }
        let base = ["notify", "send", "--campaign", campaign.database, "--sendmail", "/usr/sbin/sendmail",
                    "--sendmail-arg", "-C", "--sendmail-arg", Self.runDirectory + "/postfix-relay", "--per-hour", "36000"]
        #expect(try MTAScanProcess.run(base + ["--dry-run"]).status != 0, "no dry run through sendmail")
        let counted = try MTAScanProcess.run(base)
        #expect(counted.stdout.contains("notify send: 2 messages to send now"), "\(counted.stdout)")
        let sent = try MTAScanProcess.run(base + ["--send", "--confirm", "2"])
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(sent.stdout.contains("2 accepted"), "\(sent.stdout)")
        for domain in Self.accept.prefix(2) {
            let token = campaign.tokens[domain] ?? "?"
            #expect(Self.waitFor(20) { Self.delivered(domain, token: token).count == 1 }, "\(domain)")
            #expect(Self.delivered(domain, token: token).first?.header("Return-Path") == "<bounces+\(token)@campaign.test>")
        }
        let again = try MTAScanProcess.run(base + ["--send", "--confirm", "0"])
        #expect(again.stdout.contains("notify send: 0 messages to send now"), "\(again.stdout)")

        let other = try Self.makeCampaign([Self.accept[2]])
        defer { try? FileManager.default.removeItem(at: other.directory) }
        let failing = try MTAScanProcess.run(["notify", "send", "--campaign", other.database, "--sendmail", "/bin/false",
                                              "--send", "--confirm", "1"])
        #expect(failing.stdout.contains("refused"), "\(failing.stdout)")
        #expect(try MTAScanProcess.run(["notify", "list", "--campaign", other.database]).stdout.contains("\tfailed\t"))
    }

    /// SIGKILL between two hand-offs, then a second run: every message exactly once.
    @Test func killedSendResumesAndSendsEachMessageOnce() throws {
        let campaign = try Self.makeCampaign(Self.accept)
        defer { try? FileManager.default.removeItem(at: campaign.directory) }
        let base = ["notify", "send", "--campaign", campaign.database] + Self.relayArguments
        func deliveredCount() -> Int {
            Self.accept.reduce(0) { $0 + Self.delivered($1, token: campaign.tokens[$1] ?? "?").count }
        }
        // One hand-off every 2 s: the kill lands in the sleep after the second.
        let running = try MTAScanProcess.start(base + ["--send", "--confirm", "4", "--per-hour", "1800"])
        let twoDelivered = Self.waitFor(30) { deliveredCount() >= 2 }
        running.send(signal: SIGKILL)
        _ = running.wait(timeout: 10)
        #expect(twoDelivered)
        #expect(deliveredCount() == 2)

        let states = try Self.states(campaign.database)
        #expect(states.values.filter { $0 == "sent" }.count == 2, "\(states)")
        #expect(!states.values.contains("sending") && !states.values.contains("uncertain"), "\(states)")

        let resumed = try MTAScanProcess.run(base + ["--send", "--confirm", "2", "--per-hour", "1800"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("notify send: done: 2 accepted"), "\(resumed.stdout)")
        #expect(Self.waitFor(20) { deliveredCount() >= 4 })
        Thread.sleep(forTimeInterval: 1)
        for domain in Self.accept {
            #expect(Self.delivered(domain, token: campaign.tokens[domain] ?? "?").count == 1, "\(domain)")
        }
        #expect(try Self.states(campaign.database).values.allSatisfy { $0 == "sent" })
    }

    /// SIGINT while a paced send waits between hand-offs: the run stops at once
    /// with its summary and status 130, and a resumed send sends each of the
    /// others exactly once.
    @Test func interruptedSendStopsCleanlyAndResumes() throws {
        let campaign = try Self.makeCampaign(Self.accept)
        defer { try? FileManager.default.removeItem(at: campaign.directory) }
        let base = ["notify", "send", "--campaign", campaign.database] + Self.relayArguments
        func deliveredCount() -> Int {
            Self.accept.reduce(0) { $0 + Self.delivered($1, token: campaign.tokens[$1] ?? "?").count }
        }
        // One hand-off every 10 s: the signal lands in the wait after the first.
        let running = try MTAScanProcess.start(base + ["--send", "--confirm", "4", "--per-hour", "360"])
        let oneDelivered = Self.waitFor(30) { deliveredCount() >= 1 }
        running.send(signal: SIGINT)
        let ended = running.wait(timeout: 5)
        if ended == nil { running.stop() }
        let output = running.output(try #require(ended, "a SIGINT in the wait between hand-offs ends the run promptly"))
        #expect(oneDelivered)
        #expect(output.status == 130, "\(output.stderr)")
        #expect(output.stderr.contains("SIGINT: stopping after the hand-off under way"), "\(output.stderr)")
        #expect(output.stdout.contains("notify send: stopped by SIGINT: 1 accepted; 3 not handed off"), "\(output.stdout)")
        let states = try Self.states(campaign.database)
        #expect(states.values.filter { $0 == "sent" }.count == 1, "\(states)")
        #expect(states.values.filter { $0 == "rendered" }.count == 3, "\(states)")

        let resumed = try MTAScanProcess.run(base + ["--send", "--confirm", "3", "--per-hour", "36000"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("notify send: done: 3 accepted"), "\(resumed.stdout)")
        #expect(Self.waitFor(20) { deliveredCount() >= 4 })
        Thread.sleep(forTimeInterval: 1)
        for domain in Self.accept {
            #expect(Self.delivered(domain, token: campaign.tokens[domain] ?? "?").count == 1, "\(domain)")
        }
        #expect(try Self.states(campaign.database).values.allSatisfy { $0 == "sent" })
    }

    /// A signal during a hand-off (a sendmail that takes 2 s): the hand-off
    /// finishes and is recorded, no other starts. Two signals: the run ends at
    /// once and the notice under way is `uncertain`, never sent again by a
    /// resumed run; every message reaches its Maildir exactly once.
    @Test func signalsDuringAHandOff() throws {
        let domains = Array(Self.accept.prefix(3))
        let campaign = try Self.makeCampaign(domains)
        defer { try? FileManager.default.removeItem(at: campaign.directory) }
        let marks = campaign.directory.appendingPathComponent("marks").path
        try FileManager.default.createDirectory(atPath: marks, withIntermediateDirectories: true)
        // Marks each start, then is slow, then hands the message to Postfix's sendmail.
        let slow = campaign.directory.appendingPathComponent("slow-sendmail").path
        try "#!/bin/sh\ntouch \(marks)/$$\nsleep 2\nexec /usr/sbin/sendmail \"$@\"\n"
            .write(toFile: slow, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: slow)
        func started() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: marks).count) ?? 0 }
        let base = ["notify", "send", "--campaign", campaign.database, "--sendmail", slow,
                    "--sendmail-arg", "-C", "--sendmail-arg", Self.runDirectory + "/postfix-relay", "--per-hour", "36000"]
        func delivered(_ domain: String) -> Int { Self.delivered(domain, token: campaign.tokens[domain] ?? "?").count }

        // One signal mid-hand-off: it completes (sent), the others wait.
        let first = try MTAScanProcess.start(base + ["--send", "--confirm", "3"])
        #expect(Self.waitFor(20) { started() == 1 })
        first.send(signal: SIGINT)
        let firstEnd = first.wait(timeout: 15)
        if firstEnd == nil { first.stop() }
        let firstOutput = first.output(try #require(firstEnd))
        #expect(firstOutput.status == 130, "\(firstOutput.stderr)")
        #expect(firstOutput.stdout.contains("stopped by SIGINT: 1 accepted; 2 not handed off"), "\(firstOutput.stdout)")
        #expect(started() == 1)
        var states = try Self.states(campaign.database)
        #expect(states[domains[0]] == "sent" && states[domains[1]] == "rendered" && states[domains[2]] == "rendered", "\(states)")
        #expect(Self.waitFor(20) { delivered(domains[0]) == 1 })

        // Two signals mid-hand-off: the run ends at once, its notice is uncertain
        // (the slow sendmail, orphaned, still delivers it).
        let second = try MTAScanProcess.start(base + ["--send", "--confirm", "2"])
        #expect(Self.waitFor(20) { started() == 2 })
        let signalled = Date()
        second.send(signal: SIGTERM)
        Thread.sleep(forTimeInterval: 0.2)
        second.send(signal: SIGTERM)
        let secondEnd = second.wait(timeout: 15)
        if secondEnd == nil { second.stop() }
        let secondOutput = second.output(try #require(secondEnd))
        #expect(Date().timeIntervalSince(signalled) < 1.5, "the second signal does not wait for the hand-off")
        #expect(secondOutput.status == 128 + SIGTERM, "\(secondOutput.stderr)")
        #expect(secondOutput.stderr.contains("SIGTERM: stopping now"), "\(secondOutput.stderr)")
        states = try Self.states(campaign.database)
        #expect(states[domains[1]] == "uncertain" && states[domains[2]] == "rendered", "\(states)")
        #expect(Self.waitFor(20) { delivered(domains[1]) == 1 })

        // Resumed: only the untouched notice goes; the uncertain one is held back.
        let resumed = try MTAScanProcess.run(base + ["--send", "--confirm", "1"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("notify send: done: 1 accepted"), "\(resumed.stdout)")
        #expect(Self.waitFor(20) { delivered(domains[2]) == 1 })
        Thread.sleep(forTimeInterval: 1)
        for domain in domains { #expect(delivered(domain) == 1, "\(domain)") }
        #expect(started() == 3)
        let again = try MTAScanProcess.run(base)
        #expect(again.stdout.contains("notify send: 0 messages to send now"), "\(again.stdout)")
    }
}
