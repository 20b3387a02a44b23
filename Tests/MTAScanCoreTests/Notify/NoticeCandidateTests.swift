import MTAScanCore
import Testing

/// Which records a campaign writes to, and what it keeps of them.
@Suite struct NoticeCandidateTests {
    private func record(_ domain: String = "example.com", mode: String? = "enforce",
                        findings: [JSONValue], tlsrpt: String = "valid", sts: String = "valid",
                        rua: [String] = []) -> JSONValue {
        .object([
            "domain": .string(domain), "input_line": 7, "input_error": nil, "excluded": nil, "verdict": "misconfigured",
            "mode": mode.map { .string($0) } ?? .null, "findings": .array(findings),
            "sts_record": .object(["status": .string(sts), "txt": ["v=STSv1; id=1"]]),
            "tlsrpt": .object(["status": .string(tlsrpt), "rua": .strings(rua)]),
            "policy_host": .object(["provider": "hoster"]),
            "policy": .object(["url": "https://mta-sts.example.com/.well-known/mta-sts.txt", "mode": "enforce"]),
            "mx": .object(["hosts": [.object(["host": "mx.example.com", "provider": nil])]]),
        ])
    }

    private func finding(_ code: String, severity: String = "error", component: String, _ details: JSONObject = [:]) -> JSONValue {
        var object: JSONObject = ["code": .string(code)]
        for (key, value) in details.fields { object[key] = value }
        object["severity"] = .string(severity)
        object["component"] = .string(component)
        return .object(object)
    }

    @Test func errorsAreSelectedWithTheirDetailsAndWhatWasSeen() throws {
        let input = record(findings: [finding("policy-tls", component: "policy", ["reason": "expired"]),
                                      finding("sts-record-duplicate-id", severity: "warning", component: "sts-record")],
                           rua: ["mailto:tlsrpt@reports.example!10m", "https://r.example/x"])
        let candidate = try #require(NoticeCandidate.from(record: input, criteria: NoticeCriteria()))
        #expect(candidate.findings.map(\.code) == ["policy-tls"])
        #expect(candidate.findings.first?.details == ["reason": "expired"])
        #expect(candidate.stsRecords == ["v=STSv1; id=1"])
        #expect(candidate.mxHosts == ["mx.example.com"])
        #expect(candidate.ruaAddresses == ["tlsrpt@reports.example"])
        #expect(candidate.provider == "hoster")
        #expect(candidate.stratum == "policy/hoster")
        #expect(candidate.inputLine == 7)
        #expect(NoticeCandidate(json: candidate.json) == candidate)
    }

    @Test func warningsOnlyWhenAskedAndTheScansOwnDNSFailuresOnlyByName() {
        let input = record(findings: [finding("sts-record-duplicate-id", severity: "warning", component: "sts-record"),
                                      finding("dns-timeout", component: "dns")])
        #expect(NoticeCandidate.from(record: input, criteria: NoticeCriteria()) == nil)
        var warnings = NoticeCriteria()
        warnings.severity = .warning
        #expect(NoticeCandidate.from(record: input, criteria: warnings)?.findings.map(\.code) == ["sts-record-duplicate-id"])
        var named = NoticeCriteria()
        named.codes = ["dns-timeout"]
        #expect(NoticeCandidate.from(record: input, criteria: named)?.findings.map(\.code) == ["dns-timeout"])
    }

    @Test func filtersByCodeComponentModeAndDeliveryRisk() {
        let input = record(mode: "testing", findings: [finding("mx-tls", component: "mx"), finding("policy-http", component: "policy")])
        var criteria = NoticeCriteria()
        criteria.components = ["mx"]
        #expect(NoticeCandidate.from(record: input, criteria: criteria)?.findings.map(\.code) == ["mx-tls"])
        criteria.modes = ["enforce"]
        #expect(NoticeCandidate.from(record: input, criteria: criteria) == nil)
        var risk = NoticeCriteria()
        risk.onlyDeliveryRisk = true
        #expect(NoticeCandidate.from(record: input, criteria: risk) == nil)
        let risky = record(findings: [finding("delivery-failure-risk", component: "risk"), finding("mx-tls", component: "mx")])
        #expect(NoticeCandidate.from(record: risky, criteria: risk)?.findings.count == 2)
    }

    @Test func tlsrptIsRecommendedToMTASTSDomainsWithoutIt() {
        var criteria = NoticeCriteria()
        criteria.recommendTLSRPT = true
        let without = record(findings: [], tlsrpt: "absent")
        #expect(NoticeCandidate.from(record: without, criteria: criteria)?.findings.map(\.code) == ["tlsrpt-recommended"])
        #expect(NoticeCandidate.from(record: record(findings: [], tlsrpt: "absent", sts: "absent"), criteria: criteria) == nil)
        #expect(NoticeCandidate.from(record: record(findings: []), criteria: criteria) == nil)
    }

    @Test func inputErrorsAndExcludedDomainsAreNeverCandidates() {
        var object = record(findings: [finding("mx-tls", component: "mx")]).objectValue ?? JSONObject()
        object["excluded"] = .object(["by": "example.com"])
        #expect(NoticeCandidate.from(record: .object(object), criteria: NoticeCriteria()) == nil)
    }

    @Test func theDigestChangesWithWhatTheMessageSaysOnly() throws {
        let criteria = NoticeCriteria()
        let one = try #require(NoticeCandidate.from(record: record(findings: [finding("mx-tls", component: "mx", ["reason": "expired"])]), criteria: criteria))
        let same = try #require(NoticeCandidate.from(record: record(mode: "testing", findings: [finding("mx-tls", component: "mx", ["reason": "expired"])]), criteria: criteria))
        let other = try #require(NoticeCandidate.from(record: record(findings: [finding("mx-tls", component: "mx", ["reason": "self-signed"])]), criteria: criteria))
        #expect(one.digest == same.digest)
        #expect(one.digest != other.digest)
        #expect(one.digest.count == 16)
    }

    @Test(arguments: [
        ("mailto:tlsrpt@example.com", "tlsrpt@example.com"), ("MAILTO:a@b.example!10m", "a@b.example"),
        ("mailto:a%40b.example", "a@b.example"), ("mailto:a@b.example?subject=x", nil), ("mailto:@b.example", nil),
        ("mailto:a@", nil), ("https://x.example/", nil), ("mailto:a b@c.example", nil), ("mailto:a@b.example,c@d.example", nil),
    ] as [(String, String?)])
    func ruaMailtoAddresses(uri: String, address: String?) {
        let input = record(findings: [], tlsrpt: "absent", rua: [uri])
        var criteria = NoticeCriteria()
        criteria.recommendTLSRPT = true
        #expect(NoticeCandidate.from(record: input, criteria: criteria)?.ruaAddresses == (address.map { [$0] } ?? []))
    }
}

/// The control group: stratified, seeded, independent of input order.
@Suite struct ControlGroupTests {
    private let candidates = (0..<1000).map { (domain: "d\($0).example", stratum: $0 % 4 == 0 ? "policy/-" : "mx/hoster") }

    @Test func aFractionOfEachStratumIsHeldOut() {
        let control = ControlGroup.assign(candidates, fraction: 0.2, seed: 42)
        #expect(control.count == 200)
        #expect(control.count { $0.hasPrefix("d") && (Int($0.dropFirst().prefix { $0 != "." }) ?? 1) % 4 == 0 } == 50)
    }

    @Test func theSameSeedGivesTheSameGroupInAnyOrder() {
        let one = ControlGroup.assign(candidates, fraction: 0.3, seed: 7)
        #expect(one == ControlGroup.assign(candidates.reversed(), fraction: 0.3, seed: 7))
        #expect(one != ControlGroup.assign(candidates, fraction: 0.3, seed: 8))
        #expect(ControlGroup.assign(candidates, fraction: 0, seed: 7).isEmpty)
        #expect(ControlGroup.assign(candidates, fraction: 1, seed: 7).count == 1000)
    }
}
