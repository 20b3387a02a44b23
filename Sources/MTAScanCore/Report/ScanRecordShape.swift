/// What `mtascan report` requires of a line before it counts it as a scan
/// record (docs/output.md): an object with a string `domain` and a `findings`
/// array of findings, and, for every other key the report reads, the type the
/// scan writes or `null`. Keys that are missing are read as `null` (scans
/// written before the policy and MX phases lack some), but a key of the wrong
/// type means the line is not a scan record: counting `{}` or
/// `{"findings":"x"}` as a scanned domain would skew every percentage silently.
public enum ScanRecordShape {
    /// Why `value` is not a scan record, or nil if it is one.
    public static func problem(_ value: JSONValue) -> String? {
        guard let record = value.objectValue else { return "not a JSON object" }
        guard record["domain"]?.stringValue != nil else { return "not a scan record: \"domain\" is missing or not a string" }
        guard let findings = record["findings"]?.arrayValue else {
            return "not a scan record: \"findings\" is missing or not an array"
        }
        for finding in findings where finding["code"]?.stringValue == nil {
            return "not a scan record: a finding is not an object with a string \"code\""
        }
        for key in ["verdict", "mode"] where !isNullOr(record[key], { $0.stringValue != nil }) {
            return "not a scan record: \"\(key)\" is not a string or null"
        }
        for key in objectKeys where !isNullOr(record[key], { $0.objectValue != nil }) {
            return "not a scan record: \"\(key)\" is not an object or null"
        }
        for key in ["sts_record", "tlsrpt"] where !isNullOr(record[key]?["status"], { $0.stringValue != nil }) {
            return "not a scan record: \"\(key).status\" is not a string or null"
        }
        if !isNullOr(record["mx"]?["hosts"], { $0.arrayValue != nil }) {
            return "not a scan record: \"mx.hosts\" is not an array or null"
        }
        return nil
    }

    /// The keys the report reads as objects.
    private static let objectKeys = ["input_error", "excluded", "sts_record", "tlsrpt", "policy_host", "policy", "mx"]

    /// Missing, `null`, or of the expected type.
    private static func isNullOr(_ value: JSONValue?, _ isExpected: (JSONValue) -> Bool) -> Bool {
        guard let value, value != .null else { return true }
        return isExpected(value)
    }
}
