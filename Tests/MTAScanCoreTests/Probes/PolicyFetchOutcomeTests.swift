import Testing
@testable import MTAScanCore

/// RFC 8461 §3.3: what a fetched response means for the domain.
@Suite struct PolicyFetchOutcomeTests {
    private static let policy = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n"

    private func response(
        _ status: Int, _ headers: [(name: String, value: String)] = [("content-type", "text/plain")],
        body: String = policy
    ) -> HTTPResponse {
        HTTPResponse(head: HTTPResponseHead(status: status, reason: "", headers: headers), body: Array(body.utf8))
    }

    private func codes(_ outcome: PolicyFetchOutcome) -> [String] { outcome.findings.map(\.code.rawValue) }

    @Test func validPolicy() throws {
        let outcome = PolicyFetchOutcome(response: response(200))
        #expect(outcome.findings.isEmpty)
        #expect(try #require(outcome.policy).mode == .enforce)
        #expect(outcome.evaluation?.isValid == true)
    }

    @Test(arguments: ["text/plain; charset=utf-8", "TEXT/Plain", "text/plain;charset=\"US-ASCII\"", "text/plain;"])
    func parametersAndCaseAreFine(contentType: String) {
        let outcome = PolicyFetchOutcome(response: response(200, [("content-type", contentType)]))
        #expect(outcome.findings.isEmpty)
        #expect(outcome.policy != nil)
    }

    @Test func parsedEndToEndFromTheWire() throws {
        var parser = HTTPResponseParser()
        let wire = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "\(String(Self.policy.utf8.count, radix: 16))\r\n\(Self.policy)\r\n0\r\n\r\n"
        guard case .complete(let response) = parser.feed(Array(wire.utf8)) else {
            Issue.record("not complete")
            return
        }
        let outcome = PolicyFetchOutcome(response: response)
        #expect(try #require(outcome.policy).mx.map(\.text) == ["mail.example.com"])
    }

    @Test func redirectIsNotFollowed() throws {
        let outcome = PolicyFetchOutcome(response: response(301, [("location", "https://www.example.com/.well-known/mta-sts.txt")]))
        #expect(outcome.policy == nil)
        #expect(outcome.evaluation == nil)
        let finding = try #require(outcome.findings.first)
        #expect(outcome.findings.count == 1)
        #expect(finding.code == .policyHTTP)
        #expect(finding[detail: "reason"] == "redirect")
        #expect(finding[detail: "status"] == 301)
        #expect(finding[detail: "location"] == "https://www.example.com/.well-known/mta-sts.txt")
    }

    @Test func redirectWithoutLocation() throws {
        let finding = try #require(PolicyFetchOutcome(response: response(308, [])).findings.first)
        #expect(finding[detail: "reason"] == "redirect")
        #expect(finding[detail: "location"] == nil)
    }

    @Test func longLocationIsExcerpted() throws {
        let long = "https://x.example/" + String(repeating: "é", count: 200)
        let finding = try #require(PolicyFetchOutcome(response: response(302, [("location", long)])).findings.first)
        let location = try #require(finding[detail: "location"]?.stringValue)
        #expect(location.utf8.count <= PolicyFetchOutcome.maxExcerptBytes)
        #expect(long.hasPrefix(location))
    }

    @Test(arguments: [201, 203, 204, 206, 404, 403, 500, 503])
    func otherStatuses(status: Int) throws {
        let outcome = PolicyFetchOutcome(response: response(status))
        #expect(codes(outcome) == ["policy-http"])
        #expect(outcome.findings.first?[detail: "reason"] == "status")
        #expect(outcome.findings.first?[detail: "status"] == .int(status))
        #expect(outcome.policy == nil)
    }

    @Test func wrongMediaTypeStillParsesTheBodyForTheRecord() throws {
        let outcome = PolicyFetchOutcome(response: response(200, [("content-type", "text/html; charset=utf-8")]))
        #expect(codes(outcome) == ["policy-content-type"])
        let finding = try #require(outcome.findings.first)
        #expect(finding[detail: "problem"] == "other-type")
        #expect(finding[detail: "media_type"] == "text/html")
        #expect(finding[detail: "content_type"] == "text/html; charset=utf-8")
        #expect(outcome.evaluation?.isValid == true)
        #expect(outcome.policy == nil)
    }

    @Test func missingMalformedAndConflictingMediaTypes() {
        let missing = PolicyFetchOutcome(response: response(200, []))
        #expect(missing.findings.first?[detail: "problem"] == "missing")
        #expect(missing.findings.first?[detail: "content_type"] == nil)
        let malformed = PolicyFetchOutcome(response: response(200, [("content-type", "text")]))
        #expect(malformed.findings.first?[detail: "problem"] == "malformed")
        #expect(malformed.findings.first?[detail: "content_type"] == "text")
        let conflicting = PolicyFetchOutcome(response: response(200, [("content-type", "text/plain"), ("content-type", "text/html")]))
        #expect(conflicting.findings.first?[detail: "problem"] == "conflicting")
        for outcome in [missing, malformed, conflicting] {
            #expect(codes(outcome) == ["policy-content-type"])
            #expect(outcome.policy == nil)
        }
    }

    @Test func compressedBodyIsNotParsed() throws {
        let outcome = PolicyFetchOutcome(response: response(200, [("content-type", "text/plain"), ("content-encoding", "GZIP")], body: "\u{1F}\u{8B}"))
        #expect(codes(outcome) == ["policy-http"])
        #expect(outcome.findings.first?[detail: "reason"] == "content-encoding")
        #expect(outcome.findings.first?[detail: "content_encoding"] == "gzip")
        #expect(outcome.evaluation == nil)
        #expect(outcome.policy == nil)
        // `identity` is no coding at all.
        let identity = PolicyFetchOutcome(response: response(200, [("content-type", "text/plain"), ("content-encoding", "identity")]))
        #expect(identity.findings.isEmpty)
    }

    @Test func bodyFindingsFollowTheFetchFindings() throws {
        let outcome = PolicyFetchOutcome(response: response(200, [("content-type", "application/octet-stream")],
                                                             body: "version: STSv1\nmode: enforce\nmode: none\nmax_age: 86400\n"))
        #expect(codes(outcome) == ["policy-content-type", "policy-duplicate-key", "policy-syntax"])
        #expect(outcome.evaluation?.policy == nil)   // no mx with mode enforce
    }

    @Test func bodySyntaxErrorsAlone() {
        let outcome = PolicyFetchOutcome(response: response(200, body: ""))
        #expect(codes(outcome) == ["policy-syntax"])
        #expect(outcome.findings.first?[detail: "rule"] == "empty")
        #expect(outcome.policy == nil)
    }

    // MARK: Failed reads

    @Test func oversizedPolicyIsTooLargeLikeTheParserSaysIt() throws {
        var parser = HTTPResponseParser()
        let progress = parser.feed(Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 70000\r\n\r\n".utf8))
        guard case .failed(let failure) = progress else {
            Issue.record("\(progress)")
            return
        }
        let outcome = PolicyFetchOutcome(failure: failure)
        #expect(codes(outcome) == ["policy-syntax"])
        let finding = try #require(outcome.findings.first)
        #expect(finding[detail: "rule"] == "too-large")
        #expect(finding[detail: "bytes"] == 70000)
        #expect(finding[detail: "max_bytes"] == .int(PolicyParser.maxBodyBytes))
    }

    @Test func oversizedBodyWithWrongTypeReportsBoth() {
        let head = HTTPResponseHead(status: 200, reason: "OK", headers: [("content-type", "text/html")])
        let outcome = PolicyFetchOutcome(failure: HTTPParseFailure(.bodyTooLarge, head: head))
        #expect(codes(outcome) == ["policy-content-type", "policy-syntax"])
        #expect(outcome.findings.last?[detail: "bytes"] == nil)
    }

    @Test func brokenBodyBehindAnErrorStatusReportsTheStatus() {
        let head = HTTPResponseHead(status: 404, reason: "Not Found", headers: [])
        let outcome = PolicyFetchOutcome(failure: HTTPParseFailure(.bodyTooLarge, head: head))
        #expect(codes(outcome) == ["policy-http"])
        #expect(outcome.findings.first?[detail: "reason"] == "status")
        #expect(outcome.findings.first?[detail: "status"] == 404)
        // Also when the failure came in the header section, before the head was whole.
        let early = PolicyFetchOutcome(failure: HTTPParseFailure(.obsFold, status: 302))
        #expect(early.findings.first?[detail: "reason"] == "redirect")
        #expect(early.findings.first?[detail: "status"] == 302)
    }

    @Test(arguments: HTTPParseFailure.Reason.allCases.filter { $0 != .bodyTooLarge })
    func everyOtherFailureIsPolicyHTTPWithItsReason(reason: HTTPParseFailure.Reason) throws {
        let outcome = PolicyFetchOutcome(failure: HTTPParseFailure(reason, status: 200))
        let finding = try #require(outcome.findings.first)
        #expect(outcome.findings.count == 1)
        #expect(finding.code == .policyHTTP)
        #expect(finding[detail: "reason"] == .string(reason.rawValue))
        #expect(finding[detail: "status"] == 200)
        #expect(outcome.policy == nil)
        // Before any status line there is no status to report.
        #expect(PolicyFetchOutcome(failure: HTTPParseFailure(reason)).findings.first?[detail: "status"] == nil)
    }

    @Test func findingJSONShape() throws {
        let json = try #require(PolicyFetchOutcome(response: response(404)).findings.first).json
        #expect(json.objectValue?.keys == ["code", "reason", "status", "severity", "component"])
        #expect(json["component"] == "policy")
        #expect(json["severity"] == "error")
    }
}
