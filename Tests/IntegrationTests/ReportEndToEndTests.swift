import Foundation
import MTAScanCore
import Testing

/// The demo's path end to end: a full scan of every scenario domain to a file,
/// its metadata side file, and `mtascan report` over it. The report's counts
/// must equal those computed here, independently, from the NDJSON, and the
/// verdict counts those of the scenario catalogue.
@Suite(.enabled(if: TestInternet.isRunning, "needs the local test internet: run tools/test.sh"), .serialized)
struct ReportEndToEndTests {
    @Test func theReportOfAFullScanCountsWhatTheRecordsSay() throws {
        let scenarios = try TestInternet.scenarios()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-e2e-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let scanFile = directory.appendingPathComponent("scan.ndjson").path
        let providers = TestInternet.repositoryRoot.appendingPathComponent("tools/testnet/providers.txt").path

        let scan = try MTAScanProcess.run(["scan"] + TestInternet.scanArguments + ["--quiet", "-o", scanFile, "--providers", providers],
                                          stdin: scenarios.map(\.domain).joined(separator: "\n") + "\n", timeout: 300)
        #expect(scan.status == 0, "\(scan.stderr)")
        let records = try String(contentsOfFile: scanFile, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(records.count == scenarios.count)

        // The catalogue's verdicts, counted without the scan.
        var expectedVerdicts: [String: Int] = [:]
        for scenario in scenarios { expectedVerdicts[scenario.verdict, default: 0] += 1 }

        let metadata = try JSONParser.parse(try String(contentsOfFile: scanFile + ".meta.json", encoding: .utf8))
        #expect(metadata["counts"]?["records"] == .int(scenarios.count))
        #expect(metadata["ehlo_name"] == "scanner.test")
        #expect(metadata["ehlo_confirmed"] == true)
        #expect(metadata["phases"] == ["dns", "policy", "mx"])
        for (verdict, count) in expectedVerdicts {
            #expect(metadata["counts"]?["by_verdict"]?[verdict] == .int(count), "metadata \(verdict)")
        }

        let svg = directory.appendingPathComponent("report.svg").path
        let report = try MTAScanProcess.run(["report", "--format", "json", "--svg", svg, scanFile], timeout: 60)
        #expect(report.status == 0, "\(report.stderr)")
        let tables = try #require(try JSONParser.parse(report.stdout)["tables"])
        #expect(try String(contentsOfFile: svg, encoding: .utf8).contains("<svg"))

        func count(_ table: String, _ row: String, _ column: String = "domains") -> Int {
            tables[table]?["rows"]?[row]?[column]?.intValue ?? 0
        }
        for (verdict, expected) in expectedVerdicts {
            #expect(count("verdicts", verdict) == expected, "verdict \(verdict)")
        }

        // Independent counts from the records.
        func errors(_ record: JSONValue) -> [JSONValue] {
            (record["findings"]?.arrayValue ?? []).filter { $0["severity"] == "error" }
        }
        let withRecord = records.filter { ["valid", "invalid"].contains($0["sts_record"]?["status"]?.stringValue ?? "") }
        let misconfigured = records.filter { $0["verdict"] == "misconfigured" }
        for component in ["sts-record", "policy", "mx", "consistency", "risk"] {
            let expected = misconfigured.filter { errors($0).contains { $0["component"]?.stringValue == component } }.count
            #expect(count("misconfiguration", component) == expected, "component \(component)")
        }
        for layer in ["policy-dns", "policy-tcp", "policy-tls", "policy-http", "policy-content-type", "policy-syntax"] {
            let expected = withRecord.filter { errors($0).contains { $0["code"]?.stringValue == layer } }.count
            #expect(count("policy_errors", layer) == expected, "layer \(layer)")
        }
        for code in ["mx-pkix-invalid-all", "mx-pkix-invalid-some"] {
            let expected = withRecord.filter { errors($0).contains { $0["code"]?.stringValue == code } }.count
            #expect(count("mx_pkix_invalid", code) == expected, "\(code)")
        }
        for code in ["delivery-failure-risk", "delivery-degraded"] {
            let expected = withRecord.filter { errors($0).contains { $0["code"]?.stringValue == code } }.count
            #expect(count("risk", code) == expected, "\(code)")
            #expect(expected > 0, "the catalogue has \(code) scenarios")
        }
        for kind in ["typo", "tld", "extra-label", "mta-sts-label", "complete"] {
            let expected = withRecord.filter { record in
                errors(record).contains { $0["code"] == "mx-pattern-mismatch" && $0["kind"]?.stringValue == kind }
            }.count
            #expect(count("mx_pattern_mismatch", kind) == expected, "kind \(kind)")
        }
        let tlsrptValid = withRecord.filter { $0["tlsrpt"]?["status"] == "valid" }.count
        #expect(count("tlsrpt", "valid", "mta_sts") == tlsrptValid)
        var codes: [String: Set<String>] = [:]
        for record in records {
            for finding in record["findings"]?.arrayValue ?? [] {
                codes[finding["code"]?.stringValue ?? "", default: []].insert(record["domain"]?.stringValue ?? "")
            }
        }
        for (code, domains) in codes {
            #expect(count("finding_codes", code) == domains.count, "code \(code)")
        }
        // The test internet's provider file names its policy-hosting provider.
        #expect(count("policy_providers", "testnet-policy-host") > 0)
    }
}
