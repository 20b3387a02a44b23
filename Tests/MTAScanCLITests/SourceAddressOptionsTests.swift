import ArgumentParser
import MTAScanCore
import MTAScanEngine
import Testing
@testable import mtascan

/// `--source-ip`, repeatable: any number of IPv4 and IPv6 addresses, each with
/// its own EHLO name; the metadata lists them; a refusal names every source
/// that fails FCrDNS.
@Suite struct SourceAddressOptionsTests {
    private func parse(_ arguments: [String]) throws -> ProbeOptions {
        try ProbeOptions.parse(arguments)
    }

    private func message(_ arguments: [String]) -> String? {
        do {
            _ = try parse(arguments)
            return nil
        } catch {
            return ProbeOptions.message(for: error)
        }
    }

    @Test func anyNumberOfAddressesOfBothFamiliesInTheOrderGiven() throws {
        let options = try parse(["--source-ip", "127.0.0.10", "--source-ip", "2001:db8::10", "--source-ip", "127.0.0.13",
                                 "--source-ip", "2001:db8::11", "--source-ip", "127.0.0.14"])
        #expect(options.sourceAddresses.map(\.description) == ["127.0.0.10", "2001:db8::10", "127.0.0.13", "2001:db8::11", "127.0.0.14"])
        #expect(try parse([]).sourceAddresses.isEmpty)
    }

    @Test func notAnAddressIsRefusedByName() {
        #expect(message(["--source-ip", "127.0.0.10", "--source-ip", "scanner.test"])?.contains("--source-ip \"scanner.test\" is not an IP address") == true)
        #expect(message(["--source-ip", "127.0.0.256"])?.contains("is not an IP address") == true)
        #expect(message(["--source-ip", "127.0.0.10/32"])?.contains("is not an IP address") == true)
    }

    /// A duplicate is the same address however it is written.
    @Test func aDuplicateIsRefused() {
        #expect(message(["--source-ip", "127.0.0.10", "--source-ip", "127.0.0.10"])?.contains("--source-ip 127.0.0.10 is given twice") == true)
        #expect(message(["--source-ip", "2001:db8::1", "--source-ip", "2001:0db8:0:0::1"])?.contains("2001:db8::1 is given twice") == true)
    }

    @Test func theUnspecifiedAddressIsRefused() {
        #expect(message(["--source-ip", "0.0.0.0"])?.contains("unspecified address") == true)
        #expect(message(["--source-ip", "::"])?.contains("unspecified address") == true)
    }

    /// Without the MX phase nothing is checked: the sources are bound as given, without names.
    @Test func withoutTheMXPhaseTheSourcesAreBoundWithoutNames() throws {
        let options = try parse(["--source-ip", "127.0.0.10", "--source-ip", "127.0.0.13"])
        let configuration = options.configuration(identity: nil, exclusions: ExclusionList())
        #expect(configuration.sources.all.map(\.address.description) == ["127.0.0.10", "127.0.0.13"])
        #expect(configuration.sources.all.allSatisfy { $0.ehloName == nil })
        #expect(configuration.ehloName == nil)
        #expect(options.metadataSources(nil) == [.init(address: "127.0.0.10"), .init(address: "127.0.0.13")])
    }

    /// Each source says its own name; the metadata lists each with its name.
    @Test func eachSourceHasItsOwnEHLOName() throws {
        let options = try parse(["--source-ip", "127.0.0.13", "--source-ip", "127.0.0.10"])
        let identity = ScanIdentity(
            sources: [ProbeSource(address: IPAddress("127.0.0.13")!, ehloName: DomainName("scanner2.test")),
                      ProbeSource(address: IPAddress("127.0.0.10")!, ehloName: DomainName("scanner.test"))],
            defaultName: DomainName("scanner2.test")!, confirmed: true)
        let configuration = options.configuration(identity: identity, exclusions: ExclusionList())
        #expect(configuration.ehloName == DomainName("scanner2.test"))
        #expect(configuration.sources.source(toward: IPAddress("127.25.0.1")!)?.ehloName != nil)
        #expect(options.metadataSources(identity) == [
            .init(address: "127.0.0.13", ehloName: "scanner2.test", confirmed: true),
            .init(address: "127.0.0.10", ehloName: "scanner.test", confirmed: true),
        ])
    }

    /// `--ehlo NAME --ehlo-not-fcrdns` is said from every source, unchecked.
    @Test func anEHLOOverrideAppliesToEverySource() throws {
        let options = try parse(["--source-ip", "127.0.0.10", "--source-ip", "127.0.0.11", "--ehlo", "probe.example",
                                 "--ehlo-not-fcrdns"])
        let identity = try options.identity(dns: DNSClientConfiguration(resolvers: [SocketAddress("127.0.0.1:1")!]))
        #expect(identity.sources.map(\.ehloName) == [DomainName("probe.example"), DomainName("probe.example")])
        #expect(identity.confirmed == false)
        #expect(options.metadataSources(identity).map(\.confirmed) == [false, false])
    }

    /// One failing source keeps the old wording; several are listed one a line, each by address.
    @Test func theRefusalNamesEverySourceThatFails() {
        let one = ProbeOptions.refusal(["127.0.0.11 has PTR unconfirmed.test, but no such name resolves back"], of: 1)
        #expect(one.hasPrefix("SMTP probes not started: 127.0.0.11 has PTR unconfirmed.test"))
        #expect(one.contains("--ehlo NAME --ehlo-not-fcrdns"))
        let two = ProbeOptions.refusal(["127.0.0.11 has PTR unconfirmed.test, but …", "127.0.0.99 has no PTR record"], of: 3)
        #expect(two.contains("2 of 3 source addresses have no forward-confirmed reverse DNS:\n  127.0.0.11 has PTR"))
        #expect(two.contains("\n  127.0.0.99 has no PTR record"))
        #expect(two.contains("drop the --source-ip addresses that fail"))
    }

    /// A source that is not an address of this machine is refused before the scan.
    @Test func anAddressThatIsNotThisMachinesIsRefused() throws {
        try parse(["--source-ip", "127.0.0.10", "--source-ip", "127.0.0.13"]).checkSourcesBindable()
        #expect(throws: CLIError.self) {
            try parse(["--source-ip", "127.0.0.10", "--source-ip", "192.0.2.10"]).checkSourcesBindable()
        }
        #expect(SourceIdentity.bindFailure(IPAddress("192.0.2.10")!)?.name == "EADDRNOTAVAIL")
    }
}
