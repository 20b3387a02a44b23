import MTAScanCore
import Testing
@testable import MTAScanEngine

/// Which `--source-ip` a connection binds: by a hash of the destination, so one
/// destination always sees one source of its family (ProbeSources).
@Suite struct ProbeSourcesTests {
    private static func source(_ text: String, _ name: String) -> ProbeSource {
        ProbeSource(address: IPAddress(text)!, ehloName: DomainName(name))
    }

    private let sources = ProbeSources([
        source("127.0.0.10", "scanner.test"), source("127.0.0.13", "scanner2.test"),
        source("127.0.0.14", "scanner3.test"), source("2001:db8::10", "scanner6.test"),
    ])

    private func destinations(_ count: Int) -> [IPAddress] {
        (0..<count).map { IPAddress(ipv4: 0xC633_6400 &+ UInt32($0 * 7919)) }  // spread over 198.51.100.0 and beyond
    }

    @Test func aDestinationAlwaysGetsTheSameSourceOfItsFamily() throws {
        for destination in destinations(200) {
            let first = try #require(sources.source(toward: destination))
            #expect(first.address.family == .ipv4)
            for _ in 0..<3 { #expect(sources.source(toward: destination) == first) }
        }
        let v6 = try #require(sources.source(toward: IPAddress("2001:db8::25")!))
        #expect(v6 == Self.source("2001:db8::10", "scanner6.test"))
    }

    @Test func aFamilyWithoutASourceIsLeftToTheKernel() {
        let onlyV4 = ProbeSources([Self.source("127.0.0.10", "scanner.test")])
        #expect(onlyV4.source(toward: IPAddress("2001:db8::25")!) == nil)
        #expect(ProbeSources().source(toward: IPAddress("192.0.2.1")!) == nil)
        #expect(ProbeSources().isEmpty)
    }

    /// The order of the flags does not move a destination to another source.
    @Test func theChoiceDoesNotDependOnTheOrderGiven() {
        let reversed = ProbeSources(sources.all.reversed())
        for destination in destinations(300) {
            #expect(reversed.source(toward: destination) == sources.source(toward: destination))
        }
        #expect(reversed.all.first?.address == IPAddress("2001:db8::10"), "`all` keeps the order given")
    }

    /// Many destinations spread evenly over the sources.
    @Test func manyDestinationsSpreadOverEverySource() {
        var counts: [IPAddress: Int] = [:]
        for destination in destinations(3000) {
            if let chosen = sources.source(toward: destination) { counts[chosen.address, default: 0] += 1 }
        }
        #expect(counts.count == 3)
        for (address, count) in counts {
            #expect(count > 800 && count < 1200, "\(address): \(count) of 3000")
        }
    }

    /// The addresses of one network spread too: FNV-1a alone would give every
    /// address of a /16 (or a /64) the same source.
    @Test func theAddressesOfOneNetworkSpreadOverEverySource() {
        for count in 2...5 {
            var perSource = [Int](repeating: 0, count: count)
            for third in 0..<4 {
                for fourth in 0...255 {
                    perSource[ProbeSources.index(of: IPAddress(ipv4: 127, 25, UInt8(third), UInt8(fourth)), among: count)] += 1
                }
            }
            #expect(perSource.allSatisfy { $0 > 1024 / count * 8 / 10 }, "\(count) sources: \(perSource)")
        }
        var perSource = [0, 0, 0, 0]
        for low in 0..<1000 {
            perSource[ProbeSources.index(of: IPAddress(ipv6: 0x2001_0DB8_0000_0000, UInt64(low)), among: 4)] += 1
        }
        #expect(perSource.allSatisfy { $0 > 200 }, "a /64 over 4 sources: \(perSource)")
    }

    /// The test internet's MX hosts (127.25.0.x, 127.25.1.x) reach all three of its
    /// confirmed sources: the integration test that checks Postfix relies on it.
    @Test func theTestInternetsMXAddressesReachEverySource() {
        var seen = Set<IPAddress>()
        for third in 0...1 {
            for fourth in 1...40 {
                if let chosen = sources.source(toward: IPAddress(ipv4: 127, 25, UInt8(third), UInt8(fourth))) {
                    seen.insert(chosen.address)
                }
            }
        }
        #expect(seen.count == 3)
    }

    /// The loop of a destination uses the low bits of the same hash, the source its
    /// high half: with two loops and two sources, each loop still uses both.
    @Test func theSourceChoiceIsIndependentOfTheLoopChoice() {
        var pairs = Set<[Int]>()
        for destination in destinations(400) {
            let key = StableHash.fnv1a(destination.bytes)
            pairs.insert([Int(key % 2), ProbeSources.index(of: destination, among: 2)])
        }
        #expect(pairs.count == 4)
    }

    /// A connection binds its source and says that source's own name; without a
    /// source of the family, the kernel chooses and the configuration's name is said.
    @Test func theEHLONameIsTheOneOfTheBoundSource() throws {
        var configuration = ProbeConfiguration(ehloName: DomainName("scanner.test"), sources: sources,
                                               userAgentVersion: "test")
        for destination in destinations(50) {
            let origin = configuration.origin(toward: SocketAddress(ip: destination, port: 25))
            let chosen = try #require(sources.source(toward: destination))
            #expect(origin.bind == SocketAddress(ip: chosen.address, port: 0))
            #expect(origin.ehloName == chosen.ehloName)
        }
        configuration.sources = ProbeSources([Self.source("127.0.0.13", "scanner2.test")])
        let v6 = configuration.origin(toward: SocketAddress(ip: IPAddress("2001:db8::25")!, port: 25))
        #expect(v6.bind == nil)
        #expect(v6.ehloName == DomainName("scanner.test"))
    }
}
