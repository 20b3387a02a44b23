import Foundation
import MTAScanCore
import Testing

/// mtascan pointed at a hostile resolver (tools/testnet/badns.py: compression pointer
/// loops, pointers past the end, counts larger than the records present, cut packets,
/// names over 255 bytes, wrong IDs, wrong questions, wrong types, TC with a TCP side
/// that closes or never sends its message): each scan exits 0 with one record and the
/// catalogue's outcome, never a crash or a hang.
@Suite(.enabled(if: TestInternet.isRunning, "needs the local test internet: run tools/test.sh"))
struct HostileResolverTests {
    private struct Resolver {
        let mode: String
        let address: String
        let findings: Set<String>
        let verdict: String
    }

    private func resolvers() throws -> [Resolver] {
        let url = TestInternet.repositoryRoot.appendingPathComponent("tools/testnet/scenarios.json")
        let catalogue = try JSONParser.parse(Array(try Data(contentsOf: url)))
        return (catalogue["hostile_resolvers"]?.arrayValue ?? []).compactMap { entry in
            guard let mode = entry["mode"]?.stringValue, let address = entry["address"]?.stringValue,
                  let verdict = entry["expect"]?["verdict"]?.stringValue else { return nil }
            let findings = Set((entry["expect"]?["findings"]?.arrayValue ?? []).compactMap(\.stringValue))
            return Resolver(mode: mode, address: address, findings: findings, verdict: verdict)
        }
    }

    @Test func everyHostileResolverEndsInItsOutcome() throws {
        let resolvers = try resolvers()
        try #require(resolvers.count >= 10, "hostile resolvers: \(resolvers.map(\.mode))")
        // All at once (each waits out its DNS timeouts), then each judged on its own.
        let scans = try resolvers.map { resolver in
            try MTAScanProcess.start(["scan", "--phases", "dns", "--resolver", resolver.address, "--dns-timeout", "1"],
                                     stdin: .text("sts-valid.test\n"))
        }
        for (resolver, scan) in zip(resolvers, scans) {
            guard let termination = scan.wait(timeout: 60) else {
                scan.stop()
                Issue.record("\(resolver.mode): mtascan did not finish")
                continue
            }
            let output = scan.output(termination)
            #expect(output.signal == nil && output.status == 0, "\(resolver.mode): \(output.status) \(output.stderr)")
            let records = try output.stdoutLines.map { try JSONParser.parse($0) }
            #expect(records.count == 1, "\(resolver.mode)")
            let codes = Set((records.first?["findings"]?.arrayValue ?? []).compactMap { $0["code"]?.stringValue })
            #expect(codes == resolver.findings, "\(resolver.mode): got \(codes.sorted())")
            #expect(records.first?["verdict"]?.stringValue == resolver.verdict, "\(resolver.mode)")
        }
    }
}
