@testable import MTAScanCore

/// Scan records in the shape docs/output.md documents (every top-level key, in
/// order), built from a few fields, so report tests state their inputs plainly.
/// `legacy` gives the DNS-phase-only shape of today's scans: `policy` null and
/// MX hosts without `provider`, `pkix_valid` and `probes`.
struct FixtureRecord {
    struct MX {
        var host: String
        var provider: String? = nil
        var pkixValid: Bool? = nil
    }

    var domain: String
    var verdict: String? = "no-mta-sts"
    /// `sts_record.status`; nil: the lookup failed.
    var stsStatus: String? = "absent"
    var tlsrptStatus: String? = "absent"
    var mode: String? = nil
    var findings: [JSONValue] = []
    /// Whether `policy_host` is filled (it is for every domain with a record).
    var policyHost = false
    var cnameTarget: String? = nil
    var policyAddresses: [String] = []
    var policyProvider: String? = nil
    var mx: [MX] = []
    var inputError = false
    var excluded = false
    var legacy = false

    static func mtaSTS(_ domain: String, verdict: String = "valid", mode: String? = "enforce", findings: [JSONValue] = [],
                       cname: String? = nil, addresses: [String] = ["192.0.2.1"], provider: String? = nil,
                       mx: [MX] = [], tlsrpt: String? = "valid", sts: String = "valid") -> FixtureRecord {
        FixtureRecord(domain: domain, verdict: verdict, stsStatus: sts, tlsrptStatus: tlsrpt, mode: mode, findings: findings, policyHost: true,
        cnameTarget: cname, policyAddresses: addresses, policyProvider: provider, mx: mx)
    }

    var json: JSONValue {
        var record: JSONObject = [:]
        record["schema_version"] = 1
        record["domain"] = .string(domain)
        record["input_line"] = 1
        record["input_error"] = inputError ? .object(["reason": "empty-label", "message": "the name has an empty label"]) : .null
        record["verdict"] = (inputError || excluded) ? .null : verdict.map { .string($0) } ?? .null
        record["mode"] = mode.map { .string($0) } ?? .null
        record["phases"] = legacy ? ["dns"] : ["dns", "policy", "mx"]
        record["findings"] = .array(findings)
        record["sts_record"] = (inputError || excluded) ? .null : .object([
            "lookup": stsStatus == nil ? "servfail" : (stsStatus == "absent" ? "nxdomain" : "answer"),
            "txt": [], "status": stsStatus.map { .string($0) } ?? .null, "id": .null,
        ])
        record["tlsrpt"] = (inputError || excluded) ? .null : .object([
            "lookup": "answer", "txt": [], "status": tlsrptStatus.map { .string($0) } ?? .null, "rua": .null,
        ])
        if policyHost {
            var host: JSONObject = [
                "name": .string("mta-sts." + domain), "cname_chain": cnameTarget.map { [.string($0)] } ?? [],
                "cname_target": cnameTarget.map { .string($0) } ?? .null, "ipv4": .strings(policyAddresses), "ipv6": [],
                "lookup": .object(["a": "answer", "aaaa": "nodata"]),
            ]
            if !legacy { host["provider"] = policyProvider.map { .string($0) } ?? .null }
            record["policy_host"] = .object(host)
        } else {
            record["policy_host"] = .null
        }
        record["excluded"] = excluded ? .object(["rule": "example"]) : .null
        record["policy"] = (legacy || !policyHost) ? .null : .object([
            "url": .string("https://mta-sts.\(domain)/.well-known/mta-sts.txt"), "address": policyAddresses.first.map { .string($0) } ?? .null,
            "excluded": false, "tcp_failures": [], "tls": .null, "http_status": 200, "content_type": "text/plain",
            "valid": .bool(mode != nil), "version": "STSv1", "mode": mode.map { .string($0) } ?? .null, "max_age": 86400, "mx": [],
        ])
        record["mx"] = mx.isEmpty ? .null : .object(["lookup": "answer", "hosts": .array(mx.enumerated().map { index, host in
            var object: JSONObject = [
                "preference": .int(10 * (index + 1)), "host": .string(host.host), "ipv4": ["198.51.100.1"], "ipv6": [],
                "address_lookup": .object(["a": "answer", "aaaa": "nodata"]), "tlsa": .null,
            ]
            if !legacy {
                object["provider"] = host.provider.map { .string($0) } ?? .null
                object["matches_policy"] = true
                object["pattern"] = .string(host.host)
                object["pkix_valid"] = host.pkixValid.map { .bool($0) } ?? .null
                object["probes"] = []
            }
            return .object(object)
        })])
        record["ns"] = .null
        return .object(record)
    }

    var line: String { json.jsonText }
}

/// A finding as the scan writes it: code, details, severity, component.
func fixtureFinding(_ code: String, severity: String = "error", _ details: KeyValuePairs<String, JSONValue> = [:]) -> JSONValue {
    var object: JSONObject = ["code": .string(code)]
    for (key, value) in details { object[key] = value }
    object["severity"] = .string(severity)
    object["component"] = FindingCode(rawValue: code).map { .string($0.component.rawValue) } ?? "policy"
    return .object(object)
}

/// Reads NDJSON text through the same reader the CLI uses, in small chunks
/// so records straddle chunk boundaries.
func aggregate(_ text: String, options: ReportAggregator.Options = .init(), chunkSize: Int = 97) throws -> ReportAggregator {
    var aggregator = ReportAggregator(options: options)
    var reader = ScanRecordReader(source: MemoryByteSource(Array(text.utf8), chunkSize: chunkSize), chunkSize: chunkSize)
    while let item = try reader.next() {
        switch item {
        case .record(let value, _): aggregator.add(value)
        case .malformed, .partialLastLine: aggregator.addMalformedLine()
        }
    }
    return aggregator
}

func ndjson(_ records: [FixtureRecord]) -> String {
    records.map { $0.line + "\n" }.joined()
}
