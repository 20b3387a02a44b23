import Foundation
import MTAScanCore
import Testing

/// The hostile-peer matrix of the test internet (tools/testnet/hostile.py: resets
/// and closes at every stage of TLS, HTTP and SMTP, lengths past 2^64, broken
/// framing, endless or trickling bytes, silence, dropped SYNs; and the degenerate
/// zones: null MX, CNAME and IP-literal MX targets, 200 MX records, TXT that is not
/// UTF-8) through the whole `mtascan scan`, started with default signal dispositions:
/// one scan of them all exits 0 with exactly one record per domain, each with the
/// catalogue's findings and details, within the time limits and in bounded memory.
@Suite(.enabled(if: TestInternet.isRunning, "needs the local test internet: run tools/test.sh"))
struct HostileServerScanTests {
    /// Generous: a scan of these domains needs some 30 MiB; a buffer that follows an
    /// endless body or banner would pass this within seconds.
    static let residentLimitKiB = 200 * 1024

    /// Small limits: the slow and silent plays run into them, and the scan must still finish.
    static let scanArguments = ["scan", "--resolver", TestInternet.resolver, "--ca-file", ServerSide.caBundle,
                                "--source-ip", TestInternet.confirmedSource, "--dns-timeout", "1",
                                "--connect-timeout", "1", "--policy-timeout", "3", "--smtp-timeout", "3"]

    private struct Expectation {
        let domain: String
        let findings: [Set<String>]
        let verdict: String
        let detail: [String: JSONObject]
    }

    /// Scenarios whose policy host or an MX host is played by hostile.py, and those of
    /// the `hostile` and `degenerate` groups, with their expected findings.
    private func hostileScenarios() throws -> [Expectation] {
        let url = TestInternet.repositoryRoot.appendingPathComponent("tools/testnet/scenarios.json")
        let catalogue = try JSONParser.parse(Array(try Data(contentsOf: url)))
        func hostile(_ behaviours: JSONValue?) -> Set<String> {
            Set((behaviours?.objectValue?.keys ?? []).filter { behaviours?[$0]?["server"] == "hostile" })
        }
        let policyPlays = hostile(catalogue["policy_behaviours"]), mxPlays = hostile(catalogue["mx_behaviours"])
        func codes(_ value: JSONValue?) -> Set<String> { Set((value?.arrayValue ?? []).compactMap(\.stringValue)) }
        return (catalogue["scenarios"]?.arrayValue ?? []).compactMap { scenario in
            let policyServe = scenario["policy"]?["serve"]?.stringValue ?? ""
            let mxBehaviours = (scenario["mx"]?.arrayValue ?? []).compactMap { $0["smtp"]?.stringValue }
            let group = scenario["group"]?.stringValue ?? ""
            guard policyPlays.contains(policyServe) || mxBehaviours.contains(where: mxPlays.contains)
                    || group == "hostile" || group == "degenerate",
                  let domain = scenario["domain"]?.stringValue, let expect = scenario["expect"] else { return nil }
            let alternatives = (expect["findings_alternatives"]?.arrayValue ?? []).map { codes($0) }
            var detail: [String: JSONObject] = [:]
            for (code, fields) in expect["detail"]?.objectValue?.fields ?? [] {
                if let object = fields.objectValue { detail[code] = object }
            }
            return Expectation(domain: domain, findings: [codes(expect["findings"])] + alternatives,
                               verdict: expect["verdict"]?.stringValue ?? "", detail: detail)
        }
    }

    @Test func oneScanOfEveryHostilePeerExitsZeroWithOneRecordEachAndItsFindings() throws {
        let scenarios = try hostileScenarios()
        // The whole matrix: a catalogue change that drops plays should fail here.
        try #require(scenarios.count >= 60, "hostile scenarios: \(scenarios.map(\.domain))")
        let output = try MTAScanProcess.run(
            Self.scanArguments, stdin: scenarios.map(\.domain).joined(separator: "\n") + "\n",
            timeout: 180, sampleMemory: true)
        #expect(output.signal == nil, "mtascan was killed by signal \(output.signal ?? 0)")
        #expect(output.status == 0, "\(output.stderr)")
        let records = try output.stdoutLines.map { try JSONParser.parse($0) }
        let domains = records.compactMap { $0["domain"]?.stringValue }
        #expect(domains.count == scenarios.count)
        #expect(Set(domains) == Set(scenarios.map(\.domain)), "records for other domains, or some twice")
        for scenario in scenarios {
            let record = try #require(records.first { $0["domain"]?.stringValue == scenario.domain },
                                      "no record for \(scenario.domain)")
            let findings = record["findings"]?.arrayValue ?? []
            let codes = Set(findings.compactMap { $0["code"]?.stringValue })
            #expect(scenario.findings.contains(codes),
                    "\(scenario.domain): got \(codes.sorted()), want \(scenario.findings.map { $0.sorted() })")
            #expect(record["verdict"]?.stringValue == scenario.verdict, "\(scenario.domain)")
            for (code, fields) in scenario.detail {
                let matched = findings.contains { finding in
                    finding["code"]?.stringValue == code && fields.fields.allSatisfy { finding[$0.key] == $0.value }
                }
                #expect(matched, "\(scenario.domain): no \(code) with \(fields.fields.map { "\($0.key)=\($0.value)" })")
            }
        }
        let peak = try #require(output.peakResidentKiB, "no VmHWM reading of the scan")
        #expect(peak < Self.residentLimitKiB, "peak resident set \(peak / 1024) MiB")
    }

    /// The field bug: an MX host answered STARTTLS with 220 and a few bytes that were
    /// not TLS, then closed with the ClientHello unread, which Linux turns into an RST;
    /// the scanner took the reset for an end of file, wrote a TLS alert to the reset
    /// socket, and SIGPIPE ended the scan (exit 141, no record). Now it is an `mx-tls`
    /// finding (checked to fail with signal 13 when both fixes are undone).
    @Test func thePeerThatClosesAfterTheSTARTTLSReplyIsAFindingNotASignal() throws {
        let domains = ["mx-starttls-garbage-close.test", "mx-starttls-close.test", "mx-starttls-reset.test"]
        let output = try MTAScanProcess.run(Self.scanArguments, stdin: domains.joined(separator: "\n") + "\n",
                                            timeout: 60)
        #expect(output.signal == nil, "mtascan was killed by signal \(output.signal ?? 0)")
        #expect(output.status == 0, "\(output.stderr)")
        let records = try output.stdoutLines.map { try JSONParser.parse($0) }
        #expect(records.count == domains.count)
        for record in records {
            let tls = record["findings"]?.arrayValue?.first { $0["code"] == "mx-tls" }
            #expect(tls?["reason"] == "protocol", "\(record["domain"]?.stringValue ?? "?")")
        }
    }
}
