/// One name read from the scan input: where it was, how it was written, and
/// either the normalised name or why it cannot be scanned. Every line (or zone
/// delegation) that holds a name yields exactly one item, valid or not, so the
/// output can carry an error record for each bad input name.
public struct InputItem: Sendable, Equatable {
    /// 1-based line where the name was read (for a zone: the line of its first NS record).
    public var line: Int
    /// The name as written, at most `InputItem.maxTextLength` bytes, lossy UTF-8.
    public var text: String
    public var name: Result<DomainName, InputProblem>

    /// Bound on `text`: a valid name has at most 254 bytes; the rest is only for error records.
    public static let maxTextLength = 512

    public init(line: Int, text: String, name: Result<DomainName, InputProblem>) {
        self.line = line
        self.text = text
        self.name = name
    }

    init(line: Int, bytes: some Collection<UInt8>, name: Result<DomainName, InputProblem>) {
        self.init(line: line, text: Self.boundedText(bytes), name: name)
    }

    /// Lossy UTF-8 of at most `maxTextLength` bytes: each invalid byte becomes
    /// a 3-byte U+FFFD, so the decoded text is cut again by scalars if needed.
    static func boundedText(_ bytes: some Collection<UInt8>) -> String {
        let text = String(decoding: bytes.prefix(maxTextLength), as: UTF8.self)
        guard text.utf8.count > maxTextLength else { return text }
        var bounded = String.UnicodeScalarView()
        var length = 0
        for scalar in text.unicodeScalars {
            length += UTF8.width(scalar)
            if length > maxTextLength { break }
            bounded.append(scalar)
        }
        return String(bounded)
    }
}

/// Why one input name cannot be scanned. The rest of the input is unaffected.
public struct InputProblem: Error, Sendable, Equatable {
    /// Stable kebab-case label: a `DomainName.Problem` raw value, or one of the
    /// readers' own (`line-too-long`, `unterminated-quote`, `malformed-quote`, `bad-escape`).
    public var reason: String
    public var message: String

    public init(reason: String, message: String) {
        self.reason = reason
        self.message = message
    }

    public init(_ problem: DomainName.Problem) {
        let message = switch problem {
        case .empty: "the name is empty"
        case .tooLong: "the name is longer than 253 characters"
        case .emptyLabel: "the name has an empty label"
        case .labelTooLong: "a label is longer than 63 characters"
        case .invalidCharacter: "the name has a character other than a letter, digit, '-' or '_'"
        case .nonASCII: "the name is not ASCII; give IDNs in A-label (xn--) form"
        }
        self.init(reason: problem.rawValue, message: message)
    }

    /// Why a valid DNS name cannot be a registered domain, which is what a
    /// list or CSV names (docs/output.md, "Input"); nil if it can be one.
    /// A registered domain has at least two labels and a last label that is
    /// not all digits: no top-level domain is numeric (RFC 3696 §2), so a name
    /// like `1.2.3.4` is an address and `2` a rank in the wrong column.
    public static func unregistrable(_ name: DomainName) -> InputProblem? {
        // One pass over the bytes, no labels split out: this runs for every input line.
        var text = name.text
        let (labels, everyLabelNumeric, lastNumeric) = text.withUTF8 { bytes -> (Int, Bool, Bool) in
            var labels = 1
            var everyLabelNumeric = true
            var numeric = true  // the label being read (an empty one too, as `allSatisfy` has it)
            for byte in bytes {
                if byte == UInt8(ascii: ".") {
                    everyLabelNumeric = everyLabelNumeric && numeric
                    labels += 1
                    numeric = true
                } else if !ASCII.isDigit(byte) {
                    numeric = false
                }
            }
            return (labels, everyLabelNumeric && numeric, numeric)
        }
        if labels == 4 && everyLabelNumeric {
            return InputProblem(reason: "ip-address", message: "the name is an IPv4 address, not a domain")
        }
        if lastNumeric {
            return InputProblem(reason: "numeric-tld", message: "the last label is all digits: no top-level domain is numeric")
        }
        if labels < 2 {
            return InputProblem(reason: "single-label", message: "the name has a single label: a registered domain has at least two")
        }
        return nil
    }

    static func lineTooLong(limit: Int) -> InputProblem {
        InputProblem(reason: "line-too-long", message: "the line is longer than \(limit) bytes")
    }
}

/// The rest of the input cannot be read (a broken zone file, a refused
/// directive). Fatal for the reader; `line` says where.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    /// Stable kebab-case label, e.g. `include-refused`, `unterminated-parenthesis`.
    public var reason: String
    public var message: String

    public init(line: Int, reason: String, message: String) {
        self.line = line
        self.reason = reason
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}

/// Pulls input items one at a time with bounded memory.
///
/// `next()` returns nil at the end of the input. It throws `InputError` only
/// when the rest of the input cannot be read; errors of the `ByteSource` pass
/// through unchanged. A reader shares its buffer with its copies: use one copy.
public protocol DomainReader {
    mutating func next() throws -> InputItem?

    /// The first line, as read (lossy UTF-8, bounded, unescaped), if the
    /// reader took it for a header and skipped it: the caller says so, since
    /// a skipped line is otherwise a silently lost name.
    var skippedHeader: String? { get }
}

extension DomainReader {
    public var skippedHeader: String? { nil }
}

extension Result where Success == DomainName, Failure == DomainName.Problem {
    var asInputResult: Result<DomainName, InputProblem> { mapError(InputProblem.init) }

    /// For a list or CSV, whose names are registered domains: a valid DNS
    /// name that cannot be one is a failure too (`InputProblem.unregistrable`).
    var asRegisteredDomain: Result<DomainName, InputProblem> {
        asInputResult.flatMap { name in InputProblem.unregistrable(name).map { .failure($0) } ?? .success(name) }
    }
}
