/// The TXT records at one name, each classified against one record kind,
/// and the RFCs' selection rule applied (RFC 8461 §3.1, RFC 8460 §3):
/// records that do not begin with the version are discarded, and unless
/// exactly one is left the domain has no usable record.
struct RecordSelection {
    let candidates: [RecordCandidate]
    /// Records that begin with the version: the ones the RFCs keep.
    let versionedCount: Int

    init(_ records: [[UInt8]], kind: RecordKind) {
        var candidates: [RecordCandidate] = []
        candidates.reserveCapacity(records.count)
        var versionedCount = 0
        for record in records {
            let candidate = record.withUnsafeBufferPointer { RecordCandidate.classify($0, as: kind) }
            if candidate == .versioned { versionedCount += 1 }
            candidates.append(candidate)
        }
        self.candidates = candidates
        self.versionedCount = versionedCount
    }

    /// Nothing at the name is evidently meant as this kind.
    var isAbsent: Bool { candidates.allSatisfy { $0 == .unrelated } }

    /// A finding about a record the selection throws away (a look-alike, a
    /// bare version). It is an error when nothing else is there, since then it
    /// is why the domain has no usable record; a warning, marked
    /// `"discarded": true`, when another record is what senders act on: the
    /// domain works (or fails) regardless, but the owner probably meant
    /// something by it.
    func discardedRecordFinding(_ code: FindingCode, _ details: JSONObject) -> Finding {
        guard versionedCount > 0 else { return Finding(code, severity: .error, details: details) }
        return Finding(code, severity: .warning, details: details.with(["discarded": true]))
    }

    /// The `*-multiple` details: how many, and their texts.
    static func multipleDetails(_ records: [[UInt8]], _ candidates: [RecordCandidate]) -> JSONObject {
        var texts: [JSONValue] = []
        for (record, candidate) in zip(records, candidates) where candidate == .versioned {
            texts.append(record.withUnsafeBufferPointer { RecordDetail.text($0, 0..<$0.count) })
        }
        return ["count": .int(texts.count), "records": .array(texts)]
    }
}
