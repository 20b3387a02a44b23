/// The engine of `mtascan lint`: one request in, one verdict out, both JSON.
///
/// Pure and stateless apart from the Public Suffix List, which only
/// `mx-consistency` needs and the caller supplies (loading it is I/O).
/// The request and verdict shapes are a contract with pipelines; docs/lint.md
/// documents them.
public struct Linter: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case stsRecord = "sts-record"
        case tlsrptRecord = "tlsrpt-record"
        case policy
        case mxMatch = "mx-match"
        case certName = "cert-name"
        case mxConsistency = "mx-consistency"
    }

    /// `message` quotes input only through `TerminalText`: the human forms
    /// print it on a terminal.
    public struct RequestError: Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// Loaded on first use by `mx-consistency`; a failure is reported per request.
    private let publicSuffixList: @Sendable () -> Result<PublicSuffixList, RequestError>

    /// Bounds the mismatch classification of `mx-consistency` (docs/lint.md).
    public let consistencyLimits: MXConsistency.Limits

    public init(
        publicSuffixList: @escaping @Sendable () -> Result<PublicSuffixList, RequestError>,
        consistencyLimits: MXConsistency.Limits = .default
    ) {
        self.publicSuffixList = publicSuffixList
        self.consistencyLimits = consistencyLimits
    }

    /// The verdict for one request line; malformed requests give `{"error": ...}`.
    public func verdict(forRequestLine line: some Collection<UInt8>) -> JSONValue {
        let request: JSONValue
        do {
            request = try JSONParser.parse(Array(line))
        } catch {
            return errorVerdict("invalid JSON: \(error)")
        }
        do {
            return try verdict(for: request)
        } catch {
            return errorVerdict(error.message)
        }
    }

    public func errorVerdict(_ message: String) -> JSONValue {
        .object(["error": .string(message)])
    }

    public func verdict(for request: JSONValue) throws(RequestError) -> JSONValue {
        guard let object = request.objectValue else { throw RequestError("a request is a JSON object") }
        guard let kindText = object["kind"]?.stringValue else { throw RequestError("missing \"kind\"") }
        guard let kind = Kind(rawValue: kindText) else {
            throw RequestError("unknown kind \"\(TerminalText.escaped(String(kindText.prefix(256))))\"; one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        switch kind {
        case .stsRecord:
            return Self.stsRecordVerdict(STSRecord.evaluate(try Self.records(object)))
        case .tlsrptRecord:
            return Self.tlsrptRecordVerdict(TLSRPTRecord.evaluate(try Self.records(object)))
        case .policy:
            guard let input = object["input"]?.stringValue else { throw RequestError("\"input\" must be the policy text") }
            return Self.policyVerdict(PolicyParser.parse(input))
        case .mxMatch:
            let patternText = try Self.string(object, "pattern")
            let host = try Self.string(object, "host")
            return Self.mxMatchVerdict(pattern: patternText, host: host)
        case .certName:
            let names = try Self.strings(object, "names")
            let host = try Self.string(object, "host")
            return Self.certNameVerdict(names: names, host: host)
        case .mxConsistency:
            let patternTexts = try Self.strings(object, "patterns")
            let hosts = try Self.strings(object, "hosts")
            // An invalid pattern is a finding, as in a policy, and takes no part in the comparison.
            var patterns: [MXPattern] = []
            var patternFindings: [Finding] = []
            for text in patternTexts {
                switch MXPattern.parse(text) {
                case .success(let pattern): patterns.append(pattern)
                case .failure(let problem): patternFindings.append(Self.badMXPatternFinding(text, problem))
                }
            }
            let psl = try publicSuffixList().get()
            let evaluation = MXConsistency.evaluate(patterns: patterns, mxHosts: hosts, psl: psl, limits: consistencyLimits)
            var verdict: JSONObject = ["findings": .array((patternFindings + evaluation.findings).map(\.json))]
            // A bounded answer says so: its kinds are the closest among fewer patterns.
            if let compared = evaluation.comparedPatterns {
                verdict["limits"] = .object([
                    "compared_patterns": .int(compared), "patterns": .int(evaluation.patterns),
                    "unmatched_host_bytes": .int(evaluation.unmatchedHostBytes),
                    "host_byte_patterns": .int(consistencyLimits.hostBytePatterns),
                ])
            }
            return .object(verdict)
        }
    }

    // MARK: verdict shapes

    public static func stsRecordVerdict(_ evaluation: STSRecordEvaluation) -> JSONValue {
        var verdict: JSONObject = ["valid": .bool(evaluation.isValid)]
        if evaluation.isValid, let id = evaluation.id { verdict["id"] = .string(id) }
        if !evaluation.extensions.isEmpty { verdict["extensions"] = extensionsJSON(evaluation.extensions.map { ($0.name, $0.value) }) }
        verdict["findings"] = .array(evaluation.findings.map(\.json))
        return .object(verdict)
    }

    public static func tlsrptRecordVerdict(_ evaluation: TLSRPTRecordEvaluation) -> JSONValue {
        var verdict: JSONObject = ["valid": .bool(evaluation.isValid)]
        if evaluation.isValid { verdict["rua"] = .strings(evaluation.rua) }
        if !evaluation.extensions.isEmpty { verdict["extensions"] = extensionsJSON(evaluation.extensions.map { ($0.name, $0.value) }) }
        verdict["findings"] = .array(evaluation.findings.map(\.json))
        return .object(verdict)
    }

    public static func policyVerdict(_ evaluation: PolicyEvaluation) -> JSONValue {
        var verdict: JSONObject = ["valid": .bool(evaluation.isValid)]
        // Blank lines make the body invalid, yet its fields are what lenient senders apply.
        if let policy = evaluation.parsedPolicy {
            verdict["mode"] = .string(policy.mode.rawValue)
            verdict["max_age"] = .int(policy.maxAge)
            verdict["mx"] = .strings(policy.mx.map(\.text))
            if !policy.extensions.isEmpty { verdict["extensions"] = extensionsJSON(policy.extensions.map { ($0.name, $0.value) }) }
        }
        verdict["findings"] = .array(evaluation.findings.map(\.json))
        return .object(verdict)
    }

    /// A pattern that is no `sts-policy-mx-value` matches nothing: the answer is
    /// a plain no, with the `policy-syntax` finding such an `mx` line gets in a
    /// policy. (`error` is only for requests that cannot be read.)
    public static func mxMatchVerdict(pattern text: String, host: String) -> JSONValue {
        switch MXPattern.parse(text) {
        case .success(let pattern):
            return .object(["match": .bool(pattern.matches(host)), "findings": .array([])])
        case .failure(let problem):
            return .object(["match": .bool(false), "findings": .array([badMXPatternFinding(text, problem).json])])
        }
    }

    static func badMXPatternFinding(_ text: String, _ problem: MXPattern.Problem) -> Finding {
        Finding(.policySyntax, [
            "rule": .string(PolicyParser.Rule.badMXPattern.rawValue), "problem": .string(problem.rawValue),
            "pattern": .string(ProbeText.excerpt(text, maxBytes: maxExcerptBytes)),
        ])
    }

    /// Every presented name that can never match gets an `mx-cert-name-invalid`
    /// finding, whether or not another name matches.
    public static func certNameVerdict(names: [String], host: String) -> JSONValue {
        let findings = names.compactMap { name -> Finding? in
            guard let problem = CertificateNameMatcher.problem(presented: name) else { return nil }
            return Finding(.mxCertNameInvalid, [
                "name": .string(ProbeText.excerpt(name, maxBytes: maxExcerptBytes)), "problem": .string(problem.rawValue),
            ])
        }
        return .object([
            "match": .bool(CertificateNameMatcher.matches(dnsNames: names, host: host)),
            "findings": .array(findings.map(\.json)),
        ])
    }

    /// Patterns and names quoted in findings are cut to this many bytes.
    static let maxExcerptBytes = 256

    static func extensionsJSON(_ pairs: [(String, String)]) -> JSONValue {
        .array(pairs.map { .object(["name": .string($0.0), "value": .string($0.1)]) })
    }

    // MARK: request fields

    /// `input` as one TXT record (a string) or all records at the name (an array of strings).
    private static func records(_ object: JSONObject) throws(RequestError) -> [String] {
        switch object["input"] {
        case .string(let record)?: return [record]
        case .array(let values)?:
            var records: [String] = []
            for value in values {
                guard let record = value.stringValue else { throw RequestError("\"input\" must hold strings") }
                records.append(record)
            }
            return records
        default: throw RequestError("\"input\" must be a TXT record or an array of them")
        }
    }

    private static func string(_ object: JSONObject, _ key: String) throws(RequestError) -> String {
        guard let value = object[key]?.stringValue else { throw RequestError("\"\(key)\" must be a string") }
        return value
    }

    private static func strings(_ object: JSONObject, _ key: String) throws(RequestError) -> [String] {
        guard let values = object[key]?.arrayValue else { throw RequestError("\"\(key)\" must be an array of strings") }
        var strings: [String] = []
        for value in values {
            guard let string = value.stringValue else { throw RequestError("\"\(key)\" must be an array of strings") }
            strings.append(string)
        }
        return strings
    }
}
