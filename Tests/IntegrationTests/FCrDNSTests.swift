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

    @Test func noPTRAtAll() throws {
        let output = try check("127.0.0.99")
        #expect(output.status == 1)
        #expect(output.stdout.contains("no PTR record"))
    }
}
