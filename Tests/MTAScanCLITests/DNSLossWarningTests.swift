import MTAScanCore
import MTAScanEngine
import Testing
@testable import mtascan

/// The warning after the summary when lookups went unanswered: silent when
/// none did, and when some did, the counts, the resolvers that lost queries
/// and the command that lists the domains to scan again.
@Suite struct DNSLossWarningTests {
    private func resolver(_ text: String, presumedLost: Int, lossEvents: Int) throws -> DNSResolverStatistics {
        var window = CongestionWindow.Statistics()
        window.presumedLost = presumedLost
        window.cuts[.loss] = lossEvents
        let address = try #require(SocketAddress(text, defaultPort: 53))
        return DNSResolverStatistics(address: address, sent: 100, answered: 90, window: window)
    }

    @Test func aScanThatLostNothingSaysNothing() throws {
        var dns = DNSClientStatistics()
        dns.resolvers = [try resolver("127.53.0.2", presumedLost: 0, lossEvents: 0)]
        #expect(ScanSummary.dnsLossWarning(dns: dns, counts: ScanMetadata.Counts(), outputPath: "out.ndjson") == nil)
    }

    @Test func lostLookupsAreNamedWithTheWayToRescanThem() throws {
        var dns = DNSClientStatistics()
        dns.timeouts = 998
        dns.resolvers = [try resolver("127.53.0.2", presumedLost: 0, lossEvents: 0),
                         try resolver("127.53.2.2", presumedLost: 1500, lossEvents: 7)]
        var counts = ScanMetadata.Counts()
        for _ in 0..<209 { counts.count(verdict: .unknown, dnsTimeout: true) }
        let warning = try #require(ScanSummary.dnsLossWarning(dns: dns, counts: counts, outputPath: "scan.ndjson"))
        #expect(warning.hasPrefix("mtascan: WARNING: 998 DNS queries got no answer"))
        #expect(warning.contains("209 records have a dns-timeout finding"))
        #expect(warning.contains("127.53.2.2:53 (1500 presumed lost, 7 loss events)"))
        #expect(!warning.contains("127.53.0.2:53"))
        #expect(warning.hasSuffix(#"jq -r 'select(any(.findings[]?; .code == "dns-timeout")) | .domain' scan.ndjson"#))
    }

    /// A resume of a finished file sends nothing: the kept records still carry
    /// their dns-timeout findings, and the warning says the run itself lost none.
    @Test func aResumeThatLostNothingNamesOnlyTheKeptRecords() throws {
        var counts = ScanMetadata.Counts()
        for _ in 0..<3 { counts.count(verdict: .unknown, dnsTimeout: true) }
        let warning = try #require(ScanSummary.dnsLossWarning(dns: DNSClientStatistics(), counts: counts, outputPath: "scan.ndjson"))
        #expect(warning.hasPrefix("mtascan: WARNING: this run lost no DNS query, but 3 records have a dns-timeout finding"))
        #expect(!warning.contains("0 DNS queries"))
    }
}
