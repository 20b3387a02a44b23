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
/// case-insensitive types and classes. `$INCLUDE` is refused (a scanner must
/// not open files named inside its input), and so is `$GENERATE` (it can
/// create delegations this reader would miss).
///
/// **Distinct names**: a name is never yielded twice in a row, and not again
/// while it is among the last `recentWindow` names yielded (a FIFO set), so
/// among any `recentWindow` consecutive items no two have the same name. A
/// name whose NS records are separated by more than `recentWindow` other
/// delegations may be yielded again; TLD zones keep a name's records together.
///
/// **Bad names**: an NS record directly below the origin whose owner is not a
/// usable `DomainName` yields a `.failure` item (the name's `Problem`, or
/// `bad-escape`). An owner that cannot be placed in the tree at all (quoted,
/// a label over 255 bytes, longer than `maxWordLength`) yields a `.failure`
/// item for its first NS record, since it may be a delegation.
///
/// **Errors**: `InputError` for an unterminated quote or parenthesis at the
/// end of input, a `)` without `(`, a refused or unreadable directive, a
/// relative name with no origin, or an origin that is not a `DomainName`.
///
/// Memory: `chunkSize` plus one word (`maxWordLength`), the current names,
/// and the window of `recentWindow` labels. Only a newly delegated name allocates.
public struct ZoneFileReader<Source: ByteSource>: DomainReader {
    private var tokens: ZoneTokenizer<Source>
    private var apex: WireName?
    /// The apex as dotted lower-case text without the trailing dot; empty for the root.
    private var apexText: [UInt8] = []
    /// Completes relative names; `$ORIGIN` changes it.
    private var origin: WireName?
    private var owner = WireName()
    private var ownerState = OwnerState.absent
    private var directiveName = WireName()
    /// The first label of the last delegated owner met, to skip a name's
    /// further NS records without hashing.
    private var lastDelegation: [UInt8] = []
    private var hasLastDelegation = false
    private var recent: RecentNames

    private enum OwnerState {
        case absent
        case decoded(badEscape: Bool)
        /// Not placeable in the tree; `text` is the raw word for the error record.
        case unplaceable(InputProblem, text: [UInt8], reported: Bool)
    }

    public init(
        source: Source, origin: DomainName? = nil,
        chunkSize: Int = 256 * 1024, maxWordLength: Int = 4096, recentWindow: Int = 65_536
    ) {
        tokens = ZoneTokenizer(source: source, chunkSize: chunkSize, maxWordLength: maxWordLength)
        recent = RecentNames(capacity: recentWindow)
        if let origin {
            let name = WireName(origin)
            apex = name
            apexText = Array(origin.text.utf8)
            self.origin = name
        }
    }

    public mutating func next() throws -> InputItem? {
        while true {
            guard let first = try tokens.peek() else { return nil }
            let entryLine = tokens.line
            var token: ZoneTokenizer<Source>.Token
            if ZoneSyntax.startsWithBlank(first) {
                token = try tokens.nextToken()
            } else {
                guard case .word(let word) = try tokens.nextToken() else { continue }
                if !word.isQuoted && word.bytes.first == ZoneSyntax.dollar {
                    try readDirective(word, line: entryLine)
                    continue
                }
                try setOwner(word, line: entryLine)
                token = try tokens.nextToken()
            }
            guard let type = try readType(startingWith: token) else { continue }
            try tokens.skipEntry()
            if apex == nil { try fixApex(recordType: type, line: entryLine) }
            if type == .ns, let item = delegation(line: entryLine) { return item }
        }
    }

    /// Reads `[TTL] [class] type` in either order (§5.1); nil if the entry ends first.
    private mutating func readType(startingWith first: ZoneTokenizer<Source>.Token) throws -> ZoneSyntax.RecordType? {
        var token = first
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

    private mutating func setOwner(_ word: ZoneTokenizer<Source>.Word, line: Int) throws {
        if word.isQuoted || word.isTruncated {
            let problem = word.isQuoted ? InputProblem(.invalidCharacter) : InputProblem(.tooLong)
            ownerState = .unplaceable(problem, text: Array(word.bytes.prefix(InputItem.maxTextLength)), reported: false)
            return
        }
        switch WireName.decode(word.bytes, origin: origin, into: &owner) {
        case .decoded(let badEscape):
            ownerState = .decoded(badEscape: badEscape)
        case .needsOrigin:
            throw Self.noOrigin(line: line, detail: "the relative name '\(Self.text(word.bytes))'")
        case .overlong:
            ownerState = .unplaceable(
                InputProblem(.labelTooLong), text: Array(word.bytes.prefix(InputItem.maxTextLength)), reported: false
            )
        }
    }

    /// The item for an NS record's owner if it is a new delegation.
    private mutating func delegation(line: Int) -> InputItem? {
        guard let apex else { return nil }
        switch ownerState {
        case .absent:
            return nil
        case .unplaceable(let problem, let text, let reported):
            guard !reported else { return nil }
            ownerState = .unplaceable(problem, text: text, reported: true)
            return InputItem(line: line, bytes: text, name: .failure(problem))
        case .decoded(let badEscape):
            guard owner.isChild(of: apex) else { return nil }
            let label = owner.firstLabel
            if hasLastDelegation && lastDelegation.count == label.count && lastDelegation.elementsEqual(label) {
                return nil
            }
            lastDelegation.removeAll(keepingCapacity: true)
            lastDelegation.append(contentsOf: label)
            hasLastDelegation = true
            guard recent.insert(lastDelegation) else { return nil }
            return item(label: label, badEscape: badEscape, line: line)
        }
    }

    private func item(label: ArraySlice<UInt8>, badEscape: Bool, line: Int) -> InputItem {
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
        if recordType == .soa, case .decoded(badEscape: false) = ownerState {
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
                message: "the zone's origin '\(String(decoding: candidate.presentation.prefix(256), as: UTF8.self))' is not a usable domain name"
            )
        }
        apex = candidate
        apexText = text
        if origin == nil { origin = candidate }
    }

    private mutating func readDirective(_ word: ZoneTokenizer<Source>.Word, line: Int) throws {
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

    /// Raw bytes for a message, bounded.
    private static func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: bytes.prefix(256), as: UTF8.self)
    }
}
