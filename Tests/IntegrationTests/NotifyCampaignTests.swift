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
    }
}
