public import MTAScanCore

/// What became of one query.
public enum DNSLookupOutcome: Sendable, Equatable {
    /// The RRset of the asked type at the end of `cnameChain` (empty chain: at the name asked).
    case answer(records: [DNSRecord], cnameChain: [String])
    case nxdomain(cnameChain: [String])
    case nodata(cnameChain: [String])
    case servfail
    case refused
    /// No acceptable answer from any resolver within the attempts.
    case timeout
    case formerr
    case otherRcode(UInt16)
    /// A CNAME chain that loops or exceeds the bound.
    case cnameLoop(cnameChain: [String])
}

/// One finished query: what was asked, what came back, and how.
public struct DNSLookup: Sendable {
    public var name: DomainName
    public var type: DNSRecordType
    public var outcome: DNSLookupOutcome
    /// The resolver whose answer was used; nil after a timeout.
    public var resolver: SocketAddress?
    public var attempts: Int
    public var usedTCP: Bool
    /// The answer's AD bit: the resolver validated it (only meaningful for a
    /// query made with `DNSSECRequest.validate`, and a validating resolver).
    public var authenticated = false
}

/// Counters of one client; summed over loops for the scan's metadata.
public struct DNSClientStatistics: Sendable, Equatable {
    public var sent = 0
    public var received = 0
    public var accepted = 0
    /// Datagrams from the wrong address, with an unknown ID, or with the wrong question: spoofing or late answers.
    public var droppedMismatched = 0
    public var droppedMalformed = 0
    public var timeouts = 0
    public var retries = 0
    public var tcpFallbacks = 0
    public var peakInFlight = 0
    /// Per resolver, in the order configured.
    public var resolvers: [DNSResolverStatistics] = []

    public init() {}

    public mutating func add(_ other: DNSClientStatistics) {
        sent += other.sent
        received += other.received
        accepted += other.accepted
        droppedMismatched += other.droppedMismatched
        droppedMalformed += other.droppedMalformed
        timeouts += other.timeouts
        retries += other.retries
        tcpFallbacks += other.tcpFallbacks
        peakInFlight += other.peakInFlight
        for (index, resolver) in other.resolvers.enumerated() {
            if index < resolvers.count { resolvers[index].add(resolver) } else { resolvers.append(resolver) }
        }
    }
}
