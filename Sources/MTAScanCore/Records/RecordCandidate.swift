/// The two record kinds that share one shape: a version field, then
/// `;`-separated `name=value` fields, one of them required.
struct RecordKind: Sendable {
    /// The whole version field, e.g. `v=STSv1`; case-sensitive (RFC 7405 `%s`).
    let version: [UInt8]
    /// What comes after `v=`, e.g. `STSv1`.
    let versionValue: [UInt8]
    /// A piece of the version value that makes a `v=` field evidently meant
    /// as this kind, matched case-insensitively.
    let marker: [UInt8]
    /// The required field's name, e.g. `id`; case-sensitive like the version.
    let key: [UInt8]

    static let sts = RecordKind(
        version: Array("v=STSv1".utf8), versionValue: Array("STSv1".utf8), marker: Array("sts".utf8),
        key: Array("id".utf8))
    // `rpt`, not `tlsrpt`: it also catches `v=TLS-RPTv1`.
    static let tlsrpt = RecordKind(
        version: Array("v=TLSRPTv1".utf8), versionValue: Array("TLSRPTv1".utf8), marker: Array("rpt".utf8),
        key: Array("rua".utf8))
}

/// Why a record evidently meant as this kind does not begin with its version.
/// Raw values are the `reason` detail of `*-bad-version` findings.
enum LookalikeReason: String, Sendable, Equatable {
    /// Whitespace or quote characters before `v=` (a zone-file quoting slip).
    case leadingCharacters = "leading-characters"
    /// `v = STSv1`.
    case whitespaceAroundEquals = "whitespace-around-equals"
    /// `v=STSV1`, `V=STSv1`: the version is case-sensitive.
    case letterCase = "case"
    /// `v=STSv1 id=…`: fields separated by spaces, not `;`.
    case missingDelimiter = "missing-delimiter"
    /// `v=STSv1` followed by a control character such as CR or LF.
    case controlCharacter = "control-character"
    /// `v=sts1`, `v=STSv2`, `v=STSv1x`.
    case unknownVersion = "unknown-version"
    /// Another protocol's version (`v=spf1`, `v=DMARC1`) on a record carrying the key field.
    case otherVersion = "other-version"
    /// The version field is there, but not first.
    case versionNotFirst = "version-not-first"
    /// The key field (`id=`, `rua=`) without any version.
    case missingVersion = "missing-version"
}

/// How one TXT record at the name relates to the kind looked for.
///
/// The "evidently meant" heuristic, which decides between `absent` and a
/// `*-bad-version` finding. A record is meant as this kind when
///   1. it begins with the exact version field (the RFC's own selection,
///      `versioned`, or `versionOnly` when nothing but whitespace follows); or
///   2. its first field, ignoring leading whitespace and quote characters, is
///      `v=` (any case, whitespace around `=` allowed) and the first word of the
///      value contains the kind's marker (`sts`, `rpt`), any case: `v=STSV1`,
///      `v = STSv1`, `v=sts1`, `"v=STSv1`, `v=TLS-RPTv1`; or
///   3. some field is named like the kind's key field (`id`, `rua`; any case,
///      whitespace around `=` allowed), whatever the version: `id=2024` alone,
///      `v=spf1; id=…`, a DMARC record copied to `_smtp._tls`.
/// Anything else (SPF, site-verification tokens, the other kind's record) is
/// `unrelated`: it says nothing about whether the domain attempted this kind.
/// The marker is looked for in the first word only, so `v=spf1 include:mtasts.example`
/// stays unrelated.
enum RecordCandidate: Equatable {
    /// Begins with the version, then `*WSP ";"`. RFC 8461 §3.1 and RFC 8460 §3
    /// keep records that "begin with `v=STSv1;`" (`v=TLSRPTv1;`); the ABNF lets
    /// whitespace precede that `;`, and we follow the ABNF, so `v=STSv1 ;id=1`
    /// counts too.
    case versioned
    /// Exactly the version, then nothing but whitespace: meant as this kind,
    /// but with no fields, and discarded by the RFCs' selection.
    case versionOnly
    /// Evidently meant as this kind, but not beginning with its version.
    /// `firstField` is the record's first field, for the finding's detail.
    case lookalike(LookalikeReason, firstField: Range<Int>)
    case unrelated

    static func classify(_ record: UnsafeBufferPointer<UInt8>, as kind: RecordKind) -> RecordCandidate {
        var fields = RecordFieldScanner(record)
        let first = fields.next()?.range ?? 0..<0
        if startsWithVersion(record, kind) {
            var i = kind.version.count
            while i < record.count, ASCII.isWSP(record[i]) { i += 1 }
            if i == record.count { return .versionOnly }
            if record[i] == UInt8(ascii: ";") { return .versioned }
            let next = record[kind.version.count]
            let reason: LookalikeReason =
                ASCII.isWSP(next) ? .missingDelimiter : isControl(next) ? .controlCharacter : .unknownVersion
            return .lookalike(reason, firstField: first)
        }
        if let reason = versionFieldLookalike(record, first, kind) {
            return .lookalike(reason, firstField: first)
        }
        guard hasKeyField(record, kind) else { return .unrelated }
        if firstFieldIsVersionOfAnotherKind(record, first) { return .lookalike(.otherVersion, firstField: first) }
        return .lookalike(versionAppearsLater(record, kind) ? .versionNotFirst : .missingVersion, firstField: first)
    }

    private static func startsWithVersion(_ record: UnsafeBufferPointer<UInt8>, _ kind: RecordKind) -> Bool {
        guard record.count >= kind.version.count else { return false }
        for (i, byte) in kind.version.enumerated() where record[i] != byte { return false }
        return true
    }

    /// Rule 2: a `v=` first field whose value's first word carries the marker.
    private static func versionFieldLookalike(
        _ record: UnsafeBufferPointer<UInt8>, _ first: Range<Int>, _ kind: RecordKind
    ) -> LookalikeReason? {
        guard let parts = versionParts(record, first) else { return nil }
        var wordEnd = parts.value.lowerBound
        while wordEnd < parts.value.upperBound, !ASCII.isWSP(record[wordEnd]) { wordEnd += 1 }
        guard contains(record, parts.value.lowerBound..<wordEnd, kind.marker) else { return nil }
        if parts.leadingCharacters { return .leadingCharacters }
        if parts.whitespaceAroundEquals { return .whitespaceAroundEquals }
        let value = parts.value
        if ASCII.equalsIgnoringCase(record[value], kind.versionValue) { return .letterCase }
        if wordEnd < value.upperBound,
            ASCII.equalsIgnoringCase(record[value.lowerBound..<wordEnd], kind.versionValue)
        {
            return .missingDelimiter
        }
        return .unknownVersion
    }

    private static func firstFieldIsVersionOfAnotherKind(_ record: UnsafeBufferPointer<UInt8>, _ first: Range<Int>)
        -> Bool
    {
        versionParts(record, first) != nil
    }

    /// The first field split as `v=value`, tolerating leading whitespace and
    /// quotes and whitespace around `=`; nil unless the name is `v` (any case).
    private static func versionParts(_ record: UnsafeBufferPointer<UInt8>, _ first: Range<Int>)
        -> (value: Range<Int>, leadingCharacters: Bool, whitespaceAroundEquals: Bool)?
    {
        var start = first.lowerBound
        while start < first.upperBound, isLeadingJunk(record[start]) { start += 1 }
        guard start < first.upperBound, ASCII.lower(record[start]) == UInt8(ascii: "v") else { return nil }
        var equals = start + 1
        while equals < first.upperBound, ASCII.isWSP(record[equals]) { equals += 1 }
        guard equals < first.upperBound, record[equals] == UInt8(ascii: "=") else { return nil }
        var valueStart = equals + 1
        while valueStart < first.upperBound, ASCII.isWSP(record[valueStart]) { valueStart += 1 }
        return (
            valueStart..<first.upperBound,
            start > first.lowerBound,
            equals > start + 1 || valueStart > equals + 1
        )
    }

    /// Rule 3: any field named like the key, in any case.
    private static func hasKeyField(_ record: UnsafeBufferPointer<UInt8>, _ kind: RecordKind) -> Bool {
        var fields = RecordFieldScanner(record)
        while let field = fields.next() {
            guard field.equals != nil else { continue }
            var name = field.name(in: record)
            while !name.isEmpty, isLeadingJunk(record[name.lowerBound]) { name = name.dropFirst() }
            if ASCII.equalsIgnoringCase(record[name], kind.key) { return true }
        }
        return false
    }

    private static func versionAppearsLater(_ record: UnsafeBufferPointer<UInt8>, _ kind: RecordKind) -> Bool {
        var fields = RecordFieldScanner(record)
        _ = fields.next()
        while let field = fields.next() {
            if ASCII.equalsIgnoringCase(record[field.range], kind.version) { return true }
        }
        return false
    }

    private static func contains(_ record: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ needle: [UInt8])
        -> Bool
    {
        guard range.count >= needle.count else { return false }
        for start in range.lowerBound...(range.upperBound - needle.count) {
            var i = 0
            while i < needle.count, ASCII.lower(record[start + i]) == needle[i] { i += 1 }
            if i == needle.count { return true }
        }
        return false
    }

    @inline(__always)
    private static func isLeadingJunk(_ byte: UInt8) -> Bool {
        ASCII.isWSP(byte) || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
    }

    @inline(__always)
    static func isControl(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x7F }
}
