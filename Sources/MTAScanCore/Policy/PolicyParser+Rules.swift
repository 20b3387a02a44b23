// The stable vocabulary of the `policy-syntax` finding's `rule` detail and its
// sub-reasons (detail `problem`). Like finding codes, these strings keep their
// meaning once shipped: researchers aggregate by them.

extension PolicyParser {
    /// The `rule` detail of a `policy-syntax` finding. Every rule is an error:
    /// the body is not a policy a strict RFC 8461 §3.2 sender applies.
    public enum Rule: String, Sendable, CaseIterable {
        /// The body is empty or holds only whitespace and line breaks.
        case empty
        /// The body exceeds `PolicyParser.maxBodyBytes`; detail `bytes`, `max_bytes`. Not parsed.
        case tooLarge = "too-large"
        /// Bytes that are not UTF-8 text (§3.2 `sts-policy-vchar`: no CTLs); detail
        /// `problem` (`EncodingProblem`), `line` of the first occurrence, `count`.
        case encoding
        /// A line that is not `key: value` per the ABNF; detail `problem` (`LineProblem`), `text`.
        case badLine = "bad-line"
        /// An empty or whitespace-only line: a leading one, one between fields, or
        /// one before the end beyond the single optional final line break. The ABNF
        /// allows none, and strict senders (Mimecast's MTA-STS library) reject the
        /// policy and then apply no MTA-STS at all; the line-splitting parsers of
        /// most senders skip it. An error, with the fields still read
        /// (`PolicyEvaluation.lenientPolicy`). At most `maxLineFindingsPerSeverity`
        /// are reported, apart from other errors.
        case blankLine = "blank-line"
        case missingVersion = "missing-version"
        /// `version` other than exactly `STSv1` (case-sensitive, §3.2 `%s"STSv1"`); detail `value`.
        case badVersion = "bad-version"
        case missingMode = "missing-mode"
        /// `mode` other than exactly `enforce`, `testing` or `none`; detail `value`.
        case badMode = "bad-mode"
        case missingMaxAge = "missing-max-age"
        /// `max_age` not 1 to 10 digits up to 31557600; detail `value`, `problem` (`MaxAgeProblem`).
        case badMaxAge = "bad-max-age"
        /// No `mx` line while `mode` is not `none` (the ABNF: "required at least once,
        /// except when mode is none").
        case missingMX = "missing-mx"
        /// An `mx` value that is not `["*."] Domain`; detail `problem` (`MXPattern.Problem`), `pattern`.
        case badMXPattern = "bad-mx-pattern"
    }

    /// The `problem` detail of `rule: encoding`.
    public enum EncodingProblem: String, Sendable, CaseIterable {
        /// A UTF-8 byte order mark opens the body: strict parsers read it as part of
        /// the first key, so `version` goes missing.
        case byteOrderMark = "bom"
        case invalidUTF8 = "invalid-utf8"
        case nul
        /// A C0 control other than tab and the line break, or DEL.
        case controlCharacter = "control-character"
        /// A carriage return not followed by a line feed (§3.2 `sts-policy-term` is
        /// LF or CRLF). Parsing goes on as if it ended the line.
        case bareCR = "bare-cr"
    }

    /// The `problem` detail of `rule: bad-line`.
    public enum LineProblem: String, Sendable, CaseIterable {
        /// Spaces or tabs before the key: the ABNF has none, and parsers that split
        /// on `:` then see a key such as ` mode`. The line is read as if trimmed.
        case leadingWhitespace = "leading-whitespace"
        /// No `:` at all.
        case noColon = "no-colon"
        /// A key that is no `sts-policy-ext-name` (`(ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")`),
        /// or whitespace between key and `:`; detail `key`.
        case badKey = "bad-key"
        /// An extension field with nothing after the `:`; detail `key`.
        case emptyValue = "empty-value"
        /// An extension value with a tab inside (`sts-policy-ext-value` allows only spaces); detail `key`.
        case badValue = "bad-value"
    }

    /// The `problem` detail of `rule: bad-max-age`.
    public enum MaxAgeProblem: String, Error, Sendable, CaseIterable {
        /// Empty, signed, or holding anything but ASCII digits.
        case notANumber = "not-a-number"
        /// More than the ABNF's 10 digits (`1*10DIGIT`), even if the value is small.
        case tooManyDigits = "too-many-digits"
        /// Above 31557600 seconds, the §3.2 maximum.
        case outOfRange = "out-of-range"
    }
}
