import Foundation
import MTAScanCore
import Testing

/// Grouping by provider through the real binary and the test internet's
/// campaign relay (docs/notify.md, "Grouping by provider"): the scenario
/// domains whose MX hosts are the test internet's provider `testnet-mailhost`
/// get one message, to that provider's contact in the mailstore; a domain
/// without a known provider gets its own. The relay's DSN of a grouped message
/// to an unknown contact bounces every notice it carried.
@Suite(.enabled(if: TestInternet.isRunning, "needs the local test internet: run tools/test.sh"), .serialized)
struct NotifyGroupTests {
    static let customers = NotifySendTests.accept
    static let contactMaildir = NotifySendTests.runDirectory + "/mail/mailstore/provider-desk.test/mta-sts"

    struct Campaign {
        let directory: URL
        let database: String
        let planOutput: String
    }

    /// Scanned with the test internet's providers, planned with grouping for `contact`.
    static func makeCampaign(contact: String) throws -> Campaign {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-group-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let input = directory.appendingPathComponent("domains.txt").path
        try ((customers + [NotifySendTests.noMX]).joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let providers = TestInternet.repositoryRoot.appendingPathComponent("tools/testnet/providers.txt").path
        let scan = try MTAScanProcess.run(["scan"] + TestInternet.scanArguments + ["--providers", providers, input])
        #expect(scan.status == 0, "\(scan.stderr)")
        let scanPath = directory.appendingPathComponent("scan.ndjson").path
        try scan.stdout.write(toFile: scanPath, atomically: true, encoding: .utf8)
        let contacts = directory.appendingPathComponent("contacts.csv").path
        try "provider,address\n# the test internet's mail provider\ntestnet-mailhost,\(contact)\n"
            .write(toFile: contacts, atomically: true, encoding: .utf8)
        let database = directory.appendingPathComponent("c.sqlite").path
        let plan = try MTAScanProcess.run(["notify", "plan", scanPath, "--campaign", database,
                                           "--from", "Scan team <scan@campaign.test>", "--envelope-domain", "campaign.test",
                                           "--group-by-provider", "--provider-contacts", contacts])
        #expect(plan.status == 0, "\(plan.stderr)")
        return Campaign(directory: directory, database: database, planOutput: plan.stdout)
    }

    static func list(_ database: String) throws -> [[String]] {
        try MTAScanProcess.run(["notify", "list", "--campaign", database]).stdout.split(separator: "\n")
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    @Test func oneMessageToTheProviderContactForAllItsCustomers() throws {
        let campaign = try Self.makeCampaign(contact: "mta-sts@provider-desk.test")
        defer { try? FileManager.default.removeItem(at: campaign.directory) }
        #expect(campaign.planOutput.contains("grouped by provider (this plan): 4 notices for 1 provider contacts"), "\(campaign.planOutput)")
        #expect(campaign.planOutput.contains("testnet-mailhost → mta-sts@provider-desk.test: 4 domains"))
        #expect(campaign.planOutput.contains("no provider known: 1 domains get per-domain notices"))
        let rows = try Self.list(campaign.database)
        for row in rows {
            let customer = Self.customers.contains(row[0])
            #expect(row[6] == (customer ? "testnet-mailhost" : "-"), "\(row)")
            #expect(row[3] == (customer ? "mta-sts@provider-desk.test" : "postmaster@\(row[0])"), "\(row)")
        }
        let tokens = Set(rows.filter { Self.customers.contains($0[0]) }.map { $0[5] })

        let review = campaign.directory.appendingPathComponent("review").path
        let render = try MTAScanProcess.run(["notify", "render", "--campaign", campaign.database, "--out", review])
        #expect(render.stdout.contains("2 messages"), "\(render.stdout)")
        let files = try FileManager.default.contentsOfDirectory(atPath: review).sorted()
        #expect(files.count == 3 && files.contains("mx-none.test.eml") && files.contains("campaign.mbox"), "\(files)")
        #expect(files.contains { $0.hasPrefix("party-testnet-mailhost-") && $0.hasSuffix(".eml") }, "\(files)")

        let base = ["notify", "send", "--campaign", campaign.database] + NotifySendTests.relayArguments + ["--per-hour", "36000"]
        let count = try MTAScanProcess.run(base)
        #expect(count.stdout.contains("notify send: 2 messages to send now (of 2 waiting, 1 of them grouped by provider for 4 domains"), "\(count.stdout)")
        #expect(count.stdout.contains("  party testnet-mailhost (4 domains)\tmta-sts@provider-desk.test"))
        let send = try MTAScanProcess.run(base + ["--send", "--confirm", "2"])
        #expect(send.status == 0, "\(send.stderr)")
        #expect(send.stdout.contains("notify send: done: 2 accepted"), "\(send.stdout)")

        // One delivery to the contact, naming every customer; none to their postmasters.
        func mails() -> [NotifySendTests.Mail] {
            NotifySendTests.maildir(Self.contactMaildir).filter { mail in
                tokens.contains { mail.header("Message-ID") == "<\($0).mtascan@campaign.test>" }
            }
        }
        #expect(NotifySendTests.waitFor(20) { !mails().isEmpty })
        Thread.sleep(forTimeInterval: 1)
        #expect(mails().count == 1)
        let mail = try #require(mails().first)
        let leadToken = try #require(tokens.first { mail.header("Message-ID") == "<\($0).mtascan@campaign.test>" })
        #expect(mail.header("Subject") == "MTA-STS problems at 4 domains using testnet-mailhost")
        #expect(mail.header("Return-Path") == "<bounces+\(leadToken)@campaign.test>")
        for domain in Self.customers {
            #expect(mail.text.contains("\n\(domain) (") || mail.text.contains("\n\(domain)\n"), "\(domain)")
            #expect(NotifySendTests.delivered(domain, token: leadToken).isEmpty)
        }
        let after = try Self.list(campaign.database)
        #expect(after.filter { Self.customers.contains($0[0]) }.allSatisfy { $0[2] == "sent" }, "\(after)")

        // Again: nothing waits, nothing is sent.
        let again = try MTAScanProcess.run(base + ["--send", "--confirm", "0"])
        #expect(again.stdout.contains("notify send: 0 messages to send now"), "\(again.stdout)")
    }

    @Test func aBounceOfTheGroupedMessageBouncesEveryCustomersNotice() throws {
        let campaign = try Self.makeCampaign(contact: "nobody@provider-desk.test")
        defer { try? FileManager.default.removeItem(at: campaign.directory) }
        let rows = try Self.list(campaign.database)
        let tokens = Set(rows.filter { Self.customers.contains($0[0]) }.map { $0[5] })
        let base = ["notify", "send", "--campaign", campaign.database] + NotifySendTests.relayArguments + ["--per-hour", "36000"]
        let send = try MTAScanProcess.run(base + ["--send", "--confirm", "2"])
        #expect(send.stdout.contains("notify send: done: 2 accepted"), "\(send.stdout)")
        #expect(NotifySendTests.waitFor(20) { tokens.contains { !NotifySendTests.bounces(token: $0).isEmpty } })
        let bounces = try MTAScanProcess.run(["notify", "bounces", "--campaign", campaign.database,
                                              "\(NotifySendTests.runDirectory)/mail/campaign/bounces"])
        #expect(bounces.status == 0, "\(bounces.stderr)")
        #expect(bounces.stdout.contains("bounced: 4") || bounces.stdout.contains("bounced: 5"), "\(bounces.stdout)")
        #expect(bounces.stdout.contains("hard no-such-user: 1"), "\(bounces.stdout)")
        let after = try Self.list(campaign.database)
        #expect(after.filter { Self.customers.contains($0[0]) }.allSatisfy { $0[2] == "bounced" }, "\(after)")
    }
}
