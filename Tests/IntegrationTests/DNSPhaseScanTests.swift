import Foundation
import MTAScanCore
import Testing

/// `mtascan scan --phases dns` against real NSD and unbound (tools/testnet).
@Suite(.enabled(if: TestInternet.isRunning, "needs the local test internet: run tools/test.sh"), .serialized)
struct DNSPhaseScanTests {
    private func scan(_ input: String, _ extra: [String] = []) throws -> (records: [JSONValue], output: MTAScanProcess.Output) {
        let output = try MTAScanProcess.run(
            ["scan", "--resolver", TestInternet.resolver, "--dns-timeout", "1", "--phases", "dns"] + extra, stdin: input, timeout: 120)
        return (try output.stdoutLines.map { try JSONParser.parse($0) }, output)
    }

    /// Every scenario's DNS-phase findings, as distinct codes: a per-host
    /// finding (`mx-dns` for two hosts) counts once, as in the catalogue.
    @Test func everyScenarioGivesItsExpectedDNSPhaseFindings() throws {
        let scenarios = try TestInternet.scenarios()
        try #require(scenarios.count > 100)
        let (records, output) = try scan(scenarios.map(\.domain).joined(separator: "\n") + "\n")
        #expect(output.status == 0, "\(output.stderr)")
        #expect(records.count == scenarios.count)
        var byDomain: [String: JSONValue] = [:]
        for record in records { if let domain = record["domain"]?.stringValue { byDomain[domain] = record } }
        for scenario in scenarios {
            let record = try #require(byDomain[scenario.domain], "no record for \(scenario.domain)")
            let codes = Set((record["findings"]?.arrayValue ?? []).compactMap { $0["code"]?.stringValue })
            // Where the catalogue allows alternatives (a silent nameserver: unbound
            // answers some lookups SERVFAIL and lets others time out), any mix of them is right.
            let alternatives = scenario.dnsPhaseFindings.reduce(into: Set<String>()) { $0.formUnion($1) }
            let mixOfAlternatives = scenario.dnsPhaseFindings.count > 1 && !codes.isEmpty && codes.isSubset(of: alternatives)
            #expect(scenario.dnsPhaseFindings.contains(codes) || mixOfAlternatives,
                    "\(scenario.name): got \(codes.sorted()), want \(scenario.dnsPhaseFindings.map { $0.sorted() })")
        }
    }

    @Test func verdictsThatDNSAloneDecides() throws {
        let (records, _) = try scan("no-mta-sts.test\nsts-multiple.test\ntimeout-sts.test\npolicy-dns-nxdomain.test\ntlsrpt-bad-with-sts.test\n")
        var verdicts: [String: String] = [:]
        for record in records { verdicts[record["domain"]?.stringValue ?? ""] = record["verdict"]?.stringValue }
        #expect(verdicts["no-mta-sts.test"] == "no-mta-sts")
        #expect(verdicts["sts-multiple.test"] == "misconfigured")
        #expect(verdicts["timeout-sts.test"] == "unknown")
        #expect(verdicts["policy-dns-nxdomain.test"] == "misconfigured")
        #expect(verdicts["tlsrpt-bad-with-sts.test"] == "valid")
    }

    @Test func aTruncatedAnswerIsFetchedOverTCP() throws {
        let (records, _) = try scan("tc-large-txt.test\n")
        let record = try #require(records.first)
        #expect(record["sts_record"]?["status"] == "valid")
        #expect((record["sts_record"]?["txt"]?.arrayValue?.count ?? 0) > 1)
    }

    @Test func cnamesToAPolicyProviderAreRecorded() throws {
        let (records, _) = try scan("policy-cname-provider.test\npolicy-cname-dangling.test\n")
        let provider = try #require(records.first { $0["domain"] == "policy-cname-provider.test" })
        #expect(provider["policy_host"]?["cname_target"]?.stringValue?.hasSuffix("mta-sts-host.example") == true)
        let dangling = try #require(records.first { $0["domain"] == "policy-cname-dangling.test" })
        #expect(dangling["findings"]?.arrayValue?.first?["reason"] == "dangling-cname")
    }

    @Test func everyInputLineYieldsExactlyOneRecordIncludingInvalidNames() throws {
        let input = "sts-valid.test\nbad..name\n\n# comment\nNO-MTA-STS.TEST.\nnxdomain.test\n" + String(repeating: "x", count: 300) + "\n"
        let (records, output) = try scan(input)
        #expect(output.status == 0)
        #expect(records.count == 5)
        let lines = records.compactMap { $0["input_line"]?.intValue }.sorted()
        #expect(lines == [1, 2, 5, 6, 7])
        let invalid = records.filter { $0["input_error"] != .null }
        #expect(invalid.count == 2)
        #expect(records.contains { $0["domain"] == "no-mta-sts.test" && $0["verdict"] == "no-mta-sts" })
    }

    @Test func daneLooksUpTLSAOfEachMXHostOnlyWhenAsked() throws {
        let (plain, _) = try scan("sts-valid.test\n")
        let (dane, _) = try scan("sts-valid.test\n", ["--dane"])
        let plainHosts = try #require(plain.first?["mx"]?["hosts"]?.arrayValue)
        let daneHosts = try #require(dane.first?["mx"]?["hosts"]?.arrayValue)
        #expect(!daneHosts.isEmpty)
        #expect(plainHosts.allSatisfy { $0["tlsa"] == .null })
        for host in daneHosts {
            let lookup = host["tlsa"]?["lookup"]?.stringValue
            #expect(lookup == "nxdomain" || lookup == "nodata", "\(host)")
        }
    }

    @Test func readsAFileArgumentAndWritesAnOutputFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-scan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("names.txt"), output = directory.appendingPathComponent("out.ndjson")
        try Data("sts-valid.test\nsts-multiple.test\n".utf8).write(to: input)
        let run = try MTAScanProcess.run(
            ["scan", "--resolver", TestInternet.resolver, "--phases", "dns", "--output", output.path, input.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("records=2"))
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
    }

    /// A resolver that answers the first 60 queries and then disappears: the
    /// scan fails over to the second and every domain still gets its findings.
    @Test func aResolverThatDiesMidScanIsFailedOver() throws {
        let relay = Process()
        relay.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        relay.arguments = ["python3", TestInternet.repositoryRoot.appendingPathComponent("tools/testnet/dying_resolver.py").path,
                           "127.53.2.1", "53", "127.53.0.2", "53", "60"]
        let ready = Pipe()
        relay.standardOutput = ready
        try relay.run()
        defer { if relay.isRunning { relay.terminate() } }
        _ = ready.fileHandleForReading.availableData  // "ready": the socket is bound

        let scenarios = try TestInternet.scenarios().filter { !$0.name.contains("timeout") && !$0.name.contains("slow") }
        let (records, output) = try scan(scenarios.map(\.domain).joined(separator: "\n") + "\n",
                                         ["--resolver", "127.53.2.1", "--resolver", TestInternet.resolver, "--dns-attempts", "4"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(!relay.isRunning, "the relay should have died mid-scan")
        #expect(records.count == scenarios.count)
        var byDomain: [String: JSONValue] = [:]
        for record in records { if let domain = record["domain"]?.stringValue { byDomain[domain] = record } }
        for scenario in scenarios {
            let codes = Set((byDomain[scenario.domain]?["findings"]?.arrayValue ?? []).compactMap { $0["code"]?.stringValue })
            #expect(scenario.dnsPhaseFindings.contains(codes), "\(scenario.name): got \(codes.sorted())")
        }
    }

    @Test func aDeadResolverFailsOverToALiveOne() throws {
        // 127.53.1.250 has nothing listening: every query to it times out or is refused by ICMP.
        let (records, output) = try scan("sts-valid.test\nno-mta-sts.test\n", ["--resolver", "127.53.1.250", "--dns-attempts", "3"])
        #expect(output.status == 0)
        #expect(records.count == 2)
        for record in records { #expect(record["verdict"] != "unknown", "\(record["domain"] ?? .null)") }
    }

    /// One loop (one host cache): sts-valid.test resolves mx1/mx2.mailhost.test
    /// first; timeout-sts.test shares them but finishes its first stage seconds
    /// later (its _mta-sts query is dropped), so its MX addresses come from the
    /// cache at once. That used to finish the domain inside its second stage and
    /// again when its other lookups came back: two records for one line (with
    /// --dane, and with --probe-all-mx). Exactly one each, exit 0.
    @Test(arguments: [["--dane", "--phases", "dns"], ["--probe-all-mx", "--phases", "dns,mx"]])
    func aCachedMXHostNeverFinishesADomainTwice(flags: [String]) throws {
        let output = try MTAScanProcess.run(
            ["scan", "--threads", "1", "-q"] + TestInternet.scanArguments + ["--dns-timeout", "0.5"] + flags,
            stdin: "sts-valid.test\ntimeout-sts.test\n", timeout: 60)
        #expect(output.status == 0, "\(output.stderr)")
        let lines = try output.stdoutLines.map { try JSONParser.parse($0)["input_line"]?.intValue ?? 0 }
        #expect(lines.sorted() == [1, 2], "\(flags): \(lines)")
    }
}
