/// An extension field of an `_mta-sts` or `_smtp._tls` record, kept in record
/// order. Senders ignore extensions they do not know (RFC 8461 §3.1, RFC 8460
/// §3), so a well-formed one is never a finding.
public struct RecordExtension: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The extension grammar both RFCs share (RFC 8461 §3.1 `sts-extension`,
/// RFC 8460 §3 `tlsrpt-extension`, identical apart from the prefix):
///
///     ext-name  = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
///     ext-value = 1*(%x21-3A / %x3C / %x3E-7E)   ; no "=", ";", SP or CTLs
enum ExtensionGrammar {
    /// Why a name is not an `ext-name`, or nil.
    static func nameProblem(_ record: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String? {
        if range.isEmpty { return "empty-name" }
        if range.count > 32 { return "name-too-long" }
        guard ASCII.isAlphaNumeric(record[range.lowerBound]) else { return "bad-name" }
        for i in range.dropFirst() {
            let byte = record[i]
            guard
                ASCII.isAlphaNumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
                    || byte == UInt8(ascii: ".")
            else { return "bad-name" }
        }
        return nil
    }

    /// Why a value is not an `ext-value`, or nil.
    static func valueProblem(_ record: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String? {
        if range.isEmpty { return "empty-value" }
        for i in range where !isValueByte(record[i]) { return "bad-value" }
        return nil
    }

    @inline(__always)
    static func isValueByte(_ byte: UInt8) -> Bool {
        byte >= 0x21 && byte <= 0x7E && byte != UInt8(ascii: "=") && byte != UInt8(ascii: ";")
    }

    /// Why a `name=value` field is not a well-formed extension, or nil.
    /// Whitespace around `=` and at the very end of the record is outside
    /// the grammar too.
    static func fieldProblem(
        _ record: UnsafeBufferPointer<UInt8>, _ field: RecordField, name: Range<Int>, value: Range<Int>
    ) -> String? {
        if field.hasWhitespaceAroundEquals(in: record) { return "whitespace-around-equals" }
        if let problem = nameProblem(record, name) { return problem }
        if let problem = valueProblem(record, value) { return problem }
        if field.trailingWhitespace { return "trailing-whitespace" }
        return nil
    }
}
