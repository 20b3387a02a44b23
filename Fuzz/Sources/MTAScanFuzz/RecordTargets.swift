import MTAScanCore

/// The TXT records at one name, cut from the payload where a control byte
/// says (each piece one record, already joined from its strings).
private func records(_ input: FuzzInput) -> [[UInt8]] {
    var input = input
    let splits = input.splits()
    return splits.pieces(of: input.rest).map { Array($0) }
}

/// Checks both record parsers share: the status does not depend on the order
/// the records came in (DNS gives no order); `[String]` and `[[UInt8]]`
/// entries agree on valid UTF-8; the verdict JSON round-trips.
private func requireOrderFree<Evaluation: Equatable>(
    _ records: [[UInt8]], _ evaluate: ([[UInt8]]) -> Evaluation, _ evaluateText: ([String]) -> Evaluation,
    status: (Evaluation) -> RecordStatus
) -> Evaluation {
    let evaluation = evaluate(records)
    let reversed = evaluate(records.reversed())
    Invariant.require(status(reversed) == status(evaluation), "status depends on record order")
    let texts = records.compactMap { String(validating: $0, as: UTF8.self) }
    if texts.count == records.count {
        Invariant.require(evaluateText(texts) == evaluation, "String and byte evaluations differ")
    }
    return evaluation
}

/// `STSRecord.evaluate` (`_mta-sts` TXT, RFC 8461 §3.1). Also: a valid
/// record has an `id` of 1...32 letters and digits.
enum STSRecordTarget {
    static let target = FuzzTarget(
        name: "sts-record",
        summary: "_mta-sts record parser: order-free status, String = bytes, id shape, verdict JSON"
    ) { input in
        let evaluation = requireOrderFree(
            records(input), STSRecord.evaluate, STSRecord.evaluate, status: { $0.status })
        if evaluation.isValid {
            let id = Array((evaluation.id ?? "").utf8)
            Invariant.require(
                (1...32).contains(id.count) && id.allSatisfy { ASCIIClass.isAlphanumeric($0) }, "id \(id)")
        }
        JSONCheck.requireRoundTrip(Linter.stsRecordVerdict(evaluation), "sts-record verdict")
    }
}

/// `TLSRPTRecord.evaluate` (`_smtp._tls` TXT, RFC 8460 §3). Also: a valid
/// record has at least one `rua` URI, and each usable URI splits
/// (`ReportEndpointTarget`, the `tlsrpt` phase) into a target a check can use.
enum TLSRPTRecordTarget {
    static let target = FuzzTarget(
        name: "tlsrpt-record",
        summary: "_smtp._tls record parser: order-free status, String = bytes, rua present, verdict JSON, rua endpoint targets"
    ) { input in
        let evaluation = requireOrderFree(
            records(input), TLSRPTRecord.evaluate, TLSRPTRecord.evaluate, status: { $0.status })
        if evaluation.isValid { Invariant.require(!evaluation.rua.isEmpty, "valid without rua") }
        JSONCheck.requireRoundTrip(Linter.tlsrptRecordVerdict(evaluation), "tlsrpt-record verdict")
        for uri in evaluation.rua { requireUsableTarget(uri) }
    }

    /// A target names a real host; an https one a port and an origin-form
    /// request target within its cap, no bytes that would break a request line.
    static func requireUsableTarget(_ uri: String) {
        guard let target = ReportEndpointTarget.parse(uri) else { return }
        Invariant.require(DomainName(target.host.text) != nil, "target host \(target.host.text)")
        Invariant.require(ReportEndpointTarget.parse(uri) == target, "parse is not deterministic")
        guard target.scheme == .https else { return }
        let request = Array(target.requestTarget.utf8)
        Invariant.require((1...65535).contains(target.port), "port \(target.port)")
        Invariant.require(request.first == UInt8(ascii: "/"), "request target \(target.requestTarget)")
        Invariant.require(request.count <= ReportEndpointTarget.maxRequestTargetBytes, "request target too long")
        Invariant.require(request.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "request target bytes \(request)")
    }
}

enum ASCIIClass {
    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
