/// What a scan must never touch (`--exclude FILE`): networks whose owners
/// asked not to be scanned, and domain suffixes. Checked before any packet is
/// sent to a host or any lookup is made for a domain.
///
/// File format: one entry per line, `#` comments, blank lines ignored.
/// `192.0.2.0/24`, `2001:db8::/32` and bare addresses are networks; anything
/// else must be a domain name and excludes that name and every name below it.
public struct ExclusionList: Sendable {
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let text: String
        public var description: String { "line \(line): \"\(text)\" is neither a network (CIDR) nor a domain name" }
    }

    public private(set) var networks: [IPNetwork] = []
    private var suffixes: Set<String> = []

    public init() {}

    public init(parsing text: String) throws(ParseError) {
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            var line = rawLine
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let entry = line.filter { $0 != " " && $0 != "\t" && $0 != "\r" }
            guard !entry.isEmpty else { continue }
            if let network = IPNetwork(entry) {
                networks.append(network)
            } else if let name = DomainName(entry) {
                suffixes.insert(name.text)
            } else {
                throw ParseError(line: offset + 1, text: String(entry.prefix(200)))
            }
        }
    }

    public var isEmpty: Bool { networks.isEmpty && suffixes.isEmpty }

    /// Entries: networks and domain suffixes.
    public var count: Int { networks.count + suffixes.count }

    public func excludes(address: IPBits) -> Bool {
        networks.contains { $0.contains(address) }
    }

    /// True for an excluded name or any name below one (`example.com` excludes `mx.example.com`).
    public func excludes(domain: String) -> Bool {
        rule(excluding: domain) != nil
    }

    /// The listed suffix that excludes `domain`, the longest when several do.
    public func rule(excluding domain: String) -> String? {
        guard !suffixes.isEmpty else { return nil }
        var name = Substring(domain.lowercased())
        if name.hasSuffix(".") { name = name.dropLast() }
        while true {
            if suffixes.contains(String(name)) { return String(name) }
            guard let dot = name.firstIndex(of: ".") else { return nil }
            name = name[name.index(after: dot)...]
        }
    }
}
