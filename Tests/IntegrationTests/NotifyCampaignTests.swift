import Foundation
import MTAScanCore
import Testing

/// A campaign planned and rendered from a scan of the scenario catalogue,
/// through the real binary (docs/notify.md): who gets a message, what it
/// says, and that every step can run again without effect.
@Suite(.enabled(if: TestInternet.isRunning, "needs the local test internet: run tools/test.sh"), .serialized)
final class NotifyCampaignTests: Sendable {
    private let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-notify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func records(_ file: String) throws -> [JSONValue] {
        try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }

    /// Header fields of an .eml file (unfolded), and its body.
    private func message(_ file: String) throws -> (headers: [String: String], body: String) {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let unfolded = parts[0].replacingOccurrences(of: "\r\n ", with: " ")
        var headers: [String: String] = [:]
        for line in unfolded.components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[String(line[..<colon])] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        let body = parts.dropFirst().joined(separator: "\r\n\r\n")
        return (headers, headers["Content-Transfer-Encoding"] == "quoted-printable" ? Self.decodeQuotedPrintable(body) : body)
    }

    /// RFC 2045 §6.7, as a mail client reads it: soft breaks joined, =XX decoded.
    static func decodeQuotedPrintable(_ text: String) -> String {
        var bytes: [UInt8] = []
        let input = Array(text.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "="), index + 2 < input.count,
               let value = UInt8(String(decoding: input[(index + 1)...(index + 2)], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(input[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func aCampaignFromTheScenarioScan() throws {
        let scenarios = try TestInternet.scenarios()
        let scan = path("scan.ndjson")
        let scanned = try MTAScanProcess.run(["scan", "-o", scan, "-q"] + TestInternet.scanArguments,
                                             stdin: scenarios.map(\.domain).joined(separator: "\n") + "\n", timeout: 300)
        #expect(scanned.status == 0, "\(scanned.stderr)")
        // Who should get a message: an error finding outside the scan's own DNS failures.
        let expected = Set(try records(scan).compactMap { record -> String? in
            let errors = (record["findings"]?.arrayValue ?? []).filter {
                $0["severity"] == "error" && $0["component"] != "dns"
            }
            return errors.isEmpty ? nil : record["domain"]?.stringValue
        })
        #expect(expected.count > 50)
        let suppressed = try #require(expected.sorted().first)
        try "# asked us to stop\n\(suppressed)\n".write(toFile: path("suppress.txt"), atomically: true, encoding: .utf8)

        let campaign = path("c.sqlite")
        let plan = ["notify", "plan", scan, "--campaign", campaign]
        let planned = try MTAScanProcess.run(plan + [
            "--from", "Scan team <scan@research.test>", "--envelope-domain", "research.test",
            "--feedback-url", "https://research.test/feedback", "--optout-url", "https://research.test/optout",
            "--control-fraction", "0.25", "--seed", "11", "--suppress", path("suppress.txt")])
        #expect(planned.status == 0, "\(planned.stderr)")
        #expect(planned.stdout.contains("\(expected.count) domains with selected findings"), "\(planned.stdout)")
        #expect(planned.stdout.contains("\(expected.count) new notices"))
        #expect(planned.stdout.contains("Nothing was sent."))

        let list = try MTAScanProcess.run(["notify", "list", "--campaign", campaign])
        let rows = list.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        #expect(Set(rows.map { $0[0] }) == expected)
        let control = rows.filter { $0[1] == "control" }
        #expect(control.allSatisfy { $0[2] == "control" })
        #expect(abs(control.count - expected.count / 4) <= 8, "stratified rounding: \(control.count) of \(expected.count)")
        let suppressedRow = try #require(rows.first { $0[0] == suppressed })
        #expect(suppressedRow[1] == "control" || suppressedRow[2] == "suppressed")
        let toWrite = rows.filter { $0[1] == "notify" && $0[2] == "planned" }

        // Planning the same scan again changes nothing; other selection flags are refused.
        let again = try MTAScanProcess.run(plan)
        #expect(again.status == 0 && again.stdout.contains("0 new notices, \(expected.count) already in the campaign"))
        #expect(try MTAScanProcess.run(plan + ["--component", "mx"]).status != 0)

        let review = path("review")
        let rendered = try MTAScanProcess.run(["notify", "render", "--campaign", campaign, "--out", review])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        #expect(rendered.stdout.contains("\(toWrite.count) messages"))
        let files = try FileManager.default.contentsOfDirectory(atPath: review).filter { $0.hasSuffix(".eml") }
        #expect(Set(files) == Set(toWrite.map { $0[0] + ".eml" }))
        var tokens = Set<String>()
        for row in toWrite {
            let (headers, body) = try message(review + "/" + row[0] + ".eml")
            #expect(headers["To"] == "postmaster@\(row[0])")
            #expect(headers["Auto-Submitted"] == "auto-generated")
            let id = try #require(headers["Message-ID"])
            let token = String(id.dropFirst().prefix { $0 != "." })
            #expect(token.count == 32 && tokens.insert(token).inserted)
            #expect(headers["List-Unsubscribe"]?.contains("<https://research.test/optout?token=\(token)>") == true)
            #expect(headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
            #expect(body.contains("feedback?token=\(token)"))
            for code in row[4].split(separator: ",") { #expect(body.contains(". \(code)\r\n"), "\(row[0]): \(code)") }
            #expect(body.contains("How to fix: "))
        }
        let mbox = try String(contentsOfFile: review + "/campaign.mbox", encoding: .utf8)
        #expect(mbox.split(separator: "\n").filter { $0.hasPrefix("From bounces+") }.count == toWrite.count)

        // Rendering again: the same messages, byte for byte; the notices are `rendered`.
        let first = try Data(contentsOf: URL(fileURLWithPath: review + "/" + toWrite[0][0] + ".eml"))
        #expect(try MTAScanProcess.run(["notify", "render", "--campaign", campaign, "--out", review]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: review + "/" + toWrite[0][0] + ".eml")) == first)
        let states = try MTAScanProcess.run(["notify", "list", "--campaign", campaign, "--state", "rendered"])
        #expect(states.stdout.split(separator: "\n").count == toWrite.count)

        try bouncesAndFollowUp(campaign: campaign, scan: scan, toWrite: toWrite, control: control)
    }

    /// Bounces into a Maildir, read twice; then a follow-up scan in which some
    /// notified and some control domains fixed their problem.
    private func bouncesAndFollowUp(campaign: String, scan: String, toWrite: [[String]], control: [[String]]) throws {
        let maildir = path("bounces")
        for folder in ["cur", "new", "tmp"] {
            try FileManager.default.createDirectory(atPath: maildir + "/" + folder, withIntermediateDirectories: true)
        }
        func dsn(_ row: [String], status: String, action: String, diagnostic: String) -> String {
            """
            Delivered-To: bounces+\(row[5])@research.test\r
            From: MAILER-DAEMON@relay.research.test\r
            Subject: Undelivered Mail Returned to Sender\r
            Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r
            \r
            --b1\r
            Content-Type: text/plain\r
            \r
            Your message could not be delivered.\r
            --b1\r
            Content-Type: message/delivery-status\r
            \r
            Reporting-MTA: dns; relay.research.test\r
            \r
            Final-Recipient: rfc822; postmaster@\(row[0])\r
            Action: \(action)\r
            Status: \(status)\r
            Diagnostic-Code: smtp; \(diagnostic)\r
            \r
            --b1--\r

            """
        }
        let hard = toWrite[0], soft = toWrite[1]
        try dsn(hard, status: "5.1.1", action: "failed", diagnostic: "550 5.1.1 User unknown")
            .write(toFile: maildir + "/new/1.bounce", atomically: true, encoding: .utf8)
        try dsn(soft, status: "4.2.0", action: "delayed", diagnostic: "450 4.2.0 Greylisted")
            .write(toFile: maildir + "/new/2.bounce", atomically: true, encoding: .utf8)
        try "Subject: thanks!\r\n\r\nWe fixed it.\r\n".write(toFile: maildir + "/cur/3.reply", atomically: true, encoding: .utf8)
        let bounces = try MTAScanProcess.run(["notify", "bounces", "--campaign", campaign, maildir])
        #expect(bounces.status == 0, "\(bounces.stderr)")
        #expect(bounces.stdout.contains("3 messages read"))
        #expect(bounces.stdout.contains("bounced: 1") && bounces.stdout.contains("deferred: 1"), "\(bounces.stdout)")
        #expect(bounces.stdout.contains("hard no-such-user: 1") && bounces.stdout.contains("soft temporary: 1"))
        #expect(bounces.stdout.contains("not a bounce: 1"))
        let again = try MTAScanProcess.run(["notify", "bounces", "--campaign", campaign, maildir])
        #expect(again.stdout.contains("read before: 2"), "\(again.stdout)")
        let list = try MTAScanProcess.run(["notify", "list", "--campaign", campaign]).stdout
        #expect(list.contains("\(hard[0])\tnotify\tbounced\t"))
        #expect(list.contains("\(soft[0])\tnotify\tdeferred\t"))

        // The follow-up: half of the notified domains (with an MTA-STS record, so that
        // a fix is no abandonment) and a quarter of the control domains fixed.
        let original = try records(scan)
        let withSTS = Set(original.filter { $0["sts_record"]?["status"] != "absent" }.compactMap { $0["domain"]?.stringValue })
        // (Not the hard-bounced domain: it stays broken, for the second channel below.)
        let fixedNotified = Set(toWrite.map { $0[0] }.filter { withSTS.contains($0) && $0 != hard[0] }
            .enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
        let fixedControl = Set(control.map { $0[0] }.filter(withSTS.contains).enumerated().filter { $0.offset % 4 == 0 }.map(\.element))
        var lines: [String] = []
        for record in original {
            guard var object = record.objectValue else { continue }
            if let domain = record["domain"]?.stringValue, fixedNotified.contains(domain) || fixedControl.contains(domain) {
                object["findings"] = .array([])
                object["verdict"] = "valid"
            }
            lines.append(String(decoding: ScanRecord.line(.object(object)).dropLast(), as: UTF8.self))
        }
        let followUp = path("follow-up.ndjson")
        try (lines.joined(separator: "\n") + "\n").write(toFile: followUp, atomically: true, encoding: .utf8)
        let status = try MTAScanProcess.run(["notify", "status", "--campaign", campaign, followUp, "--format", "json"])
        #expect(status.status == 0, "\(status.stderr)")
        let report = try JSONParser.parse(status.stdout)
        #expect(report["groups"]?["notified"]?["domains"] == .int(toWrite.count))
        #expect(report["groups"]?["notified"]?["results"]?["fixed"] == .int(fixedNotified.count))
        #expect(report["groups"]?["control"]?["results"]?["fixed"] == .int(fixedControl.count))
        #expect(report["groups"]?["bounced"]?["domains"] == 1)
        #expect(report["effect"]?["method"] == "newcombe-hybrid-score-95")
        let effect = try #require(report["effect"]?["fixed_difference"])
        #expect(effect != .null)
        let table = try MTAScanProcess.run(["notify", "status", "--campaign", campaign, followUp, "--svg", path("status.svg")])
        #expect(table.stdout.contains("fixed, notified − control: +"), "\(table.stdout)")
        let chart = try String(contentsOfFile: path("status.svg"), encoding: .utf8)
        #expect(chart.hasPrefix("<?xml") && chart.contains("notified (\(toWrite.count))") && chart.contains("Newcombe"))
        let fixedNow = try MTAScanProcess.run(["notify", "list", "--campaign", campaign, "--state", "fixed"])
        #expect(fixedNow.stdout.split(separator: "\n").count == fixedNotified.count)

        // Feedback behind the tokens, imported once; the second channel for the hard bounce.
        let answered = toWrite[2]
        try "token,answer,comment\n\(answered[5]),helpful,\"Thanks, fixed.\"\n\(String(repeating: "0", count: 32)),helpful,\n"
            .write(toFile: path("feedback.csv"), atomically: true, encoding: .utf8)
        let feedback = try MTAScanProcess.run(["notify", "feedback", "--campaign", campaign, path("feedback.csv")])
        #expect(feedback.stdout.contains("2 answers: 1 recorded, 0 imported before, 1 with no notice"), "\(feedback.stdout)")
        #expect(feedback.stdout.contains("helpful: 1 domains"))
        let feedbackAgain = try MTAScanProcess.run(["notify", "feedback", "--campaign", campaign, path("feedback.csv")])
        #expect(feedbackAgain.stdout.contains("0 recorded, 1 imported before"))
        let second = try MTAScanProcess.run(["notify", "second-channel", "--campaign", campaign])
        #expect(second.stdout.contains("1 new notices to security@"), "\(second.stdout)")
        let planned = try MTAScanProcess.run(["notify", "list", "--campaign", campaign, "--state", "planned"]).stdout
        #expect(planned.contains("\(hard[0])\tnotify\tplanned\tsecurity@\(hard[0])\t"))
        #expect(try MTAScanProcess.run(["notify", "second-channel", "--campaign", campaign]).stdout.contains("0 new notices"))
    }
}
