/// Reads a plain list: one name per line.
///
/// Blank lines and `#` comments (a whole line, or trailing after a space or
/// tab) are skipped, surrounding whitespace and CRLF are ignored, and names
/// are case-folded with their trailing dot dropped by `DomainName.parse`.
/// Every other line yields one item, a failure if the name is bad or cannot
/// be a registered domain (`InputProblem.unregistrable`: `localhost`, `2`,
/// `192.0.2.1`). A line
/// longer than `maxLineLength` yields one `line-too-long` item, unless its
/// first `maxLineLength` bytes already hold the whole name and the start of a
/// comment.
public struct DomainListReader<Source: ByteSource>: DomainReader {
    private var parser: DomainListParser

    public init(source: Source, chunkSize: Int = 64 * 1024, maxLineLength: Int = 4096) {
        parser = DomainListParser(lines: LineScanner(source: source, chunkSize: chunkSize, maxLineLength: maxLineLength))
    }

    public mutating func next() throws -> InputItem? { try parser.next() }
}

/// The work of `DomainListReader`, free of its generic parameter (see `ChunkedInput`).
struct DomainListParser {
    var lines: LineScanner

    mutating func next() throws -> InputItem? {
        while let line = try lines.next() {
            let bytes = line.number == 1 ? LineText.droppingByteOrderMark(line.bytes) : line.bytes
            let (beforeComment, hasComment) = Self.strippingComment(bytes)
            let name = LineText.trimmed(beforeComment)
            if line.isTruncated && !hasComment {
                return InputItem(line: line.number, bytes: name, name: .failure(.lineTooLong(limit: lines.maxLineLength)))
            }
            if name.isEmpty { continue }
            return InputItem(line: line.number, bytes: name, name: DomainName.parse(bytes: name).asRegisteredDomain)
        }
        return nil
    }

    /// The part before a `#` that starts the line or follows a space or tab.
    /// A `#` inside a word is left in place, so `a#b.com` is reported as an
    /// invalid name rather than silently cut to `a`.
    static func strippingComment(_ bytes: UnsafeBufferPointer<UInt8>) -> (UnsafeBufferPointer<UInt8>, Bool) {
        for index in bytes.indices where bytes[index] == UInt8(ascii: "#") {
            if index == bytes.startIndex || LineText.isBlank(bytes[index - 1]) {
                return (UnsafeBufferPointer(rebasing: bytes[..<index]), true)
            }
        }
        return (bytes, false)
    }
}
