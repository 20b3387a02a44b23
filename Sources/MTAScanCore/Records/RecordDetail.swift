/// Detail fields of record findings. Record text comes off the network, so it
/// goes through `JSONValue.text` (invalid UTF-8 becomes U+FFFD) and is capped:
/// a hostile 100 KB record must not become a 100 KB finding, repeated per code.
enum RecordDetail {
    /// Longest text copied into one detail field, in bytes.
    static let maximumTextBytes = 1024

    /// Most findings reported about the fields of one record. A record of
    /// 50,000 `;` is as broken after 16 findings as after all of them, and
    /// the output must stay bounded; record-level findings (missing key,
    /// duplicate key) come on top.
    static let maximumFieldFindings = 16

    static func text(_ record: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> JSONValue {
        let end = min(range.upperBound, range.lowerBound + maximumTextBytes)
        return .text(UnsafeBufferPointer(rebasing: record[range.lowerBound..<end]))
    }

    /// `record` (the whole TXT text, capped), and `record_length` (in bytes)
    /// when it had to be cut.
    static func record(_ record: UnsafeBufferPointer<UInt8>) -> JSONObject {
        var details = JSONObject()
        details["record"] = text(record, 0..<record.count)
        if record.count > maximumTextBytes { details["record_length"] = .int(record.count) }
        return details
    }

    /// Details of a problem with one field: `record`, `field`, `name` and
    /// `value` (when the field has a `=`), then `extra`, then `reason`.
    /// Built only when there is something to report: valid records, the
    /// common case, allocate no detail text at all.
    static func field(
        _ record: UnsafeBufferPointer<UInt8>, _ field: RecordField, reason: String,
        _ extra: KeyValuePairs<String, JSONValue> = [:]
    ) -> JSONObject {
        var details = Self.record(record)
        details["field"] = text(record, field.range)
        if field.equals != nil {
            details["name"] = text(record, field.name(in: record))
            details["value"] = text(record, field.value(in: record))
        }
        for (key, value) in extra { details[key] = value }
        details["reason"] = .string(reason)
        return details
    }

    static func string(_ record: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: record[range]), as: UTF8.self)
    }
}

extension JSONObject {
    /// Adds fields in order, for building finding details on top of `RecordDetail.record`.
    func with(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONObject {
        var copy = self
        for (key, value) in pairs { copy[key] = value }
        return copy
    }
}
