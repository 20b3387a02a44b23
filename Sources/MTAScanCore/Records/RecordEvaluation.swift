/// What `STSRecordEvaluation` and `TLSRPTRecordEvaluation` share, so one walk
/// over the TXT records serves both kinds.
protocol RecordEvaluation {
    var findings: [Finding] { get set }
    init(status: RecordStatus, findings: [Finding])
}

/// The finding codes of one record kind, for the steps both kinds share.
struct RecordCodes {
    /// More than one record begins with the version.
    let multiple: FindingCode
    /// A bare version with no fields: the required field is missing.
    let missingRequiredField: FindingCode
    /// Evidently meant as this kind, but not beginning with the exact version.
    let badVersion: FindingCode
}

extension RecordSelection {
    /// The TXT records at one name judged as one kind (RFC 8461 §3.1, RFC 8460
    /// §3): absent when nothing is meant as this kind; else every candidate
    /// reported, the single versioned record handed to `parse` (which returns
    /// true when it found an error it could not report, being over the finding
    /// cap), and invalid after any error.
    static func evaluate<Evaluation: RecordEvaluation>(
        _ txtRecords: [[UInt8]], kind: RecordKind, codes: RecordCodes,
        parse: (UnsafeBufferPointer<UInt8>, inout Evaluation) -> Bool
    ) -> Evaluation {
        let selection = RecordSelection(txtRecords, kind: kind)
        if selection.isAbsent { return Evaluation(status: .absent, findings: []) }

        var evaluation = Evaluation(status: .valid, findings: [])
        if selection.versionedCount > 1 {
            evaluation.findings.append(Finding(codes.multiple, details: multipleDetails(txtRecords, selection.candidates)))
        }
        // A parse error the finding cap left out still makes the record unusable.
        var unreportedError = false
        for (record, candidate) in zip(txtRecords, selection.candidates) {
            record.withUnsafeBufferPointer { record in
                switch candidate {
                case .unrelated:
                    break
                case .versioned:
                    if selection.versionedCount == 1 { unreportedError = parse(record, &evaluation) }
                case .versionOnly:
                    evaluation.findings.append(selection.discardedRecordFinding(
                        codes.missingRequiredField, RecordDetail.record(record).with(["reason": "no-fields"])))
                case .lookalike(let reason, let firstField):
                    evaluation.findings.append(selection.discardedRecordFinding(
                        codes.badVersion,
                        RecordDetail.record(record).with([
                            "version": RecordDetail.text(record, firstField), "reason": .string(reason.rawValue),
                        ])))
                }
            }
        }
        if unreportedError || evaluation.findings.contains(where: { $0.severity == .error }) {
            evaluation = Evaluation(status: .invalid, findings: evaluation.findings)
        }
        return evaluation
    }
}
