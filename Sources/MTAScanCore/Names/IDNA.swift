/// IDNA ToASCII for reference identifiers: a host name given in Unicode
/// (`mail.bücher.example`) becomes the A-label form DNS, policies and
/// certificates use (`mail.xn--bcher-kva.example`) before it is matched
/// (RFC 9525 §6.3, RFC 6125 §6.4.2: U-labels are compared as A-labels).
///
/// What is done, after RFC 5891 §5 (lookup) with RFC 5895's mapping:
/// - the label separators U+3002, U+FF0E and U+FF61 count as `.`;
/// - fullwidth ASCII (U+FF01–U+FF5E) becomes ASCII, then every label is
///   lower-cased (Unicode full lower-case) and put in NFC;
/// - each non-ASCII label is checked as a U-label: only letters (`Ll`, `Lo`,
///   `Lm`), combining marks (`Mn`, `Mc`), decimal digits (`Nd`) and ASCII
///   letters, digits and `-` (an approximation of RFC 5892's PVALID, from the
///   stdlib's Unicode properties); no combining mark first (§4.2.3.2); no `-`
///   first, last, or in the third and fourth positions (§4.2.3.1); the
///   CONTEXTJ joiners U+200C/U+200D are refused rather than judged (§4.2.3.3);
///   then Punycode (RFC 3492) and `xn--`;
/// - ASCII labels are lower-cased and otherwise left as they are: whether
///   they are valid host names is the matcher's business.
///
/// Not done: the Bidi rule (RFC 5893) and the CONTEXTO rules. A name that
/// fails a check converts to nothing, so it matches nothing.
public enum IDNA {
    public enum Problem: String, Error, Sendable, Equatable, CaseIterable {
        case emptyLabel = "empty-label"
        /// A code point that is no letter, mark or digit (space, symbol, punctuation, joiner...).
        case disallowedCharacter = "disallowed-character"
        case leadingCombiningMark = "leading-combining-mark"
        /// `-` first or last, or `--` in the third and fourth positions of a U-label.
        case hyphenPosition = "hyphen-position"
        /// An A-label over 63 octets.
        case labelTooLong = "label-too-long"
        /// Over 253 octets in A-label form (no trailing dot).
        case tooLong = "too-long"
    }

    static let maxLabelLength = 63
    static let maxNameLength = 253

    /// Does the name hold a byte that is not ASCII, so that it needs `toASCII`?
    @inlinable
    public static func needsConversion(_ utf8: some Sequence<UInt8>) -> Bool {
        utf8.contains { $0 >= 0x80 }
    }

    /// The A-label form of `name`, lower-case; one trailing dot is kept.
    public static func toASCII(_ name: some StringProtocol) -> Result<String, Problem> {
        var labels: [[Unicode.Scalar]] = [[]]
        for scalar in name.unicodeScalars {
            switch scalar.value {
            case 0x2E, 0x3002, 0xFF0E, 0xFF61:
                labels.append([])
            case 0xFF01...0xFF5E:
                // RFC 5895 §2 step 3: fullwidth forms map to their ASCII originals.
                labels[labels.count - 1].append(Unicode.Scalar(scalar.value - 0xFEE0) ?? scalar)
            default:
                labels[labels.count - 1].append(scalar)
            }
        }
        var trailingDot = false
        if labels.count > 1, labels[labels.count - 1].isEmpty {
            labels.removeLast()
            trailingDot = true
        }

        var output = [UInt8]()
        for (index, label) in labels.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ".")) }
            switch aLabel(label) {
            case .success(let bytes): output.append(contentsOf: bytes)
            case .failure(let problem): return .failure(problem)
            }
        }
        guard output.count <= maxNameLength else { return .failure(.tooLong) }
        if trailingDot { output.append(UInt8(ascii: ".")) }
        return .success(String(decoding: output, as: UTF8.self))
    }

    /// One label: ASCII lower-cased as is, anything else checked and encoded.
    static func aLabel(_ label: [Unicode.Scalar]) -> Result<[UInt8], Problem> {
        guard !label.isEmpty else { return .failure(.emptyLabel) }
        if label.allSatisfy(\.isASCII) {
            let bytes = label.map { ASCII.lower(UInt8($0.value)) }
            return bytes.count <= maxLabelLength ? .success(bytes) : .failure(.labelTooLong)
        }
        var text = String()
        text.unicodeScalars.append(contentsOf: label)
        // The stdlib's NFC (the one `String` comparison uses); the core has no Foundation.
        let normalised = String(decoding: text.lowercased()._nfcCodeUnits, as: UTF8.self)
        let scalars = Array(normalised.unicodeScalars)
        if let problem = uLabelProblem(scalars) { return .failure(problem) }
        guard let encoded = Punycode.encode(scalars), encoded.count + 4 <= maxLabelLength else {
            return .failure(.labelTooLong)
        }
        return .success(Array("xn--".utf8) + encoded)
    }

    /// RFC 5891 §4.2.3 and §5.4, as far as the stdlib's properties reach.
    static func uLabelProblem(_ scalars: [Unicode.Scalar]) -> Problem? {
        guard let first = scalars.first, let last = scalars.last else { return .emptyLabel }
        let hyphen = Unicode.Scalar(UInt8(ascii: "-"))
        if first == hyphen || last == hyphen { return .hyphenPosition }
        if scalars.count >= 4, scalars[2] == hyphen, scalars[3] == hyphen { return .hyphenPosition }
        if isCombiningMark(first) { return .leadingCombiningMark }
        for scalar in scalars where !isAllowed(scalar) { return .disallowedCharacter }
        return nil
    }

    private static func isCombiningMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let byte = UInt8(scalar.value)
            return ASCII.isDigit(byte) || (byte &- UInt8(ascii: "a")) < 26 || byte == UInt8(ascii: "-")
        }
        switch scalar.properties.generalCategory {
        case .lowercaseLetter, .otherLetter, .modifierLetter, .nonspacingMark, .spacingMark, .decimalNumber:
            return true
        default:
            return false
        }
    }
}
