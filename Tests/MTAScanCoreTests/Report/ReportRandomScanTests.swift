import Testing
@testable import MTAScanCore

/// A random scan of a few hundred domains from a seed, with a popular hoster,
/// a provider, shared and own MX hosts: every table's key figures against
/// counts computed straight from the fixture list (which, unlike the
/// aggregator, holds every domain).
@Suite struct ReportRandomScanTests {
    static let policyErrors: [JSONValue] = [
        fixtureFinding("policy-tls", ["reason": "name-mismatch"]), fixtureFinding("policy-tls", ["reason": "expired"]),
        fixtureFinding("policy-tcp", ["reason": "timeout"]), fixtureFinding("policy-http", ["reason": "status", "status": 404]),
        fixtureFinding("policy-syntax", ["rule": "bad-mx-pattern"]), fixtureFinding("policy-content-type", ["problem": "other-type"]),
    ]
    static let otherErrors: [JSONValue] = [
        fixtureFinding("sts-record-invalid-id"), fixtureFinding("mx-pkix-invalid-some"),
        fixtureFinding("mx-pattern-mismatch", ["kind": "typo", "scope": "some"]), fixtureFinding("delivery-degraded"),
    ]
    static let warnings: [JSONValue] = [fixtureFinding("policy-max-age-short", severity: "warning"), fixtureFinding("tlsrpt-bad-rua", severity: "warning")]

    static func randomScan(seed: UInt64, count: Int) -> [FixtureRecord] {
        var random = SplitMix64(seed: seed)
        func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
        return (0..<count).map { i in
            let domain = "d\(i).example"
            switch random.next() % 10 {
            case 0: return FixtureRecord(domain: domain, verdict: "unknown", stsStatus: nil, tlsrptStatus: nil)
            case 1, 2, 3: return FixtureRecord(domain: domain, tlsrptStatus: pick(["absent", "valid"]))
            default: break
            }
            var findings: [JSONValue] = []
            let misconfigured = random.next() % 2 == 0
            if misconfigured {
                for _ in 0..<(1 + random.next() % 2) { findings.append(pick(policyErrors + otherErrors)) }
            }
            if random.next() % 4 == 0 { findings.append(pick(warnings)) }
            let hosting = random.next() % 6
            let cname: String? = hosting < 3 ? "policy.bighost.example" : hosting == 3 ? "p\(i).provider.example" : hosting == 4 ? "own\(i).example" : nil
            let mx: [FixtureRecord.MX] = random.next() % 2 == 0
                ? [.init(host: "mx.shared.example", pkixValid: false)]
                : [.init(host: "mx\(i).example", pkixValid: false), .init(host: "mx.shared.example", pkixValid: true)]
            var record = FixtureRecord.mtaSTS(domain, verdict: misconfigured ? "misconfigured" : "valid",
                                              mode: pick(["enforce", "testing", "none", nil]), findings: findings, cname: cname,
                                              addresses: [pick(["192.0.2.1", "192.0.2.2", "192.0.2.3"])],
                                              provider: hosting == 3 ? "Provider" : nil, mx: mx, tlsrpt: pick(["valid", "invalid", "absent"]))
            record.legacy = random.next() % 5 == 0
            if record.legacy { record.policyProvider = nil }
            return record
        }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func tablesMatchCountsFromTheWholeList(seed: UInt64) throws {
        let records = Self.randomScan(seed: seed, count: 400)
        let threshold = 30
        let report = try aggregate(ndjson(records), options: .init(thirdPartyThreshold: threshold), chunkSize: 4096).report(inputs: [])

        let withRecord = records.filter { $0.stsStatus == "valid" || $0.stsStatus == "invalid" }
        for verdict in ["no-mta-sts", "valid", "misconfigured", "unknown"] {
            #expect(report.table("verdicts")?.count(verdict, "domains") == records.filter { $0.verdict == verdict }.count)
        }
        for status in ["valid", "invalid", "absent"] {
            #expect(report.table("tlsrpt")?.count(status, "mta_sts") == withRecord.filter { $0.tlsrptStatus == status }.count)
        }
        for mode in ["enforce", "testing", "none"] {
            #expect(report.table("modes")?.count(mode, "domains") == withRecord.filter { $0.mode == mode }.count)
        }

        func codes(_ record: FixtureRecord, errorsOnly: Bool = true) -> Set<String> {
            Set(record.findings.filter { !errorsOnly || $0["severity"] == "error" }.compactMap { $0["code"]?.stringValue })
        }
        for component in ["policy", "mx", "consistency", "risk", "sts-record"] {
            let expected = records.filter { $0.verdict == "misconfigured" && codes($0).contains { FindingCode(rawValue: $0)?.component.rawValue == component } }
            #expect(report.table("misconfiguration")?.count(component, "domains") == expected.count, "\(component)")
        }
        for code in FindingCode.allCases.map(\.rawValue) {
            #expect(report.table("finding_codes")?.count(code, "domains") == records.filter { codes($0, errorsOnly: false).contains(code) }.count)
        }

        // Third-party policy hosts: by CNAME target, else by the address.
        func key(_ record: FixtureRecord) -> String { record.cnameTarget ?? record.policyAddresses.joined() }
        var served: [String: Int] = [:]
        var named: Set<String> = []
        for record in withRecord {
            served[key(record), default: 0] += 1
            if record.policyProvider != nil { named.insert(key(record)) }
        }
        let policyTable = try #require(report.table("policy_errors"))
        for code in ["policy-tls", "policy-tcp", "policy-http", "policy-syntax", "policy-content-type"] {
            let failing = withRecord.filter { codes($0).contains(code) }
            let third = failing.filter { served[key($0)]! >= threshold || named.contains(key($0)) }.count
            #expect(policyTable.count(code, "third_party") == third, "\(code)")
            #expect(policyTable.count(code, "self_managed") == failing.count - third, "\(code)")
        }
        #expect(policyTable.count("policy-tls/expired", "domains")
            == withRecord.filter { $0.findings.contains(Self.policyErrors[1]) }.count)

        // PKIX: attributed to the first MX host with pkix_valid false (or, in the
        // legacy shape, the first host); mx.shared.example is in every domain.
        let pkix = withRecord.filter { codes($0).contains("mx-pkix-invalid-some") }
        let shared = pkix.filter { $0.mx.first?.host == "mx.shared.example" }.count
        #expect(report.table("mx_pkix_invalid")?.count("mx-pkix-invalid-some", "third_party") == (withRecord.count >= threshold ? shared : 0))
        #expect(report.table("mx_pkix_invalid")?.count("mx-pkix-invalid-some", "domains") == pkix.count)
        #expect(report.table("hosts")?.count("mx_hosts", "hosts") == Set(withRecord.flatMap { $0.mx.map(\.host) }).count)
    }
}
