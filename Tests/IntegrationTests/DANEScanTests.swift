import Foundation
import MTAScanCore
import Testing

/// DANE beside MTA-STS through the real pipeline (issue 13): `scan --dane`
/// against the test internet's DNSSEC-signed subtree (`dnssec.test`, validated
/// by its unbound with a trust anchor; tools/testnet/README.md), whose MX hosts
/// are real Postfix instances with TLSA records computed from their
/// certificates at start. Each scenario's `expect_dane` says which dane-*
/// findings and which DANE verdict a scan must give.
@Suite(.enabled(if: TestInternet.isRunning, "needs the local test internet: run tools/test.sh"), .serialized)
struct DANEScanTests {
    struct Expectation {
        let domain: String
        let findings: Set<String>
        let verdict: String
    }

    static func expectations() throws -> [Expectation] {
        let url = TestInternet.repositoryRoot.appendingPathComponent("tools/testnet/scenarios.json")
        let catalogue = try JSONParser.parse(Array(try Data(contentsOf: url)))
        return (catalogue["scenarios"]?.arrayValue ?? []).compactMap { scenario in
            guard let domain = scenario["domain"]?.stringValue, let dane = scenario["expect_dane"],
                  let verdict = dane["dane"]?.stringValue else { return nil }
            return Expectation(domain: domain, findings: Set((dane["findings"]?.arrayValue ?? []).compactMap(\.stringValue)),
                               verdict: verdict)
        }
    }

    private func scan(_ domains: [String], _ flags: [String] = []) throws -> (MTAScanProcess.Output, [String: JSONValue]) {
        let output = try MTAScanProcess.run(["scan", "--dane", "-q"] + TestInternet.scanArguments + flags,
                                            stdin: domains.joined(separator: "\n") + "\n", timeout: 120)
        var records: [String: JSONValue] = [:]
        for line in output.stdoutLines {
            let record = try JSONParser.parse(line)
            if let domain = record["domain"]?.stringValue { records[domain] = record }
        }
        return (output, records)
    }

    private func daneCodes(_ record: JSONValue?) -> Set<String> {
        Set((record?["findings"]?.arrayValue ?? []).compactMap { $0["code"]?.stringValue }.filter { $0.hasPrefix("dane-") })
    }

    /// Every DANE scenario, plus ordinary ones that must stay DANE-free.
    @Test func everyDANEScenarioGivesItsFindingsAndVerdict() throws {
        let expected = try Self.expectations()
        #expect(expected.count >= 8)
        let plain = ["sts-valid.test", "no-sts.test"]
        let (output, records) = try scan(expected.map(\.domain) + plain)
        #expect(output.status == 0, "\(output.stderr)")
        for expectation in expected {
            let record = records[expectation.domain]
            #expect(daneCodes(record) == expectation.findings,
                    "\(expectation.domain): \(daneCodes(record).sorted()) (expected \(expectation.findings.sorted()))")
            #expect(record?["dane"]?["verdict"]?.stringValue == expectation.verdict,
                    "\(expectation.domain): dane verdict \(record?["dane"]?["verdict"] ?? .null)")
        }
        for domain in plain {
            #expect(records[domain]?["dane"]?["verdict"] == "none", "\(domain)")
            #expect(records[domain]?["mx"]?["dnssec"] == "insecure", "\(domain): outside the signed subtree")
            #expect(daneCodes(records[domain]).isEmpty)
        }
    }

    /// What the records show on the way: the MX RRset's and TLSA's DNSSEC
    /// status, the match in the probe beside an unchanged PKIX outcome, and a
    /// broken MTA-STS that DANE senders never see.
    @Test func recordsShowTheEvidence() throws {
        let (output, records) = try scan(["dane-ee-valid.dnssec.test", "dane-ta-valid.dnssec.test",
                                          "dane-mismatch.dnssec.test", "dane-sts-broken.dnssec.test",
                                          "dane-bogus.dnssec.test"])
        #expect(output.status == 0, "\(output.stderr)")
        let ee = records["dane-ee-valid.dnssec.test"]
        #expect(ee?["verdict"] == "no-mta-sts")
        #expect(ee?["mx"]?["dnssec"] == "secure")
        let host = ee?["mx"]?["hosts"]?.arrayValue?.first
        #expect(host?["tlsa"]?["dnssec"] == "secure")
        #expect(host?["tlsa"]?["records"]?.arrayValue?.first?["usable"] == true)
        let probe = host?["probes"]?.arrayValue?.first
        #expect(probe?["dane"]?["result"] == "verified")
        #expect(probe?["dane"]?["depth"] == 0)
        #expect(probe?["dane"]?["matched"]?["usage"] == 3)
        #expect(probe?["tls"]?["pkix_valid"] == true)

        let ta = records["dane-ta-valid.dnssec.test"]?["mx"]?["hosts"]?.arrayValue?.first?["probes"]?.arrayValue?.first
        #expect(ta?["dane"]?["result"] == "verified")
        #expect(ta?["dane"]?["matched"]?["usage"] == 2)
        #expect((ta?["dane"]?["depth"]?.intValue ?? 0) >= 1)

        let mismatch = records["dane-mismatch.dnssec.test"]
        let failed = mismatch?["mx"]?["hosts"]?.arrayValue?.first?["probes"]?.arrayValue?.first
        #expect(failed?["dane"]?["result"] == "mismatch")
        #expect(failed?["dane"]?["verify_error"] == 65)
        #expect(failed?["tls"]?["pkix_valid"] == true, "the certificate itself is fine for PKIX")
        #expect(mismatch?["verdict"] == "no-mta-sts", "DANE findings never change the MTA-STS verdict")

        let rescued = records["dane-sts-broken.dnssec.test"]
        #expect(rescued?["verdict"] == "misconfigured")
        #expect(rescued?["dane"]?["verdict"] == "valid")
        #expect(rescued?["dane"]?["sender_view"]?.stringValue?.contains("even though MTA-STS is misconfigured") == true)

        let bogus = records["dane-bogus.dnssec.test"]
        let bogusHost = bogus?["mx"]?["hosts"]?.arrayValue?.first
        #expect(bogusHost?["tlsa"]?["dnssec"] == "bogus")
        #expect(bogusHost?["probes"]?.arrayValue?.allSatisfy { $0["dane"] == .null } ?? true,
                "bogus records are never used for a DANE check")
    }

    /// Without the mx phase, what DNS alone shows: secure records, not yet verified.
    @Test func theDNSPhaseAloneJudgesWhatDNSShows() throws {
        let (output, records) = try scan(["dane-ee-valid.dnssec.test", "dane-unusable.dnssec.test",
                                          "dane-tlsa-insecure.dnssec.test"], ["--phases", "dns"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(records["dane-ee-valid.dnssec.test"]?["dane"]?["verdict"] == "valid")
        #expect(records["dane-ee-valid.dnssec.test"]?["dane"]?["hosts"]?.arrayValue?.first?["state"] == "secured")
        #expect(records["dane-unusable.dnssec.test"]?["dane"]?["verdict"] == "unauthenticated")
        #expect(records["dane-tlsa-insecure.dnssec.test"]?["dane"]?["verdict"] == "insecure")
    }

    /// The report's DANE × MTA-STS table counts what the records say.
    @Test func theReportCrossesDANEWithMTASTS() throws {
        let expected = try Self.expectations()
        let (output, records) = try scan(expected.map(\.domain))
        #expect(output.status == 0, "\(output.stderr)")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-dane-\(UUID().uuidString).ndjson")
        defer { try? FileManager.default.removeItem(at: file) }
        try (output.stdout).write(to: file, atomically: true, encoding: .utf8)
        let report = try MTAScanProcess.run(["report", "--format", "json", file.path])
        #expect(report.status == 0, "\(report.stderr)")
        let rows = try JSONParser.parse(report.stdout)["tables"]?["dane"]?["rows"]
        for verdict in Set(expected.map(\.verdict)) {
            let count = records.values.filter { $0["dane"]?["verdict"]?.stringValue == verdict }.count
            #expect(rows?[verdict]?["domains"] == .int(count), "\(verdict)")
        }
        // DANE rescues the domain whose MTA-STS is broken: valid × misconfigured.
        #expect(rows?["valid"]?["misconfigured"] == 1)
    }
}
