import Foundation
import MTAScanCore
import Testing

/// The hostile servers of the test internet (tools/testnet/hostile.py: endless
/// banner, a banner one byte a second, TLS garbage, a 10 MB header, an endless
/// chunked body, silence, SYNs dropped) through the whole `mtascan scan`: each
/// ends in its finding within the configured time limits, and the scan's
/// memory stays bounded while they pour bytes at it.
@Suite(.enabled(if: TestInternet.isRunning, "needs the local test internet: run tools/test.sh"))
struct HostileServerScanTests {
    /// Generous: a scan of a dozen domains needs some 20 MiB; a buffer that follows an
    /// endless body or banner would pass this within seconds.
    static let residentLimitKiB = 200 * 1024

    private struct Expectation {
        let domain: String
        let findings: [Set<String>]
        let verdict: String
    }

    /// Scenarios whose policy host or an MX host is played by hostile.py, with their
    /// expected findings once everything is served.
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
            guard policyPlays.contains(policyServe) || mxBehaviours.contains(where: mxPlays.contains),
                  let domain = scenario["domain"]?.stringValue, let expect = scenario["expect"] else { return nil }
            let alternatives = (expect["findings_alternatives"]?.arrayValue ?? []).map { codes($0) }
            return Expectation(domain: domain, findings: [codes(expect["findings"])] + alternatives,
                               verdict: expect["verdict"]?.stringValue ?? "")
        }
    }

    @Test func everyHostileServerEndsInItsFindingWithBoundedMemory() throws {
        let scenarios = try hostileScenarios()
        // Both kinds of server, all the plays: a catalogue change that drops them should fail here.
        try #require(scenarios.count >= 12, "hostile scenarios: \(scenarios.map(\.domain))")
        // Small limits: the slow and silent plays run into them, and the scan must still finish.
        let output = try MTAScanProcess.run(
            ["scan", "--resolver", TestInternet.resolver, "--ca-file", ServerSide.caBundle,
             "--source-ip", "127.0.0.10", "--connect-timeout", "1", "--policy-timeout", "3", "--smtp-timeout", "3"],
            stdin: scenarios.map(\.domain).joined(separator: "\n") + "\n", timeout: 90, sampleMemory: true)
        #expect(output.status == 0, "\(output.stderr)")
        let records = try output.stdoutLines.map { try JSONParser.parse($0) }
        #expect(records.count == scenarios.count)
        for scenario in scenarios {
            let record = try #require(records.first { $0["domain"]?.stringValue == scenario.domain },
                                      "no record for \(scenario.domain)")
            let codes = Set((record["findings"]?.arrayValue ?? []).compactMap { $0["code"]?.stringValue })
            #expect(scenario.findings.contains(codes),
                    "\(scenario.domain): got \(codes.sorted()), want \(scenario.findings.map { $0.sorted() })")
            #expect(record["verdict"]?.stringValue == scenario.verdict, "\(scenario.domain)")
        }
        let peak = try #require(output.peakResidentKiB, "no VmHWM reading of the scan")
        #expect(peak < Self.residentLimitKiB, "peak resident set \(peak / 1024) MiB")
    }
}
