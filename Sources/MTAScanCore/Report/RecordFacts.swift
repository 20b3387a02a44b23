/// What `mtascan report` reads from one scan record (docs/output.md), taken
/// out of the JSON once. A missing key counts as `null`: scans written before
/// the policy and MX phases have no `probes` or `provider`, and the report
/// must read them all the same.
struct RecordFacts {
    struct FindingFacts {
        var code: String
        var isError: Bool
        var component: String?
        var details: JSONObject
    }

    struct MXHostFacts {
        var host: String
        var provider: String?
        var pkixValid: Bool?
    }

    struct PolicyHostFacts {
        var name: String?
        var cnameTarget: String?
        var addresses: [String]
        var provider: String?
    }

    var domain: String?
    var hasInputError: Bool
    var isExcluded: Bool
    var verdict: String?
    /// `phases`: the phases run for the record (empty when not given).
    var phases: [String]
    var mode: String?
    var stsRecordStatus: String?
    var tlsrptStatus: String?
    /// `dane.verdict`, in a `scan --dane` record; nil otherwise.
    var daneVerdict: String?
    /// `tlsrpt.endpoints` (phase tlsrpt): each rua URI's `status`, `reason`,
    /// `scheme`; nil when the phase did not run (or the scan predates it).
    var reportEndpoints: [(status: String, reason: String?, scheme: String?)]?
    var findings: [FindingFacts]
    var policyHost: PolicyHostFacts?
    /// `policy.address`: the address whose answer is reported.
    var policyAddress: String?
    var mxHosts: [MXHostFacts]
    /// Per entry of `mx.hosts[].probes`: `probed`, `shared` (`shared_from` set) or `excluded`.
    var mxProbeOrigins: [String]

    init(_ record: JSONValue) {
        domain = record["domain"]?.stringValue
        hasInputError = Self.isPresent(record["input_error"])
        isExcluded = Self.isPresent(record["excluded"])
        verdict = record["verdict"]?.stringValue
        phases = (record["phases"]?.arrayValue ?? []).compactMap(\.stringValue)
        let policy = record["policy"]
        mode = record["mode"]?.stringValue ?? policy?["mode"]?.stringValue
        stsRecordStatus = record["sts_record"]?["status"]?.stringValue
        tlsrptStatus = record["tlsrpt"]?["status"]?.stringValue
        daneVerdict = record["dane"]?["verdict"]?.stringValue
        reportEndpoints = record["tlsrpt"]?["endpoints"]?.arrayValue?.map { endpoint in
            (endpoint["status"]?.stringValue ?? "unknown", endpoint["reason"]?.stringValue, endpoint["scheme"]?.stringValue)
        }
        findings = (record["findings"]?.arrayValue ?? []).compactMap { finding in
            guard let object = finding.objectValue, let code = object["code"]?.stringValue else { return nil }
            let severity = object["severity"]?.stringValue
            let isError = severity.map { $0 == "error" } ?? (FindingCode(rawValue: code)?.defaultSeverity == .error)
            let component = object["component"]?.stringValue ?? FindingCode(rawValue: code)?.component.rawValue
            return FindingFacts(code: code, isError: isError, component: component, details: object)
        }
        if let host = record["policy_host"], host.objectValue != nil {
            let addresses = (host["ipv4"]?.arrayValue ?? []) + (host["ipv6"]?.arrayValue ?? [])
            policyHost = PolicyHostFacts(
                name: host["name"]?.stringValue,
                cnameTarget: host["cname_target"]?.stringValue,
                addresses: addresses.compactMap(\.stringValue).sorted(),
                provider: host["provider"]?.stringValue
            )
        } else {
            policyHost = nil
        }
        policyAddress = policy?["address"]?.stringValue
        mxHosts = (record["mx"]?["hosts"]?.arrayValue ?? []).compactMap { host in
            guard let name = host["host"]?.stringValue, !name.isEmpty else { return nil }
            return MXHostFacts(host: name, provider: host["provider"]?.stringValue, pkixValid: host["pkix_valid"]?.boolValue)
        }
        mxProbeOrigins = (record["mx"]?["hosts"]?.arrayValue ?? []).flatMap { host in
            (host["probes"]?.arrayValue ?? []).map { probe in
                if probe["excluded"]?.boolValue == true { return "excluded" }
                return Self.isPresent(probe["shared_from"]) ? "shared" : "probed"
            }
        }
    }

    /// A domain that published something meant as an MTA-STS record: the
    /// population of the MTA-STS tables (docs/report.md).
    var hasMTASTSRecord: Bool {
        stsRecordStatus == "valid" || stsRecordStatus == "invalid"
    }

    func hasFinding(_ code: FindingCode) -> Bool {
        findings.contains { $0.code == code.rawValue }
    }

    private static func isPresent(_ value: JSONValue?) -> Bool {
        guard let value else { return false }
        return value != .null && value != .bool(false)
    }
}

extension ASCII {
    /// ASCII letters lower-cased, other bytes kept: host names from the record
    /// are compared as DNS compares them.
    static func lowercased(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 &- 0x41 < 26 }) else { return text }
        return String(decoding: text.utf8.map(lower), as: UTF8.self)
    }
}
