import Foundation
import MTAScanCore
import MTAScanNotify
import Testing

/// The campaign database and the messages it renders, without the CLI.
@Suite struct CampaignTests {
    private let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-campaign-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    private func store() throws -> CampaignStore {
        try CampaignStore(path: directory.appendingPathComponent("c.sqlite").path)
    }

    private func settings(control: Double = 0, rua: Bool = false) -> CampaignSettings {
        CampaignSettings(name: "test", from: "Scan team <scan@research.example>", envelopeDomain: "research.example",
                         subject: CampaignSettings.defaultSubject, feedbackURL: "https://research.example/feedback",
                         optOutURL: "https://research.example/optout", contact: "Scan team, research.example",
                         criteria: NoticeCriteria().json, includeRUA: rua, controlFraction: control, seed: 3,
                         createdAt: 1_796_400_000)
    }

    private func candidate(_ domain: String, code: String = "policy-tls", reason: String = "expired",
                           rua: [String] = []) -> NoticeCandidate {
        NoticeCandidate(domain: domain, inputLine: 1, verdict: "misconfigured", mode: "enforce",
                        findings: [NoticeFinding(code: code, severity: "error", component: "policy",
                                                 details: ["reason": .string(reason), "address": "192.0.2.1"])],
                        stsRecords: ["v=STSv1; id=2024"], policyURL: "https://mta-sts.\(domain)/.well-known/mta-sts.txt",
                        mxHosts: ["mx.\(domain)"], ruaAddresses: rua, provider: nil)
    }

    private var counter = Counter()
    private final class Counter: @unchecked Sendable {
        var value = 0
        func next() -> String { value += 1; return String(format: "%032x", value) }
    }

    private func plan(_ store: CampaignStore, _ candidates: [NoticeCandidate], settings: CampaignSettings,
                      suppressions: [Suppression] = [], at time: Int64 = 1_796_400_100) throws -> (added: Int, known: Int) {
        let notices = CampaignPlanner.notices(for: candidates, settings: settings, knownGroups: try store.groups(),
                                              suppressions: suppressions, token: counter.next)
        return try store.plan(notices, scan: .init(path: "scan.ndjson", role: "plan", startedAt: "2026-12-04T10:00:00Z",
                                                   finishedAt: "2026-12-04T11:00:00Z", records: candidates.count),
                              settings: settings, at: time)
    }

    @Test func planningTheSameScanTwiceAddsNothingAndANewDigestIsANewNotice() throws {
        let store = try store()
        let settings = settings()
        try store.create(settings, toolVersion: "test")
        #expect(try store.settings() == settings)
        let first = try plan(store, [candidate("a.example"), candidate("b.example")], settings: settings)
        #expect(first.added == 2 && first.known == 0)
        let again = try plan(store, [candidate("a.example"), candidate("b.example")], settings: settings)
        #expect(again.added == 0 && again.known == 2)
        let changed = try plan(store, [candidate("a.example", reason: "self-signed")], settings: settings)
        #expect(changed.added == 1)
        #expect(try store.notices().count == 3)
        #expect(try store.scans().count == 3)
    }

    @Test func theTemplateIsKeptForLaterSteps() throws {
        let store = try store()
        try store.create(settings(), toolVersion: "test")
        #expect(try store.template() == nil)
        try store.setTemplate("{{% CONTENT_TYPE: TEXT}}Hi {{domain}}")
        // Another process opening the campaign later sees it.
        #expect(try self.store().template() == "{{% CONTENT_TYPE: TEXT}}Hi {{domain}}")
    }

    @Test func suppressionByDomainSuffixAndByEveryAddress() throws {
        let store = try store()
        let settings = settings(rua: true)
        try store.create(settings, toolVersion: "test")
        try store.addSuppressions(Suppression.parse("# opted out\noptout.example\npostmaster@lonely.example  # asked\n"),
                                  at: 1)
        #expect(try store.addSuppressions([Suppression(kind: .domain, value: "OPTOUT.example")], at: 2) == 0)
        _ = try plan(store, [candidate("mail.optout.example"), candidate("lonely.example"),
                             candidate("partly.example", rua: ["tlsrpt@reports.example", "POSTMASTER@partly.example"])],
                     settings: settings, suppressions: try store.suppressions())
        let notices = Dictionary(uniqueKeysWithValues: try store.notices().map { ($0.candidate.domain, $0) })
        #expect(notices["mail.optout.example"]?.state == .suppressed)
        #expect(notices["lonely.example"]?.state == .suppressed)
        #expect(notices["partly.example"]?.state == .planned)
        #expect(notices["partly.example"]?.recipients == ["postmaster@partly.example", "tlsrpt@reports.example"])
        let history = try store.history(of: try #require(notices["mail.optout.example"]?.id))
        #expect(history.map(\.detail) == ["suppressed: domain optout.example"])
    }

    @Test func aDomainKeepsItsGroupInLaterRounds() throws {
        let store = try store()
        let settings = settings(control: 0.5)
        try store.create(settings, toolVersion: "test")
        let domains = (0..<40).map { "d\($0).example" }
        _ = try plan(store, domains.map { candidate($0) }, settings: settings)
        let groups = try store.groups()
        #expect(groups.values.count { $0 == "control" } == 20)
        _ = try plan(store, domains.map { candidate($0, reason: "self-signed") }, settings: settings)
        let later = try store.notices().filter { $0.candidate.findings.first?.details["reason"] == "self-signed" }
        #expect(later.count == 40)
        #expect(later.allSatisfy { groups[$0.candidate.domain] == $0.group })
        #expect(later.allSatisfy { ($0.group == "control") == ($0.state == .control) })
    }

    @Test func theMessageFollowsTheNormsAndSaysWhatWasSeen() throws {
        let store = try store()
        let settings = settings()
        try store.create(settings, toolVersion: "test")
        _ = try plan(store, [candidate("example.net")], settings: settings)
        let notice = try #require(try store.notices().first)
        let message = try NoticeComposer(settings: settings).message(for: notice)
        #expect(message.header("To") == "postmaster@example.net")
        #expect(message.header("Subject") == "MTA-STS configuration problem for example.net")
        #expect(message.header("Auto-Submitted") == "auto-generated")
        #expect(message.header("Message-ID") == "<\(notice.token).mtascan@research.example>")
        #expect(message.header("List-Unsubscribe") == "<mailto:optout+\(notice.token)@research.example?subject=unsubscribe>, <https://research.example/optout?token=\(notice.token)>")
        #expect(message.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
        #expect(message.header("Date") == "Fri, 04 Dec 2026 16:01:40 +0000")
        #expect(notice.envelopeFrom == "bounces+\(notice.token)@research.example")
        let body = message.body
        #expect(body.contains("Our scan of 2026-12-04\n"))
        #expect(body.contains("1. policy-tls"))
        #expect(body.contains("What we saw: the HTTPS connection to `mta-sts.example.net` failed"))
        #expect(body.contains("    reason: expired"))
        #expect(body.contains("    address: 192.0.2.1"))
        #expect(body.contains("_mta-sts.example.net TXT: v=STSv1; id=2024"))
        #expect(body.contains("https://research.example/feedback?token=\(notice.token)"))
        #expect(body.contains("optout+\(notice.token)@research.example"))
        #expect(!body.contains("&#"), "no HTML escaping in a text message")
        // Rendering again gives the same bytes.
        #expect(try NoticeComposer(settings: settings).message(for: notice).bytes == message.bytes)
    }

    @Test func aTemplateOfOnesOwnAndScannedTextThatTriesToBreakTheHeaders() throws {
        let store = try store()
        var settings = settings()
        settings.subject = "Problem: {{domain}}"
        settings.optOutURL = nil
        try store.create(settings, toolVersion: "test")
        var hostile = candidate("evil.example")
        hostile.findings[0].details["reason"] = "x\r\nBcc: victim@example.org"
        _ = try plan(store, [hostile], settings: settings)
        let notice = try #require(try store.notices().first)
        let message = try NoticeComposer(settings: settings, template: "{{% CONTENT_TYPE: TEXT}}Dear {{domain}}: {{#findings}}{{code}} {{#observed}}[{{name}}={{value}}]{{/observed}}{{/findings}}")
            .message(for: notice)
        #expect(message.body == "Dear evil.example: policy-tls [reason=x  Bcc: victim@example.org][address=192.0.2.1]")
        #expect(message.header("List-Unsubscribe-Post") == nil)
        #expect(message.header("Subject") == "Problem: evil.example")
        #expect(throws: NoticeComposer.Failure.self) { try NoticeComposer(settings: settings, template: "{{#open}}") }
    }
}

/// Review files: one mbox for a mail client.
@Suite struct MboxTests {
    @Test func fromLinesInBodiesAreQuotedAndEntriesAreSeparated() {
        let message = MailMessage(headers: [("From", "a@example.org")], body: "From here on\n>From there\nok\n")
        let text = String(decoding: Mbox.entry(message, envelopeFrom: "bounces+t@example.org", date: 0), as: UTF8.self)
        #expect(text.hasPrefix("From bounces+t@example.org Thu Jan  1 00:00:00 1970\n"))
        #expect(text.contains("\n>From here on\n>>From there\nok\n"))
        #expect(text.hasSuffix("ok\n\n"))
        #expect(!text.contains("\r"))
    }
}
