import MTAScanCore

/// `ProviderContacts.parse` (the file of `notify plan --provider-contacts`),
/// on the payload decoded as the command decodes it.
///
/// Checks: a read file holds exactly the entries of an independent reading
/// on bytes (lines at every newline `String` knows, a comment from the first
/// `#`, blanks and CR trimmed, blank lines and a first `provider,address`
/// line skipped, one `provider,address` entry per other line), so no line is
/// silently dropped; every id is kebab-case (1–63 bytes) and every address
/// a lower-case `MailPath`, both in the text; an error names a line that holds
/// an entry; the same text with CRLF for LF reads the same (errors and line
/// numbers too); the entries written again read back to the same contacts.
enum ProviderContactsTarget {
    static let target = FuzzTarget(
        name: "provider-contacts",
        summary: "provider contacts file: entries = byte oracle (no line dropped), ids and addresses valid and from the text, error lines, CRLF = LF, rewrite round trip"
    ) { input in
        let payload = input.rest
        let text = String(decoding: payload, as: UTF8.self)
        let bytes = Array(text.utf8)
        let result = parse(text)
        Invariant.require(parse(text) == result, "parse is not deterministic")
        if let crlf = TextOracle.crlf(payload) {
            Invariant.require(parse(String(decoding: crlf, as: UTF8.self)) == result, "CRLF and LF forms read differently")
        }
        let entries = oracleEntries(bytes)
        switch result {
        case .failure(let error):
            Invariant.require(entries.contains { $0.line == error.line }, "error at line \(error.line), which holds no entry")
        case .success(let contacts):
            Invariant.require(contacts.addresses.count == entries.count, "\(contacts.addresses.count) contacts from \(entries.count) entry lines")
            let lower = Array(text.lowercased().utf8)
            for entry in entries {
                Invariant.require(contacts[entry.provider] == entry.address.lowercased(),
                                  "line \(entry.line): \(entry.provider) → \(contacts[entry.provider] ?? "nil"), expected \(entry.address)")
            }
            for (provider, address) in contacts.addresses {
                let id = Array(provider.utf8)
                Invariant.require((1...63).contains(id.count) && id.first != UInt8(ascii: "-") && id.last != UInt8(ascii: "-")
                                  && id.allSatisfy { ASCIIClass.isAlphanumeric($0) && !(0x41...0x5A).contains($0) || $0 == UInt8(ascii: "-") }
                                  && !TextOracle.contains(id, Array("--".utf8)), "provider id \(provider)")
                Invariant.require(MailPath(address) != nil && address == address.lowercased(), "address \(address)")
                Invariant.require(TextOracle.contains(bytes, id) && TextOracle.contains(lower, Array(address.utf8)), "\(provider),\(address) not in the text")
            }
            let rewrite = "provider,address\n" + contacts.addresses.sorted { $0.key < $1.key }.map { "\($0.key),\($0.value)\n" }.joined()
            Invariant.require(parse(rewrite) == result, "the rewrite reads \(parse(rewrite))")
        }
    }

    static func parse(_ text: String) -> Result<ProviderContacts, ProviderContacts.ParseError> {
        Result { () throws(ProviderContacts.ParseError) in try ProviderContacts.parse(text) }
    }

    struct Entry {
        var line: Int
        var provider: String
        var address: String
    }

    /// The lines that must each be one entry, read on bytes; a line that
    /// has not exactly two fields is an entry with an empty provider.
    static func oracleEntries(_ bytes: [UInt8]) -> [Entry] {
        var entries: [Entry] = []
        var sawEntry = false
        for (index, line) in TextOracle.newlineLines(bytes).enumerated() {
            let content = LineOracle.trimmed(line.split(separator: UInt8(ascii: "#"), maxSplits: 1, omittingEmptySubsequences: false)[0])
            guard !content.isEmpty else { continue }
            let fields = content.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
                .map { String(decoding: LineOracle.trimmed($0), as: UTF8.self) }
            if !sawEntry && fields.map({ $0.lowercased() }) == ["provider", "address"] {
                sawEntry = true
                continue
            }
            sawEntry = true
            entries.append(Entry(line: index + 1, provider: fields.count == 2 ? fields[0] : "", address: fields.count == 2 ? fields[1] : ""))
        }
        return entries
    }
}
