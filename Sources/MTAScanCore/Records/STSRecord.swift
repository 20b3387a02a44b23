/// The outcome of looking at the TXT records of `_mta-sts.<domain>`.
public struct STSRecordEvaluation: Sendable, Equatable {
    public var status: RecordStatus
    /// The policy id, when valid. With duplicated `id` fields, the first.
    public var id: String?
    /// Extension fields in record order, when valid.
    public var extensions: [RecordExtension]
    /// `sts-record-*` findings, in record order.
    public var findings: [Finding]

    public var isValid: Bool { status == .valid }

    public init(status: RecordStatus, id: String? = nil, extensions: [RecordExtension] = [], findings: [Finding] = []) {
        self.status = status
        self.id = id
        self.extensions = extensions
        self.findings = findings
    }
}

extension STSRecordEvaluation: RecordEvaluation {
    init(status: RecordStatus, findings: [Finding]) {
        self.init(status: status, id: nil, extensions: [], findings: findings)
    }
}

/// The `_mta-sts` TXT record of RFC 8461 §3.1:
///
///     sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]
///     sts-field       = sts-id / sts-extension     ; sts-id is required (prose)
///     sts-field-delim = *WSP ";" *WSP
///     sts-version     = %s"v=STSv1"
///     sts-id          = %s"id=" 1*32(ALPHA / DIGIT)
///     sts-extension   = sts-ext-name "=" sts-ext-value
///
/// Read exactly: whitespace is allowed only around `;`, so `id = 1` and a
/// record ending in a space are syntax errors, and senders MUST treat a
/// syntactically invalid record as no policy. Finding detail fields:
/// `record` (+ `record_length` when capped) on all but `sts-record-multiple`
/// (`count`, `records`); `field`, `name`, `value`, `reason` on field
/// problems; `version`, `reason` on `sts-record-bad-version`; `values` on
/// `sts-record-duplicate-id`; `discarded: true` on warnings about records the
/// RFC's selection throws away next to one that counts.
public enum STSRecord {
    /// All TXT records found at `_mta-sts.<domain>`, each already joined from
    /// its character-strings (RFC 8461 §3.1: concatenated without spaces).
    public static func evaluate(_ txtRecords: [[UInt8]]) -> STSRecordEvaluation {
        let codes = RecordCodes(multiple: .stsRecordMultiple, missingRequiredField: .stsRecordMissingID,
                                badVersion: .stsRecordBadVersion)
        return RecordSelection.evaluate(txtRecords, kind: .sts, codes: codes) { record, evaluation in
            parse(record, into: &evaluation)
        }
    }

    public static func evaluate(_ txtRecords: [String]) -> STSRecordEvaluation {
        evaluate(txtRecords.map { Array($0.utf8) })
    }

    private static let idName: [UInt8] = Array("id".utf8)

    /// The one record the selection keeps; its first field is the version.
    /// Returns true if an error was found but not reported, being over the cap.
    private static func parse(_ record: UnsafeBufferPointer<UInt8>, into evaluation: inout STSRecordEvaluation)
        -> Bool
    {
        var fieldFindings: [Finding] = []
        var unreportedError = false
        // All field findings are errors; built only if kept.
        func report(_ finding: @autoclosure () -> Finding) {
            if fieldFindings.count < RecordDetail.maximumFieldFindings {
                fieldFindings.append(finding())
            } else {
                unreportedError = true
            }
        }
        var ids: [String] = []
        var idAttempted = false
        var idInOtherCase: Range<Int>?
        var fields = RecordFieldScanner(record)
        _ = fields.next()
        while let field = fields.next() {
            if field.isEmpty {
                report(
                    Finding(.stsRecordBadExtension, details: RecordDetail.field(record, field, reason: "empty-field")))
                continue
            }
            guard field.equals != nil else {
                report(
                    Finding(
                        .stsRecordBadExtension, details: RecordDetail.field(record, field, reason: "missing-equals")))
                continue
            }
            let name = field.name(in: record)
            let value = field.value(in: record)
            let whitespace = field.hasWhitespaceAroundEquals(in: record)
            let namedID = record[name].elementsEqual(idName)
            // `id` is `%s"id="`: an exact name is the id field, and so is any
            // `id =` (no extension name holds a space either). `ID=x` is,
            // by the ABNF, a well-formed extension that leaves the id missing.
            if namedID || (whitespace && ASCII.equalsIgnoringCase(record[name], idName)) {
                idAttempted = true
                if let reason = whitespace ? "whitespace-around-equals" : idProblem(record, value, field) {
                    let length: KeyValuePairs<String, JSONValue> =
                        reason == "too-long" ? ["length": .int(value.count)] : [:]
                    report(
                        Finding(.stsRecordInvalidID, details: RecordDetail.field(record, field, reason: reason, length))
                    )
                } else {
                    ids.append(RecordDetail.string(record, value))
                }
                continue
            }
            if idInOtherCase == nil, ASCII.equalsIgnoringCase(record[name], idName) { idInOtherCase = field.range }
            if let reason = ExtensionGrammar.fieldProblem(record, field, name: name, value: value) {
                report(Finding(.stsRecordBadExtension, details: RecordDetail.field(record, field, reason: reason)))
            } else {
                evaluation.extensions.append(
                    RecordExtension(name: RecordDetail.string(record, name), value: RecordDetail.string(record, value)))
            }
        }
        evaluation.findings += fieldFindings
        if !idAttempted {
            var details = RecordDetail.record(record)
            if let idInOtherCase {
                details["field"] = RecordDetail.text(record, idInOtherCase)
                details["reason"] = "name-case"
            }
            evaluation.findings.append(Finding(.stsRecordMissingID, details: details))
        }
        // RFC 8461 allows any number of fields after the version and says
        // nothing of a repeated `id`. The record stays valid (a strict ABNF
        // reading accepts it), and the first id is reported, as §3.2 has the
        // first of a repeated policy key win; but which one a sender compares
        // is anyone's guess, so a policy update might go unnoticed: a warning.
        if ids.count > 1 {
            evaluation.findings.append(
                Finding(.stsRecordDuplicateID, details: RecordDetail.record(record).with(["values": .strings(ids)])))
        }
        evaluation.id = ids.first
        return unreportedError
    }

    /// Why an `id` value is not `1*32(ALPHA / DIGIT)`, or nil.
    private static func idProblem(_ record: UnsafeBufferPointer<UInt8>, _ value: Range<Int>, _ field: RecordField)
        -> String?
    {
        if value.isEmpty { return "empty" }
        for i in value where !ASCII.isAlphaNumeric(record[i]) { return "invalid-character" }
        if value.count > 32 { return "too-long" }
        if field.trailingWhitespace { return "trailing-whitespace" }
        return nil
    }
}
