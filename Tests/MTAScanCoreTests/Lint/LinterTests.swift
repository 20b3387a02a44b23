import Testing
@testable import MTAScanCore

@Suite struct LinterTests {
    private let withoutList = Linter(publicSuffixList: { .failure(Linter.RequestError("no list here")) })

    @Test func aMissingPublicSuffixListIsAnErrorVerdictOnlyForConsistency() {
        let consistency = withoutList.verdict(forRequestLine: Array(#"{"kind":"mx-consistency","patterns":["a.example"],"hosts":["b.example"]}"#.utf8))
        #expect(consistency["error"] == "no list here")
        let match = withoutList.verdict(forRequestLine: Array(#"{"kind":"mx-match","pattern":"a.example","host":"a.example"}"#.utf8))
        #expect(match == .object(["match": true]))
    }

    @Test func requestErrorsNameTheProblem() {
        func error(_ line: String) -> String? { withoutList.verdict(forRequestLine: Array(line.utf8))["error"]?.stringValue }
        #expect(error(#"{"input":[]}"#) == "missing \"kind\"")
        #expect(error(#"{"kind":"sts-record","input":[1]}"#) == "\"input\" must hold strings")
        #expect(error(#"{"kind":"cert-name","names":"x","host":"y"}"#) == "\"names\" must be an array of strings")
        #expect(error(#"{"kind":"mx-consistency","patterns":["bad pattern"],"hosts":[]}"#) == "invalid mx pattern \"bad pattern\"")
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
}

