import Testing

@testable import MTAScanCore

/// RFC 8461 §3.1: the `_mta-sts` TXT record.
@Suite struct STSRecordTests {
    private func only(
        _ evaluation: STSRecordEvaluation, _ code: FindingCode, sourceLocation: SourceLocation = #_sourceLocation
    )
        -> Finding?
    {
        #expect(evaluation.findings.map(\.code) == [code], sourceLocation: sourceLocation)
        return evaluation.findings.first
    }

    // MARK: valid records

    @Test func lintContractExample() {
        let evaluation = STSRecord.evaluate(["v=STSv1; id=20240101"])
        #expect(evaluation.status == .valid)
        #expect(evaluation.isValid)
        #expect(evaluation.id == "20240101")
        #expect(evaluation.extensions.isEmpty)
        #expect(evaluation.findings.isEmpty)
    }

    @Test func rfcExampleWithTrailingDelimiter() {
        // RFC 8461 §3.1: `_mta-sts.example.com.  IN TXT "v=STSv1; id=20160831085700Z;"`
        let evaluation = STSRecord.evaluate(["v=STSv1; id=20160831085700Z;"])
        #expect(evaluation.status == .valid)
        #expect(evaluation.id == "20160831085700Z")
        #expect(evaluation.findings.isEmpty)
    }

    @Test(arguments: [
        "v=STSv1;id=1",
        "v=STSv1 ;id=1",
        "v=STSv1\t;\tid=1",
        "v=STSv1;  id=1  ;",
        "v=STSv1; id=1; ",
        "v=STSv1; id=1 ;\t ",
        "v=STSv1; id=ABCdef0123456789ABCdef0123456789",  // 32 characters, the maximum
    ])
    func delimitersAreWhitespaceAroundSemicolons(record: String) {
        let evaluation = STSRecord.evaluate([record])
        #expect(evaluation.status == .valid, "\(record)")
        #expect(evaluation.findings.isEmpty, "\(record)")
    }

    @Test func extensionsInRecordOrderAndIdAnywhere() {
        let evaluation = STSRecord.evaluate(["v=STSv1; ext_1=a:b/c; id=7; X.y-Z=~!{}; v=STSv1"])
        #expect(evaluation.status == .valid)
        #expect(evaluation.id == "7")
        // A later `v=STSv1` is, by the ABNF, just an extension named `v`.
        #expect(
            evaluation.extensions == [
                RecordExtension(name: "ext_1", value: "a:b/c"),
                RecordExtension(name: "X.y-Z", value: "~!{}"),
                RecordExtension(name: "v", value: "STSv1"),
            ])
        #expect(evaluation.findings.isEmpty)
    }

    @Test func bytesAndStringOverloadsAgree() {
        let text = "v=STSv1; id=abc; foo=a=b"
        #expect(STSRecord.evaluate([text]) == STSRecord.evaluate([Array(text.utf8)]))
    }

    // MARK: absent

    @Test(arguments: [
        [String](),
        [""],
        ["", ""],
        ["v=spf1 -all"],
        ["v=spf1 include:_spf.mtasts.example ~all"],
        ["google-site-verification=abc123XYZ"],
        ["v=TLSRPTv1; rua=mailto:a@example.com"],
        ["v=DMARC1; p=none"],
        ["mx: a.example.com"],
    ])
    func absentWhenNothingIsMeantAsSTS(records: [String]) {
        let evaluation = STSRecord.evaluate(records)
        #expect(evaluation.status == .absent)
        #expect(!evaluation.isValid)
        #expect(evaluation.id == nil)
        #expect(evaluation.findings.isEmpty)
    }

    @Test func nonUTF8JunkIsAbsent() {
        #expect(STSRecord.evaluate([[0xFF, 0xFE, 0x00, 0x80]]).status == .absent)
    }

    // MARK: sts-record-bad-version

    @Test(arguments: [
        ("v=STSV1; id=1", "case", "v=STSV1"),
        ("V=STSv1; id=1", "case", "V=STSv1"),
        ("V=stsV1; ID=abc", "case", "V=stsV1"),
        ("v=sts1; id=1", "unknown-version", "v=sts1"),
        ("v=STSv2; id=1", "unknown-version", "v=STSv2"),
        ("v=STSv1x; id=1", "unknown-version", "v=STSv1x"),
        ("v=STSv10", "unknown-version", "v=STSv10"),
        ("v=MTA-STSv1; id=1", "unknown-version", "v=MTA-STSv1"),
        ("v = STSv1; id=1", "whitespace-around-equals", "v = STSv1"),
        ("v= STSv1; id=1", "whitespace-around-equals", "v= STSv1"),
        ("v=STSv1 id=1", "missing-delimiter", "v=STSv1 id=1"),
        ("v=STSV1 id=1", "missing-delimiter", "v=STSV1 id=1"),
        ("v=STSv1, id=1", "unknown-version", "v=STSv1, id=1"),
        (" v=STSv1; id=1", "leading-characters", " v=STSv1"),
        ("\"v=STSv1; id=1\"", "leading-characters", "\"v=STSv1"),
        ("v=STSv1\r\n; id=1", "control-character", "v=STSv1\r\n"),
        ("id=20240101", "missing-version", "id=20240101"),
        ("id=1; v=STSv1", "version-not-first", "id=1"),
        ("ID = 1", "missing-version", "ID = 1"),
        ("v=spf1 -all; id=1", "other-version", "v=spf1 -all"),
    ])
    func badVersion(record: String, reason: String, version: String) throws {
        let evaluation = STSRecord.evaluate([record])
        #expect(evaluation.status == .invalid, "\(record)")
        #expect(evaluation.id == nil)
        let finding = try #require(only(evaluation, .stsRecordBadVersion))
        #expect(finding.severity == .error)
        #expect(finding.component == .stsRecord)
        #expect(finding[detail: "reason"] == .string(reason), "\(record)")
        #expect(finding[detail: "version"] == .string(version), "\(record)")
        #expect(finding[detail: "record"] == .string(record))
        #expect(finding[detail: "discarded"] == nil)
    }

    // MARK: sts-record-invalid-id

    @Test(arguments: [
        ("v=STSv1; id=abc-def", "invalid-character", "abc-def"),
        ("v=STSv1; id=" + String(repeating: "a", count: 33), "too-long", String(repeating: "a", count: 33)),
        ("v=STSv1; id=", "empty", ""),
        ("v=STSv1; id=;", "empty", ""),
        ("v=STSv1; id=2024.01.01", "invalid-character", "2024.01.01"),
        ("v=STSv1; id=abc def", "invalid-character", "abc def"),
        ("v=STSv1; id=bücher", "invalid-character", "bücher"),
        ("v=STSv1; id=1\r\n", "invalid-character", "1\r\n"),
        ("v=STSv1; id=1\n; foo=bar", "invalid-character", "1\n"),
        ("v=STSv1; id=20240101 ", "trailing-whitespace", "20240101"),
        ("v=STSv1; id =1", "whitespace-around-equals", "1"),
        ("v=STSv1; id= 1", "whitespace-around-equals", "1"),
        ("v=STSv1; ID = 1", "whitespace-around-equals", "1"),
    ])
    func invalidID(record: String, reason: String, value: String) throws {
        let evaluation = STSRecord.evaluate([record])
        #expect(evaluation.status == .invalid, "\(record)")
        #expect(evaluation.id == nil)
        #expect(evaluation.extensions.isEmpty)
        // Never also reported as a missing id or a bad extension.
        let finding = try #require(only(evaluation, .stsRecordInvalidID))
        #expect(finding.severity == .error)
        #expect(finding[detail: "reason"] == .string(reason), "\(record)")
        #expect(finding[detail: "value"] == .string(value), "\(record)")
        #expect(finding[detail: "name"] != nil)
        #expect(finding[detail: "field"] != nil)
    }

    @Test func tooLongIDCarriesItsLength() throws {
        let evaluation = STSRecord.evaluate(["v=STSv1; id=" + String(repeating: "7", count: 33)])
        let finding = try #require(only(evaluation, .stsRecordInvalidID))
        #expect(finding[detail: "length"] == 33)
    }

    @Test func badIDNextToAGoodOneStillFails() {
        // `id=x-y` matches sts-extension by the ABNF, but a field named `id`
        // is the id field; a sender keeping the last `id` would reject it.
        let evaluation = STSRecord.evaluate(["v=STSv1; id=1; id=x-y"])
        #expect(evaluation.status == .invalid)
        #expect(evaluation.findings.map(\.code) == [.stsRecordInvalidID])
    }

    // MARK: sts-record-missing-id

    @Test func missingIDWithOnlyExtensions() throws {
        let evaluation = STSRecord.evaluate(["v=STSv1; foo=bar"])
        #expect(evaluation.status == .invalid)
        let finding = try #require(only(evaluation, .stsRecordMissingID))
        #expect(finding[detail: "record"] == "v=STSv1; foo=bar")
        #expect(finding[detail: "reason"] == nil)
    }

    @Test(arguments: ["v=STSv1;", "v=STSv1; ", "v=STSv1;;"])
    func missingIDAfterDelimiter(record: String) {
        let evaluation = STSRecord.evaluate([record])
        #expect(evaluation.status == .invalid)
        #expect(evaluation.findings.map(\.code).contains(.stsRecordMissingID))
    }

    @Test(arguments: ["v=STSv1", "v=STSv1  ", "v=STSv1\t"])
    func bareVersionHasNoFields(record: String) throws {
        let evaluation = STSRecord.evaluate([record])
        #expect(evaluation.status == .invalid)
        let finding = try #require(only(evaluation, .stsRecordMissingID))
        #expect(finding[detail: "reason"] == "no-fields")
        #expect(finding.severity == .error)
    }

    @Test func idInOtherCaseIsAnExtensionAndTheIDIsMissing() throws {
        let evaluation = STSRecord.evaluate(["v=STSv1; ID=20240101"])
        #expect(evaluation.status == .invalid)
        let finding = try #require(only(evaluation, .stsRecordMissingID))
        #expect(finding[detail: "reason"] == "name-case")
        #expect(finding[detail: "field"] == "ID=20240101")
    }

    @Test func idInOtherCaseNextToARealIDIsJustAnExtension() {
        let evaluation = STSRecord.evaluate(["v=STSv1; id=1; Id=2"])
        #expect(evaluation.status == .valid)
        #expect(evaluation.id == "1")
        #expect(evaluation.extensions == [RecordExtension(name: "Id", value: "2")])
        #expect(evaluation.findings.isEmpty)
    }

    // MARK: sts-record-bad-extension

    @Test(arguments: [
        ("v=STSv1; id=1; mx: a.com", "missing-equals"),
        ("v=STSv1; id=1; mode", "missing-equals"),
        ("v=STSv1; id=1;; foo=bar", "empty-field"),
        ("v=STSv1; ; id=1", "empty-field"),
        ("v=STSv1; id=1; foo=a=b", "bad-value"),
        ("v=STSv1; id=1; foo=a b", "bad-value"),
        ("v=STSv1; id=1; foo=bär", "bad-value"),
        ("v=STSv1; id=1; foo=a\u{7F}", "bad-value"),
        ("v=STSv1; id=1; foo=a\r\n", "bad-value"),
        ("v=STSv1; id=1; foo=", "empty-value"),
        ("v=STSv1; id=1; =foo", "empty-name"),
        ("v=STSv1; id=1; _foo=1", "bad-name"),
        ("v=STSv1; id=1; -foo=1", "bad-name"),
        ("v=STSv1; id=1; fo o=1", "bad-name"),
        ("v=STSv1; id=1; f+o=1", "bad-name"),
        ("v=STSv1; id=1; " + String(repeating: "n", count: 33) + "=1", "name-too-long"),
        ("v=STSv1; id=1; foo =1", "whitespace-around-equals"),
        ("v=STSv1; id=1; foo= 1", "whitespace-around-equals"),
        ("v=STSv1; id=1; foo=1 ", "trailing-whitespace"),
        ("v=STSv1; id=1; foo=1\t", "trailing-whitespace"),
    ])
    func badExtension(record: String, reason: String) throws {
        let evaluation = STSRecord.evaluate([record])
        #expect(evaluation.status == .invalid, "\(record)")
        #expect(evaluation.extensions.isEmpty)
        let finding = try #require(only(evaluation, .stsRecordBadExtension))
        #expect(finding.severity == .error)
        #expect(finding[detail: "reason"] == .string(reason), "\(record)")
        #expect(finding[detail: "field"] != nil)
    }

    @Test func extensionNameOf32IsFine() {
        let name = "a" + String(repeating: "b_-.", count: 7) + "xyz"
        #expect(name.utf8.count == 32)
        let evaluation = STSRecord.evaluate(["v=STSv1; id=1; \(name)=v"])
        #expect(evaluation.status == .valid)
        #expect(evaluation.extensions == [RecordExtension(name: name, value: "v")])
    }

    @Test func badExtensionDetailsNameTheField() throws {
        let evaluation = STSRecord.evaluate(["v=STSv1; id=1; foo=a=b"])
        let finding = try #require(only(evaluation, .stsRecordBadExtension))
        #expect(finding[detail: "field"] == "foo=a=b")
        #expect(finding[detail: "name"] == "foo")
        #expect(finding[detail: "value"] == "a=b")
    }

    // MARK: duplicated id

    @Test func duplicateIDIsAWarningAndTheFirstWins() throws {
        let evaluation = STSRecord.evaluate(["v=STSv1; id=2024; ext=1; id=2025"])
        #expect(evaluation.status == .valid)
        #expect(evaluation.id == "2024")
        #expect(evaluation.extensions == [RecordExtension(name: "ext", value: "1")])
        let finding = try #require(only(evaluation, .stsRecordDuplicateID))
        #expect(finding.severity == .warning)
        #expect(finding.component == .stsRecord)
        #expect(finding[detail: "values"] == ["2024", "2025"])
    }

    @Test func sameIDTwiceIsStillADuplicate() {
        let evaluation = STSRecord.evaluate(["v=STSv1; id=1; id=1"])
        #expect(evaluation.status == .valid)
        #expect(evaluation.findings.map(\.code) == [.stsRecordDuplicateID])
    }

    // MARK: several TXT records

    @Test func twoVersionedRecordsMeanNoPolicy() throws {
        let evaluation = STSRecord.evaluate(["v=STSv1; id=1", "v=spf1 -all", "v=STSv1; id=2"])
        #expect(evaluation.status == .invalid)
        #expect(evaluation.id == nil)
        let finding = try #require(only(evaluation, .stsRecordMultiple))
        #expect(finding.severity == .error)
        #expect(finding[detail: "count"] == 2)
        #expect(finding[detail: "records"] == ["v=STSv1; id=1", "v=STSv1; id=2"])
    }

    @Test func identicalDuplicatesAreStillMultiple() {
        let evaluation = STSRecord.evaluate(["v=STSv1; id=1", "v=STSv1; id=1"])
        #expect(evaluation.status == .invalid)
        #expect(evaluation.findings.map(\.code) == [.stsRecordMultiple])
    }

    @Test func unrelatedRecordsAreIgnored() {
        let evaluation = STSRecord.evaluate(["v=spf1 -all", "", "v=STSv1; id=42", "google-site-verification=x"])
        #expect(evaluation.status == .valid)
        #expect(evaluation.id == "42")
        #expect(evaluation.findings.isEmpty)
    }

    @Test func discardedLookalikeNextToAGoodRecordIsAWarning() throws {
        // RFC 8461 §3.1 discards records not beginning with `v=STSv1;`: the good one is the policy.
        let evaluation = STSRecord.evaluate(["v=STSV1; id=2", "v=STSv1; id=1"])
        #expect(evaluation.status == .valid)
        #expect(evaluation.id == "1")
        let finding = try #require(only(evaluation, .stsRecordBadVersion))
        #expect(finding.severity == .warning)
        #expect(finding[detail: "discarded"] == true)
        #expect(finding[detail: "record"] == "v=STSV1; id=2")
    }

    @Test func bareVersionNextToAGoodRecordIsAWarning() throws {
        let evaluation = STSRecord.evaluate(["v=STSv1", "v=STSv1; id=1"])
        #expect(evaluation.status == .valid)
        let finding = try #require(only(evaluation, .stsRecordMissingID))
        #expect(finding.severity == .warning)
        #expect(finding[detail: "discarded"] == true)
    }

    @Test func lookalikesAloneAreErrorsEach() {
        let evaluation = STSRecord.evaluate(["v=STSV1; id=1", "id=2"])
        #expect(evaluation.status == .invalid)
        #expect(evaluation.findings.map(\.code) == [.stsRecordBadVersion, .stsRecordBadVersion])
        #expect(evaluation.findings.allSatisfy { $0.severity == .error })
    }

    @Test func multipleWithDiscardedLookalike() {
        let evaluation = STSRecord.evaluate(["v=STSv1; id=1", "v=STSv1; id=2", "v=sts1; id=3"])
        #expect(evaluation.status == .invalid)
        #expect(evaluation.findings.map(\.code) == [.stsRecordMultiple, .stsRecordBadVersion])
        #expect(evaluation.findings.map(\.severity) == [.error, .warning])
    }

    // MARK: hostile input

    @Test func nonUTF8BytesInAnExtensionValue() throws {
        let record: [UInt8] = Array("v=STSv1; id=1; foo=".utf8) + [0xC3, 0x28, 0xFF]
        let evaluation = STSRecord.evaluate([record])
        #expect(evaluation.status == .invalid)
        let finding = try #require(only(evaluation, .stsRecordBadExtension))
        #expect(finding[detail: "reason"] == "bad-value")
        #expect(finding[detail: "value"] == .string("\u{FFFD}(\u{FFFD}"))
        #expect(finding[detail: "record"]?.stringValue?.hasPrefix("v=STSv1; id=1; foo=") == true)
    }

    @Test func nulByteInTheID() throws {
        let record: [UInt8] = Array("v=STSv1; id=12".utf8) + [0x00] + Array("34".utf8)
        let finding = try #require(only(STSRecord.evaluate([record]), .stsRecordInvalidID))
        #expect(finding[detail: "reason"] == "invalid-character")
    }

    @Test func hundredKilobyteRecordIsCappedInTheOutput() throws {
        let long = "v=STSv1; id=1; junk=" + String(repeating: "x", count: 100_000) + " "
        let evaluation = STSRecord.evaluate([long])
        #expect(evaluation.status == .invalid)
        let finding = try #require(only(evaluation, .stsRecordBadExtension))
        #expect(finding[detail: "reason"] == "trailing-whitespace")
        #expect(finding[detail: "record"]?.stringValue?.utf8.count == RecordDetail.maximumTextBytes)
        #expect(finding[detail: "record_length"] == .int(long.utf8.count))
        #expect(finding[detail: "value"]?.stringValue?.utf8.count == RecordDetail.maximumTextBytes)
    }

    @Test func hundredKilobyteValidRecord() {
        let value = String(repeating: "a", count: 100_000)
        let evaluation = STSRecord.evaluate(["v=STSv1; id=1; big=\(value)"])
        #expect(evaluation.status == .valid)
        #expect(evaluation.extensions.first?.value.utf8.count == 100_000)
    }

    @Test func hundredKilobytesOfDelimitersGiveBoundedFindings() {
        let evaluation = STSRecord.evaluate(["v=STSv1; id=1" + String(repeating: ";", count: 100_000) + "x"])
        #expect(evaluation.status == .invalid)
        #expect(evaluation.findings.count == RecordDetail.maximumFieldFindings)
        #expect(evaluation.findings.allSatisfy { $0.code == .stsRecordBadExtension })
    }

    @Test func errorsBeyondTheCapStillInvalidate() {
        // Sixteen bad fields fill the cap; the missing id is still reported on top.
        let fields = String(repeating: "; x=a=b", count: 20)
        let evaluation = STSRecord.evaluate(["v=STSv1" + fields])
        #expect(evaluation.status == .invalid)
        #expect(evaluation.findings.count == RecordDetail.maximumFieldFindings + 1)
        #expect(evaluation.findings.last?.code == .stsRecordMissingID)
    }

    @Test func everyByteAfterTheVersionIsHandled() {
        // No byte value crashes the scanner or yields a valid record where the ABNF says no.
        for byte in UInt8.min...UInt8.max {
            let record = Array("v=STSv1; id=1".utf8) + [byte]
            let evaluation = STSRecord.evaluate([record])
            let shouldBeValid = ASCII.isAlphaNumeric(byte) || byte == UInt8(ascii: ";")
            #expect(evaluation.isValid == shouldBeValid, "byte \(byte)")
        }
    }

    @Test func findingSerialisesWithCodeComponentAndSeverity() throws {
        let finding = try #require(STSRecord.evaluate(["v=STSv1; id=a-b"]).findings.first)
        var writer = JSONWriter()
        writer.write(finding.json)
        let json = String(decoding: writer.bytes, as: UTF8.self)
        #expect(json.hasPrefix(#"{"code":"sts-record-invalid-id","record":"v=STSv1; id=a-b","#))
        #expect(json.hasSuffix(#""severity":"error","component":"sts-record"}"#))
    }
}
