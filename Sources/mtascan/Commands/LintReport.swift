import ArgumentParser
import MTAScanCore

/// How the human forms of `mtascan lint` print a verdict and exit.
enum LintReport {
    static func finish(valid: Bool, summary: String, findings: [Finding], verdict: JSONValue, json: Bool) throws {
        try finish(valid: valid, summary: summary, findingsJSON: findings.map(\.json), verdict: verdict, json: json)
    }

    static func finish(valid: Bool, summary: String, findingsJSON: [JSONValue], verdict: JSONValue, json: Bool) throws {
        if json {
            print(verdict.jsonText)
        } else {
            // Summaries and findings quote the input (names, ids, URIs): escaped
            // so that a record or policy cannot write control sequences to the terminal.
            print(TerminalText.escaped(summary))
            for finding in findingsJSON { print("  " + TerminalText.escaped(describe(finding))) }
        }
        if !valid { throw ExitCode(1) }
    }

    /// `error    policy-syntax  rule=bad-mode line=2`: severity, code, then detail fields.
    static func describe(_ finding: JSONValue) -> String {
        guard let object = finding.objectValue else { return finding.jsonText }
        let severity = object["severity"]?.stringValue ?? ""
        let code = object["code"]?.stringValue ?? ""
        let details = object.fields
            .filter { !["code", "severity", "component"].contains($0.key) }
            .map { "\($0.key)=\(plain($0.value))" }
        let padded = severity + String(repeating: " ", count: max(1, 8 - severity.count))
        return ([padded + code] + details).joined(separator: " ")
    }

    private static func plain(_ value: JSONValue) -> String {
        if case .string(let s) = value, !s.contains(" "), !s.isEmpty { return s }
        return value.jsonText
    }
}
