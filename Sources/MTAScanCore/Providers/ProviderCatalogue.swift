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
    /// Each kind's table and its deepest suffix in labels, held apart rather
    /// than in a dictionary by kind: `provider(of:kind:)` runs for every MX
    /// host of every record.
    private var mail = SuffixTable()
    private var policyHost = SuffixTable()

    private struct SuffixTable: Sendable {
        var providers: [String: String] = [:]
        var mostLabels = 0
    }

    public init() {}

    /// Later entries replace earlier ones of the same kind and suffix, so an
    /// extra file (`--providers FILE`) can correct the built-in list.
    public init(_ entries: some Sequence<ProviderEntry>) {
        for entry in entries { add(entry) }
    }

    public mutating func add(_ entry: ProviderEntry) {
        let labels = entry.suffix.utf8.count(where: { $0 == UInt8(ascii: ".") }) + 1
        switch entry.kind {
        case .mail:
            mail.providers[entry.suffix] = entry.provider
            mail.mostLabels = max(mail.mostLabels, labels)
        case .policyHost:
            policyHost.providers[entry.suffix] = entry.provider
            policyHost.mostLabels = max(policyHost.mostLabels, labels)
        }
    }

    /// This catalogue with `entries` added on top.
    public func adding(_ entries: some Sequence<ProviderEntry>) -> ProviderCatalogue {
        var copy = self
        for entry in entries { copy.add(entry) }
        return copy
    }

    public var count: Int { mail.providers.count + policyHost.providers.count }

    private func table(_ kind: ProviderKind) -> SuffixTable {
        switch kind {
        case .mail: mail
        case .policyHost: policyHost
        }
    }

    /// Every entry, sorted by kind, then suffix: for `--providers` debugging and the docs' table check.
    public var entries: [ProviderEntry] {
        ProviderKind.allCases.flatMap { kind in
            table(kind).providers.sorted { $0.key < $1.key }.compactMap {
                ProviderEntry(kind: kind, suffix: $0.key, provider: $0.value)
            }
        }
    }

    /// The provider whose longest suffix `host` equals or sits below, or nil.
    public func provider(of host: String, kind: ProviderKind) -> String? {
        let table = table(kind)
        guard !table.providers.isEmpty else { return nil }
        // Names from DNS are lower-case ASCII already: lower-case only what needs it.
        var name = host
        let needsLowering = name.withUTF8 { bytes in
            bytes.contains { $0 >= 0x80 || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
        }
        if needsLowering { name = host.lowercased() }
        // Walked as contiguous bytes: suffixes deeper than the table's deepest
        // entry are skipped, then the longest matching suffix is found first.
        return name.withUTF8 { bytes -> String? in
            var end = bytes.count
            if end > 0, bytes[end - 1] == UInt8(ascii: ".") { end -= 1 }
            var labels = 1
            for index in 0..<end where bytes[index] == UInt8(ascii: ".") { labels += 1 }
            var skip = labels - table.mostLabels
            var start = 0
            while start < end {
                if skip <= 0 {
                    let suffix = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                    if let provider = table.providers[suffix] { return provider }
                }
                skip -= 1
                guard let dot = bytes[start..<end].firstIndex(of: UInt8(ascii: ".")) else { return nil }
                start = dot + 1
            }
            return nil
        }
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
