/// What the response to `PolicyFetchRequest` means for the domain (RFC 8461
/// §3.3): the `policy-*` findings of the fetch and, when a body was read, what
/// `PolicyParser` made of it.
///
/// Rules, in order:
/// 1. Status other than 200: `policy-http` with `reason` `redirect` (any 3xx,
///    plus `location` if sent; §3.3: "HTTP 3xx redirects MUST NOT be
///    followed") or `status`, and `status`. The body is not read.
/// 2. A `Content-Encoding` other than `identity` (the request asked for
///    identity): `policy-http` with `reason` `content-encoding` and
///    `content_encoding`. The body is not parsed: it is compressed.
/// 3. A media type other than `text/plain` (§3.3; parameters such as
///    `charset` are fine): `policy-content-type` with `problem` `missing`,
///    `malformed`, `conflicting` (several different fields) or `other-type`,
///    plus `content_type` as sent and `media_type` as parsed, when there are.
///    The body is still parsed, for the record.
/// 4. The body goes to `PolicyParser`, whose findings are appended.
///
/// `policy` is what a sender that follows §3.3 applies: nil after any finding
/// of rules 1 to 3 (the media type check is a SHOULD, but the strict reading
/// is the one a policy can rely on), else the parser's policy.
public struct PolicyFetchOutcome: Sendable, Equatable {
    /// `policy-http` and `policy-content-type` first, then the body's findings
    /// (`policy-syntax`, `policy-duplicate-key`, `policy-max-age-short`).
    public var findings: [Finding]
    /// The parsed body; nil when no body was parsed (rules 1 and 2, or a failed read).
    public var evaluation: PolicyEvaluation?
    public var policy: Policy?

    /// `content_type` and `location` details are cut to this many bytes.
    static let maxExcerptBytes = 256

    public init(findings: [Finding], evaluation: PolicyEvaluation?, policy: Policy?) {
        self.findings = findings
        self.evaluation = evaluation
        self.policy = policy
    }

    /// Classifies a complete response.
    public init(response: HTTPResponse) {
        var findings = Self.statusFindings(response.head)
        guard findings.isEmpty else {
            self.init(findings: findings, evaluation: nil, policy: nil)
            return
        }
        let encoding = Self.contentEncodingFinding(response.head)
        if let encoding { findings.append(encoding) }
        if let contentType = Self.contentTypeFinding(response.head) { findings.append(contentType) }
        guard encoding == nil else {
            self.init(findings: findings, evaluation: nil, policy: nil)
            return
        }
        let evaluation = PolicyParser.parse(response.body)
        let policy = findings.isEmpty ? evaluation.policy : nil
        self.init(findings: findings + evaluation.findings, evaluation: evaluation, policy: policy)
    }

    /// Classifies a response that could not be read. A known status other than
    /// 200 is reported as for a complete response (the status is what went
    /// wrong; a broken body behind a 404 adds nothing). A 200 whose body passes
    /// the cap is `policy-syntax` `too-large`, as `PolicyParser` reports a body
    /// over `PolicyParser.maxBodyBytes` (the parser is assumed to have had that cap).
    /// Anything else is `policy-http` with `reason` the parse failure's reason.
    public init(failure: HTTPParseFailure) {
        if let head = failure.head {
            let statusFindings = Self.statusFindings(head)
            if !statusFindings.isEmpty {
                self.init(findings: statusFindings, evaluation: nil, policy: nil)
                return
            }
        } else if let status = failure.status, status != 200 {
            self.init(findings: [Self.statusFinding(status: status, location: nil)], evaluation: nil, policy: nil)
            return
        }

        var findings: [Finding] = []
        if failure.reason == .bodyTooLarge, let head = failure.head {
            if let encoding = Self.contentEncodingFinding(head) { findings.append(encoding) }
            if let contentType = Self.contentTypeFinding(head) { findings.append(contentType) }
            var details: JSONObject = ["rule": .string(PolicyParser.Rule.tooLarge.rawValue)]
            if let length = failure.contentLength { details["bytes"] = .int(length) }
            details["max_bytes"] = .int(PolicyParser.maxBodyBytes)
            findings.append(Finding(.policySyntax, details: details))
        } else {
            var details: JSONObject = ["reason": .string(failure.reason.rawValue)]
            if let status = failure.status { details["status"] = .int(status) }
            findings.append(Finding(.policyHTTP, details: details))
        }
        self.init(findings: findings, evaluation: nil, policy: nil)
    }

    // MARK: Rules

    private static func statusFindings(_ head: HTTPResponseHead) -> [Finding] {
        head.status == 200 ? [] : [statusFinding(status: head.status, location: head.isRedirect ? head.location : nil)]
    }

    private static func statusFinding(status: Int, location: String?) -> Finding {
        var details: JSONObject = ["reason": .string((300...399).contains(status) ? "redirect" : "status")]
        details["status"] = .int(status)
        if let location { details["location"] = .string(ProbeText.excerpt(location, maxBytes: maxExcerptBytes)) }
        return Finding(.policyHTTP, details: details)
    }

    private static func contentEncodingFinding(_ head: HTTPResponseHead) -> Finding? {
        let codings = head.values(of: "content-encoding").flatMap { value in
            value.utf8.split(separator: UInt8(ascii: ",")).map { element in
                String(decoding: element.filter { !ASCII.isWSP($0) }.map(ASCII.lower), as: UTF8.self)
            }
        }
        guard codings.contains(where: { $0 != "identity" }) else { return nil }
        return Finding(.policyHTTP, [
            "reason": "content-encoding",
            "status": .int(head.status),
            "content_encoding": .string(ProbeText.excerpt(codings.joined(separator: ", "), maxBytes: maxExcerptBytes)),
        ])
    }

    private static func contentTypeFinding(_ head: HTTPResponseHead) -> Finding? {
        let values = head.values(of: "content-type")
        guard let first = values.first else {
            return Finding(.policyContentType, ["problem": "missing"])
        }
        var details: JSONObject = [:]
        if values.contains(where: { $0 != first }) {
            details["problem"] = "conflicting"
        } else if let parsed = HTTPContentType.parse(first) {
            guard parsed.mediaType != "text/plain" else { return nil }
            details["problem"] = "other-type"
            details["media_type"] = .string(ProbeText.excerpt(parsed.mediaType, maxBytes: maxExcerptBytes))
        } else {
            details["problem"] = "malformed"
        }
        details["content_type"] = .string(ProbeText.excerpt(first, maxBytes: maxExcerptBytes))
        return Finding(.policyContentType, details: details)
    }
}
