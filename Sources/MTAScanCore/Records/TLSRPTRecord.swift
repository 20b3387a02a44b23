/// The outcome of looking at the TXT records of `_smtp._tls.<domain>`.
public struct TLSRPTRecordEvaluation: Sendable, Equatable {
    public var status: RecordStatus
    /// The usable report URIs, in record order (all `rua` fields), when valid.
    public var rua: [String]
    /// Extension fields in record order, when valid.
    public var extensions: [RecordExtension]
    /// `tlsrpt-*` findings, in record order.
    public var findings: [Finding]

    public var isValid: Bool { status == .valid }

    public init(status: RecordStatus, rua: [String] = [], extensions: [RecordExtension] = [], findings: [Finding] = [])
    {
        self.status = status
        self.rua = rua
        self.extensions = extensions
        self.findings = findings
    }
}

extension TLSRPTRecordEvaluation: RecordEvaluation {
    init(status: RecordStatus, findings: [Finding]) {
        self.init(status: status, rua: [], extensions: [], findings: findings)
    }
}

/// The `_smtp._tls` TXT record of RFC 8460 §3:
///
///     tlsrpt-record    = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
///     field-delim      = *WSP ";" *WSP
///     tlsrpt-field     = tlsrpt-rua / tlsrpt-extension   ; tlsrpt-rua is required
///     tlsrpt-version   = %s"v=TLSRPTv1"
///     tlsrpt-rua       = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
///     tlsrpt-uri       = URI   ; commas, "!" and ";" MUST be %-encoded
///     tlsrpt-extension = tlsrpt-ext-name "=" tlsrpt-ext-value
///
/// A `rua` URI that is not usable (`ReportURI`) is a warning while another
/// one is usable, since reports still arrive, and an error when none is.
/// Syntax errors of the record itself (an extension, whitespace around `=`
/// or at the end) are errors: senders discard such a record. Detail fields
/// as for `STSRecord`, plus `uri` and `reason` on `tlsrpt-bad-rua` and
/// `count` on `tlsrpt-duplicate-rua`.
public enum TLSRPTRecord {
    /// All TXT records found at `_smtp._tls.<domain>`, each already joined
    /// from its character-strings (RFC 8460 §3: concatenated without spaces).
    public static func evaluate(_ txtRecords: [[UInt8]]) -> TLSRPTRecordEvaluation {
        let codes = RecordCodes(multiple: .tlsrptMultiple, missingRequiredField: .tlsrptMissingRUA,
                                badVersion: .tlsrptBadVersion)
        return RecordSelection.evaluate(txtRecords, kind: .tlsrpt, codes: codes) { record, evaluation in
            parse(record, into: &evaluation)
        }
    }

    public static func evaluate(_ txtRecords: [String]) -> TLSRPTRecordEvaluation {
        evaluate(txtRecords.map { Array($0.utf8) })
    }

    private static let ruaName: [UInt8] = Array("rua".utf8)

    /// A finding whose severity is known only once the whole record is read.
    private enum PendingFinding {
        case ready(Finding)
        case unusableURI(JSONObject)
    }

    /// Field findings up to the cap, built only if kept. Unusable URIs left
    /// out need no flag: one is kept whenever their severity could matter.
    private struct PendingFindings {
        var findings: [PendingFinding] = []
        var unreportedError = false

        mutating func reportError(_ finding: @autoclosure () -> Finding) {
            if findings.count < RecordDetail.maximumFieldFindings {
                findings.append(.ready(finding()))
            } else {
                unreportedError = true
            }
        }

        mutating func reportUnusableURI(_ details: @autoclosure () -> JSONObject) {
            if findings.count < RecordDetail.maximumFieldFindings { findings.append(.unusableURI(details())) }
        }
    }

    /// The one record the selection keeps; its first field is the version.
    /// Returns true if an error was found but not reported, being over the cap.
    private static func parse(_ record: UnsafeBufferPointer<UInt8>, into evaluation: inout TLSRPTRecordEvaluation)
        -> Bool
    {
        var pending = PendingFindings()
        var ruaFields = 0
        var ruaInOtherCase: Range<Int>?
        var fields = RecordFieldScanner(record)
        _ = fields.next()
        while let field = fields.next() {
            if field.isEmpty {
                pending.reportError(
                    Finding(.tlsrptBadExtension, details: RecordDetail.field(record, field, reason: "empty-field")))
                continue
            }
            guard field.equals != nil else {
                pending.reportError(
                    Finding(.tlsrptBadExtension, details: RecordDetail.field(record, field, reason: "missing-equals")))
                continue
            }
            let name = field.name(in: record)
            let value = field.value(in: record)
            let whitespace = field.hasWhitespaceAroundEquals(in: record)
            // As `id` for MTA-STS: `%s"rua="` exactly, or any `rua =`;
            // `RUA=` is a well-formed extension that leaves `rua` missing.
            if record[name].elementsEqual(ruaName) || (whitespace && ASCII.equalsIgnoringCase(record[name], ruaName)) {
                ruaFields += 1
                if whitespace {
                    pending.reportError(
                        Finding(
                            .tlsrptBadRUA, severity: .error,
                            details: RecordDetail.field(record, field, reason: "whitespace-around-equals")))
                    continue
                }
                readURIs(record, field, into: &pending, usable: &evaluation.rua)
                if field.trailingWhitespace {
                    pending.reportError(
                        Finding(
                            .tlsrptBadRUA, severity: .error,
                            details: RecordDetail.field(record, field, reason: "trailing-whitespace")))
                }
                continue
            }
            if ruaInOtherCase == nil, ASCII.equalsIgnoringCase(record[name], ruaName) { ruaInOtherCase = field.range }
            if let reason = ExtensionGrammar.fieldProblem(record, field, name: name, value: value) {
                pending.reportError(
                    Finding(.tlsrptBadExtension, details: RecordDetail.field(record, field, reason: reason)))
            } else {
                evaluation.extensions.append(
                    RecordExtension(name: RecordDetail.string(record, name), value: RecordDetail.string(record, value)))
            }
        }
        let unusableSeverity: Severity = evaluation.rua.isEmpty ? .error : .warning
        for finding in pending.findings {
            switch finding {
            case .ready(let finding): evaluation.findings.append(finding)
            case .unusableURI(let details):
                evaluation.findings.append(Finding(.tlsrptBadRUA, severity: unusableSeverity, details: details))
            }
        }
        if ruaFields == 0 {
            var details = RecordDetail.record(record)
            if let ruaInOtherCase {
                details["field"] = RecordDetail.text(record, ruaInOtherCase)
                details["reason"] = "name-case"
            }
            evaluation.findings.append(Finding(.tlsrptMissingRUA, details: details))
        }
        // RFC 8460 allows any number of fields and says nothing of a repeated
        // `rua`. Its URIs are all listed (a sender reading either field reports
        // to some of them), but which field a sender honours is unknowable.
        if ruaFields > 1 {
            evaluation.findings.append(
                Finding(.tlsrptDuplicateRUA, details: RecordDetail.record(record).with(["count": .int(ruaFields)])))
        }
        return pending.unreportedError
    }

    /// `tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)`: each URI usable or a pending `tlsrpt-bad-rua`.
    private static func readURIs(
        _ record: UnsafeBufferPointer<UInt8>, _ field: RecordField, into pending: inout PendingFindings,
        usable: inout [String]
    ) {
        let value = field.value(in: record)
        var start = value.lowerBound
        while true {
            var end = start
            while end < value.upperBound, record[end] != UInt8(ascii: ",") { end += 1 }
            var uriStart = start
            var uriEnd = end
            while uriStart < uriEnd, ASCII.isWSP(record[uriStart]) { uriStart += 1 }
            while uriEnd > uriStart, ASCII.isWSP(record[uriEnd - 1]) { uriEnd -= 1 }
            let uri = UnsafeBufferPointer(rebasing: record[uriStart..<uriEnd])
            if let problem = ReportURI.problem(uri) {
                pending.reportUnusableURI(
                    RecordDetail.field(
                        record, field, reason: problem.rawValue, ["uri": RecordDetail.text(record, uriStart..<uriEnd)]))
            } else {
                usable.append(RecordDetail.string(record, uriStart..<uriEnd))
            }
            guard end < value.upperBound else { break }
            start = end + 1
        }
    }
}
