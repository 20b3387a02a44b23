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
}
