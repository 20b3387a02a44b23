import Foundation
import MTAScanCore
import Testing

/// Real `mtascan scan` output, every scenario of the test internet, checked
/// against docs/scan-record.schema.json by tools/validate-schema.py.
@Suite(.enabled(if: TestInternet.isRunning, "needs the local test internet: run tools/test.sh"), .serialized)
struct SchemaTests {
    /// Both shapes a record takes: after the DNS phase only, and after every phase.
    static let phaseChoices = ["dns", "dns,policy,mx"]

    /// A name the scan is told to exclude: its record must fit the schema too.
    static let excludedName = "excluded-by-the-schema-test.test"

    /// Lines that are not domains: each still yields a record, and that record must fit the schema too.
    static let invalidLines = ["bad..name", "-leading-hyphen.test", "caf\u{E9}.test", String(repeating: "x", count: 300)]

    @Test(arguments: SchemaTests.phaseChoices)
    func everyScenarioRecordMatchesTheSchema(phases: String) throws {
        let scenarios = try TestInternet.scenarios()
        try #require(scenarios.count > 100)
        let exclusions = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-schema-exclude-\(getpid())")
        try Data((Self.excludedName + "\n").utf8).write(to: exclusions)
        defer { try? FileManager.default.removeItem(at: exclusions) }
        let input = (scenarios.map(\.domain) + Self.invalidLines + [Self.excludedName]).joined(separator: "\n") + "\n"
        let scan = try MTAScanProcess.run(
            ["scan"] + TestInternet.scanArguments + ["--phases", phases, "--quiet", "--exclude", exclusions.path],
            stdin: input, timeout: 300)
        #expect(scan.status == 0, "\(scan.stderr)")
        #expect(scan.stdoutLines.count == scenarios.count + Self.invalidLines.count + 1)

        let result = try SchemaValidator.validate(scan.stdout)
        #expect(result.status == 0, "records that do not match docs/scan-record.schema.json:\n\(result.report)")
        #expect(result.summary.contains("\(scan.stdoutLines.count) records, 0 invalid"), "\(result.summary)")
    }
}

/// The validator itself: a checker that accepts everything proves nothing, so
/// each kind of mistake the schema exists to catch is shown to be caught.
@Suite(.enabled(if: SchemaValidator.isAvailable, "needs python3 with jsonschema (tools/setup.sh testnet)"))
struct SchemaValidatorTests {
    /// A complete record of every phase, as docs/output.md describes it.
    static let valid: JSONObject = {
        let certificate: JSONValue = .object([
            "subject": "CN=mx1.mailhost.test", "issuer": "CN=mtascan test intermediate", "san_dns_names": ["mx1.mailhost.test"],
            "not_before": "2026-01-01T00:00:00Z", "not_before_unix": 1_767_225_600,
            "not_after": "2027-01-01T00:00:00Z", "not_after_unix": 1_798_761_600,
            "key_type": "EC", "key_bits": 256, "key_curve": "prime256v1", "signature_algorithm": "ecdsa-with-SHA256",
            "sha256_fingerprint": .string(String(repeating: "ab", count: 32)), "chain_length": 2,
        ])
        let tls: JSONValue = .object([
            "version": "TLSv1.3", "cipher": "TLS_AES_128_GCM_SHA256", "pkix_valid": true,
            "checked_name": "mx1.mailhost.test", "matched_name": "mx1.mailhost.test", "failures": [], "certificate": certificate,
        ])
        return [
            "schema_version": 1, "domain": "sts-valid.test", "input_line": 1, "input_error": nil,
            "verdict": "valid", "mode": "enforce", "phases": ["dns", "policy", "mx", "tlsrpt"],
            "findings": [.object(["code": "policy-max-age-short", "max_age": 3600, "severity": "warning", "component": "policy"])],
            "sts_record": .object(["lookup": "answer", "txt": ["v=STSv1; id=1"], "status": "valid", "id": "1"]),
            "tlsrpt": .object(["lookup": "answer", "txt": ["v=TLSRPTv1; rua=mailto:tlsrpt@sts-valid.test"], "status": "valid",
                               "rua": ["mailto:tlsrpt@sts-valid.test"],
                               "endpoints": [.object(["uri": "mailto:tlsrpt@sts-valid.test", "scheme": "mailto",
                                                      "target": "sts-valid.test", "status": "reachable", "reason": nil,
                                                      "lookup": .object(["mx": "answer"]), "address": nil,
                                                      "http_status": nil, "error": nil])]]),
            "policy_host": .object(["name": "mta-sts.sts-valid.test", "cname_chain": [], "cname_target": nil, "ipv4": ["127.44.0.1"],
                                    "ipv6": [], "lookup": .object(["a": "answer", "aaaa": "nodata"]), "provider": nil]),
            "excluded": nil,
            "policy": .object([
                "url": "https://mta-sts.sts-valid.test/.well-known/mta-sts.txt", "address": "127.44.0.1", "excluded": false,
                "tcp_failures": [], "tls": tls, "http_status": 200, "content_type": "text/plain", "valid": true,
                "version": "STSv1", "mode": "enforce", "max_age": 3600, "mx": ["*.mailhost.test"],
            ]),
            "mx": .object(["lookup": "answer", "hosts": [.object([
                "preference": 10, "host": "mx1.mailhost.test", "ipv4": ["127.25.0.1"], "ipv6": [],
                "address_lookup": .object(["a": "answer", "aaaa": "nodata"]), "provider": "testnet-mailhost",
                "tlsa": .object(["lookup": "answer", "dnssec": "secure", "records": [.object([
                    "usage": 3, "selector": 1, "matching_type": 1, "data": .string(String(repeating: "cd", count: 32)),
                    "usable": true])]]),
                "matches_policy": true, "pattern": "*.mailhost.test", "pkix_valid": true,
                "probes": [.object(["address": "127.25.0.1", "source_address": "127.0.0.10", "excluded": false, "result": "ok", "banner": "220 mx1 ESMTP",
                                    "greeting": "ehlo", "starttls": true, "tls": tls,
                                    "dane": .object(["result": "verified", "matched": .object([
                                        "usage": 3, "selector": 1, "matching_type": 1,
                                        "data": .string(String(repeating: "cd", count: 32))]),
                                        "depth": 0, "verify_error": nil, "message": nil]),
                                    "shared_from": .object(["host": "mx0.mailhost.test", "sni_check_name": "sni-check.mtascan.invalid"])])],
            ])], "dnssec": "secure"]),
            "ns": .object(["lookup": "answer", "values": ["ns1.nic.test", "ns2.nic.test"]]),
            "dane": .object(["verdict": "valid", "mx_dnssec": "secure", "dane_hosts": 1,
                             "hosts": [.object(["host": "mx1.mailhost.test", "state": "verified"])],
                             "sender_view": "DANE-capable senders authenticate every MX host by its TLSA records."]),
        ]
    }()

    private func line(_ record: JSONObject) -> String {
        String(decoding: ScanRecord.line(.object(record)), as: UTF8.self)
    }

    @Test func aCompleteRecordIsValid() throws {
        let result = try SchemaValidator.validate(line(Self.valid))
        #expect(result.status == 0, "\(result.report)")
        #expect(result.summary.contains("1 records, 0 invalid"))
    }

    @Test func aMissingTopLevelKeyIsRejected() throws {
        var record = Self.valid
        record["excluded"] = nil  // removes the key: nulls must be written, never left out
        let result = try SchemaValidator.validate(line(Self.valid) + line(record))
        #expect(result.status == 1)
        #expect(result.report.contains("<stdin>:2: $: 'excluded' is a required property"), "\(result.report)")
        #expect(!result.report.contains("<stdin>:1:"))
    }

    @Test(arguments: [
        ("verdict", JSONValue.string("ok"), "$.verdict"),
        ("mode", .string("Enforce"), "$.mode"),
        ("phases", .array(["dns", "tls"]), "$.phases[1]"),
        ("findings", .array([.object(["code": "policy-made-up", "severity": "error", "component": "policy"])]), "$.findings[0].code"),
        ("findings", .array([.object(["code": "mx-tls", "severity": "fatal", "component": "mx"])]), "$.findings[0].severity"),
        ("sts_record", .object(["lookup": "nxdomian", "txt": [], "status": "absent", "id": nil]), "$.sts_record.lookup"),
        ("input_line", .int(0), "$.input_line"),
        ("schema_version", .int(2), "$.schema_version"),
    ])
    func aWrongValueIsRejected(key: String, value: JSONValue, path: String) throws {
        var record = Self.valid
        record[key] = value
        let result = try SchemaValidator.validate(line(record))
        #expect(result.status == 1)
        #expect(result.report.contains("<stdin>:1: \(path):"), "\(result.report)")
    }

    @Test func unknownKeysInFixedShapeObjectsAreRejected() throws {
        var record = Self.valid
        record["extra"] = 1
        var hosts = record["mx"]?["hosts"]?.arrayValue ?? []
        if case .object(var host) = hosts.first { host["colour"] = "blue"; hosts[0] = .object(host) }
        record["mx"] = .object(["lookup": "answer", "hosts": .array(hosts)])
        let result = try SchemaValidator.validate(line(record))
        #expect(result.status == 1)
        #expect(result.report.contains("$: Additional properties are not allowed ('extra'"), "\(result.report)")
        #expect(result.report.contains("$.mx.hosts[0]: Additional properties are not allowed ('colour'"), "\(result.report)")
    }

    @Test func findingsMayCarryAnyDetailFields() throws {
        var record = Self.valid
        record["findings"] = [.object(["code": "mx-pattern-mismatch", "kind": "typo", "scope": "some", "distance": 1,
                                       "severity": "error", "component": "consistency"])]
        #expect(try SchemaValidator.validate(line(record)).status == 0)
    }

    @Test func aLineThatIsNotJSONIsReported() throws {
        let result = try SchemaValidator.validate(line(Self.valid) + "{\"schema_version\": 1,\n")
        #expect(result.status == 1)
        #expect(result.report.contains("<stdin>:2: not JSON"), "\(result.report)")
    }
}
