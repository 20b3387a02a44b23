import Testing
@testable import MTAScanCore

@Suite struct LinterTests {
    private let withoutList = Linter(publicSuffixList: { .failure(Linter.RequestError("no list here")) })

    @Test func aMissingPublicSuffixListIsAnErrorVerdictOnlyForConsistency() {
        let consistency = withoutList.verdict(forRequestLine: Array(#"{"kind":"mx-consistency","patterns":["a.example"],"hosts":["b.example"]}"#.utf8))
        #expect(consistency["error"] == "no list here")
        let match = withoutList.verdict(forRequestLine: Array(#"{"kind":"mx-match","pattern":"a.example","host":"a.example"}"#.utf8))
        #expect(match == .object(["match": true, "findings": []]))
    }

    @Test func requestErrorsNameTheProblem() {
        func error(_ line: String) -> String? { withoutList.verdict(forRequestLine: Array(line.utf8))["error"]?.stringValue }
        #expect(error(#"{"input":[]}"#) == "missing \"kind\"")
        #expect(error(#"{"kind":"sts-record","input":[1]}"#) == "\"input\" must hold strings")
        #expect(error(#"{"kind":"cert-name","names":"x","host":"y"}"#) == "\"names\" must be an array of strings")
        #expect(error(#"{"kind":"zone"}"#)?.hasPrefix("unknown kind \"zone\"") == true)
    }

    @Test func singleStringInputIsOneRecord() {
        let verdict = withoutList.verdict(forRequestLine: Array(#"{"kind":"sts-record","input":"v=STSv1; id=abc"}"#.utf8))
        #expect(verdict == .object(["valid": true, "id": "abc", "findings": []]))
    }

    @Test func invalidRecordsHaveNoIDAndCarryFindings() {
        let verdict = withoutList.verdict(forRequestLine: Array(#"{"kind":"sts-record","input":[]}"#.utf8))
        #expect(verdict == .object(["valid": false, "findings": []]))
    }

    @Test func aBoundedConsistencyAnswerCarriesItsLimits() throws {
        let psl = try #require(DebianPublicSuffixList.shared, "Debian package publicsuffix not installed")
        let linter = Linter(publicSuffixList: { .success(psl) }, consistencyLimits: .init(hostBytePatterns: 26))
        let request = #"{"kind":"mx-consistency","patterns":["a.example.com","b.example.com","c.example.com"],"hosts":["x.example.org","y.example.org"]}"#
        let verdict = linter.verdict(forRequestLine: Array(request.utf8))
        #expect(verdict["findings"]?.arrayValue?.count == 2)
        #expect(verdict.objectValue?.keys == ["findings", "limits"])
        #expect(verdict["limits"] == .object([
            "compared_patterns": 1, "patterns": 3, "unmatched_host_bytes": 26, "host_byte_patterns": 26,
        ]))
        // Within the limits, the verdict is as before: findings only.
        let small = #"{"kind":"mx-consistency","patterns":["a.example.com"],"hosts":["x.example.org"]}"#
        #expect(linter.verdict(forRequestLine: Array(small.utf8)).objectValue?.keys == ["findings"])
    }

    // MARK: issue 13: invalid patterns are answers, not errors

    private func verdict(_ line: String) -> JSONValue { withoutList.verdict(forRequestLine: Array(line.utf8)) }

    @Test(arguments: [
        ("mx*.example.com", "misplaced-wildcard"), ("*.*.com", "misplaced-wildcard"),
        (".example.com", "invalid-name"), ("*", "misplaced-wildcard"), ("", "empty"),
    ])
    func anInvalidMXPatternIsNoMatchWithAFinding(pattern: String, problem: String) throws {
        let request = JSONValue.object(["kind": "mx-match", "pattern": .string(pattern), "host": "mx1.example.com"])
        let answer = verdict(request.jsonText)
        #expect(answer["error"] == nil)
        #expect(answer.objectValue?.keys == ["match", "findings"])
        #expect(answer["match"] == false)
        let finding = try #require(answer["findings"]?.arrayValue?.first)
        #expect(finding["code"] == "policy-syntax")
        #expect(finding["rule"] == "bad-mx-pattern")
        #expect(finding["problem"] == .string(problem))
        #expect(finding["pattern"] == .string(pattern))
    }

    @Test(arguments: [
        ("m*.example.com", "partial-wildcard"), ("*.*.com", "misplaced-wildcard"), (".example.com", "invalid-name"),
        ("*", "wildcard-too-broad"), ("", "empty"), ("*.com", "wildcard-too-broad"),
        ("mx.example.com.", "trailing-dot"), ("mail.*.example.com", "misplaced-wildcard"),
    ])
    func anInvalidCertificateNameIsNoMatchWithAFinding(name: String, problem: String) throws {
        let request = JSONValue.object(["kind": "cert-name", "names": .strings([name]), "host": "mx.example.com"])
        let answer = verdict(request.jsonText)
        #expect(answer["error"] == nil)
        #expect(answer["match"] == false)
        let finding = try #require(answer["findings"]?.arrayValue?.first)
        #expect(finding["code"] == "mx-cert-name-invalid")
        #expect(finding["name"] == .string(name))
        #expect(finding["problem"] == .string(problem))
    }

    @Test func anInvalidNameBesideAMatchingOneIsStillReported() {
        let answer = verdict(#"{"kind":"cert-name","names":["m*.example.com","mx.example.com"],"host":"mx.example.com"}"#)
        #expect(answer["match"] == true)
        #expect(answer["findings"]?.arrayValue?.count == 1)
    }

    @Test func anInvalidPatternInMXConsistencyIsAFindingToo() throws {
        let psl = try #require(DebianPublicSuffixList.shared, "Debian package publicsuffix not installed")
        let linter = Linter(publicSuffixList: { .success(psl) })
        let answer = linter.verdict(forRequestLine: Array(
            #"{"kind":"mx-consistency","patterns":["bad pattern","mx.example.com"],"hosts":["mx.example.com"]}"#.utf8))
        #expect(answer["error"] == nil)
        let findings = answer["findings"]?.arrayValue ?? []
        #expect(findings.count == 1)
        #expect(findings.first?["rule"] == "bad-mx-pattern")
    }

    @Test func unicodeHostsAreMatchedAsALabels() {
        #expect(verdict(#"{"kind":"mx-match","pattern":"*.xn--bcher-kva.example","host":"mail.bücher.example"}"#)["match"] == true)
        #expect(verdict(#"{"kind":"cert-name","names":["mail.xn--bcher-kva.example"],"host":"MAIL.BÜCHER.example."}"#)["match"] == true)
    }
}
