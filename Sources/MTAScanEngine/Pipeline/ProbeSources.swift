import MTAScanCore

/// One address a scan connects from, and the name it gives in EHLO from there.
public struct ProbeSource: Sendable, Equatable {
    public var address: IPAddress
    /// The forward-confirmed reverse DNS name of `address` (or the `--ehlo`
    /// override); nil when no SMTP probe is made (the MX phase does not run).
    public var ehloName: DomainName?

    public init(address: IPAddress, ehloName: DomainName? = nil) {
        self.address = address
        self.ehloName = ehloName
    }
}

/// The source addresses of a scan (`--source-ip`, repeatable), and the choice
/// of one for each connection.
///
/// A destination IP always gets the same source of its family: the choice is a
/// hash of the destination address, not a turn. Why not round robin:
/// - the operator of a mail or policy host sees one client for the whole scan
///   (and for a resume, a re-run or another shard with the same sources), not a
///   scan that seems to come from several machines at once: greylisting keyed by
///   the client address, per-client rate limits, allowlists and log
///   correlation all see one consistent client that says one EHLO name;
/// - it needs no shared state: every loop picks the same source for an address,
///   without coordination, whatever the timing;
/// - it balances as well in practice: an (MX host, address) is probed once per
///   scan, so over the many destinations of a scan a hash spreads connections
///   evenly, and what a single busy destination receives is bounded by the
///   per-destination limits anyway, which stay keyed by the destination alone
///   (`ConnectionLimiter`): more sources never mean more traffic to one host.
///
/// A family's sources are taken sorted by address, so the choice does not depend
/// on the order of the flags. The hash is FNV-1a over the address bytes, mixed
/// by MurmurHash3's 64-bit finalizer, reduced to a source by its high bits
/// (`hash × count >> 64`). The finalizer is needed: FNV-1a's multiply carries a
/// byte's influence only upwards, a few bits per byte, so over a 4-byte key its
/// high bits hardly depend on the last bytes (every address of a /16 would get
/// the same source) and its low bits already choose the destination's loop
/// (`EventLoopGroup.loop(for:)`), with which the choice should not move.
/// A destination whose family has no source connects from the kernel's choice.
public struct ProbeSources: Sendable, Equatable {
    /// As given (the first is the scan's `source_address`).
    public let all: [ProbeSource]
    private let ipv4: [ProbeSource]
    private let ipv6: [ProbeSource]

    public init(_ sources: [ProbeSource] = []) {
        all = sources
        let sorted = sources.sorted { $0.address.bytes.lexicographicallyPrecedes($1.address.bytes) }
        ipv4 = sorted.filter { $0.address.family == .ipv4 }
        ipv6 = sorted.filter { $0.address.family == .ipv6 }
    }

    public var isEmpty: Bool { all.isEmpty }

    /// The source for every connection to `destination` (whatever its port); nil
    /// when no source of its family was given, so the kernel chooses.
    public func source(toward destination: IPAddress) -> ProbeSource? {
        let family = destination.family == .ipv4 ? ipv4 : ipv6
        guard !family.isEmpty else { return nil }
        return family[Self.index(of: destination, among: family.count)]
    }

    /// Which of `count` sources a destination gets: stable across runs, loops and machines.
    static func index(of destination: IPAddress, among count: Int) -> Int {
        var key = StableHash.fnv1a(destination.bytes)
        // MurmurHash3 fmix64: every input bit reaches every output bit.
        key ^= key >> 33
        key &*= 0xFF51_AFD7_ED55_8CCD
        key ^= key >> 33
        key &*= 0xC4CE_B9FE_1A85_EC53
        key ^= key >> 33
        return Int(key.multipliedFullWidth(by: UInt64(count)).high)
    }
}
