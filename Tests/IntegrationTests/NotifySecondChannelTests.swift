import Foundation
import MTAScanCore
import Testing

/// The second channel through the real binary (docs/notify.md, "The second
/// channel"): after postmaster@ bounced for real at the campaign relay,
/// `--security-txt` reads https://<domain>/.well-known/security.txt from the
/// test internet's nginx (policy-http-500.test serves one) and writes to its
/// mailto: contact; a domain without one (mx-none.test: nothing on 443) gets
/// security@ as before.
@Suite(.enabled(if: TestInternet.isRunning, "needs the local test internet: run tools/test.sh"), .serialized)
struct NotifySecondChannelTests {
    static let withSecurityTxt = NotifySendTests.reject     // policy-http-500.test
    static let without = NotifySendTests.noMX               // mx-none.test
    static let securityDesk = NotifySendTests.runDirectory + "/mail/mailstore/provider-desk.test/security-desk"

    @Test func securityTxtContactFirstSecurityAtOtherwise() throws {
        let campaign = try NotifySendTests.makeCampaign([Self.withSecurityTxt, Self.without])
        defer { try? FileManager.default.removeItem(at: campaign.directory) }
        let send = ["notify", "send", "--campaign", campaign.database] + NotifySendTests.relayArguments + ["--per-hour", "36000"]
        #expect(try MTAScanProcess.run(send + ["--send", "--confirm", "2"]).status == 0)
        for token in campaign.tokens.values {
            #expect(NotifySendTests.waitFor(20) { !NotifySendTests.bounces(token: token).isEmpty })
        }
        let bounces = try MTAScanProcess.run(["notify", "bounces", "--campaign", campaign.database,
                                              "\(NotifySendTests.runDirectory)/mail/campaign/bounces"])
        #expect(bounces.stdout.contains("bounced: 2"), "\(bounces.stdout)")

        let second = ["notify", "second-channel", "--campaign", campaign.database, "--security-txt",
                      "--resolver", TestInternet.resolver, "--dns-timeout", "1", "--ca-file", TestInternet.caFile, "--timeout", "5"]
        let planned = try MTAScanProcess.run(second)
        #expect(planned.status == 0, "\(planned.stderr)")
        #expect(planned.stdout.contains("  \(Self.withSecurityTxt)\tsecurity-desk@provider-desk.test"), "\(planned.stdout)")
        #expect(planned.stdout.contains("  \(Self.without)\tsecurity@ (https://\(Self.without)/.well-known/security.txt: policy-tcp"), "\(planned.stdout)")
        #expect(planned.stdout.contains("2 new notices to security@ or a security.txt contact (1 via security.txt)"), "\(planned.stdout)")
        let rows = try MTAScanProcess.run(["notify", "list", "--campaign", campaign.database, "--state", "planned"]).stdout
        #expect(rows.contains("\(Self.withSecurityTxt)\tnotify\tplanned\tsecurity-desk@provider-desk.test\t"), "\(rows)")
        #expect(rows.contains("\(Self.without)\tnotify\tplanned\tsecurity@\(Self.without)\t"), "\(rows)")
        let token = try #require(rows.split(separator: "\n").first { $0.hasPrefix(Self.withSecurityTxt + "\t") }?
            .split(separator: "\t").dropFirst(5).first.map(String.init))

        // Planned once: again, nothing new and nothing fetched.
        let again = try MTAScanProcess.run(second)
        #expect(again.stdout.contains("0 new notices"), "\(again.stdout)")
        #expect(!again.stdout.contains("\t"), "no fetch for a domain planned before: \(again.stdout)")

        // Sent like any notice: the security desk's Maildir gets it once.
        // (The domains had a hand-off minutes ago: --per-domain-per-hour would hold them for an hour.)
        let sent = try MTAScanProcess.run(send + ["--send", "--confirm", "2", "--per-domain-per-hour", "2"])
        #expect(sent.stdout.contains("notify send: done: 2 accepted"), "\(sent.stdout)")
        #expect(NotifySendTests.waitFor(20) {
            NotifySendTests.maildir(Self.securityDesk).contains { $0.header("Message-ID") == "<\(token).mtascan@campaign.test>" }
        })
        let mail = try #require(NotifySendTests.maildir(Self.securityDesk).first { $0.header("Message-ID") == "<\(token).mtascan@campaign.test>" })
        #expect(mail.header("To") == "security-desk@provider-desk.test")
        #expect(mail.header("Subject")?.contains(Self.withSecurityTxt) == true)
    }

    @Test func securityTxtNeedsANamedResolver() throws {
        let result = try MTAScanProcess.run(["notify", "second-channel", "--campaign", "/nonexistent/c.sqlite", "--security-txt"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--security-txt needs --resolver"), "\(result.stderr)")
    }
}
