/// One `;`-separated field of an `_mta-sts` or `_smtp._tls` TXT record, as
/// byte offsets into the record.
///
/// Both RFCs delimit fields with `*WSP ";" *WSP` (RFC 8461 §3.1
/// `sts-field-delim`, RFC 8460 §3 `field-delim`), so whitespace next to a
/// `;` belongs to the delimiter, not the field. Whitespace at the very end of
/// a record with no `;` after it belongs to nothing: the ABNF rejects it, and
/// the field says so in `trailingWhitespace`.
struct RecordField {
    /// The field without the delimiter's whitespace (and without trailing
    /// whitespace at the end of the record).
    var range: Range<Int>
    /// Offset of the first `=`, if any.
    var equals: Int?
    /// The record ends in whitespace right after this field.
    var trailingWhitespace: Bool

    var isEmpty: Bool { range.isEmpty }

    /// `name` in `name=value`, without surrounding whitespace. The whole
    /// field when there is no `=`.
    func name(in record: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        guard let equals else { return range }
        var end = equals
        while end > range.lowerBound, ASCII.isWSP(record[end - 1]) { end -= 1 }
        return range.lowerBound..<end
    }

    /// `value` in `name=value`, without leading whitespace; empty without `=`.
    func value(in record: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        guard let equals else { return range.upperBound..<range.upperBound }
        var start = equals + 1
        while start < range.upperBound, ASCII.isWSP(record[start]) { start += 1 }
        return start..<range.upperBound
    }

    /// `name = value` or `name= value`: neither RFC allows whitespace around
    /// the `=` of a field.
    func hasWhitespaceAroundEquals(in record: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let equals else { return false }
        let before = equals > range.lowerBound && ASCII.isWSP(record[equals - 1])
        let after = equals + 1 < range.upperBound && ASCII.isWSP(record[equals + 1])
        return before || after
    }
}

/// Iterates the fields of a record, the first one (the version) included.
///
/// An empty field between two delimiters (`a=1;;b=2`, `a=1; ;b=2`) is
/// returned, since the ABNF forbids it; the empty remainder after a final
/// delimiter (`a=1;`, `a=1; `) is not, since the ABNF allows one trailing
/// `sts-field-delim`. No allocation: offsets only.
struct RecordFieldScanner: IteratorProtocol {
    private let record: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var finished = false

    init(_ record: UnsafeBufferPointer<UInt8>) {
        self.record = record
    }

    mutating func next() -> RecordField? {
        guard !finished else { return nil }
        let isFirst = position == 0
        var start = position
        // Leading whitespace belongs to the preceding delimiter; the first
        // field has none, so whitespace there stays (and fails the version).
        if !isFirst {
            while start < record.count, ASCII.isWSP(record[start]) { start += 1 }
        }
        var end = start
        var equals: Int?
        while end < record.count, record[end] != UInt8(ascii: ";") {
            if equals == nil, record[end] == UInt8(ascii: "=") { equals = end }
            end += 1
        }
        let delimited = end < record.count
        if delimited {
            position = end + 1
        } else {
            finished = true
        }
        var contentEnd = end
        while contentEnd > start, ASCII.isWSP(record[contentEnd - 1]) { contentEnd -= 1 }
        if !delimited && contentEnd == start && !isFirst {
            // Only whitespace after the last `;`: the optional trailing delimiter.
            return nil
        }
        return RecordField(
            range: start..<contentEnd,
            equals: equals,
            trailingWhitespace: !delimited && contentEnd < end
        )
    }
}
