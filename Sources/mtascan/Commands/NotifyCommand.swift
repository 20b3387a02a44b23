import ArgumentParser
import MTAScanCore
import MTAScanEngine
import MTAScanNotify

/// `mtascan notify`: campaigns that tell postmasters what is broken and how to
/// fix it. A campaign is one SQLite file; every step reads and writes it, and
/// each is safe to run again (docs/notify.md).
struct NotifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Notification campaigns to the postmasters of misconfigured domains.",
        discussion: """
            A campaign is a small database (--campaign FILE.sqlite): plan it from a scan, review
            its messages, then send them (docs/notify.md: ethics, norms, a worked example).
              mtascan notify plan scan.ndjson --campaign c.sqlite --from 'Scan team <scan@example.org>' \\
                  --envelope-domain scan.example.org --control-fraction 0.2 --seed 7
              mtascan notify render --campaign c.sqlite --out review/
            """,
        subcommands: [NotifyPlanCommand.self, NotifyRenderCommand.self, NotifySendCommand.self, NotifyListCommand.self,
                      NotifyBouncesCommand.self, NotifyStatusCommand.self, NotifyFeedbackCommand.self,
                      NotifySecondChannelCommand.self]
    )
}

struct CampaignOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The campaign database (SQLite).", valueName: "file"))
    var campaign: String

    func open() throws -> CampaignStore {
        do {
            return try CampaignStore(path: campaign)
        } catch {
            throw CLIError("\(TerminalText.escaped(campaign)): \(error)")
        }
    }

    /// The composer of the campaign's messages. A `--template` given here is
    /// kept in the campaign, so that `send` renders what `render` showed; without
    /// one, the kept template (or the built-in one).
    func composer(_ store: CampaignStore, settings: CampaignSettings, templatePath: String?) throws -> NoticeComposer {
        var text = try store.template()
        if let templatePath {
            do {
                text = String(decoding: try FileDescriptor.readAll(path: templatePath, maxBytes: 1024 * 1024), as: UTF8.self)
            } catch {
                throw CLIError("--template \(TerminalText.escaped(templatePath)): \(error)")
            }
        }
        let composer = try NoticeComposer(settings: settings, template: text)
        if templatePath != nil { try store.setTemplate(text) }
        return composer
    }

    func settings(_ store: CampaignStore) throws -> CampaignSettings {
        guard let settings = try store.settings() else {
            throw CLIError("\(TerminalText.escaped(campaign)) holds no campaign yet: plan one first (mtascan notify plan)")
        }
        return settings
    }
}

/// `notify plan SCAN`: picks the domains, their recipients and the control group.
struct NotifyPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Choose the domains of a scan to write to, their recipients, and a control group; print what would be sent.",
        discussion: """
            The first plan creates the campaign with its settings (--from and --envelope-domain needed) and
            selection; later plans add what a newer scan finds, with the same settings. A domain is written to
            at most once per findings digest: planning a scan again adds nothing. Nothing is sent.
            """
    )

    @OptionGroup var campaign: CampaignOption

    @Argument(help: ArgumentHelp("The scan NDJSON (its metadata beside it gives the scan's date).", valueName: "scan"))
    var scan: String

    @Option(name: .long, help: ArgumentHelp("From header of the messages, e.g. 'Scan team <scan@example.org>'.", valueName: "address"))
    var from: String?

    @Option(name: .customLong("envelope-domain"), help: ArgumentHelp("Domain of the bounce (bounces+TOKEN@) and opt-out (optout+TOKEN@) addresses and of Message-IDs; its mail must reach you.", valueName: "domain"))
    var envelopeDomain: String?

    @Option(name: .long, help: ArgumentHelp("The campaign's name (X-Mtascan-Campaign).", valueName: "name"))
    var name: String?

    @Option(name: .long, help: ArgumentHelp("Subject template; {{domain}} is the domain.", valueName: "text"))
    var subject: String?

    @Option(name: .long, help: ArgumentHelp("Who recipients can write to: signed under every message.", valueName: "text"))
    var contact: String?

    @Option(name: .customLong("feedback-url"), help: ArgumentHelp("Feedback form; each message links URL?token=TOKEN.", valueName: "url"))
    var feedbackURL: String?

    @Option(name: .customLong("optout-url"), help: ArgumentHelp("One-click opt-out (RFC 8058), linked as URL?token=TOKEN.", valueName: "url"))
    var optOutURL: String?

    @Option(name: .long, help: ArgumentHelp("Only these finding codes (repeat).", valueName: "code"))
    var code: [String] = []

    @Option(name: .long, help: ArgumentHelp("Only findings of these components: sts-record, policy, mx, consistency, tlsrpt, dns, risk, dane (repeat).", valueName: "component"))
    var component: [String] = []

    @Option(name: .long, help: ArgumentHelp("error (default), or warning for errors and warnings.", valueName: "severity"))
    var severity: String = "error"

    @Option(name: .long, help: ArgumentHelp("Only domains whose policy mode is this: enforce, testing, none (repeat).", valueName: "mode"))
    var mode: [String] = []

    @Flag(name: .customLong("only-delivery-risk"), help: "Only domains whose own mail is at risk (delivery-failure-risk, delivery-degraded).")
    var onlyDeliveryRisk = false

    @Flag(name: .customLong("recommend-tlsrpt"), help: "Also recommend TLS-RPT to MTA-STS domains without a valid TLS-RPT record.")
    var recommendTLSRPT = false

    @Flag(name: .customLong("include-rua"), help: "Also write to the domain's TLS-RPT rua mailto addresses, beside postmaster@.")
    var includeRUA = false

    @Option(name: .long, help: ArgumentHelp("Never write to these domains (and their subdomains) or addresses: one per line, # comments. Kept in the campaign.", valueName: "file"))
    var suppress: String?

    @Flag(name: .customLong("group-by-provider"), help: "One message per provider contact about all its customers' notices, for providers listed in --provider-contacts; the others get per-domain notices.")
    var groupByProvider = false

    @Option(name: .customLong("provider-contacts"), help: ArgumentHelp("With --group-by-provider: lines 'provider-id,address' (docs/notify.md, \"Grouping by provider\").", valueName: "file"))
    var providerContacts: String?

    @Option(name: .customLong("control-fraction"), help: ArgumentHelp("Hold out this share of the domains, stratified by component and provider, as an un-notified control group (0 to 1).", valueName: "f"))
    var controlFraction: Double?

    @Option(name: .long, help: ArgumentHelp("Seed of the control group's draw (recorded).", valueName: "n"))
    var seed: UInt64?

    func validate() throws {
        guard NoticeCriteria.Severity(rawValue: severity) != nil else {
            throw ValidationError("--severity is error or warning")
        }
        if groupByProvider != (providerContacts != nil) {
            throw ValidationError("--group-by-provider and --provider-contacts FILE go together")
        }
        if let controlFraction, !(0...1).contains(controlFraction) {
            throw ValidationError("--control-fraction is between 0 and 1")
        }
        for code in code where FindingCode(rawValue: code) == nil && code != NoticeFinding.tlsrptRecommendedCode {
            throw ValidationError("--code \(TerminalText.escaped(code)) is no finding code (docs/findings.md)")
        }
        for component in component where Component(rawValue: component) == nil {
            throw ValidationError("--component \(TerminalText.escaped(component)): components are \(Component.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    private var criteria: NoticeCriteria {
        var criteria = NoticeCriteria()
        criteria.codes = Set(code)
        criteria.components = Set(component)
        criteria.severity = NoticeCriteria.Severity(rawValue: severity) ?? .error
        criteria.modes = Set(mode)
        criteria.onlyDeliveryRisk = onlyDeliveryRisk
        criteria.recommendTLSRPT = recommendTLSRPT
        return criteria
    }

    func run() throws {
        let store = try campaign.open()
        let now = WallClock.now()
        let settings = try campaignSettings(store, now: now)
        let selection = NoticeCriteria.from(json: settings.criteria) ?? criteria
        if let entries = try suppress.map(readSuppressions) { try store.addSuppressions(entries, at: now) }
        let suppressions = try store.suppressions()

        var candidates: [NoticeCandidate] = []
        var records = 0
        try ScanFileReading.read(scan, command: "notify plan", record: { record in
            records += 1
            if let candidate = NoticeCandidate.from(record: record, criteria: selection) { candidates.append(candidate) }
        }, malformed: {})

        var generator = SystemRandomNumberGenerator()
        let contacts = try providerContacts.map(readProviderContacts)
        let notices = CampaignPlanner.notices(
            for: candidates, settings: settings, knownGroups: try store.groups(), suppressions: suppressions,
            contacts: contacts,
            token: { Hex.lowercase((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }) })
        let metadata = Self.scanTimes(scan)
        let result = try store.plan(notices, scan: .init(path: scan, role: "plan", startedAt: metadata.started,
                                                          finishedAt: metadata.finished, records: records),
                                    settings: settings, at: now)
        print(try summary(store, settings: settings, records: records, candidates: candidates.count, result: result))
        if let contacts { print(Self.groupingSummary(notices, contacts: contacts)) }
    }

    private func readProviderContacts(_ path: String) throws -> ProviderContacts {
        do {
            let bytes = try FileDescriptor.readAll(path: path, maxBytes: 16 * 1024 * 1024)
            return try ProviderContacts.parse(String(decoding: bytes, as: UTF8.self))
        } catch {
            throw CLIError("--provider-contacts \(TerminalText.escaped(path)): \(error)")
        }
    }

    /// What grouping did with this plan's notices to write to: per party, and
    /// the providers without a contact, whose customers get notices of their own.
    static func groupingSummary(_ notices: [CampaignStore.NewNotice], contacts: ProviderContacts) -> String {
        let written = notices.filter { $0.group == "notify" && $0.state == .planned }
        var parties: [String: Int] = [:]
        var uncovered: [String: Int] = [:]
        var noProvider = 0
        for notice in written {
            if let party = notice.party {
                parties[party, default: 0] += 1
            } else if let provider = notice.candidate.provider {
                uncovered[provider, default: 0] += 1
            } else {
                noProvider += 1
            }
        }
        var lines = ["  grouped by provider (this plan): \(parties.values.reduce(0, +)) notices for \(parties.count) provider contacts, one message each"]
        for (party, count) in parties.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            lines.append("    \(TerminalText.escaped(party)) → \(TerminalText.escaped(contacts[party] ?? "?")): \(count) domains")
        }
        for (provider, count) in uncovered.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            let why = contacts[provider] == nil ? "no contact in --provider-contacts" : "its contact is suppressed"
            lines.append("    \(TerminalText.escaped(provider)): \(why); its \(count) domains get per-domain notices")
        }
        if noProvider > 0 { lines.append("    no provider known: \(noProvider) domains get per-domain notices") }
        return lines.joined(separator: "\n")
    }

    private func campaignSettings(_ store: CampaignStore, now: Int64) throws -> CampaignSettings {
        if let existing = try store.settings() {
            let given = criteria.json
            let chosenSelection = !code.isEmpty || !component.isEmpty || severity != "error" || !mode.isEmpty
                || onlyDeliveryRisk || recommendTLSRPT
            if chosenSelection && given != existing.criteria {
                throw CLIError("the campaign selects \(String(decoding: ScanRecord.line(existing.criteria).dropLast(), as: UTF8.self)); plan without selection flags, or start another campaign")
            }
            if let controlFraction, controlFraction != existing.controlFraction {
                throw CLIError("the campaign's control fraction is \(existing.controlFraction): it cannot change between rounds")
            }
            return existing
        }
        guard let from, let envelopeDomain else {
            throw CLIError("a new campaign needs --from and --envelope-domain (where its bounces and opt-outs go)")
        }
        guard DomainName(envelopeDomain) != nil else {
            throw CLIError("--envelope-domain \(TerminalText.escaped(envelopeDomain)) is no domain name")
        }
        let settings = CampaignSettings(
            name: name ?? "mtascan-\(UnixTime.rfc3339(now).prefix(10))", from: from, envelopeDomain: envelopeDomain,
            subject: subject ?? CampaignSettings.defaultSubject, feedbackURL: feedbackURL, optOutURL: optOutURL,
            contact: contact ?? from, criteria: criteria.json, includeRUA: includeRUA,
            controlFraction: controlFraction ?? 0, seed: seed ?? UInt64(now), createdAt: now)
        try store.create(settings, toolVersion: MTAScanVersion.string)
        return settings
    }

    private func readSuppressions(_ path: String) throws -> [Suppression] {
        do {
            let bytes = try FileDescriptor.readAll(path: path, maxBytes: 64 * 1024 * 1024)
            return Suppression.parse(String(decoding: bytes, as: UTF8.self))
        } catch {
            throw CLIError("--suppress \(TerminalText.escaped(path)): \(error)")
        }
    }

    /// `started_at`/`finished_at` of the scan's metadata side file, when there is one.
    static func scanTimes(_ scan: String) -> (started: String?, finished: String?) {
        guard let bytes = try? FileDescriptor.readAll(path: scan + ".meta.json", maxBytes: 16 * 1024 * 1024),
              let metadata = try? JSONParser.parse(bytes) else { return (nil, nil) }
        return (metadata["started_at"]?.stringValue, metadata["finished_at"]?.stringValue)
    }

    private func summary(_ store: CampaignStore, settings: CampaignSettings, records: Int, candidates: Int,
                         result: (added: Int, known: Int)) throws -> String {
        let notices = try store.notices()
        var byState: [NoticeState: Int] = [:]
        var recipients = 0
        var codes: [String: Int] = [:]
        for notice in notices {
            byState[notice.state, default: 0] += 1
            guard notice.group == "notify", notice.state != .suppressed else { continue }
            recipients += notice.recipients.count
            for finding in notice.candidate.findings { codes[finding.code, default: 0] += 1 }
        }
        var lines = [
            "notify plan: campaign \(TerminalText.escaped(settings.name)) (\(TerminalText.escaped(campaign.campaign)))",
            "  scan: \(TerminalText.escaped(scan)), \(records) records, \(candidates) domains with selected findings",
            "  this plan: \(result.added) new notices, \(result.known) already in the campaign",
            "  the campaign now: \(notices.count) notices",
        ]
        for state in NoticeState.allCases where byState[state] != nil {
            lines.append("    \(state.rawValue): \(byState[state] ?? 0)")
        }
        lines.append("  to write to: \(notices.count { $0.group == "notify" && $0.state != .suppressed }) domains, \(recipients) recipients")
        lines.append("  findings in those messages:")
        for (code, count) in codes.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            lines.append("    \(code): \(count)")
        }
        lines.append("Nothing was sent. Review the messages: mtascan notify render --campaign \(TerminalText.escaped(campaign.campaign)) --out DIR")
        return lines.joined(separator: "\n")
    }
}

/// `notify render --out DIR`: every message to be sent, as .eml files and one mbox, for review.
struct NotifyRenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Write the campaign's messages as .eml files and one mbox (campaign.mbox) for review; nothing is sent."
    )

    @OptionGroup var campaign: CampaignOption

    @Option(name: .long, help: ArgumentHelp("The directory to write to (made if missing).", valueName: "dir"))
    var out: String

    @Option(name: .long, help: ArgumentHelp("A Mustache template of the body instead of the built-in one (docs/notify.md lists its variables); kept in the campaign for later renders and sends.", valueName: "file"))
    var template: String?

    func run() throws {
        let store = try campaign.open()
        let settings = try campaign.settings(store)
        let composer = try campaign.composer(store, settings: settings, templatePath: template)
        let notices = try store.notices(in: [.planned, .rendered])
        let batches = NoticeBatch.batches(notices)
        try FileDescriptor.makeDirectory(out)
        var mbox: [UInt8] = []
        for batch in batches {
            let message = composer.message(for: batch)
            try FileDescriptor.replaceContents(of: out + "/" + Self.fileName(batch), with: message.bytes)
            mbox += Mbox.entry(message, envelopeFrom: batch.lead.envelopeFrom, date: batch.lead.createdAt)
        }
        try FileDescriptor.replaceContents(of: out + "/campaign.mbox", with: mbox)
        let planned = notices.filter { $0.state == .planned }.map(\.id)
        try store.transition(planned, to: .rendered, detail: "rendered to \(out)", at: WallClock.now())
        let grouped = batches.filter(\.isGrouped)
        let groupedText = grouped.isEmpty ? "" : ", \(grouped.count) of them grouped by provider (party-*.eml) for \(grouped.map(\.members.count).reduce(0, +)) domains"
        print("notify render: \(batches.count) messages in \(TerminalText.escaped(out)) (one .eml per domain\(groupedText), and campaign.mbox); nothing was sent")
    }

    /// `DOMAIN.eml`, or `party-PROVIDER-TOKEN8.eml` for a grouped message (a
    /// provider may have several contacts; the provider id is kebab-case, or
    /// reduced to it here, so the name stays a plain file name).
    static func fileName(_ batch: NoticeBatch) -> String {
        guard let party = batch.party else { return batch.lead.candidate.domain + ".eml" }
        let safe = String(party.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }.prefix(63))
        return "party-\(safe)-\(batch.lead.token.prefix(8)).eml"
    }
}

/// `notify list`: the notices and their states, one line each.
struct NotifyListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the campaign's notices, tab-separated: domain, group, state, recipients, findings, token, party (- for none)."
    )

    @OptionGroup var campaign: CampaignOption

    @Option(name: .long, help: ArgumentHelp("Only notices in this state (repeat).", valueName: "state"))
    var state: [String] = []

    func run() throws {
        let store = try campaign.open()
        _ = try campaign.settings(store)
        let states = try state.map { text in
            guard let state = NoticeState(rawValue: text) else {
                throw CLIError("no state \(TerminalText.escaped(text)); states: \(NoticeState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return state
        }
        for notice in try store.notices(in: states.isEmpty ? nil : Set(states)) {
            let codes = notice.candidate.findings.map(\.code).joined(separator: ",")
            print("\(notice.candidate.domain)\t\(notice.group)\t\(notice.state.rawValue)\t\(notice.recipients.joined(separator: ","))\t\(codes)\t\(notice.token)\t\(notice.party ?? "-")")
        }
    }
}
