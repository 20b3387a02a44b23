/// Reads a DNS zone master file (RFC 1035 §5.1) and yields the names the zone
/// delegates directly below its origin: the owners of NS records exactly one
/// label below it, lower-cased, each with the line of its first NS record.
/// The apex's own NS records, glue, and deeper or out-of-zone names are not
/// scan input.
///
/// **The zone's origin** is `origin` if given; otherwise it is fixed at the
/// first record: that record's owner if it is the SOA (BIND's dumps and ICANN
/// CZDS files start so), else the `$ORIGIN` in force. Later `$ORIGIN` lines
/// change only how relative names are completed.
///
/// **Syntax**: `$ORIGIN` (absolute or relative), `$TTL`, relative and absolute
/// owners, `@`, a blank owner continuing the previous one, optional TTL and
/// class in either order, RFC 3597 `TYPEnnn`/`CLASSnnn`, parentheses across
/// lines, `;` comments, quoted strings, `\X` and `\DDD` escapes in names,
/// case-insensitive types and classes; a UTF-8 byte order mark at the very
/// start is dropped (`ByteOrderMarkDroppingSource`). `$INCLUDE` is refused (a scanner must
/// not open files named inside its input), and so is `$GENERATE` (it can
/// create delegations this reader would miss).
///
/// **Distinct names**: further NS records of the same owner in a row are
/// skipped without a lookup. Beyond that, a name once yielded is not yielded
/// again before at least `recentWindow` other names have been yielded after
/// it, so among any `recentWindow + 1` consecutive items no two have the same
/// name; it is forgotten after at most 2 × `recentWindow` (see `RecentNames`).
/// A name whose NS records are that far apart is yielded again; TLD zones
/// keep a name's records together. `recentWindow` is capped at 2^24.
///
/// **Bad names**: an NS record directly below the origin whose owner is not a
/// usable `DomainName` yields a `.failure` item (the name's `Problem`, or
/// `bad-escape`). An owner that cannot be placed in the tree at all (quoted,
/// a label over 255 bytes, longer than `maxWordLength`) yields a `.failure`
/// item for its first NS record, since it may be a delegation.
///
/// **Errors**: messages quote input only escaped (`TerminalText`), since
/// they reach a terminal. `InputError` for an unterminated quote or parenthesis at the
/// end of input, a `)` without `(`, a refused or unreadable directive, a
/// relative name with no origin, or an origin that is not a `DomainName`.
///
/// Memory: `chunkSize` plus one word (`maxWordLength`), the current names,
/// and two generations of up to `recentWindow` labels. Once those have grown,
/// records allocate nothing; a newly delegated name allocates its text.
public struct ZoneFileReader<Source: ByteSource>: DomainReader {
    private var parser: ZoneFileParser

    public init(
        source: Source, origin: DomainName? = nil,
        chunkSize: Int = 256 * 1024, maxWordLength: Int = 4096, recentWindow: Int = 65_536
    ) {
        parser = ZoneFileParser(
            source: source, origin: origin, chunkSize: chunkSize, maxWordLength: maxWordLength, recentWindow: recentWindow
        )
    }

    public mutating func next() throws -> InputItem? { try parser.next() }
}

/// The work of `ZoneFileReader`, free of its generic parameter so that it is
/// compiled, optimised, once in this module (see `ChunkedInput`).
struct ZoneFileParser {
    private var tokens: ZoneTokenizer
    private var apex: WireName?
    /// The apex as dotted lower-case text without the trailing dot; empty for the root.
    private var apexText: [UInt8] = []
    /// Completes relative names; `$ORIGIN` changes it.
    private var origin: WireName?
    private var owner = WireName()
    private var ownerState = OwnerState.absent
    /// The previous owner's storage, reused to decode the next one.
    private var spareOwner = WireName()
    /// The word `owner` was decoded from (`ownerWordCount` bytes; -1 if none
    /// or if `origin` changed since): a record repeating it needs no decoding.
    private let ownerWord: ByteStorage
    private var ownerWordCount = -1
    private var directiveName = WireName()
    private var recent: RecentNames

    /// `checked`: an NS record of this owner has been seen, so the next ones
    /// (a name's records come together) are skipped without a lookup.
    private enum OwnerState {
        case absent
        case decoded(badEscape: Bool, checked: Bool)
        /// Not placeable in the tree; `text` is the raw word for the error record.
        case unplaceable(InputProblem, text: [UInt8], checked: Bool)

        var isChecked: Bool {
            switch self {
            case .absent: false
            case .decoded(_, let checked), .unplaceable(_, _, let checked): checked
            }
        }
    }

    init(source: some ByteSource, origin: DomainName?, chunkSize: Int, maxWordLength: Int, recentWindow: Int) {
        tokens = ZoneTokenizer(source: source, chunkSize: chunkSize, maxWordLength: maxWordLength)
        ownerWord = ByteStorage(capacity: tokens.maxWordLength)
        recent = RecentNames(capacity: recentWindow)
        if let origin {
            let name = WireName(origin)
            apex = name
            apexText = Array(origin.text.utf8)
            self.origin = name
        }
    }

    mutating func next() throws -> InputItem? {
        while true {
            guard let first = try tokens.peek() else { return nil }
            let entryLine = tokens.line
            if !ZoneSyntax.startsWithBlank(first) {
                guard case .word(let word) = try tokens.nextToken() else { continue }
                if !word.isQuoted && word.bytes.first == ZoneSyntax.dollar {
                    try readDirective(word, line: entryLine)
                    continue
                }
                try setOwner(word, line: entryLine)
            }
            // An owner already checked: its other records (a name's second NS,
            // its DS) cannot change the outcome, so only their end is sought.
            if apex != nil && ownerState.isChecked {
                try tokens.skipEntry()
                continue
            }
            guard let type = try readType() else { continue }
            try tokens.skipEntry()
            if apex == nil { try fixApex(recordType: type, line: entryLine) }
            if type == .ns, let item = delegation(line: entryLine) { return item }
        }
    }

    /// Reads `[TTL] [class] type` in either order (§5.1); nil if the entry ends first.
    private mutating func readType() throws -> ZoneSyntax.RecordType? {
        var token = try tokens.nextToken()
        var sawTTL = false
        var sawClass = false
        while case .word(let word) = token {
            if word.isQuoted || word.isTruncated { return .other }
            if !sawTTL && ZoneSyntax.isTTL(word.bytes) {
                sawTTL = true
            } else if !sawClass && ZoneSyntax.isClass(word.bytes) {
                sawClass = true
            } else {
                return ZoneSyntax.recordType(word.bytes)
            }
            token = try tokens.nextToken()
        }
        return nil
    }

    private mutating func setOwner(_ word: ZoneTokenizer.Word, line: Int) throws {
        if word.isQuoted || word.isTruncated {
            ownerWordCount = -1
            let problem = word.isQuoted ? InputProblem(.invalidCharacter) : InputProblem(.tooLong)
            ownerState = .unplaceable(problem, text: Array(word.bytes.prefix(InputItem.maxTextLength)), checked: false)
            return
        }
        let previousWord = UnsafeBufferPointer(start: ownerWord.base, count: max(ownerWordCount, 0))
        if ownerWordCount >= 0 && word.bytes.bytesEqual(previousWord) { return }
        ownerWordCount = -1
        switch WireName.decode(word.bytes, origin: origin, into: &spareOwner) {
        case .decoded(let badEscape):
            ownerWordCount = UnsafeMutableBufferPointer(start: ownerWord.base, count: ownerWord.capacity)
                .initialize(fromContentsOf: word.bytes)
            if case .decoded(badEscape, _) = ownerState, spareOwner == owner { return }
            swap(&owner, &spareOwner)
            ownerState = .decoded(badEscape: badEscape, checked: false)
        case .needsOrigin:
            throw Self.noOrigin(line: line, detail: "the relative name '\(Self.text(word.bytes))'")
        case .overlong:
            ownerState = .unplaceable(
                InputProblem(.labelTooLong), text: Array(word.bytes.prefix(InputItem.maxTextLength)), checked: false
            )
        }
    }

    /// The item for an NS record's owner if it is a new delegation.
    private mutating func delegation(line: Int) -> InputItem? {
        guard let apex else { return nil }
        switch ownerState {
        case .absent:
            return nil
        case .unplaceable(let problem, let text, let checked):
            guard !checked else { return nil }
            ownerState = .unplaceable(problem, text: text, checked: true)
            return InputItem(line: line, bytes: text, name: .failure(problem))
        case .decoded(let badEscape, let checked):
            guard !checked else { return nil }
            ownerState = .decoded(badEscape: badEscape, checked: true)
            guard owner.isChild(of: apex), recent.insert(owner.firstLabel) else { return nil }
            return item(label: owner.firstLabel, badEscape: badEscape, line: line)
        }
    }

    private func item(label: ArraySlice<UInt8>, badEscape: Bool, line: Int) -> InputItem {
        if !badEscape, let name = plainName(label) {
            return InputItem(line: line, text: name.text, name: .success(name))
        }
        let result: Result<DomainName, InputProblem>
        if badEscape {
            result = .failure(InputProblem(
                reason: "bad-escape",
                message: "a '\\' in the name is not followed by a character or by three digits up to 255"
            ))
        } else if label.contains(UInt8(ascii: ".")) {
            // An escaped dot inside a label: no dotted text can say that.
            result = .failure(InputProblem(.invalidCharacter))
        } else {
            result = DomainName.parse(bytes: joinedWithApex(label)).asInputResult
        }
        if case .success(let name) = result {
            return InputItem(line: line, text: name.text, name: result)
        }
        return InputItem(line: line, bytes: joinedWithApex(WireName.presentation(of: label)), name: result)
    }

    /// The delegated name built in one allocation when the label is plain
    /// `DomainName` material (the common case); nil sends it the slow way,
    /// which names the problem.
    private func plainName(_ label: ArraySlice<UInt8>) -> DomainName? {
        let length = label.count + (apexText.isEmpty ? 0 : 1 + apexText.count)
        guard (1...WireName.maxLabelLength).contains(label.count), length <= 253 else { return nil }
        for byte in label where !(ASCII.isAlphaNumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")) {
            return nil
        }
        // `apexText` was validated as a DomainName when the apex was fixed.
        let text = String(unsafeUninitializedCapacity: length) { buffer in
            var index = buffer.initialize(fromContentsOf: label)
            if !apexText.isEmpty {
                buffer[index] = UInt8(ascii: ".")
                index += 1
                index = buffer[index...].initialize(fromContentsOf: apexText)
            }
            return index
        }
        return DomainName(validated: text)
    }

    private func joinedWithApex(_ label: some Collection<UInt8>) -> [UInt8] {
        var text = Array(label)
        if !apexText.isEmpty {
            text.append(UInt8(ascii: "."))
            text.append(contentsOf: apexText)
        }
        return text
    }

    /// Fixes the zone's origin at the first record (see the type's documentation).
    private mutating func fixApex(recordType: ZoneSyntax.RecordType, line: Int) throws {
        let candidate: WireName
        if recordType == .soa, case .decoded(badEscape: false, _) = ownerState {
            candidate = owner
        } else if let origin {
            candidate = origin
        } else {
            throw Self.noOrigin(line: line, detail: "the first record, which is not an SOA record,")
        }
        guard candidate.isWellFormed, let text = candidate.domainText,
              candidate.isRoot || DomainName(String(decoding: text, as: UTF8.self)) != nil else {
            throw InputError(
                line: line, reason: "bad-origin",
                message: "the zone's origin '\(TerminalText.escaped(bytes: candidate.presentation.prefix(256)))' is not a usable domain name"
            )
        }
        apex = candidate
        apexText = text
        if origin == nil {
            origin = candidate
            ownerWordCount = -1
        }
    }

    private mutating func readDirective(_ word: ZoneTokenizer.Word, line: Int) throws {
        if ZoneSyntax.matches(word.bytes, "$ORIGIN") {
            guard case .word(let argument) = try tokens.nextToken(), !argument.isQuoted, !argument.isTruncated else {
                throw Self.badDirective(line: line, "$ORIGIN needs a domain name")
            }
            switch WireName.decode(argument.bytes, origin: origin, into: &directiveName) {
            case .decoded(badEscape: false) where directiveName.isWellFormed:
                break
            case .needsOrigin:
                throw Self.noOrigin(line: line, detail: "the relative $ORIGIN '\(Self.text(argument.bytes))'")
            default:
                throw InputError(
                    line: line, reason: "bad-origin",
                    message: "$ORIGIN '\(Self.text(argument.bytes))' is not a valid domain name"
                )
            }
            try expectEndOfEntry(line: line, directive: "$ORIGIN")
            origin = directiveName
            ownerWordCount = -1
        } else if ZoneSyntax.matches(word.bytes, "$TTL") {
            guard case .word(let argument) = try tokens.nextToken(), !argument.isQuoted,
                  ZoneSyntax.isTTLValue(argument.bytes) else {
                throw Self.badDirective(line: line, "$TTL needs a time to live")
            }
            try expectEndOfEntry(line: line, directive: "$TTL")
        } else if ZoneSyntax.matches(word.bytes, "$INCLUDE") {
            throw InputError(
                line: line, reason: "include-refused",
                message: "$INCLUDE is refused: mtascan does not open files named inside its input; expand the zone first (e.g. named-compilezone)"
            )
        } else if ZoneSyntax.matches(word.bytes, "$GENERATE") {
            throw InputError(
                line: line, reason: "generate-refused",
                message: "$GENERATE is not supported: it can create delegations; expand the zone first (e.g. named-compilezone)"
            )
        } else {
            throw InputError(
                line: line, reason: "unknown-directive",
                message: "unknown directive '\(Self.text(word.bytes))'"
            )
        }
    }

    private mutating func expectEndOfEntry(line: Int, directive: String) throws {
        switch try tokens.nextToken() {
        case .endOfEntry, .endOfInput: return
        case .word: throw Self.badDirective(line: line, "\(directive) takes one argument")
        }
    }

    private static func noOrigin(line: Int, detail: String) -> InputError {
        InputError(
            line: line, reason: "no-origin",
            message: "\(detail) needs an origin, but no origin was given and no $ORIGIN precedes it"
        )
    }

    private static func badDirective(line: Int, _ message: String) -> InputError {
        InputError(line: line, reason: "bad-directive", message: message)
    }

    /// Input bytes for a message: bounded, and escaped, since messages go to
    /// a terminal and a zone may carry escape sequences (`TerminalText`).
    private static func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        TerminalText.escaped(bytes: bytes.prefix(256))
    }
}
