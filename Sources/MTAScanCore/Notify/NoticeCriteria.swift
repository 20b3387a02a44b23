/// Which domains of a scan a campaign writes to, and about which findings
/// (`mtascan notify plan` flags). A domain qualifies when at least one of its
/// findings passes every filter; the message then speaks of those findings only.
public struct NoticeCriteria: Sendable, Equatable {
    public enum Severity: String, Sendable, CaseIterable {
        case error
        /// Errors and warnings.
        case warning
    }

    /// Finding codes to write about; empty: any.
    public var codes: Set<String> = []
    /// Components (`sts-record`, `policy`, `mx`, …); empty: any but `dns` (the
    /// scan's failed lookups), whose codes are taken only when named in `codes`.
    public var components: Set<String> = []
    public var severity: Severity = .error
    /// Policy modes (`enforce`, `testing`, `none`); empty: any, a domain without a policy included.
    public var modes: Set<String> = []
    /// Only domains whose own mail is at risk: `delivery-failure-risk` or `delivery-degraded`.
    public var onlyDeliveryRisk = false
    /// Also recommend TLS-RPT to MTA-STS domains without a valid TLS-RPT record
    /// (the `tlsrpt-recommended` notice item, no finding of the scan).
    public var recommendTLSRPT = false

    public init() {}

    public var json: JSONValue {
        .object([
            "codes": .strings(codes.sorted()), "components": .strings(components.sorted()),
            "severity": .string(severity.rawValue), "modes": .strings(modes.sorted()),
            "only_delivery_risk": .bool(onlyDeliveryRisk), "recommend_tlsrpt": .bool(recommendTLSRPT),
        ])
    }

    /// Reads back `json` (a campaign keeps its criteria so later rounds select alike).
    public static func from(json: JSONValue) -> NoticeCriteria? {
        guard let object = json.objectValue, let severity = object["severity"]?.stringValue.flatMap(Severity.init) else { return nil }
        func strings(_ key: String) -> Set<String> { Set((object[key]?.arrayValue ?? []).compactMap(\.stringValue)) }
        var criteria = NoticeCriteria()
        criteria.codes = strings("codes")
        criteria.components = strings("components")
        criteria.severity = severity
        criteria.modes = strings("modes")
        criteria.onlyDeliveryRisk = object["only_delivery_risk"]?.boolValue ?? false
        criteria.recommendTLSRPT = object["recommend_tlsrpt"]?.boolValue ?? false
        return criteria
    }

    /// Whether one finding (as a record carries it) is one to write about.
    func selects(_ finding: NoticeFinding) -> Bool {
        guard finding.severity == "error" || (severity == .warning && finding.severity == "warning") else { return false }
        if !codes.isEmpty && !codes.contains(finding.code) { return false }
        if components.isEmpty {
            // The scan's own lookups that failed (dns-timeout, dns-servfail…) say too
            // little about the domain to write to anyone, unless asked for by name.
            if finding.component == Component.dns.rawValue && !codes.contains(finding.code) { return false }
        } else if !components.contains(finding.component) {
            return false
        }
        return true
    }
}

/// One finding as a notice carries it: its code and every detail the scan recorded.
public struct NoticeFinding: Sendable, Equatable {
    public var code: String
    public var severity: String
    public var component: String
    /// The finding's other fields (`reason`, `mx_host`, `record`, …) in the record's order.
    public var details: JSONObject

    public init(code: String, severity: String, component: String, details: JSONObject) {
        self.code = code
        self.severity = severity
        self.component = component
        self.details = details
    }

    /// From a record's `findings[]` entry; nil when it is not one.
    init?(_ value: JSONValue) {
        guard let object = value.objectValue, let code = object["code"]?.stringValue else { return nil }
        self.code = code
        let known = FindingCode(rawValue: code)
        severity = object["severity"]?.stringValue ?? known?.defaultSeverity.rawValue ?? "warning"
        component = object["component"]?.stringValue ?? known?.component.rawValue ?? ""
        var details = JSONObject()
        for (key, value) in object.fields where !["code", "severity", "component"].contains(key) {
            details[key] = value
        }
        self.details = details
    }

    /// The pseudo-finding of `NoticeCriteria.recommendTLSRPT`.
    public static let tlsrptRecommendedCode = "tlsrpt-recommended"
}
