import Testing

/// `mtascan fcrdns` against the test internet's reverse zone (tools/testnet/README.md).
@Suite(.enabled(if: TestInternet.isRunning, "needs the local test internet: run tools/test.sh"))
struct FCrDNSTests {
    private func check(_ address: String) throws -> MTAScanProcess.Output {
        try MTAScanProcess.run(["fcrdns", address, "--resolver", TestInternet.resolver, "--dns-timeout", "1"])
    }

    @Test func aConfirmedSourceAddressGivesItsName() throws {
        let output = try check("127.0.0.10")
        #expect(output.status == 0)
        #expect(output.stdout.contains("scanner.test"))
    }

    @Test func aPTRThatDoesNotResolveBackIsRefusedWithTheReason() throws {
        let output = try check("127.0.0.11")
        #expect(output.status == 1)
        #expect(output.stdout.contains("unconfirmed.test"))
        #expect(output.stdout.contains("no such name resolves back"))
    }

    /// Several addresses at once (a scan's --source-ip list): each line says its own.
    @Test func severalAddressesAreCheckedEach() throws {
        let good = try MTAScanProcess.run(["fcrdns", "127.0.0.10", "127.0.0.13", "127.0.0.14", "127.0.0.15",
                                           "--resolver", TestInternet.resolver, "--dns-timeout", "1"])
        #expect(good.status == 0, "\(good.stdout)")
        for name in ["scanner.test", "scanner2.test", "scanner3.test", "scanner4.test"] {
            #expect(good.stdout.contains("forward-confirmed reverse DNS: \(name)"))
        }
        let mixed = try MTAScanProcess.run(["fcrdns", "127.0.0.13", "127.0.0.11",
                                            "--resolver", TestInternet.resolver, "--dns-timeout", "1"])
        #expect(mixed.status == 1)
        #expect(mixed.stdout.contains("127.0.0.13 has forward-confirmed reverse DNS: scanner2.test"))
        #expect(mixed.stdout.contains("127.0.0.11 has PTR unconfirmed.test"))
    }

    @Test func noPTRAtAll() throws {
        let output = try check("127.0.0.99")
        #expect(output.status == 1)
        #expect(output.stdout.contains("no PTR record"))
    }
}
