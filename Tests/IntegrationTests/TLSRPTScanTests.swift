import Foundation
import MTAScanCore
import Testing

/// TLS-RPT report endpoints through the real binary (issue 14, item 2): `scan
/// --phases dns,policy,mx,tlsrpt` against the test internet. Each scenario's
/// `expect_tlsrpt` says which tlsrpt-rua-* findings and which endpoint statuses
/// a scan must give; everything else in the record is as without the phase.
@Suite(.enabled(if: TestInternet.isRunning, "needs the local test internet: run tools/test.sh"), .serialized)
struct TLSRPTScanTests {
    struct Expectation {
        let scenario: TestInternet.Scenario
        let findings: Set<String>
        let endpoints: [JSONValue]
        let detail: [String: JSONObject]
    }

    static let phases = ["--phases", "dns,policy,mx,tlsrpt"]

    static func expectations() throws -> [Expectation] {
        let url = TestInternet.repositoryRoot.appendingPathComponent("tools/testnet/scenarios.json")
        let catalogue = try JSONParser.parse(Array(try Data(contentsOf: url)))
        let scenarios = Dictionary(try TestInternet.scenarios().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        return (catalogue["scenarios"]?.arrayValue ?? []).compactMap { entry in
            guard let name = entry["name"]?.stringValue, let scenario = scenarios[name],
                  let expect = entry["expect_tlsrpt"] else { return nil }
            var detail: [String: JSONObject] = [:]
            for (code, fields) in expect["detail"]?.objectValue?.fields ?? [] {
                if let object = fields.objectValue { detail[code] = object }
            }
            return Expectation(scenario: scenario,
                               findings: Set((expect["findings"]?.arrayValue ?? []).compactMap(\.stringValue)),
                               endpoints: expect["endpoints"]?.arrayValue ?? [], detail: detail)
        }
    }

    private func scan(_ domains: [String], _ flags: [String] = []) throws
        -> (output: MTAScanProcess.Output, records: [String: JSONValue], metadata: JSONValue?) {
        let metadata = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-tlsrpt-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: metadata) }
        let providers = TestInternet.repositoryRoot.appendingPathComponent("tools/testnet/providers.txt").path
        let output = try MTAScanProcess.run(
            ["scan"] + TestInternet.scanArguments + ["--providers", providers, "--metadata", metadata] + Self.phases + flags,
            stdin: domains.joined(separator: "\n") + "\n", timeout: 120)
        var records: [String: JSONValue] = [:]
        for line in output.stdoutLines {
            let record = try JSONParser.parse(line)
            if let domain = record["domain"]?.stringValue { records[domain] = record }
        }
        let meta = (try? Data(contentsOf: URL(fileURLWithPath: metadata))).flatMap { try? JSONParser.parse(Array($0)) }
        return (output, records, meta)
    }

    private func codes(_ record: JSONValue?, rua: Bool) -> Set<String> {
        Set((record?["findings"]?.arrayValue ?? []).compactMap { $0["code"]?.stringValue }
            .filter { $0.hasPrefix("tlsrpt-rua-") == rua })
    }

    /// Every scenario with `expect_tlsrpt`: its rua findings and endpoints, and
    /// the rest of the record (findings, verdict) exactly as without the phase.
    @Test func everyEndpointScenarioGivesItsFindingsAndEndpoints() throws {
        let expected = try Self.expectations()
        #expect(expected.count >= 12)
        let (output, records, _) = try scan(expected.map(\.scenario.domain))
        #expect(output.status == 0, "\(output.stderr)")
        for expectation in expected {
            let name = expectation.scenario.name
            let record = try #require(records[expectation.scenario.domain], "no record for \(name)")
            #expect(record["phases"] == ["dns", "policy", "mx", "tlsrpt"])
            #expect(codes(record, rua: true) == expectation.findings, "\(name): \(codes(record, rua: true).sorted())")
            #expect(codes(record, rua: false) == expectation.scenario.findings,
                    "\(name): \(codes(record, rua: false).sorted()) (expected \(expectation.scenario.findings.sorted()))")
            #expect(record["verdict"]?.stringValue == expectation.scenario.verdict, "\(name): verdict")
            let endpoints = record["tlsrpt"]?["endpoints"]?.arrayValue ?? []
            #expect(endpoints.count == expectation.endpoints.count, "\(name): \(endpoints)")
            for (got, want) in zip(endpoints, expectation.endpoints) {
                #expect(got["uri"] == want["uri"], "\(name)")
                #expect(got["status"] == want["status"], "\(name): \(got)")
                #expect(got["reason"] == want["reason"], "\(name): \(got)")
            }
            let findings = record["findings"]?.arrayValue ?? []
            for (code, fields) in expectation.detail {
                let matched = findings.contains { finding in
                    finding["code"]?.stringValue == code && fields.fields.allSatisfy { finding[$0.key] == $0.value }
                }
                #expect(matched, "\(name): no \(code) with \(fields.fields.map { "\($0.key)=\($0.value)" })")
            }
            for finding in findings where finding["code"] == "tlsrpt-rua-unreachable" {
                #expect(finding["severity"] == "warning")
                #expect(finding["component"] == "tlsrpt")
            }
        }
        // `report` counts the endpoints: every expected one in its row.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-tlsrpt-\(UUID().uuidString).ndjson").path
        try output.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let report = try MTAScanProcess.run(["report", "--format", "json", file])
        #expect(report.status == 0, "\(report.stderr)")
        let rows = try JSONParser.parse(report.stdout)["tables"]?["tlsrpt_endpoints"]?["rows"]
        var want: [String: Int] = [:]
        for endpoint in expected.flatMap(\.endpoints) {
            let status = endpoint["status"]?.stringValue ?? ""
            want[status == "unreachable" ? endpoint["reason"]?.stringValue ?? "" : status, default: 0] += 1
        }
        for (row, count) in want {
            #expect(rows?[row]?["endpoints"]?.intValue == count, "report row \(row): \(rows?[row] ?? .null)")
        }
        #expect(rows?["any-unreachable"]?["domains"]?.intValue == expected.filter { !$0.findings.isEmpty }.count)
        // Every record of the phase, endpoints included, is what the schema says.
        if SchemaValidator.isAvailable {
            let validation = try SchemaValidator.validate(output.stdout)
            #expect(validation.status == 0, "\(validation.report)")
        }
    }

    /// Without the phase (the default), nothing is checked: `endpoints` is null.
    @Test func thePhaseIsOptIn() throws {
        let output = try MTAScanProcess.run(["scan", "-q"] + TestInternet.scanArguments,
                                            stdin: "rua-mailto-null-mx.test\n", timeout: 60)
        let record = try JSONParser.parse(try #require(output.stdoutLines.first))
        #expect(record["phases"] == ["dns", "policy", "mx"])
        #expect(record["tlsrpt"]?["endpoints"] == .null)
        #expect(codes(record, rua: true).isEmpty)
    }

    /// Three domains and the collector's own domain name two endpoints between
    /// them: two checks, one connection for the whole scan, the rest answered
    /// from the desks' caches.
    @Test func sharedEndpointsAreCheckedOnce() throws {
        let domains = ["rua-shared-a.test", "rua-shared-b.test", "rua-shared-c.test", "rua-https-ok.test", "rua-mixed.test"]
        let (output, records, metadata) = try scan(domains)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(records.count == domains.count)
        for domain in domains.prefix(3) {
            let statuses = records[domain]?["tlsrpt"]?["endpoints"]?.arrayValue?.map { $0["status"] }
            #expect(statuses == ["reachable", "reachable"], "\(domain)")
        }
        // mailto:rua-mailto-mx.test, https://mta-sts.rua-https-ok.test:443/tlsrpt, mailto:reports.rua-mailto-null-mx.test.
        let probes = try #require(metadata?["options"]?["probes"])
        #expect(probes["report_endpoint_checks"] == 3, "\(probes)")
        #expect(probes["report_endpoint_connections"] == 1, "\(probes)")
        #expect((probes["report_endpoint_cache_hits"]?.intValue ?? 0) >= 4, "\(probes)")
        #expect(output.stderr.contains("rua_checks=3 rua_connections=1"), "\(output.stderr)")
    }

    /// `--exclude` holds for report endpoints: an excluded collector host is
    /// neither resolved nor contacted, and its endpoint says so.
    @Test func excludedEndpointsAreNotContacted() throws {
        let exclude = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-rua-exclude-\(UUID().uuidString)").path
        try "mta-sts.rua-https-ok.test\n".write(toFile: exclude, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: exclude) }
        let (output, records, metadata) = try scan(["rua-shared-a.test", "rua-shared-b.test"], ["--exclude", exclude])
        #expect(output.status == 0, "\(output.stderr)")
        for domain in ["rua-shared-a.test", "rua-shared-b.test"] {
            let endpoints = records[domain]?["tlsrpt"]?["endpoints"]?.arrayValue ?? []
            #expect(endpoints.map { $0["status"] } == ["reachable", "excluded"], "\(domain): \(endpoints)")
            #expect(codes(records[domain], rua: true).isEmpty)
        }
        #expect(metadata?["options"]?["probes"]?["report_endpoint_connections"] == 0)
    }
}
