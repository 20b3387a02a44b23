/// A candidate as the campaign database keeps it, to render its message later
/// exactly as planned (docs/notify.md, table `notice`, column `candidate`).
extension NoticeCandidate {
    public var json: JSONValue {
        .object([
            "domain": .string(domain), "input_line": .int(inputLine), "verdict": .string(verdict),
            "mode": mode.map { .string($0) } ?? .null,
            "findings": .array(findings.map { finding in
                .object(["code": .string(finding.code), "severity": .string(finding.severity),
                         "component": .string(finding.component), "details": .object(finding.details)])
            }),
            "sts_records": .strings(stsRecords), "policy_url": policyURL.map { .string($0) } ?? .null,
            "mx_hosts": .strings(mxHosts), "rua_addresses": .strings(ruaAddresses),
            "provider": provider.map { .string($0) } ?? .null,
        ])
    }

    public init?(json: JSONValue) {
        guard let domain = json["domain"]?.stringValue, let findings = json["findings"]?.arrayValue else { return nil }
        func strings(_ key: String) -> [String] { (json[key]?.arrayValue ?? []).compactMap(\.stringValue) }
        self.init(
            domain: domain, inputLine: json["input_line"]?.intValue ?? 0, verdict: json["verdict"]?.stringValue ?? "",
            mode: json["mode"]?.stringValue,
            findings: findings.compactMap { finding in
                guard let code = finding["code"]?.stringValue else { return nil }
                return NoticeFinding(code: code, severity: finding["severity"]?.stringValue ?? "",
                                     component: finding["component"]?.stringValue ?? "",
                                     details: finding["details"]?.objectValue ?? JSONObject())
            },
            stsRecords: strings("sts_records"), policyURL: json["policy_url"]?.stringValue, mxHosts: strings("mx_hosts"),
            ruaAddresses: strings("rua_addresses"), provider: json["provider"]?.stringValue)
    }
}
