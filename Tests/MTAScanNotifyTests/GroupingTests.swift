import Foundation
import MTAScanCore
import MTAScanNotify
import Testing

/// Grouping by provider (docs/notify.md): notices stay the unit of state; one
/// message per (party, contact) carries them, and its hand-off, bounces and
/// feedback reach every notice it carried.
@Suite struct GroupingTests {
    private let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-grouping-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    private let settings = CampaignSettings(
        name: "test", from: "Scan team <scan@research.example>", envelopeDomain: "research.example",
        subject: CampaignSettings.defaultSubject, feedbackURL: "https://research.example/feedback", optOutURL: nil,
        contact: "Scan team", criteria: NoticeCriteria().json, includeRUA: false, controlFraction: 0, seed: 3,
        createdAt: 1_796_400_000)

    private let contacts = ProviderContacts(["big-host": "mta-sts@big-host.example", "quiet-host": "nobody@quiet.example"])

    private func candidate(_ domain: String, provider: String?, code: String = "policy-tls") -> NoticeCandidate {
        NoticeCandidate(domain: domain, inputLine: 1, verdict: "misconfigured", mode: "enforce",
                        findings: [NoticeFinding(code: code, severity: "error", component: "policy",
                                                 details: ["reason": "expired"])],
                        stsRecords: ["v=STSv1; id=1"], policyURL: "https://mta-sts.\(domain)/.well-known/mta-sts.txt",
                        mxHosts: ["mx.\(provider ?? domain)"], ruaAddresses: [], provider: provider)
    }

    /// A campaign planned with grouping: `customers` of big-host, one of
    /// unlisted-host, one without a provider, one of quiet-host (whose contact is suppressed).
    private func planned(customers: Int) throws -> CampaignStore {
        let store = try CampaignStore(path: directory.appendingPathComponent("c.sqlite").path)
        try store.create(settings, toolVersion: "test")
        let suppressions = [Suppression(kind: .address, value: "nobody@quiet.example")]
        var count = 0
        let candidates = (0..<customers).map { candidate("c\($0).example", provider: "big-host", code: $0 % 2 == 0 ? "policy-tls" : "mx-tls") }
            + [candidate("alone.example", provider: "unlisted-host"), candidate("self.example", provider: nil),
               candidate("q.example", provider: "quiet-host")]
        let notices = CampaignPlanner.notices(for: candidates, settings: settings, knownGroups: [:], suppressions: suppressions,
                                              contacts: contacts, token: { count += 1; return String(format: "%032x", count) })
        _ = try store.plan(notices, scan: .init(path: "s", role: "plan", startedAt: nil, finishedAt: "2026-12-04T11:00:00Z",
                                                records: candidates.count), settings: settings, at: 1_796_400_100)
        return store
    }

    @Test func planRecordsThePartyOnlyWhereAContactIsUsable() throws {
        let store = try planned(customers: 3)
        let notices = Dictionary(uniqueKeysWithValues: try store.notices().map { ($0.candidate.domain, $0) })
        #expect(notices["c0.example"]?.party == "big-host")
        #expect(notices["c0.example"]?.recipients == ["mta-sts@big-host.example"])
        #expect(notices["alone.example"]?.party == nil && notices["alone.example"]?.recipients == ["postmaster@alone.example"])
        #expect(notices["self.example"]?.party == nil)
        #expect(notices["q.example"]?.party == nil && notices["q.example"]?.recipients == ["postmaster@q.example"],
                "a suppressed contact: the customer is written to as any domain")
        let batches = NoticeBatch.batches(try store.notices())
        #expect(batches.count == 4)
        let group = try #require(batches.first { $0.isGrouped })
        #expect(group.members.map(\.candidate.domain).sorted() == ["c0.example", "c1.example", "c2.example"])
        #expect(group.lead.id == group.members.map(\.id).min())
        #expect(group.rateDomain == "big-host.example" && group.rateProvider == "big-host")
        #expect(group.label == "party big-host (3 domains)")
    }

    @Test func theGroupedMessageExplainsEachProblemOnceAndListsEveryDomain() throws {
        let store = try planned(customers: NoticeComposer.listedInFull + 5)
        let group = try #require(NoticeBatch.batches(try store.notices()).first { $0.isGrouped })
        let message = try NoticeComposer(settings: settings).message(for: group)
        #expect(message.header("To") == "mta-sts@big-host.example")
        #expect(message.header("Subject") == "MTA-STS problems at 30 domains using big-host")
        #expect(message.header("Message-ID") == group.lead.messageID)
        #expect(message.header("Auto-Submitted") == "auto-generated")
        let body = message.body
        #expect(body.components(separatedBy: "\nHow to fix: ").count - 1 == 2, "policy-tls and mx-tls, once each")
        #expect(body.contains("policy-tls (15 domains)") && body.contains("mx-tls (15 domains)"))
        #expect(body.contains("The domains (the first 25 with what we observed):"))
        #expect(body.contains("\nc0.example (policy mode: enforce)\n    policy-tls; reason: expired\n"))
        #expect(body.contains("And 5 more (domain: problems):"))
        for index in 0..<30 { #expect(body.contains("c\(index).example"), "c\(index)") }
        let lastListedInFull = group.members[NoticeComposer.listedInFull - 1].candidate.domain
        let firstCompact = group.members[NoticeComposer.listedInFull].candidate.domain
        #expect(body.contains("\n\(lastListedInFull) (policy mode"))
        #expect(body.contains("\n    \(firstCompact): "))
        #expect(body.contains("https://research.example/feedback?token=\(group.lead.token)"))
        #expect(body.contains("optout+\(group.lead.token)@research.example"))
        #expect(!body.contains("postmaster@c0.example"))
        #expect(try NoticeComposer(settings: settings).message(for: group).bytes == message.bytes)
    }

    @Test func oneHandOffMovesEveryMemberAndBouncesAndFeedbackReachThemAll() throws {
        let store = try planned(customers: 3)
        let group = try #require(NoticeBatch.batches(try store.notices()).first { $0.isGrouped })
        let ids = group.members.map(\.id)
        // Killed between the two steps: every member is uncertain, none half-way.
        _ = try store.beginHandOff(group, relay: "r", recipients: group.recipients, dryRun: false, at: 10)
        #expect(try store.notices().filter { $0.state == .sending }.map(\.id).sorted() == ids)
        #expect(Set(try store.resolveInterrupted(at: 11)) == Set(group.members.map(\.candidate.domain)))
        #expect(try store.notices().filter { ids.contains($0.id) }.allSatisfy { $0.state == .uncertain && $0.sentAs == group.lead.token })
        #expect(try store.sendLog().map(\.status) == ["interrupted"])

        // Planned again as waiting (as --retry-uncertain would send them), then sent in one hand-off.
        try store.transition(ids, to: .rendered, detail: "test", at: 12)
        let again = try #require(NoticeBatch.batches(try store.notices(in: [.rendered])).first { $0.isGrouped })
        let log = try store.beginHandOff(again, relay: "r", recipients: again.recipients, dryRun: false, at: 13)
        try store.finishHandOff(logID: log, noticeIDs: again.members.map(\.id), status: .accepted, reply: "250", queueID: "Q",
                                transcript: [], state: .sent, detail: "ok", at: 14)
        #expect(try store.notices().filter { ids.contains($0.id) }.allSatisfy { $0.state == .sent })
        #expect(try store.handOffs(since: 0).count == 2, "one row per hand-off, not per notice")
        #expect(NoticeBatch.batches(try store.notices(in: [.planned, .rendered])).allSatisfy { !$0.isGrouped },
                "nothing of the group is waiting: a re-run sends no grouped message")

        let dsn = """
            Delivered-To: bounces+\(group.lead.token)@research.example\r
            Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r
            \r
            --b\r
            Content-Type: message/delivery-status\r
            \r
            Reporting-MTA: dns; relay.example\r
            \r
            Final-Recipient: rfc822; mta-sts@big-host.example\r
            Action: failed\r
            Status: 5.1.1\r
            \r
            --b--\r

            """
        let report = try #require(BounceParser.parse(Array(dsn.utf8), envelopeDomain: "research.example"))
        let outcome = try store.recordBounce(report, messageHash: "h", source: "test", at: 20)
        #expect(outcome == .recorded(domains: ["c0.example", "c1.example", "c2.example"], state: .bounced))
        #expect(try store.notices().filter { ids.contains($0.id) }.allSatisfy { $0.state == .bounced })
        #expect(try store.recordFeedback(token: group.lead.token, answer: "helpful", comment: "", answeredAt: nil, at: 21) == true)
        #expect(try store.feedbackCounts() == ["helpful": 3])
        #expect(try store.recordFeedback(token: group.lead.token, answer: "helpful", comment: "", answeredAt: nil, at: 22) == false)
    }

    @Test func theSecondChannelPrefersAUsableSecurityTxtContact() throws {
        // alone.example, self.example and q.example are notices of their own, to postmaster@.
        let store = try planned(customers: 0)
        try store.transition(try store.notices().map(\.id), to: .bounced, detail: "test", at: 1)
        let bounced = try store.notices(in: [.bounced])
        #expect(bounced.count == 3)
        let contacts: [String: CampaignPlanner.SecurityContact] = [
            "alone.example": .init(addresses: ["psirt@alone.example", "soc@vendor.example"], note: "https://alone.example/.well-known/security.txt"),
            "self.example": .init(addresses: [], note: "https://self.example/.well-known/security.txt: expired 2020-01-01T00:00:00Z"),
        ]
        var count = 0
        let notices = CampaignPlanner.secondChannel(for: bounced, suppressions: [Suppression(kind: .address, value: "soc@vendor.example")],
                                                    securityTxt: contacts, token: { count += 1; return "n\(count)" })
        let byDomain = Dictionary(uniqueKeysWithValues: notices.map { ($0.candidate.domain, $0) })
        #expect(byDomain["alone.example"]?.recipients == ["psirt@alone.example"], "a suppressed contact is dropped, the others stay")
        #expect(byDomain["alone.example"]?.detail.hasPrefix("second channel: security.txt contact (RFC 9116, https://alone.example/") == true)
        #expect(byDomain["self.example"]?.recipients == ["security@self.example"])
        #expect(byDomain["self.example"]?.detail.contains("security.txt: https://self.example/.well-known/security.txt: expired") == true)
        #expect(byDomain["q.example"]?.recipients == ["security@q.example"])
        #expect(byDomain["q.example"]?.detail == "second channel: security@ (RFC 2142) after postmaster@ bounced")
        #expect(notices.allSatisfy { $0.digestSuffix == "+security" && $0.state == .planned })
    }
}
