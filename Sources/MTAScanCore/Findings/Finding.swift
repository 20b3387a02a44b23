/// One thing mtascan found about a domain: a stable code plus typed detail fields.
///
/// Serialised as `{"code":…, <details in insertion order>, "severity":…, "component":…}`;
/// detail keys are snake_case and documented per code in docs/findings.md.
public struct Finding: Sendable, Equatable {
    public let code: FindingCode
    public let severity: Severity
    public private(set) var details: JSONObject

    public var component: Component { code.component }

    public init(_ code: FindingCode, severity: Severity? = nil, _ details: KeyValuePairs<String, JSONValue> = [:]) {
        self.code = code
        self.severity = severity ?? code.defaultSeverity
        self.details = JSONObject(details)
    }

    public init(_ code: FindingCode, severity: Severity? = nil, details: JSONObject) {
        self.code = code
        self.severity = severity ?? code.defaultSeverity
        self.details = details
    }

    /// A detail field's value, or nil.
    public subscript(detail key: String) -> JSONValue? { details[key] }

    /// This finding with one more detail field (replacing a field of the same key).
    public func adding(_ key: String, _ value: JSONValue) -> Finding {
        var copy = self
        copy.details[key] = value
        return copy
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["code"] = .string(code.rawValue)
        for (key, value) in details.fields { object[key] = value }
        object["severity"] = .string(severity.rawValue)
        object["component"] = .string(component.rawValue)
        return .object(object)
    }
}
