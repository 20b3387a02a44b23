import Testing
import MTAScanCore

@Suite struct MismatchKindTests {
    /// The `kind` values of `mx-pattern-mismatch` in shared/spec/findings.md:
    /// output vocabulary that must not drift.
    @Test func rawValuesAreTheFindingsVocabulary() {
        #expect(MismatchKind.allCases.map(\.rawValue) == ["typo", "tld", "extra-label", "mta-sts-label", "complete"])
        #expect(MismatchKind(rawValue: "extra-label") == .extraLabel)
        #expect(MismatchKind(rawValue: "extraLabel") == nil)
    }
}
