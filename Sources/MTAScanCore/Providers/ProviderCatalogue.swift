/// Names of known providers by DNS suffix: who hosts a domain's MTA-STS policy
/// and who receives its mail. Researchers aggregate by the id (how many
/// misconfigured domains sit behind one provider) and notifications can go to
/// the provider instead of thousands of customers.
///
/// Matching is on label boundaries (`google.com` matches `aspmx.l.google.com`
/// and `google.com`, never `notgoogle.com`), case-insensitive, a trailing dot
/// ignored; the longest matching suffix wins, so a specific entry can carve a
/// name out of a broader one.
public struct ProviderCatalogue: Sendable {
    private var tables: [ProviderKind: [String: String]] = [:]

    public init() {}

    /// Later entries replace earlier ones of the same kind and suffix, so an
    /// extra file (`--providers FILE`) can correct the built-in list.
    public init(_ entries: some Sequence<ProviderEntry>) {
        for entry in entries { add(entry) }
    }

    public mutating func add(_ entry: ProviderEntry) {
        tables[entry.kind, default: [:]][entry.suffix] = entry.provider
    }

    /// This catalogue with `entries` added on top.
    public func adding(_ entries: some Sequence<ProviderEntry>) -> ProviderCatalogue {
        var copy = self
        for entry in entries { copy.add(entry) }
        return copy
    }

    public var count: Int { tables.values.reduce(0) { $0 + $1.count } }

    /// Every entry, sorted by kind, then suffix: for `--providers` debugging and the docs' table check.
    public var entries: [ProviderEntry] {
        ProviderKind.allCases.flatMap { kind in
            (tables[kind] ?? [:]).sorted { $0.key < $1.key }.compactMap {
                ProviderEntry(kind: kind, suffix: $0.key, provider: $0.value)
            }
        }
    }

    /// The provider whose longest suffix `host` equals or sits below, or nil.
    public func provider(of host: String, kind: ProviderKind) -> String? {
        guard let table = tables[kind], !table.isEmpty else { return nil }
        // Names from DNS are lower-case ASCII already: lower-case only what needs it.
        // This runs for every MX host of every record, so it walks UTF-8, not Characters.
        let needsLowering = host.utf8.contains { $0 >= 0x80 || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
        let name = needsLowering ? host.lowercased() : host
        var end = name.utf8.endIndex
        if name.utf8.last == UInt8(ascii: ".") { end = name.utf8.index(before: end) }
        var start = name.utf8.startIndex
        // Walking from the full name towards the root finds the longest suffix first.
        while start < end {
            if let provider = table[String(name[start..<end])] { return provider }
            guard let dot = name.utf8[start..<end].firstIndex(of: UInt8(ascii: ".")) else { return nil }
            start = name.utf8.index(after: dot)
        }
        return nil
    }

    /// The known mail provider of an MX host name.
    public func mailProvider(mxHost: String) -> String? {
        provider(of: mxHost, kind: .mail)
    }

    /// Who hosts `mta-sts.<domain>`: the first CNAME target (in the order the
    /// chain was followed) that belongs to a known policy host, else the name
    /// itself. The first hop is preferred because it is the name the domain
    /// owner chose (`<customer>.mta-sts.mailhardener.com`); later hops tend to
    /// be the provider's CDN, which says less.
    public func policyHostProvider(name: String, cnameChain: [String]) -> String? {
        for target in cnameChain {
            if let provider = provider(of: target, kind: .policyHost) { return provider }
        }
        return provider(of: name, kind: .policyHost)
    }
}
