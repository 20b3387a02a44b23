import ArgumentParser
import Foundation
import MTAScanCore
import MTAScanEngine
import MTAScanNotify

/// `notify bounces PATH...`: bounces from Maildirs or mbox files, recorded once each.
struct NotifyBouncesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bounces",
        abstract: "Read bounces (DSNs, RFC 3464, and common other forms) from Maildirs or mbox files into the campaign.",
        discussion: """
            Each bounce is matched to its message by the VERP address it was sent to (bounces+TOKEN@) or the
            returned Message-ID, classed hard or soft by reason, and recorded once: reading the same mailbox
            again changes nothing. A hard bounce moves the notice to `bounced`, a soft one to `deferred`.
            """
    )

    @OptionGroup var campaign: CampaignOption

    @Argument(help: ArgumentHelp("Maildirs (with cur/ and new/) or mbox files.", valueName: "mailbox"))
    var mailboxes: [String]

    static let maxMessageBytes = 10 * 1024 * 1024

    func run() throws {
        let store = try campaign.open()
        let settings = try campaign.settings(store)
        let now = WallClock.now()
        var counts: [String: Int] = [:]
        var reasons: [String: Int] = [:]
        var read = 0
        for mailbox in mailboxes {
            for (source, bytes) in try Self.messages(in: mailbox) {
                read += 1
                guard let report = BounceParser.parse(bytes, envelopeDomain: settings.envelopeDomain) else {
                    counts["not a bounce", default: 0] += 1
                    continue
                }
                let hash = Hex.lowercase(withUnsafeBytes(of: Shard.fnv1a64(bytes).bigEndian) { Array($0) })
                    + "-\(bytes.count)"
                switch try store.recordBounce(report, messageHash: hash, source: source, at: now) {
                case .known: counts["read before", default: 0] += 1
                case .unmatched: counts["no notice of this campaign", default: 0] += 1
                case .recorded(let domains, let state):
                    // A grouped message's bounce moves every notice it carried.
                    counts[state.rawValue, default: 0] += domains.count
                    let first = report.recipients.first { $0.kind == .hard } ?? report.recipients.first
                    reasons["\(report.isHard ? "hard" : "soft") \(first?.reason.rawValue ?? "other")", default: 0] += 1
                }
            }
        }
        print("notify bounces: \(read) messages read")
        for (name, count) in counts.sorted(by: { $0.key < $1.key }) { print("  \(name): \(count)") }
        if !reasons.isEmpty { print("by kind and reason:") }
        for (name, count) in reasons.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) { print("  \(name): \(count)") }
    }

    /// Every message of a Maildir (cur/ and new/, in name order) or an mbox file.
    static func messages(in path: String) throws -> [(String, [UInt8])] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CLIError("\(TerminalText.escaped(path)): no such mailbox")
        }
        if isDirectory.boolValue {
            var messages: [(String, [UInt8])] = []
            for folder in ["cur", "new"] {
                let directory = path + "/" + folder
                let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
                for name in names.sorted() where !name.hasPrefix(".") {
                    let file = directory + "/" + name
                    if let bytes = try? FileDescriptor.readAll(path: file, maxBytes: maxMessageBytes) { messages.append((file, bytes)) }
                }
            }
            return messages
        }
        let bytes = try FileDescriptor.readAll(path: path, maxBytes: 1024 * maxMessageBytes)
        // mbox: messages begin at "From " lines (mboxrd's quoting keeps body lines from doing so).
        var messages: [(String, [UInt8])] = []
        var start: Int?
        var index = 0
        let from = Array("From ".utf8)
        while index < bytes.count {
            if (index == 0 || bytes[index - 1] == UInt8(ascii: "\n")) && bytes[index...].starts(with: from) {
                if let start { messages.append(("\(path):\(messages.count + 1)", Array(bytes[start..<index]))) }
                // The message starts after the separator line.
                var end = index
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                start = end + 1
                index = end
            }
            index += 1
        }
        if let start, start < bytes.count { messages.append(("\(path):\(messages.count + 1)", Array(bytes[start...]))) }
        return messages
    }
}

/// `notify status NEW-SCAN`: what a later scan shows, notified against control.
struct NotifyStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Compare a later scan with the campaign: fixed, partly fixed or still broken, for notified and control domains.",
        discussion: """
            Each domain's latest notice is judged against its record in the new scan (docs/notify.md, "Follow-up").
            The difference in the share fixed between notified and control domains, with its 95% interval
            (Newcombe's hybrid score method), is what the messages did; the control group's share is what would
            have happened anyway. Notified domains found fixed move to `fixed`.
            """
    )

    enum Format: String, ExpressibleByArgument { case table, json }

    @OptionGroup var campaign: CampaignOption

    @Argument(help: ArgumentHelp("The follow-up scan NDJSON.", valueName: "scan"))
    var scan: String

    @Option(name: .long, help: ArgumentHelp("table or json.", valueName: "format"))
    var format: Format = .table

    @Option(name: .long, help: ArgumentHelp("Also draw the groups' results and shares fixed as an SVG chart.", valueName: "file"))
    var svg: String?

    typealias Row = FollowUpGroup

    func run() throws {
        let store = try campaign.open()
        let settings = try campaign.settings(store)
        var latest: [String: CampaignStore.StoredNotice] = [:]
        for notice in try store.notices() where (latest[notice.candidate.domain]?.id ?? -1) < notice.id {
            latest[notice.candidate.domain] = notice
        }
        var records: [String: JSONValue] = [:]
        var count = 0
        try ScanFileReading.read(scan, command: "notify status", record: { record in
            count += 1
            if let domain = record["domain"]?.stringValue, latest[domain] != nil { records[domain] = record }
        }, malformed: {})

        let bounces = try store.bounceSummary()
        var rows: [String: Row] = [:]
        var nowFixed: [Int64] = []
        for (domain, notice) in latest {
            let result = FollowUp.result(of: notice.candidate, in: records[domain])
            var groups: [String]
            switch notice.state {
            case .suppressed: groups = ["suppressed"]
            case .control: groups = ["control"]
            default:
                groups = ["notified"]
                if bounces[notice.id]?.hard == true || notice.state == .bounced {
                    groups.append("bounced")
                } else if [.sent, .fixed, .feedback, .deferred].contains(notice.state) {
                    groups.append("delivered")
                }
                // Written to through its provider's contact (plan --group-by-provider).
                if notice.party != nil { groups.append("via-provider") }
                if result == .fixed && notice.state != .fixed { nowFixed.append(notice.id) }
            }
            let recommended = notice.candidate.findings.contains { $0.code == NoticeFinding.tlsrptRecommendedCode }
            for group in groups {
                rows[group, default: Row(name: group)].domains += 1
                rows[group, default: Row(name: group)].results[result, default: 0] += 1
                if recommended {
                    rows[group, default: Row(name: group)].recommended += 1
                    if let record = records[domain], FollowUp.adoptedTLSRPT(record) { rows[group, default: Row(name: group)].adopted += 1 }
                }
            }
        }
        let metadata = NotifyPlanCommand.scanTimes(scan)
        let now = WallClock.now()
        try store.addScan(.init(path: scan, role: "status", startedAt: metadata.started, finishedAt: metadata.finished,
                                records: count), at: now)
        try store.transition(nowFixed, to: .fixed, detail: "fixed in \(scan)", at: now)
        let effect = (rows["notified"] ?? Row(name: "notified")).fixed.difference(from: (rows["control"] ?? Row(name: "control")).fixed)
        if let svg {
            let chart = FollowUpSVG.render(title: "mtascan notify status: \(settings.name)",
                                           groups: Self.order.compactMap { rows[$0] }, effect: effect)
            do {
                try FileDescriptor.replaceContents(of: svg, with: Array(chart.utf8))
            } catch {
                throw CLIError("--svg \(TerminalText.escaped(svg)): \(error)")
            }
        }
        switch format {
        case .table: print(table(rows, effect: effect, settings: settings, records: count))
        case .json: print(String(decoding: ScanRecord.line(json(rows, effect: effect)).dropLast(), as: UTF8.self))
        }
    }

    private static let order = ["notified", "delivered", "bounced", "via-provider", "control", "suppressed"]

    private func table(_ rows: [String: Row], effect: (value: Double, lower: Double, upper: Double)?,
                       settings: CampaignSettings, records: Int) -> String {
        func percent(_ value: Double?) -> String { value.map { String(format: "%.1f", $0 * 100) } ?? "–" }
        var lines = ["notify status: campaign \(TerminalText.escaped(settings.name)), follow-up scan \(TerminalText.escaped(scan)) (\(records) records)"]
        let header = ["group", "domains"] + FollowUp.Result.allCases.map(\.rawValue) + ["fixed %", "95% interval", "tlsrpt adopted"]
        var table = [header]
        for name in Self.order {
            guard let row = rows[name] else { continue }
            let interval = row.fixed.interval.map { "\(percent($0.lower))–\(percent($0.upper))" } ?? "–"
            table.append([["delivered", "bounced", "via-provider"].contains(name) ? "  " + name : name, String(row.domains)]
                         + FollowUp.Result.allCases.map { String(row.results[$0] ?? 0) }
                         + [percent(row.fixed.value), interval, "\(row.adopted) of \(row.recommended)"])
        }
        let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        for row in table {
            lines.append(row.enumerated().map { column, text in
                column == 0 ? text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - text.count) + text
            }.joined(separator: "  "))
        }
        if let effect {
            lines.append(String(format: "fixed, notified − control: %+.1f points (95%% interval %+.1f to %+.1f; Newcombe)",
                                effect.value * 100, effect.lower * 100, effect.upper * 100))
        } else {
            lines.append("fixed, notified − control: no control group, or no domain known in one of them")
        }
        lines.append("unknown: no usable record in the follow-up scan (left out of the shares)")
        return lines.joined(separator: "\n")
    }

    private func json(_ rows: [String: Row], effect: (value: Double, lower: Double, upper: Double)?) -> JSONValue {
        var groups = JSONObject()
        for name in Self.order {
            guard let row = rows[name] else { continue }
            var results = JSONObject()
            for result in FollowUp.Result.allCases { results[result.rawValue] = .int(row.results[result] ?? 0) }
            groups[name] = .object([
                "domains": .int(row.domains), "results": .object(results),
                "fixed_share": row.fixed.value.map { .double($0) } ?? .null,
                "fixed_interval": row.fixed.interval.map { .array([.double($0.lower), .double($0.upper)]) } ?? .null,
                "tlsrpt_recommended": .int(row.recommended), "tlsrpt_adopted": .int(row.adopted),
            ])
        }
        return .object([
            "scan": .string(scan), "groups": .object(groups),
            "effect": effect.map { .object(["fixed_difference": .double($0.value), "lower": .double($0.lower),
                                            "upper": .double($0.upper), "method": "newcombe-hybrid-score-95"]) } ?? .null,
        ])
    }
}

/// `notify feedback FILE.csv`: the answers behind the messages' feedback links.
struct NotifyFeedbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feedback",
        abstract: "Import the answers behind the feedback links: CSV with columns token and answer (comment, answered_at optional).",
        discussion: "Each answer is recorded once (importing the same file again changes nothing); its notice moves to `feedback`."
    )

    @OptionGroup var campaign: CampaignOption

    @Argument(help: ArgumentHelp("The CSV export of the feedback form.", valueName: "csv"))
    var file: String

    func run() throws {
        let store = try campaign.open()
        _ = try campaign.settings(store)
        let answers: [FeedbackCSV.Answer]
        do {
            answers = try FeedbackCSV.parse(String(decoding: try FileDescriptor.readAll(path: file, maxBytes: 256 * 1024 * 1024), as: UTF8.self))
        } catch {
            throw CLIError("\(TerminalText.escaped(file)): \(error)")
        }
        var recorded = 0, known = 0, unknown = 0
        let now = WallClock.now()
        for answer in answers {
            switch try store.recordFeedback(token: answer.token, answer: answer.answer, comment: answer.comment,
                                            answeredAt: answer.answeredAt, at: now) {
            case .some(true): recorded += 1
            case .some(false): known += 1
            case .none: unknown += 1
            }
        }
        print("notify feedback: \(answers.count) answers: \(recorded) recorded, \(known) imported before, \(unknown) with no notice of this campaign")
        for (answer, domains) in try store.feedbackCounts().sorted(by: { $0.key < $1.key }) {
            print("  \(answer.isEmpty ? "(empty)" : TerminalText.escaped(answer)): \(domains) domains")
        }
    }
}

/// `notify second-channel`: security@, or (opt-in) the security.txt contact,
/// for domains whose postmaster@ bounced hard.
struct NotifySecondChannelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "second-channel",
        abstract: "Plan a second message, to security@<domain> (RFC 2142) or its security.txt contact (RFC 9116), for each notified domain whose postmaster@ bounced hard.",
        discussion: """
            Opt-in, and planned like any notice: suppression applies, and it is rendered and sent by the same steps.
            --security-txt first fetches https://<domain>/.well-known/security.txt (HTTPS only, no redirects,
            32 KiB) and writes to its mailto: contacts if it has any and has not expired; otherwise security@.
              mtascan notify second-channel --campaign c.sqlite --security-txt --resolver 127.0.0.1
            """
    )

    @OptionGroup var campaign: CampaignOption

    @Flag(name: .customLong("security-txt"), help: "Use the mailto: contacts of the domain's /.well-known/security.txt where it has usable ones (needs --resolver).")
    var securityTxt = false

    @OptionGroup var dns: DNSOptions

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("PEM trust anchors for the security.txt fetch (default: the system's).", valueName: "path"))
    var caFile: String?

    @Option(name: .long, help: ArgumentHelp("Seconds for one security.txt fetch, connect to last byte.", valueName: "s"))
    var timeout: Int = 15

    func validate() throws {
        if securityTxt && dns.resolvers.isEmpty {
            throw ValidationError("--security-txt needs --resolver: mtascan resolves the domains itself, and names its resolver")
        }
        guard timeout > 0 else { throw ValidationError("--timeout is at least 1") }
    }

    func run() throws {
        let store = try campaign.open()
        let settings = try campaign.settings(store)
        let bounced = try store.notices(in: [.bounced])
        // Only domains without a second-channel notice yet: no fetch for what is planned already.
        let known = Set(try store.notices().map { "\($0.candidate.domain) \($0.digest)" })
        let fresh = CampaignPlanner.eligible(bounced).filter { !known.contains("\($0.candidate.domain) \($0.digest)+security") }
        var contacts: [String: CampaignPlanner.SecurityContact] = [:]
        if securityTxt {
            contacts = try fetchContacts(Array(Set(fresh.map(\.candidate.domain))).sorted())
        }
        var generator = SystemRandomNumberGenerator()
        let notices = CampaignPlanner.secondChannel(
            for: bounced, suppressions: try store.suppressions(), securityTxt: contacts,
            token: { Hex.lowercase((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }) })
        let result = try store.plan(notices, scan: .init(path: "(second channel)", role: "second-channel", startedAt: nil,
                                                         finishedAt: nil, records: 0),
                                    settings: settings, at: WallClock.now())
        let viaSecurityTxt = notices.filter { notice in contacts[notice.candidate.domain]?.addresses.isEmpty == false }.count
        print("notify second-channel: \(result.added) new notices to security@ or a security.txt contact (\(viaSecurityTxt) via security.txt), \(result.known) planned before; nothing was sent")
    }

    /// security.txt of each domain: its usable mailto: contacts, or why none.
    private func fetchContacts(_ domains: [String]) throws -> [String: CampaignPlanner.SecurityContact] {
        let names = domains.compactMap { DomainName($0) }
        var limits = PolicyFetchLimits()
        limits.totalTimeout = .seconds(timeout)
        let outcomes = try SecurityTxtFetch.fetch(
            names, dns: try dns.clientConfiguration(),
            tls: TLSConfiguration(trustRoots: caFile.map { .pemFile($0) } ?? .systemDefault),
            userAgentVersion: MTAScanVersion.string, limits: limits)
        let now = WallClock.now()
        var contacts: [String: CampaignPlanner.SecurityContact] = [:]
        for (name, outcome) in zip(names, outcomes) {
            let url = "https://\(name.text)\(SecurityTxtFetch.path)"
            let contact: CampaignPlanner.SecurityContact
            switch outcome {
            case .failed(let reason):
                contact = .init(addresses: [], note: "\(url): \(reason)")
            case .fetched(let body):
                do {
                    let file = try SecurityTxt.parse(body)
                    let (addresses, problem) = file.mailRecipients(at: now)
                    contact = .init(addresses: addresses,
                                    note: problem.map { "\(url): \($0)" } ?? "\(url)\(file.signed ? ", OpenPGP-signed, signature not verified" : "")")
                } catch {
                    contact = .init(addresses: [], note: "\(url): \(error)")
                }
            }
            contacts[name.text] = contact
            let outcomeText = contact.addresses.isEmpty ? "security@ (\(contact.note))" : contact.addresses.joined(separator: ", ")
            print("  \(TerminalText.escaped(name.text))\t\(TerminalText.escaped(outcomeText))")
        }
        return contacts
    }
}
