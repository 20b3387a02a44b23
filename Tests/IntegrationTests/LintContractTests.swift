import Foundation
import MTAScanCore
import Testing

/// The `mtascan lint --batch` contract of docs/lint.md, checked on the real binary.
@Suite struct LintContractTests {
    private func verdicts(_ requests: [String]) throws -> [JSONValue] {
        let output = try MTAScanProcess.run(["lint", "--batch"], stdin: requests.joined(separator: "\n") + "\n")
        #expect(output.status == 0, "stderr: \(output.stderr)")
        return try output.stdoutLines.map { try JSONParser.parse($0) }
    }

    @Test func theIssueExamplesGiveTheDocumentedVerdicts() throws {
        let requests = [
            #"{"kind":"sts-record","input":["v=STSv1; id=20240101"]}"#,
            #"{"kind":"tlsrpt-record","input":["v=TLSRPTv1; rua=mailto:a@example.com"]}"#,
            #"{"kind":"policy","input":"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 86400\r\n"}"#,
            #"{"kind":"mx-match","pattern":"*.example.com","host":"mx.example.com"}"#,
            #"{"kind":"cert-name","names":["*.example.com"],"host":"mx.example.com"}"#,
            #"{"kind":"mx-consistency","patterns":["mail.exmaple.com"],"hosts":["mail.example.com"]}"#,
        ]
        let output = try MTAScanProcess.run(["lint", "--batch"], stdin: requests.joined(separator: "\n") + "\n")
        let lines = output.stdoutLines
        try #require(lines.count == 6)
        #expect(lines[0] == #"{"valid":true,"id":"20240101","findings":[]}"#)
        #expect(lines[1] == #"{"valid":true,"rua":["mailto:a@example.com"],"findings":[]}"#)
        #expect(lines[2] == #"{"valid":true,"mode":"enforce","max_age":86400,"mx":["mail.example.com"],"findings":[]}"#)
        #expect(lines[3] == #"{"match":true,"findings":[]}"#)
        #expect(lines[4] == #"{"match":true,"findings":[]}"#)
        let consistency = try JSONParser.parse(lines[5])
        let finding = try #require(consistency["findings"]?.arrayValue?.first)
        #expect(finding["code"] == "mx-pattern-mismatch")
        #expect(finding["kind"] == "typo")
        #expect(consistency["findings"]?.arrayValue?.count == 1)
    }

    @Test func everyLineGetsExactlyOneAnswerInOrderEvenWhenMalformed() throws {
        let requests = [
            "not json", "", #"{"kind":"sts-record","input":["v=STSv1; id=bad-id"]}"#, "[1,2]", #"{"kind":"nope"}"#,
            #"{"kind":"policy"}"#, #"{"kind":"mx-match","pattern":"user@example.com","host":"x"}"#,
            #"{"kind":"sts-record","input":["v=STSv1; id=1"]}"#,
        ]
        let results = try verdicts(requests)
        try #require(results.count == requests.count)
        #expect(results[0]["error"] != nil)
        #expect(results[1]["error"] != nil)
        #expect(results[2]["valid"] == false)
        #expect(results[2]["findings"]?.arrayValue?.first?["code"] == "sts-record-invalid-id")
        for index in [3, 4, 5] { #expect(results[index]["error"] != nil, "line \(index + 1)") }
        // An invalid pattern is a readable request: no match, and the finding says why.
        #expect(results[6]["match"] == false)
        #expect(results[6]["findings"]?.arrayValue?.first?["problem"] == "email-address")
        #expect(results[7]["valid"] == true)
    }

    @Test func crlfLineEndingsAndAMissingFinalNewlineAreFine() throws {
        let stdin = #"{"kind":"mx-match","pattern":"a.example","host":"A.EXAMPLE."}"# + "\r\n" + #"{"kind":"mx-match","pattern":"a.example","host":"b.example"}"#
        let output = try MTAScanProcess.run(["lint", "--batch"], stdin: stdin)
        #expect(output.stdoutLines == [#"{"match":true,"findings":[]}"#, #"{"match":false,"findings":[]}"#])
    }

    @Test func thousandsOfRequestsStreamThrough() throws {
        let request = #"{"kind":"policy","input":"version: STSv1\nmode: testing\nmx: *.example.com\nmax_age: 604800\n"}"#
        let output = try MTAScanProcess.run(["lint", "--batch"], stdin: String(repeating: request + "\n", count: 5_000))
        #expect(output.stdoutLines.count == 5_000)
        #expect(Set(output.stdoutLines).count == 1)
    }

    @Test func humanFormsUseExitStatus() throws {
        #expect(try MTAScanProcess.run(["lint", "sts-record", "v=STSv1; id=20240101"]).status == 0)
        let invalid = try MTAScanProcess.run(["lint", "sts-record", "v=STSv1; id=2024-01-01"])
        #expect(invalid.status == 1)
        #expect(invalid.stdout.contains("sts-record-invalid-id"))
        #expect(try MTAScanProcess.run(["lint", "mx-match", "*.example.com", "a.b.example.com"]).status == 1)
        #expect(try MTAScanProcess.run(["lint", "cert-name", "mx.example.com", "*.example.com"]).status == 0)
        // An invalid pattern is "no match" (1) with its finding, not a usage error (2).
        let badPattern = try MTAScanProcess.run(["lint", "mx-match", "mx*.example.com", "mx1.example.com"])
        #expect(badPattern.status == 1)
        #expect(badPattern.stdout.contains("policy-syntax") && badPattern.stdout.contains("misplaced-wildcard"))
        let unicode = try MTAScanProcess.run(["lint", "cert-name", "--json", "mail.bücher.example", "mail.xn--bcher-kva.example"])
        #expect(unicode.stdout == #"{"match":true,"findings":[]}"# + "\n")
        let json = try MTAScanProcess.run(["lint", "tlsrpt-record", "--json", "v=TLSRPTv1; rua=mailto:a@example.com"])
        #expect(json.stdout == #"{"valid":true,"rua":["mailto:a@example.com"],"findings":[]}"# + "\n")
    }

    @Test func policyFilesIncludingOversizedOnes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-lint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good.txt")
        try Data("version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n".utf8).write(to: good)
        #expect(try MTAScanProcess.run(["lint", "policy", good.path]).status == 0)
        let huge = directory.appendingPathComponent("huge.txt")
        try Data(repeating: 0x61, count: 1 << 20).write(to: huge)
        let result = try MTAScanProcess.run(["lint", "policy", "--json", huge.path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("too-large"))
        #expect(try MTAScanProcess.run(["lint", "policy", directory.appendingPathComponent("missing").path]).status != 0)
    }

    /// Issue 9: one request of 10,000 hosts against 10,000 patterns took
    /// minutes and held up every later line. Matching is now hashed and the
    /// classification bounded, and the verdict says where it was bounded.
    @Test func aHugeConsistencyRequestIsAnsweredAndTheNextLineToo() throws {
        func array(_ names: [String]) -> String { "[" + names.map { "\"\($0)\"" }.joined(separator: ",") + "]" }
        let patterns = (0..<10_000).map { "mx\($0).example.com" }
        let matching = #"{"kind":"mx-consistency","patterns":"# + array(patterns) + #","hosts":"#
            + array((0..<10_000).map { "MX\($0).EXAMPLE.COM" }) + "}"
        let unmatched = #"{"kind":"mx-consistency","patterns":"# + array(patterns) + #","hosts":"#
            + array((0..<10_000).map { "mail\($0).example.net" }) + "}"
        let results = try verdicts([matching, unmatched, #"{"kind":"mx-match","pattern":"a.example","host":"a.example"}"#])
        try #require(results.count == 3)
        #expect(results[0] == .object(["findings": []]))
        #expect(results[1]["findings"]?.arrayValue?.count == 10_000)
        #expect(results[1]["limits"] == .object([
            "compared_patterns": 5, "patterns": 10_000, "unmatched_host_bytes": 198_890, "host_byte_patterns": 1_000_000,
        ]))
        #expect(results[2] == .object(["match": true, "findings": []]))
    }

    @Test func anOverlongRequestIsAnsweredWithAnErrorAndReadingGoesOn() throws {
        let overlong = #"{"kind":"policy","input":""# + String(repeating: "a", count: 5 << 20) + #""}"#
        let results = try verdicts([overlong, #"{"kind":"mx-match","pattern":"a.example","host":"b.example"}"#])
        try #require(results.count == 2)
        #expect(results[0]["error"]?.stringValue?.contains("longer than 4194304 bytes") == true)
        #expect(results[1] == .object(["match": false, "findings": []]))
    }
}

