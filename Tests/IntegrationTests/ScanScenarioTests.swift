import Foundation
import MTAScanCore
import Testing

/// `mtascan scan` with every phase against the whole local test internet: NSD,
/// unbound, nginx, Postfix and the hostile servers. The scenario catalogue
/// (tools/testnet/scenarios.json) says what each domain must produce.
@Suite(.enabled(if: TestInternet.isRunning, "needs the local test internet: run tools/test.sh"), .serialized)
struct ScanScenarioTests {
    static func scan(_ domains: [String], _ extra: [String] = []) throws -> (records: [String: JSONValue], output: MTAScanProcess.Output) {
        // The test internet's provider catalogue: policy-orphaned-delegation needs to know its providers.
        let providers = TestInternet.repositoryRoot.appendingPathComponent("tools/testnet/providers.txt").path
        let output = try MTAScanProcess.run(["scan"] + TestInternet.scanArguments + ["--providers", providers] + extra,
                                            stdin: domains.joined(separator: "\n") + "\n", timeout: 300)
        var records: [String: JSONValue] = [:]
        for line in output.stdoutLines {
            let record = try JSONParser.parse(line)
            records[record["domain"]?.stringValue ?? ""] = record
        }
        return (records, output)
    }

    /// The whole catalogue in one scan, as the demo runs it: verdict, finding
    /// codes (distinct: a per-host code counts once, as in the catalogue) and
    /// the detail fields the catalogue names.
    @Test func everyScenarioGivesItsVerdictFindingsAndDetails() throws {
        let scenarios = try TestInternet.scenarios()
        try #require(scenarios.count > 100)
        let (records, output) = try Self.scan(scenarios.map(\.domain))
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdoutLines.count == scenarios.count)
        for scenario in scenarios {
            let record = try #require(records[scenario.domain], "no record for \(scenario.domain)")
            let findings = record["findings"]?.arrayValue ?? []
            let codes = Set(findings.compactMap { $0["code"]?.stringValue })
            // A silent nameserver makes unbound answer some lookups SERVFAIL and
            // let others time out: where the catalogue allows that, any mix is right.
            let alternatives = scenario.dnsPhaseFindings.reduce(into: Set<String>()) { $0.formUnion($1) }
            let mixOfAlternatives = scenario.dnsPhaseFindings.count > 1 && !codes.isEmpty && codes.isSubset(of: alternatives)
            #expect(codes == scenario.findings || mixOfAlternatives,
                    "\(scenario.name): got \(codes.sorted()), want \(scenario.findings.sorted())")
            #expect(record["verdict"]?.stringValue == scenario.verdict, "\(scenario.name): verdict")
            for (code, fields) in scenario.detail {
                let carriers = findings.filter { $0["code"]?.stringValue == code }
                let matched = carriers.contains { finding in fields.fields.allSatisfy { finding[$0.key] == $0.value } }
                #expect(matched, "\(scenario.name): no \(code) with \(fields.fields.map { "\($0.key)=\($0.value)" })")
            }
            #expect(record["phases"] == ["dns", "policy", "mx"])
        }
    }

    @Test func aValidDeploymentRecordsThePolicyAndEveryHandshake() throws {
        let (records, _) = try Self.scan(["sts-valid.test"])
        let record = try #require(records["sts-valid.test"])
        #expect(record["verdict"] == "valid")
        #expect(record["mode"] == "enforce")
        let policy = try #require(record["policy"])
        #expect(policy["url"] == "https://mta-sts.sts-valid.test/.well-known/mta-sts.txt")
        #expect(policy["valid"] == true)
        #expect(policy["http_status"] == 200)
        #expect(policy["mode"] == "enforce")
        #expect((policy["mx"]?.arrayValue?.count ?? 0) > 0)
        #expect(policy["tls"]?["pkix_valid"] == true)
        #expect(policy["tls"]?["certificate"]?["san_dns_names"]?.arrayValue?.contains("mta-sts.sts-valid.test") == true)
        let hosts = try #require(record["mx"]?["hosts"]?.arrayValue)
        try #require(!hosts.isEmpty)
        for host in hosts {
            #expect(host["matches_policy"] == true)
            #expect(host["pkix_valid"] == true)
            let probes = try #require(host["probes"]?.arrayValue)
            try #require(!probes.isEmpty)
            for probe in probes {
                #expect(probe["result"] == "ok")
                #expect(probe["greeting"] == "ehlo")
                #expect(probe["starttls"] == true)
                #expect(probe["tls"]?["pkix_valid"] == true)
                #expect(probe["tls"]?["checked_name"] == host["host"])
                #expect(probe["banner"]?.stringValue?.isEmpty == false)
            }
        }
    }

    /// Two domains on the same provider MX hosts: one probe per (host, address)
    /// for the whole scan, and both records carry the result.
    @Test func sharedMXHostsAreProbedOnce() throws {
        let (records, output) = try Self.scan(["sts-valid.test", "sts-valid-testing.test", "sts-valid-mode-none.test"])
        #expect(records.count == 3)
        let summary = output.stderr
        let probes = Int(summary.split(separator: " ").first { $0.hasPrefix("mx_probes=") }?.dropFirst(10) ?? "")
        let addresses = Set(records.values.flatMap { record in
            (record["mx"]?["hosts"]?.arrayValue ?? []).flatMap { host in
                (host["probes"]?.arrayValue ?? []).map { "\(host["host"]?.stringValue ?? "")@\($0["address"]?.stringValue ?? "")" }
            }
        })
        #expect(!addresses.isEmpty)
        #expect(probes == addresses.count, "\(summary)")
    }

    /// FCrDNS is enforced before any SMTP probe: an unconfirmed source address
    /// stops the scan with the reason and the fixes; without the mx phase it runs.
    @Test func anUnconfirmedSourceAddressStopsSMTPProbing() throws {
        let arguments = ["scan"] + TestInternet.scanArguments.map { $0 == TestInternet.confirmedSource ? TestInternet.unconfirmedSource : $0 }
        let refused = try MTAScanProcess.run(arguments, stdin: "sts-valid.test\n", timeout: 60)
        #expect(refused.status != 0)
        #expect(refused.stdoutLines.isEmpty)
        #expect(refused.stderr.contains("SMTP probes not started"))
        #expect(refused.stderr.contains(TestInternet.unconfirmedSource))
        #expect(refused.stderr.contains("--ehlo-not-fcrdns"))

        let withoutMX = try MTAScanProcess.run(arguments + ["--phases", "dns,policy"], stdin: "sts-valid.test\n", timeout: 60)
        #expect(withoutMX.status == 0, "\(withoutMX.stderr)")
        let record = try JSONParser.parse(try #require(withoutMX.stdoutLines.first))
        #expect(record["phases"] == ["dns", "policy"])
        #expect(record["policy"]?["valid"] == true)
        #expect(record["mx"]?["hosts"]?.arrayValue?.first?["probes"] == .null)
    }

    @Test func anEHLOOverrideNeedsTheAcknowledgement() throws {
        let unacknowledged = try MTAScanProcess.run(["scan"] + TestInternet.scanArguments + ["--ehlo", "probe.example"],
                                                    stdin: "sts-valid.test\n", timeout: 60)
        #expect(unacknowledged.status != 0)
        #expect(unacknowledged.stderr.contains("--ehlo-not-fcrdns"))
        let (records, output) = try Self.scan(["mx-tls-expired.test"], ["--ehlo", "probe.example", "--ehlo-not-fcrdns"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(records["mx-tls-expired.test"]?["verdict"] == "misconfigured")
    }

    /// Standard error is a pipe here: plain progress lines at the interval, with
    /// the total counted from the input file, then the summary.
    @Test func progressLinesOnANonTerminal() throws {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-progress-\(getpid()).txt")
        try Data("mx-smtp-slow-banner.test\nsts-valid.test\n".utf8).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let output = try MTAScanProcess.run(["scan"] + TestInternet.scanArguments + ["--progress-interval", "0.5", input.path],
                                            timeout: 60)
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stderr.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("mtascan: ") && $0.contains("/2 domains") }, "\(output.stderr)")
        #expect(lines.last?.contains("records=2") == true)
        #expect(!output.stderr.contains("\u{1B}["), "no terminal control codes in a log")
    }

    /// MX hosts of domains without MTA-STS are probed only when asked.
    @Test func probeAllMXProbesDomainsWithoutMTASTS() throws {
        let (plain, _) = try Self.scan(["no-mta-sts.test"])
        let plainHosts = try #require(plain["no-mta-sts.test"]?["mx"]?["hosts"]?.arrayValue)
        #expect(plainHosts.allSatisfy { $0["probes"] == .null })
        let (all, output) = try Self.scan(["no-mta-sts.test"], ["--probe-all-mx"])
        #expect(output.status == 0, "\(output.stderr)")
        let record = try #require(all["no-mta-sts.test"])
        #expect(record["verdict"] == "no-mta-sts")
        #expect(record["policy"] == .null)
        // Only the MX hosts' addresses are looked up, not the policy host's.
        #expect(record["policy_host"] == .null)
        let hosts = try #require(record["mx"]?["hosts"]?.arrayValue)
        try #require(hosts.count == 2)
        for host in hosts {
            #expect(host["probes"]?.arrayValue?.first?["result"] == "ok", "\(host)")
            #expect(host["pkix_valid"] == true)
            #expect(host["matches_policy"] == .null)
        }
    }

    /// `--previous`: a complete mismatch whose pattern matched the domain's MX
    /// host in an earlier scan is stale, with that host and the earlier scan's
    /// date; a mismatch without such history is not.
    @Test func anEarlierScanExplainsAStalePattern() throws {
        let (now, _) = try Self.scan(["consistency-complete.test", "consistency-typo.test"])
        let patterns = (now["consistency-complete.test"]?["policy"]?["mx"]?.arrayValue ?? []).compactMap(\.stringValue)
        let pattern = try #require(patterns.first)
        let oldHost = pattern.hasPrefix("*.") ? "mail." + pattern.dropFirst(2) : pattern
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-previous-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let old = directory.appendingPathComponent("old.ndjson").path
        let record = #"{"domain":"consistency-complete.test","input_line":1,"verdict":"valid","phases":["dns","policy","mx"],"findings":[],"sts_record":{"lookup":"answer","txt":[],"status":"valid","id":"1"},"mx":{"lookup":"answer","hosts":[{"preference":10,"host":"\#(oldHost)"}]}}"#
        try (record + "\n").write(toFile: old, atomically: true, encoding: .utf8)
        try #"{"started_at":"2026-06-01T00:00:00Z"}"#.write(toFile: old + ".meta.json", atomically: true, encoding: .utf8)

        let (records, output) = try Self.scan(["consistency-complete.test", "consistency-typo.test"], ["--previous", old])
        #expect(output.status == 0, "\(output.stderr)")
        let stale = records["consistency-complete.test"]?["findings"]?.arrayValue?.first { $0["code"] == "mx-pattern-mismatch" }
        #expect(stale?["stale"] == true)
        #expect(stale?["old_host"]?.stringValue == oldHost)
        #expect(stale?["old_pattern"]?.stringValue == pattern)
        #expect(stale?["old_scan"] == "2026-06-01T00:00:00Z")
        let never = records["consistency-typo.test"]?["findings"]?.arrayValue?.first { $0["code"] == "mx-pattern-mismatch" }
        #expect(never?["stale"] == false)

        let scanFile = directory.appendingPathComponent("new.ndjson").path
        try output.stdout.write(toFile: scanFile, atomically: true, encoding: .utf8)
        let report = try MTAScanProcess.run(["report", "--format", "json", scanFile])
        let rows = try JSONParser.parse(report.stdout)["tables"]?["mx_pattern_mismatch"]?["rows"]
        #expect(rows?["complete"]?["stale"] == 1)
        #expect(rows?["any"]?["never_matched"] == 1)
    }
}
