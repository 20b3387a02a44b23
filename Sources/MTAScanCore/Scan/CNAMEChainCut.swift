/// Why a CNAME chain from a query's name was cut (RFC 1034 §3.6.2, RFC 2181
/// §10.1): it comes back to a name already followed, or it is longer than
/// mtascan follows. Both are the zone owner's misconfiguration, served whole
/// in one answer; senders' resolvers give up on them too (a loop that a
/// resolver refuses to serve is its SERVFAIL, which says nothing about who is
/// to blame, and stays `dns-servfail`).
public struct CNAMEChainCut: Sendable, Equatable {
    /// At most this many names of a cut chain are kept in the record: enough
    /// for the bound of 8 links and a loop's repeat.
    public static let maxReported = 16

    public var status: LookupStatus

    /// `chain` as served from `name`: a loop when its last name is `name` or
    /// a name before it, else a chain too long.
    public init(name: String, chain: [String]) {
        guard let last = chain.last else {
            status = .cnameChainTooLong
            return
        }
        let repeats = Self.same(last, name) || chain.dropLast().contains { Self.same($0, last) }
        status = repeats ? .cnameLoop : .cnameChainTooLong
    }

    /// DNS names compare case-insensitively, with or without the final dot.
    private static func same(_ a: String, _ b: String) -> Bool {
        func canonical(_ name: String) -> [UInt8] {
            var bytes = name.utf8.map(ASCII.lower)
            if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
            return bytes
        }
        return canonical(a) == canonical(b)
    }
}
