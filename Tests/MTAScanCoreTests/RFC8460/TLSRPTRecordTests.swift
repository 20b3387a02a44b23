import Testing

@testable import MTAScanCore

/// RFC 8460 §3: the `_smtp._tls` TXT record.
@Suite struct TLSRPTRecordTests {
    private func only(
        _ evaluation: TLSRPTRecordEvaluation, _ code: FindingCode, sourceLocation: SourceLocation = #_sourceLocation
    ) -> Finding? {
        #expect(evaluation.findings.map(\.code) == [code], sourceLocation: sourceLocation)
        return evaluation.findings.first
    }

    // MARK: valid records

    @Test func lintContractExample() {
        let evaluation = TLSRPTRecord.evaluate(["v=TLSRPTv1; rua=mailto:a@example.com"])
        #expect(evaluation.status == .valid)
        #expect(evaluation.isValid)
        #expect(evaluation.rua == ["mailto:a@example.com"])
        #expect(evaluation.extensions.isEmpty)
        #expect(evaluation.findings.isEmpty)
    }

    @Test(arguments: [
        // RFC 8460 §3.1's two examples.
        ("v=TLSRPTv1;rua=mailto:reports@example.com", ["mailto:reports@example.com"]),
        ("v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt", ["https://reporting.example.com/v1/tlsrpt"]),
        // The comma-separated list of §3, with *WSP around the commas.
        (
            "v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.net/tlsrpt",
            ["mailto:a@example.com", "https://r.example.net/tlsrpt"]
        ),
        (
            "v=TLSRPTv1; rua=mailto:a@example.com \t, \thttps://r.example.net/x;",
            ["mailto:a@example.com", "https://r.example.net/x"]
        ),
    ])
    func validRecords(record: String, rua: [String]) {
        let evaluation = TLSRPTRecord.evaluate([record])
        #expect(evaluation.status == .valid, "\(record)")
        #expect(evaluation.rua == rua)
        #expect(evaluation.findings.isEmpty)
    }

    @Test(arguments: [
        "MAILTO:a@example.com",
        "mailto:a@example.com?subject=TLS%20report",
        "mailto:first.last+tlsrpt@sub.example.co.uk",
        "mailto:a@example.com%2Cb@example.org",
        // Issue 13 item 4: an encoded comma may be data in the local part (RFC 8460 §3).
        "mailto:a%2Cb@example.com",
        "mailto:a%2cb@example.com",
        "mailto:%22a%2Cb%22@example.com",
        "mailto:a%2Cb@example.com%2Cc@example.org",
        "mailto:%22tls%20reports%22@example.com",
        "mailto:a@[192.0.2.1]",
        "mailto:o'brien@example.com",
        "HTTPS://Reports.Example.COM",
        "https://reports.example.com:8443/v1?domain=example.com&x=1#frag",
        "https://user:pw@reports.example.com/",
        "https://reports.example.com.:443/",
        "https://reports.example.com:/",
        "https://192.0.2.1/tlsrpt",
        "https://[2001:db8::1]:8443/tlsrpt",
        "https://reports.example.com/a%2Cb%21c",
    ])
    func usableURIs(uri: String) {
        let evaluation = TLSRPTRecord.evaluate(["v=TLSRPTv1; rua=\(uri)"])
        #expect(evaluation.status == .valid, "\(uri)")
        #expect(evaluation.rua == [uri])
        #expect(evaluation.findings.isEmpty, "\(uri)")
    }

    @Test func extensionsInRecordOrder() {
        let evaluation = TLSRPTRecord.evaluate(["v=TLSRPTv1; ext.a=1; rua=mailto:a@example.com; Z_z=x:y"])
        #expect(evaluation.status == .valid)
        #expect(
            evaluation.extensions == [
                RecordExtension(name: "ext.a", value: "1"), RecordExtension(name: "Z_z", value: "x:y"),
            ])
    }

    @Test func bytesAndStringOverloadsAgree() {
        let text = "v=TLSRPTv1; rua=mailto:a@example.com,http://x.example/"
        #expect(TLSRPTRecord.evaluate([text]) == TLSRPTRecord.evaluate([Array(text.utf8)]))
    }

    // MARK: absent

    @Test(arguments: [
        [String](),
        [""],
        ["v=spf1 -all"],
        ["v=STSv1; id=20240101"],
        ["v=DMARC1; p=none"],
        ["some-verification=abc"],
    ])
    func absentWhenNothingIsMeantAsTLSRPT(records: [String]) {
        let evaluation = TLSRPTRecord.evaluate(records)
        #expect(evaluation.status == .absent)
        #expect(evaluation.rua.isEmpty)
        #expect(evaluation.findings.isEmpty)
    }

    // MARK: tlsrpt-bad-version

    @Test(arguments: [
        ("v=TLSRPTV1; rua=mailto:a@example.com", "case"),
        ("V=TLSRPTv1; rua=mailto:a@example.com", "case"),
        ("v=tlsrptv1; rua=mailto:a@example.com", "case"),
        ("v=TLSRPT1; rua=mailto:a@example.com", "unknown-version"),
        ("v=TLS-RPTv1; rua=mailto:a@example.com", "unknown-version"),
        ("v=TLSRPTv2; rua=mailto:a@example.com", "unknown-version"),
        ("v = TLSRPTv1; rua=mailto:a@example.com", "whitespace-around-equals"),
        ("v=TLSRPTv1 rua=mailto:a@example.com", "missing-delimiter"),
        ("v=TLSRPTv1,rua=mailto:a@example.com", "unknown-version"),
        ("'v=TLSRPTv1; rua=mailto:a@example.com'", "leading-characters"),
        ("rua=mailto:a@example.com", "missing-version"),
        ("rua=mailto:a@example.com; v=TLSRPTv1", "version-not-first"),
        ("v=DMARC1; p=none; rua=mailto:d@example.com", "other-version"),
    ])
    func badVersion(record: String, reason: String) throws {
        let evaluation = TLSRPTRecord.evaluate([record])
        #expect(evaluation.status == .invalid, "\(record)")
        #expect(evaluation.rua.isEmpty)
        let finding = try #require(only(evaluation, .tlsrptBadVersion))
        #expect(finding.severity == .error)
        #expect(finding.component == .tlsrpt)
        #expect(finding[detail: "reason"] == .string(reason), "\(record)")
        #expect(finding[detail: "record"] == .string(record))
    }

    // MARK: tlsrpt-missing-rua

    @Test(arguments: ["v=TLSRPTv1;", "v=TLSRPTv1; ruf=mailto:a@example.com", "v=TLSRPTv1 ; ext=1 ;"])
    func missingRUA(record: String) throws {
        let evaluation = TLSRPTRecord.evaluate([record])
        #expect(evaluation.status == .invalid)
        let finding = try #require(only(evaluation, .tlsrptMissingRUA))
        #expect(finding.severity == .error)
        #expect(finding[detail: "reason"] == nil)
    }

    @Test func bareVersion() throws {
        let finding = try #require(only(TLSRPTRecord.evaluate(["v=TLSRPTv1"]), .tlsrptMissingRUA))
        #expect(finding[detail: "reason"] == "no-fields")
    }

    @Test func ruaInOtherCase() throws {
        let evaluation = TLSRPTRecord.evaluate(["v=TLSRPTv1; RUA=mailto:a@example.com"])
        #expect(evaluation.status == .invalid)
        let finding = try #require(only(evaluation, .tlsrptMissingRUA))
        #expect(finding[detail: "reason"] == "name-case")
        #expect(finding[detail: "field"] == "RUA=mailto:a@example.com")
    }

    // MARK: tlsrpt-bad-rua

    @Test(arguments: [
        ("", "empty"),
        ("reports@example.com", "missing-scheme"),
        ("1mailto:a@example.com", "missing-scheme"),
        ("http://reports.example.com/", "unsupported-scheme"),
        ("ftp://reports.example.com/", "unsupported-scheme"),
        ("mailto:", "missing-address"),
        ("mailto:?subject=x", "missing-address"),
        ("mailto:reports", "missing-at"),
        ("mailto:reports.example.com", "missing-at"),
        ("mailto:@example.com", "bad-local-part"),
        ("mailto:a..b@example.com", "bad-local-part"),
        ("mailto:.a@example.com", "bad-local-part"),
        ("mailto:a%20b@example.com", "bad-local-part"),
        ("mailto:" + String(repeating: "l", count: 65) + "@example.com", "bad-local-part"),
        ("mailto:a@", "bad-domain"),
        ("mailto:a@localhost", "bad-domain"),
        ("mailto:a@example.com.", "bad-domain"),
        ("mailto:a@192.0.2.1", "bad-domain"),
        ("mailto:a@exa..mple.com", "bad-domain"),
        ("mailto:a@example.com%2C", "missing-address"),
        ("mailto:a@example.com%2Cb", "missing-at"),
        ("mailto:%2Ca@example.com", "missing-address"),
        ("mailto:a%2C%2Cb@example.com", "missing-address"),
        ("mailto:a%2Cb", "missing-at"),
        ("mailto:a%2Cb%20c@example.com", "bad-local-part"),
        ("mailto:a@[]", "bad-domain"),
        ("mailto:a@example.com!", "unencoded-exclamation-point"),
        ("mailto:a%2@example.com", "bad-percent-encoding"),
        ("mailto:a@example.com%", "bad-percent-encoding"),
        ("mailto:a@exa mple.com", "invalid-character"),
        ("mailto:bücher@example.com", "invalid-character"),
        ("mailto:<a@example.com>", "invalid-character"),
        ("https:reports.example.com", "missing-host"),
        ("https://", "missing-host"),
        ("https:///tlsrpt", "missing-host"),
        ("https://user@/x", "missing-host"),
        ("https://:443/x", "missing-host"),
        ("https://localhost/", "bad-host"),
        ("https://exa..mple.com/", "bad-host"),
        ("https://[2001:db8::1/", "bad-host"),
        ("https://[2001:db8::1]x/", "bad-host"),
        ("https://example.com:99999/", "bad-port"),
        ("https://example.com:80a/", "bad-port"),
        ("https://example.com:0000000443/", "bad-port"),
    ])
    func unusableURI(uri: String, reason: String) throws {
        let record = "v=TLSRPTv1; rua=\(uri)"
        let evaluation = TLSRPTRecord.evaluate([record])
        // The only URI: nothing can receive reports, so an error.
        #expect(evaluation.status == .invalid, "\(uri)")
        #expect(evaluation.rua.isEmpty)
        let finding = try #require(only(evaluation, .tlsrptBadRUA))
        #expect(finding.severity == .error)
        #expect(finding[detail: "reason"] == .string(reason), "\(uri)")
        #expect(finding[detail: "uri"] == .string(uri))
        #expect(finding[detail: "field"] == .string("rua=\(uri)"))
    }

    @Test func badURINextToAUsableOneIsAWarning() throws {
        let evaluation = TLSRPTRecord.evaluate(["v=TLSRPTv1; rua=http://r.example.com/,mailto:a@example.com"])
        #expect(evaluation.status == .valid)
        #expect(evaluation.rua == ["mailto:a@example.com"])
        let finding = try #require(only(evaluation, .tlsrptBadRUA))
        #expect(finding.severity == .warning)
        #expect(finding[detail: "uri"] == "http://r.example.com/")
        #expect(finding[detail: "reason"] == "unsupported-scheme")
    }

    @Test func emptyListEntries() {
        let evaluation = TLSRPTRecord.evaluate(["v=TLSRPTv1; rua=mailto:a@example.com,,mailto:b@example.com,"])
        #expect(evaluation.status == .valid)
        #expect(evaluation.rua == ["mailto:a@example.com", "mailto:b@example.com"])
        #expect(evaluation.findings.map(\.code) == [.tlsrptBadRUA, .tlsrptBadRUA])
        #expect(evaluation.findings.allSatisfy { $0.severity == .warning && $0[detail: "reason"] == "empty" })
    }

    @Test(arguments: ["v=TLSRPTv1; rua =mailto:a@example.com", "v=TLSRPTv1; rua= mailto:a@example.com"])
    func whitespaceAroundEqualsIsASyntaxError(record: String) throws {
        let evaluation = TLSRPTRecord.evaluate([record])
        #expect(evaluation.status == .invalid)
        let finding = try #require(only(evaluation, .tlsrptBadRUA))
        #expect(finding.severity == .error)
        #expect(finding[detail: "reason"] == "whitespace-around-equals")
    }

    @Test func trailingWhitespaceIsASyntaxErrorEvenWithAGoodURI() {
        let evaluation = TLSRPTRecord.evaluate(["v=TLSRPTv1; rua=mailto:a@example.com "])
        #expect(evaluation.status == .invalid)
        #expect(evaluation.findings.map(\.code) == [.tlsrptBadRUA])
        #expect(evaluation.findings.first?[detail: "reason"] == "trailing-whitespace")
        #expect(evaluation.findings.first?.severity == .error)
    }

    @Test func crlfInsideTheRecord() throws {
        let evaluation = TLSRPTRecord.evaluate(["v=TLSRPTv1; rua=mailto:a@example.com\r\n"])
        #expect(evaluation.status == .invalid)
        let finding = try #require(only(evaluation, .tlsrptBadRUA))
        #expect(finding[detail: "reason"] == "invalid-character")
    }

    // MARK: duplicates and several records

    @Test func duplicateRUAFieldsAreAWarningAndAllURIsCount() throws {
        let evaluation = TLSRPTRecord.evaluate([
            "v=TLSRPTv1; rua=mailto:a@example.com; rua=https://r.example.com/x"
        ])
        #expect(evaluation.status == .valid)
        #expect(evaluation.rua == ["mailto:a@example.com", "https://r.example.com/x"])
        let finding = try #require(only(evaluation, .tlsrptDuplicateRUA))
        #expect(finding.severity == .warning)
        #expect(finding[detail: "count"] == 2)
    }

    @Test func twoVersionedRecordsMeanNoReporting() throws {
        let evaluation = TLSRPTRecord.evaluate([
            "v=TLSRPTv1; rua=mailto:a@example.com", "v=TLSRPTv1; rua=mailto:b@example.com",
        ])
        #expect(evaluation.status == .invalid)
        #expect(evaluation.rua.isEmpty)
        let finding = try #require(only(evaluation, .tlsrptMultiple))
        #expect(finding[detail: "count"] == 2)
        #expect(finding.severity == .error)
    }

    @Test func discardedLookalikeNextToAGoodRecord() throws {
        let evaluation = TLSRPTRecord.evaluate([
            "v=TLSRPTv1; rua=mailto:a@example.com", "v=TLSRPT1; rua=mailto:b@example.com", "v=spf1 -all",
        ])
        #expect(evaluation.status == .valid)
        #expect(evaluation.rua == ["mailto:a@example.com"])
        let finding = try #require(only(evaluation, .tlsrptBadVersion))
        #expect(finding.severity == .warning)
        #expect(finding[detail: "discarded"] == true)
    }

    // MARK: tlsrpt-bad-extension

    @Test(arguments: [
        ("v=TLSRPTv1; rua=mailto:a@example.com; foo=a=b", "bad-value"),
        ("v=TLSRPTv1; rua=mailto:a@example.com; mx: a.com", "missing-equals"),
        ("v=TLSRPTv1;; rua=mailto:a@example.com", "empty-field"),
        ("v=TLSRPTv1; rua=mailto:a@example.com; _x=1", "bad-name"),
        ("v=TLSRPTv1; rua=mailto:a@example.com; x=1 ", "trailing-whitespace"),
        ("v=TLSRPTv1; rua=mailto:a@example.com; x =1", "whitespace-around-equals"),
    ])
    func badExtension(record: String, reason: String) throws {
        let evaluation = TLSRPTRecord.evaluate([record])
        #expect(evaluation.status == .invalid, "\(record)")
        let finding = try #require(only(evaluation, .tlsrptBadExtension))
        #expect(finding.severity == .error)
        #expect(finding[detail: "reason"] == .string(reason), "\(record)")
    }

    // MARK: hostile input

    @Test func nonUTF8URI() throws {
        let record: [UInt8] = Array("v=TLSRPTv1; rua=mailto:".utf8) + [0xFF] + Array("@example.com".utf8)
        let evaluation = TLSRPTRecord.evaluate([record])
        let finding = try #require(only(evaluation, .tlsrptBadRUA))
        #expect(finding[detail: "reason"] == "invalid-character")
        #expect(finding[detail: "uri"] == .string("mailto:\u{FFFD}@example.com"))
    }

    @Test func hundredKilobytesOfURIs() {
        let uris = Array(repeating: "mailto:a@example.com", count: 5_000)
        let evaluation = TLSRPTRecord.evaluate(["v=TLSRPTv1; rua=" + uris.joined(separator: ",")])
        #expect(evaluation.status == .valid)
        #expect(evaluation.rua.count == 5_000)
    }

    @Test func hundredKilobytesOfBadURIsGiveBoundedFindings() {
        let uris = Array(repeating: "http://x.example/", count: 6_000)
        let evaluation = TLSRPTRecord.evaluate(["v=TLSRPTv1; rua=mailto:a@example.com," + uris.joined(separator: ",")])
        #expect(evaluation.status == .valid)
        #expect(evaluation.findings.count == RecordDetail.maximumFieldFindings)
        #expect(evaluation.findings.allSatisfy { $0.severity == .warning })
    }

    @Test func syntaxErrorBeyondTheCapStillInvalidates() {
        // Sixteen warnings fill the cap; the bad extension after them is an error nobody sees listed.
        let uris = Array(repeating: "http://x.example/", count: 20)
        let record = "v=TLSRPTv1; rua=mailto:a@example.com," + uris.joined(separator: ",") + "; x=a=b"
        let evaluation = TLSRPTRecord.evaluate([record])
        #expect(evaluation.findings.count == RecordDetail.maximumFieldFindings)
        #expect(evaluation.status == .invalid)
    }

    @Test func everyByteAfterAGoodRecordIsHandled() {
        for byte in UInt8.min...UInt8.max {
            let record = Array("v=TLSRPTv1; rua=https://r.example.com/".utf8) + [byte]
            let evaluation = TLSRPTRecord.evaluate([record])
            // Path characters of RFC 3986 and a final `;` keep it valid; `,` adds an empty (bad, warned) URI.
            let pathBytes = Array("-._~:/?#[]@$&'()*+=".utf8)
            let stillValid =
                ASCII.isAlphaNumeric(byte) || pathBytes.contains(byte) || byte == UInt8(ascii: ";")
                || byte == UInt8(ascii: ",")
            #expect(evaluation.isValid == stillValid, "byte \(byte)")
        }
    }
}
