import MTAScanCore
import Testing

/// A notice's problem against a later record, and the statistics of groups.
@Suite struct FollowUpTests {
    private let candidate = NoticeCandidate(
        domain: "example.com", inputLine: 1, verdict: "misconfigured", mode: "enforce",
        findings: [NoticeFinding(code: "policy-tls", severity: "error", component: "policy", details: [:]),
                   NoticeFinding(code: "mx-tls", severity: "error", component: "mx", details: [:])],
        stsRecords: [], policyURL: nil, mxHosts: [], ruaAddresses: [], provider: nil)

    private func record(_ codes: [String], verdict: String = "misconfigured", sts: String = "valid",
                        tlsrpt: String = "absent") -> JSONValue {
        .object(["domain": "example.com", "verdict": .string(verdict), "input_error": nil, "excluded": nil,
                 "findings": .array(codes.map { .object(["code": .string($0)]) }),
                 "sts_record": .object(["status": .string(sts)]), "tlsrpt": .object(["status": .string(tlsrpt)])])
    }

    @Test func resultsFromTheNewRecord() {
        #expect(FollowUp.result(of: candidate, in: record([], verdict: "valid")) == .fixed)
        #expect(FollowUp.result(of: candidate, in: record(["mx-tls", "mx-pkix-invalid-all"])) == .partlyFixed)
        #expect(FollowUp.result(of: candidate, in: record(["mx-tls", "policy-tls"])) == .stillBroken)
        #expect(FollowUp.result(of: candidate, in: record([], verdict: "no-mta-sts", sts: "absent")) == .abandoned)
        #expect(FollowUp.result(of: candidate, in: record(["dns-timeout"], verdict: "unknown")) == .unknown)
        #expect(FollowUp.result(of: candidate, in: nil) == .unknown)
    }

    @Test func aTLSRPTRecommendationIsFixedByPublishingOne() {
        var recommendation = candidate
        recommendation.findings = [NoticeFinding(code: "tlsrpt-recommended", severity: "warning", component: "tlsrpt", details: [:])]
        #expect(FollowUp.result(of: recommendation, in: record([], verdict: "valid", tlsrpt: "valid")) == .fixed)
        #expect(FollowUp.result(of: recommendation, in: record([], verdict: "valid")) == .stillBroken)
    }

    @Test func wilsonIntervals() throws {
        let none = try #require(Proportion(0, of: 10).interval)
        #expect(none.lower == 0 && abs(none.upper - 0.2775) < 0.0005)
        let half = try #require(Proportion(5, of: 10).interval)
        #expect(abs(half.lower - 0.2366) < 0.0005 && abs(half.upper - 0.7634) < 0.0005)
        #expect(Proportion(0, of: 0).interval == nil)
    }

    /// Newcombe (1998), Table II, example (a): 56/70 against 48/80.
    @Test func newcombesWorkedExample() throws {
        let difference = try #require(Proportion(56, of: 70).difference(from: Proportion(48, of: 80)))
        #expect(abs(difference.value - 0.2) < 1e-9)
        #expect(abs(difference.lower - 0.0524) < 0.0005)
        #expect(abs(difference.upper - 0.3339) < 0.0005)
    }
}

/// Feedback exports as form tools write them.
@Suite struct FeedbackCSVTests {
    @Test func quotedFieldsAnyColumnOrderAndBlankLines() throws {
        let text = "answered_at,Answer,token,comment\r\n2026-12-05T10:00:00Z,helpful,ABCDEF0123,\"Thanks, fixed it.\nSecond line, with \"\"quotes\"\"\"\r\n\r\n,not-helpful,abc,\n"
        let answers = try FeedbackCSV.parse(text)
        #expect(answers == [
            .init(token: "abcdef0123", answer: "helpful", comment: "Thanks, fixed it.\nSecond line, with \"quotes\"",
                  answeredAt: "2026-12-05T10:00:00Z"),
            .init(token: "abc", answer: "not-helpful", comment: "", answeredAt: nil),
        ])
    }

    @Test func aHeaderWithoutTokenOrAnswerAndAnOpenQuoteAreErrors() throws {
        #expect(throws: FeedbackCSV.Failure.missingColumn("token")) { try FeedbackCSV.parse("answer\nhelpful\n") }
        #expect(throws: FeedbackCSV.Failure.missingColumn("answer")) { try FeedbackCSV.parse("token\nabc\n") }
        #expect(throws: FeedbackCSV.Failure.malformed(line: 3)) { try FeedbackCSV.parse("token,answer\nabc,\"open\n") }
        #expect(try FeedbackCSV.parse("") == [])
    }

    /// Found by the `feedback-csv` fuzz target: read by grapheme clusters, a
    /// comma followed by a combining mark was no separator (two fields read
    /// as one), and a closing quote after a prepended mark (U+0600) was no
    /// closing quote (an "unterminated" field).
    @Test func delimitersNextToCombiningMarksStillDelimit() throws {
        #expect(try FeedbackCSV.parse("token,answer,comment\nabc,helpful,\u{301}x\n") == [
            .init(token: "abc", answer: "helpful", comment: "\u{301}x", answeredAt: nil),
        ])
        #expect(try FeedbackCSV.parse("token,answer,comment\r\nabc,helpful,\"\u{600}\"\r\n") == [
            .init(token: "abc", answer: "helpful", comment: "\u{600}", answeredAt: nil),
        ])
        #expect(throws: FeedbackCSV.Failure.missingColumn("answer")) { try FeedbackCSV.parse("token,\u{59F}answer\nabc,helpful\n") }
        // Line numbers of an open quote still count CRLF once.
        #expect(throws: FeedbackCSV.Failure.malformed(line: 4)) { try FeedbackCSV.parse("token,answer\r\nabc,\"open\r\nmore\n") }
    }
}

/// The follow-up chart: every group drawn, shares and the effect written out.
@Suite struct FollowUpSVGTests {
    @Test func groupsIntervalsAndTheEffect() {
        var notified = FollowUpGroup(name: "notified")
        notified.domains = 100
        notified.results = [.fixed: 30, .stillBroken: 60, .unknown: 10]
        var control = FollowUpGroup(name: "control <&>")
        control.domains = 25
        control.results = [.fixed: 5, .stillBroken: 20]
        let effect = notified.fixed.difference(from: control.fixed)
        let svg = FollowUpSVG.render(title: "status", groups: [notified, control], effect: effect)
        #expect(svg.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "))
        #expect(svg.hasSuffix("</svg>\n"))
        #expect(svg.contains("notified (100)"))
        #expect(svg.contains("control &lt;&amp;&gt; (25)"))
        #expect(svg.contains("notified: fixed 30 (30.00%)"))
        #expect(svg.contains("33.3% ("))   // 30 of the 90 known
        #expect(svg.contains("fixed, notified − control: +13.3 points"))
        #expect(!svg.contains("control <&>"))
    }
}
