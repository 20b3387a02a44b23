import Foundation
import MTAScanCore
import Testing

/// The DNS congestion windows through the real binary, against the test
/// internet's unbound behind relays that misbehave (tools/testnet/lossy_resolver.py):
/// a resolver that starts dropping half its queries mid-scan must cost no
/// domain its verdict, and of two resolvers the faster must get more.
@Suite(.enabled(if: TestInternet.isRunning, "needs the local test internet: run tools/test.sh"), .serialized)
struct ResolverCongestionTests {
    /// A relay to the test internet's unbound on `address`, ready when this returns.
    private func startRelay(_ address: String, _ options: [String]) throws -> Process {
        let relay = Process()
        relay.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        relay.arguments = ["python3", TestInternet.repositoryRoot.appendingPathComponent("tools/testnet/lossy_resolver.py").path,
                           address, "53", TestInternet.resolver, "53"] + options
        let ready = Pipe()
        relay.standardOutput = ready
        try relay.run()
        _ = ready.fileHandleForReading.availableData  // "ready": the socket is bound
        return relay
    }

    /// The scenarios whose DNS answers come quickly (no silent nameservers), three times over.
    private func names() throws -> [String] {
        let domains = try TestInternet.scenarios()
            .filter { !$0.name.contains("timeout") && !$0.name.contains("slow") && !$0.name.contains("silent") }
            .map(\.domain)
        return domains + domains + domains
    }

    private func scan(_ names: [String], resolvers: [String], extra: [String] = []) throws
        -> (records: [JSONValue], metadata: JSONValue, output: MTAScanProcess.Output)
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-congestion-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("names.txt"), output = directory.appendingPathComponent("out.ndjson")
        try Data((names.joined(separator: "\n") + "\n").utf8).write(to: input)
        let run = try MTAScanProcess.run(
            ["scan", "--phases", "dns", "--dns-timeout", "1", "--output", output.path, input.path]
                + resolvers.flatMap { ["--resolver", $0] } + extra, timeout: 180)
        let records = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) }
        let metadata = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: output.path + ".meta.json"))))
        return (records, metadata, run)
    }

    private func verdicts(_ records: [JSONValue]) -> [Int: String] {
        var verdicts: [Int: String] = [:]
        for record in records {
            if let line = record["input_line"]?.intValue { verdicts[line] = record["verdict"]?.stringValue ?? "null" }
        }
        return verdicts
    }

    @Test func aResolverThatStartsDroppingHalfMidScanCostsNoDomain() throws {
        let names = try names()
        try #require(names.count > 200)
        // The careful scan: the healthy resolver alone, a few queries at a time.
        let careful = try scan(names, resolvers: [TestInternet.resolver], extra: ["--max-queries-in-flight", "8"])
        #expect(careful.output.status == 0, "\(careful.output.stderr)")

        let relay = try startRelay("127.53.2.2", ["--drop-after", "300", "--drop", "0.5"])
        defer { if relay.isRunning { relay.terminate() } }
        let lossy = try scan(names, resolvers: ["127.53.2.2", TestInternet.resolver])
        #expect(lossy.output.status == 0, "\(lossy.output.stderr)")
        #expect(lossy.records.count == names.count)
        // Every lost query was retried elsewhere in time: no domain lost its lookups ...
        #expect(lossy.metadata["counts"]?["dns_timeouts"] == careful.metadata["counts"]?["dns_timeouts"])
        // ... and none got another verdict than the careful scan's.
        #expect(verdicts(lossy.records) == verdicts(careful.records))
        let resolvers = lossy.metadata["dns"]?["resolvers"]?.arrayValue ?? []
        try #require(resolvers.count == 2)
        #expect(resolvers[0]["address"] == "127.53.2.2:53")
        #expect((resolvers[0]["presumed_lost"]?.intValue ?? 0) > 0)
        #expect((resolvers[0]["congestion_events"]?["loss"]?.intValue ?? 0) >= 1)
        // The healthy resolver took over the work the lossy one lost.
        #expect((resolvers[1]["answered"]?.intValue ?? 0) > (resolvers[0]["answered"]?.intValue ?? 0))
    }

    @Test func theFasterResolverGetsMore() throws {
        let names = try names()
        // Speed is what a resolver answers per second: 250 a second, the rest queued (up to 500) or dropped.
        let slow = try startRelay("127.53.2.3", ["--rate", "250"])
        defer { if slow.isRunning { slow.terminate() } }
        let fast = try startRelay("127.53.2.4", [])
        defer { if fast.isRunning { fast.terminate() } }
        let result = try scan(names, resolvers: ["127.53.2.3", "127.53.2.4"])
        #expect(result.output.status == 0, "\(result.output.stderr)")
        #expect(result.records.count == names.count)
        let resolvers = result.metadata["dns"]?["resolvers"]?.arrayValue ?? []
        try #require(resolvers.count == 2)
        let slowAnswered = resolvers[0]["answered"]?.intValue ?? 0, fastAnswered = resolvers[1]["answered"]?.intValue ?? 0
        #expect(fastAnswered > 2 * slowAnswered, "fast \(fastAnswered), slow \(slowAnswered)")
    }

    @Test func theWindowIsReportedPerResolver() throws {
        let result = try scan(Array(try names().prefix(60)), resolvers: [TestInternet.resolver])
        #expect(result.output.status == 0, "\(result.output.stderr)")
        let resolver = try #require(result.metadata["dns"]?["resolvers"]?.arrayValue?.first)
        #expect(resolver["address"] == .string(TestInternet.resolver + ":53"))
        let window = try #require(resolver["window"])
        #expect((window["initial"]?.intValue ?? 0) > 0)
        #expect((window["peak"]?.intValue ?? 0) >= (window["initial"]?.intValue ?? 0))
        #expect(resolver["sent"] == resolver["answered"])
        for key in ["loss", "delay", "server_failures"] { #expect(resolver["congestion_events"]?[key]?.intValue != nil) }
    }
}
