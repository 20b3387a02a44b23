import MTAScanCore
import Testing
@testable import MTAScanEngine

@Suite struct DomainResolutionTests {
    /// A hostile MX RRset of thousands of names must not make the scanner
    /// resolve and probe them all: the first 32 by preference, each once.
    @Test func mxHostsAreCappedInPreferenceOrder() {
        var records = (0..<100).map { MXRecordValue(preference: 100 - $0, host: "mx\($0).example.test") }
        records.append(MXRecordValue(preference: 1, host: "mx99.example.test"))  // listed twice
        records.append(MXRecordValue(preference: 0, host: ""))  // the null MX names no host
        let hosts = DomainResolution.hostsToResolve(records)
        #expect(hosts.count == DomainResolution.maxMXHosts)
        #expect(hosts.first == "mx99.example.test")
        #expect(hosts.last == "mx68.example.test")
        #expect(Set(hosts).count == hosts.count)
    }
}
