import Foundation
import MTAScanCore
import Testing

/// `--source-ip` repeated (issue 11 item 5): a scan from three FCrDNS-confirmed
/// addresses of the test internet (127.0.0.13–15, used by no other test), as
/// the servers saw it: Postfix logs each session's client address and EHLO
/// name, nginx each request's client address.
// Serialized: each test reads Postfix's log for sessions from 127.0.0.13, which
// the other test's scan uses; run side by side, one sees the other's sessions.
@Suite(.enabled(if: TestInternet.isRunning && ServerSide.logsAreHere,
                "needs the local test internet started from this checkout: run tools/test.sh"), .serialized)
struct MultipleSourceScanTests {
    /// The confirmed sources and their forward-confirmed names (tools/testnet/README.md).
    static let sources = ["127.0.0.13": "scanner2.test", "127.0.0.14": "scanner3.test", "127.0.0.15": "scanner4.test"]
    static let sourceOrder = ["127.0.0.14", "127.0.0.13", "127.0.0.15"]

    private static func arguments(sources: [String]) -> [String] {
        var arguments = TestInternet.scanArguments
        if let given = arguments.firstIndex(of: "--source-ip") { arguments.removeSubrange(given...given + 1) }
        return ["scan"] + arguments + sources.flatMap { ["--source-ip", $0] }
    }

    private func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-\(name)-\(UUID().uuidString)").path
    }

    /// Every scenario domain, from three sources: Postfix saw sessions from more
    /// than one, each saying the FCrDNS name of the address it came from; each
    /// record's probe names its source, one source per MX address; the politeness
    /// policy hosts, which share one address, saw one source; the metadata lists
    /// all three.
    @Test func aScanFromThreeSourcesSpreadsAndEachSaysItsOwnName() throws {
        let sources = Set(Self.sources.keys)
        let logMark = ServerSide.logSize()
        let metadataPath = temporaryPath("sources-meta")
        defer { try? FileManager.default.removeItem(atPath: metadataPath) }
        let domains = try TestInternet.scenarios().map(\.domain)
        let output = try MTAScanProcess.run(Self.arguments(sources: Self.sourceOrder) + ["--metadata", metadataPath],
                                            stdin: domains.joined(separator: "\n") + "\n", timeout: 300)
        #expect(output.status == 0, "\(output.stderr)")
        let records = try output.stdoutLines.map { try JSONParser.parse($0) }
        #expect(records.count == domains.count)

        // The records: every probe that was not excluded names one of the three,
        // and an MX address is always probed from the same one.
        var sourceOfAddress: [String: Set<String>] = [:]
        var probes = 0
        for record in records {
            for host in record["mx"]?["hosts"]?.arrayValue ?? [] {
                for probe in host["probes"]?.arrayValue ?? [] where probe["excluded"] == false {
                    probes += 1
                    let address = probe["address"]?.stringValue ?? ""
                    let source = try #require(probe["source_address"]?.stringValue,
                                              "\(record["domain"] ?? .null) \(address): no source_address")
                    #expect(sources.contains(source), "\(address) probed from \(source)")
                    sourceOfAddress[address, default: []].insert(source)
                }
            }
        }
        #expect(probes > 50)
        #expect(sourceOfAddress.values.allSatisfy { $0.count == 1 }, "\(sourceOfAddress.filter { $0.value.count > 1 })")
        #expect(Set(sourceOfAddress.values.flatMap { $0 }).count == 3, "the records' sources: \(sourceOfAddress)")

        // Postfix: sessions from more than one source, each EHLO (or HELO) the name of its own address.
        let connections = ServerSide.poll({ ServerSide.smtpConnectionsBySource(sources, skip: logMark) },
                                           until: { $0.count == 3 })
        #expect(connections.count > 1, "Postfix saw connections from \(connections)")
        Thread.sleep(forTimeInterval: 0.5)  // the last lines
        let greetings = ServerSide.smtpGreetings(from: sources, skip: logMark)
        #expect(Set(greetings.map(\.client)).count > 1, "Postfix saw greetings from \(Set(greetings.map(\.client)))")
        #expect(greetings.contains { $0.command == "EHLO" })
        for greeting in greetings {
            #expect(greeting.name == Self.sources[greeting.client],
                    "\(greeting.client) said \(greeting.command) \(greeting.name)")
        }

        // nginx: the twelve politeness policy hosts share one address, so one source.
        let politeness = sources.map { source in (source, ServerSide.timedRequests(from: source).count) }.filter { $0.1 > 0 }
        #expect(politeness.count == 1, "nginx's politeness address saw \(politeness)")

        // The metadata: the first as given, then each with its name, confirmed.
        let metadata = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: metadataPath))))
        #expect(metadata["source_address"]?.stringValue == Self.sourceOrder[0])
        #expect(metadata["ehlo_name"]?.stringValue == Self.sources[Self.sourceOrder[0]])
        #expect(metadata["ehlo_confirmed"] == true)
        #expect(metadata["source_addresses"] == .array(Self.sourceOrder.map {
            .object(["address": .string($0), "ehlo_name": .string(Self.sources[$0] ?? ""), "confirmed": true])
        }))
    }

    /// One source without FCrDNS (127.0.0.11: its PTR name does not resolve back)
    /// and one without a PTR: the mx phase refuses to start, naming both and
    /// neither of the good ones; no SMTP session starts from any.
    @Test func anUnconfirmedSourceStopsTheMXPhaseByName() throws {
        let logMark = ServerSide.logSize()
        let refused = try MTAScanProcess.run(
            Self.arguments(sources: ["127.0.0.13", TestInternet.unconfirmedSource, "127.0.0.14"]),
            stdin: "sts-valid.test\n", timeout: 60)
        #expect(refused.status != 0)
        #expect(refused.stdoutLines.isEmpty)
        #expect(refused.stderr.contains("SMTP probes not started: \(TestInternet.unconfirmedSource) has PTR unconfirmed.test"),
                "\(refused.stderr)")
        #expect(!refused.stderr.contains("127.0.0.13 has"))
        #expect(refused.stderr.contains("--ehlo NAME --ehlo-not-fcrdns"))

        let two = try MTAScanProcess.run(
            Self.arguments(sources: ["127.0.0.13", TestInternet.unconfirmedSource, "127.0.0.99"]),
            stdin: "sts-valid.test\n", timeout: 60)
        #expect(two.status != 0)
        #expect(two.stderr.contains("2 of 3 source addresses have no forward-confirmed reverse DNS"), "\(two.stderr)")
        #expect(two.stderr.contains("  \(TestInternet.unconfirmedSource) has PTR unconfirmed.test"))
        #expect(two.stderr.contains("  127.0.0.99 has no PTR record"))
        #expect(ServerSide.smtpConnectionsBySource(["127.0.0.13", "127.0.0.99", TestInternet.unconfirmedSource],
                                                   skip: logMark).isEmpty)

        // Knowingly, with one name for all: the scan runs. (Not from 127.0.0.13–15, whose
        // sessions the test above checks for their own names.)
        let overridden = try MTAScanProcess.run(
            Self.arguments(sources: [TestInternet.unconfirmedSource, "127.0.0.12"]) + ["--ehlo", "probe.example", "--ehlo-not-fcrdns"],
            stdin: "sts-valid.test\n", timeout: 60)
        #expect(overridden.status == 0, "\(overridden.stderr)")
        #expect(overridden.stdoutLines.count == 1)
    }
}
