import MTAScanCore

/// `SecurityTxt.parse` (RFC 9116, fetched over HTTPS from any domain) and
/// `mailRecipients(at:)` on what it read. One control byte: when it is 1,
/// the payload is also padded with comment lines to exactly `maxBytes` and
/// to one byte more (only then: a 32 KiB parse costs about a hundred small ones).
///
/// Checks: refused whole exactly when a bound is broken (over `maxBytes`,
/// not UTF-8, over `maxLines` lines or a line over `maxLineBytes`, the lines
/// counted independently on bytes), and a refusal names a bound that is
/// broken; a payload padded to exactly `maxBytes` reads as it did, one byte
/// more is `tooLarge`; the same text with CRLF for LF reads the same; every
/// contact occurs in the input, within one line, without blanks at either
/// end; `expiresAt` is `UnixTime.parseDateTime(expires)`; a canonical rewrite
/// (`Contact:`/`Expires:` lines) reads back to the same fields; the mail
/// recipients are unique, lower-case, `MailPath`s taken from `mailto:`
/// contacts, given only for a single unexpired `Expires`, and `problem` is
/// nil exactly when there are some.
enum SecurityTxtTarget {
    static let target = FuzzTarget(
        name: "security-txt",
        summary: "security.txt (RFC 9116): bounds refuse whole (oracle), maxBytes edge, CRLF = LF, contacts from the input, rewrite round trip, recipients"
    ) { input in
        var input = input
        let control = input.byte()
        let payload = input.rest
        let result = parse(payload)
        Invariant.require(parse(payload) == result, "parse is not deterministic")
        requireBounds(payload, result)

        if let crlf = TextOracle.crlf(payload) {
            Invariant.require(parse(crlf) == result, "CRLF and LF forms read differently: \(result) / \(parse(crlf))")
        }
        if control == 1 { requireSizeEdge(payload, result) }
        guard case .success(let file) = result else { return }

        Invariant.require(!file.signed || TextOracle.contains(payload, Array("-----BEGIN PGP SIGNED MESSAGE-----".utf8)),
                          "signed without a signature header")
        Invariant.require(!file.expiresRepeated || file.expires != nil, "Expires repeated but absent")
        Invariant.require(file.expiresAt == file.expires.flatMap(UnixTime.parseDateTime), "expiresAt is not parseDateTime(expires)")
        for contact in file.contacts {
            let bytes = Array(contact.utf8)
            Invariant.require(!bytes.isEmpty, "empty contact")
            Invariant.require(TextOracle.contains(payload, bytes), "contact \(contact.debugDescription) is not in the input")
            Invariant.require(!TextOracle.containsNewline(bytes), "contact \(contact.debugDescription) spans lines")
            let blank: Set<Character> = [" ", "\t", "\r"]
            Invariant.require(!blank.contains(contact.first!) && !blank.contains(contact.last!),
                              "contact \(contact.debugDescription) not trimmed")
        }
        requireRewriteRoundTrip(file)
        requireRecipients(file)
    }

    static func parse(_ bytes: [UInt8]) -> Result<SecurityTxt, SecurityTxt.Failure> {
        Result { () throws(SecurityTxt.Failure) in try SecurityTxt.parse(bytes) }
    }

    /// The bounds, from an independent count on bytes.
    static func requireBounds(_ payload: [UInt8], _ result: Result<SecurityTxt, SecurityTxt.Failure>) {
        let utf8 = String(validating: payload, as: UTF8.self) != nil
        let lines = utf8 ? TextOracle.newlineLines(payload) : []
        var broken: [SecurityTxt.Failure] = []
        if payload.count > SecurityTxt.maxBytes { broken.append(.tooLarge) }
        if !utf8 { broken.append(.notUTF8) }
        if lines.count > SecurityTxt.maxLines { broken.append(.tooManyLines) }
        if lines.contains(where: { $0.count > SecurityTxt.maxLineBytes }) { broken.append(.lineTooLong) }
        switch result {
        case .success:
            Invariant.require(broken.isEmpty, "read although \(broken) (\(lines.count) lines)")
        case .failure(.badSignatureWrapper):
            Invariant.require(broken.isEmpty, "badSignatureWrapper although \(broken)")
            Invariant.require(TextOracle.contains(payload, Array("-----BEGIN PGP SIGNED MESSAGE-----".utf8)),
                              "badSignatureWrapper without a signature header")
        case .failure(let failure):
            Invariant.require(broken.contains(failure), "refused as \(failure), but broken: \(broken) (\(lines.count) lines)")
        }
    }

    /// Comment lines of at most 2,000 bytes after the payload, to exactly
    /// `maxBytes`: the same reading, unless the lines are then too many;
    /// one byte more is refused as too large.
    static func requireSizeEdge(_ payload: [UInt8], _ result: Result<SecurityTxt, SecurityTxt.Failure>) {
        guard payload.count < SecurityTxt.maxBytes - 4 else { return }
        var padded = payload + [0x0A, UInt8(ascii: "#")]
        var lineStart = padded.count - 1
        while padded.count < SecurityTxt.maxBytes {
            if padded.count - lineStart >= 1999 && SecurityTxt.maxBytes - padded.count >= 2 {
                padded += [0x0A, UInt8(ascii: "#")]
                lineStart = padded.count - 1
            } else {
                padded.append(UInt8(ascii: "x"))
            }
        }
        let atLimit = parse(padded)
        if case .success = result, TextOracle.newlineLines(padded).count <= SecurityTxt.maxLines {
            Invariant.require(atLimit == result, "padding to maxBytes changed the reading: \(atLimit)")
        }
        if case .failure = result {
            // Still refused (the padding's lines may turn a long line into too many lines).
            Invariant.require((try? atLimit.get()) == nil, "padding to maxBytes made a refused file readable")
        }
        padded.append(UInt8(ascii: "x"))
        let over = parse(padded)
        Invariant.require((try? over.get()) == nil, "a file of maxBytes + 1 is read")
        if case .success = result { Invariant.require(over == .failure(.tooLarge), "maxBytes + 1 refused as \(over)") }
    }

    /// `Contact:` and `Expires:` lines written again read back to the same
    /// fields. A tab after the colon: a value may begin with a combining mark
    /// (after a tab in the original), which a space would absorb.
    static func requireRewriteRoundTrip(_ file: SecurityTxt) {
        var lines = file.contacts.map { "Contact:\t" + $0 }
        if let expires = file.expires {
            lines.append("Expires:\t" + expires)
            if file.expiresRepeated { lines.append("Expires:\t" + expires) }
        }
        guard lines.allSatisfy({ $0.utf8.count <= SecurityTxt.maxLineBytes }) else { return }
        let text = Array(lines.joined(separator: "\n").utf8)
        guard case .success(let again) = parse(text) else {
            Invariant.require(false, "the rewrite is refused: \(parse(text))")
            return
        }
        Invariant.require(again.contacts == file.contacts, "contacts \(again.contacts) after rewrite, were \(file.contacts)")
        Invariant.require(again.expires == file.expires && again.expiresAt == file.expiresAt
                          && again.expiresRepeated == file.expiresRepeated, "Expires changed in the rewrite")
    }

    /// As in `SecurityTxtTests`.
    static let now = UnixTime.seconds(year: 2026, month: 12, day: 4, hour: 12, minute: 0, second: 0)

    static func requireRecipients(_ file: SecurityTxt) {
        let (addresses, problem) = file.mailRecipients(at: now)
        Invariant.require(addresses.isEmpty == (problem != nil), "problem \(problem ?? "nil") with \(addresses)")
        guard !addresses.isEmpty else { return }
        Invariant.require(!file.expiresRepeated && (file.expiresAt ?? .min) > now, "recipients without one valid, unexpired Expires")
        Invariant.require(Set(addresses).count == addresses.count, "an address twice: \(addresses)")
        let sources = file.contacts.filter { $0.lowercased().hasPrefix("mailto:") }
            .map { Array($0.lowercased().replacing("%40", with: "@").utf8) }
        for address in addresses {
            Invariant.require(address == address.lowercased(), "\(address) not lower-case")
            Invariant.require(MailPath(address) != nil, "\(address) is no MailPath")
            Invariant.require(sources.contains { TextOracle.contains($0, Array(address.utf8)) },
                              "\(address) is in no mailto: contact")
        }
    }
}
