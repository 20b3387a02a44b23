import Foundation
import MTAScanCore
import Testing

/// A scan split into shards (`scan --shard`), proved exactly-once by `verify`
/// and joined by `merge` (docs/scale-out.md), through the real binary on the
/// test internet. The scheduler half (Slurm, requeue) is tools/testnet/slurm.
@Suite(.enabled(if: TestInternet.isRunning, "needs the local test internet: run tools/test.sh"), .serialized)
final class ShardedScanTests: Sendable {
    private let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-shard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func write(_ lines: [String], to name: String) throws -> String {
        try (lines.joined(separator: "\n") + "\n").write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    private func records(_ file: String) throws -> [JSONValue] {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }

    private func metadata(_ file: String) throws -> JSONValue {
        try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: file + ".meta.json"))))
    }

    /// What a record concludes: its verdict and its finding codes, each with
    /// its `reason` (the report's tables count reasons too, e.g. policy errors by layer).
    private func outcomes(_ file: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for record in try records(file) {
            let codes = (record["findings"]?.arrayValue ?? []).compactMap { finding -> String? in
                guard let code = finding["code"]?.stringValue else { return nil }
                return finding["reason"]?.stringValue.map { "\(code)(\($0))" } ?? code
            }.sorted()
            let key = "\(record["input_line"]?.intValue ?? 0) \(record["domain"]?.stringValue ?? "")"
            result[key] = "\(record["verdict"]?.stringValue ?? "null") \(codes.joined(separator: ","))"
        }
        return result
    }

    /// Runs the shards of `input` at once, as a job array would.
    private func scanShards(_ input: String, count: Int, _ flags: [String]) throws -> [String] {
        let parts = (0..<count).map { path("part-\($0).ndjson") }
        let running = try parts.enumerated().map { index, part in
            try MTAScanProcess.start(["scan", input, "-o", part, "--shard", "\(index)/\(count)", "-q"] + flags)
        }
        for (index, scan) in running.enumerated() {
            guard let end = scan.wait(timeout: 180) else {
                scan.stop()
                Issue.record("shard \(index) did not finish")
                continue
            }
            let output = scan.output(end)
            #expect(output.status == 0, "shard \(index): \(output.stderr)")
        }
        return parts
    }

    private var dnsOnly: [String] {
        ["--resolver", TestInternet.resolver, "--dns-timeout", "1", "--phases", "dns"]
    }

    /// Four shards of the whole scenario catalogue, run at once: every input
    /// line has exactly one record among them, each in its own shard's part,
    /// and they conclude what one unsharded scan concludes, domain by domain;
    /// merged, they read as that scan does.
    @Test func fourShardsConcludeWhatOneScanDoes() throws {
        let scenarios = try TestInternet.scenarios()
        let names = scenarios.map(\.domain) + ["not a name!", "bad..test"]
        let input = try write(names, to: "domains.txt")
        let flags = TestInternet.scanArguments + ["--providers", TestInternet.repositoryRoot.appendingPathComponent("tools/testnet/providers.txt").path]
        let whole = path("whole.ndjson")
        let single = try MTAScanProcess.run(["scan", input, "-o", whole, "-q"] + flags, timeout: 180)
        #expect(single.status == 0, "\(single.stderr)")

        let parts = try scanShards(input, count: 4, flags)
        var sizes: [Int] = []
        for (index, part) in parts.enumerated() {
            let shard = try metadata(part)["shard"]
            #expect(shard?["index"] == .int(index) && shard?["count"] == 4 && shard?["source"] == "option")
            #expect(try metadata(part)["complete"] == true)
            // The connection limits of TestInternet.scanArguments, a quarter each.
            #expect(shard?["limits"]?["per_shard"]?["rate_per_ip"]?.jsonText == "25")
            #expect(shard?["limits"]?["per_shard"]?["connections_per_ip"] == 5)
            let held = try records(part)
            sizes.append(held.count)
            for record in held {
                let domain = record["domain"]?.stringValue ?? ""
                #expect(Shard.index(of: domain.utf8, count: 4) == index, "\(domain) in part \(index)")
            }
        }
        #expect(sizes.reduce(0, +) == names.count)
        #expect(sizes.allSatisfy { $0 > 0 }, "\(sizes)")

        let verified = try MTAScanProcess.run(["verify", input] + parts)
        #expect(verified.status == 0, "\(verified.stdout)")
        #expect(verified.stdout.contains("verify: OK"))

        let merged = path("merged.ndjson")
        let merging = try MTAScanProcess.run(["merge", "-o", merged] + parts)
        #expect(merging.status == 0, "\(merging.stderr)")
        let combined = try metadata(merged)
        #expect(combined["complete"] == true)
        #expect(combined["shard"] == .null)
        #expect(combined["counts"]?["records"] == .int(names.count))
        #expect(combined["counts"]?["input_errors"] == 2)
        #expect(combined["merged_from"]?.arrayValue?.map { $0["shard"] } == ["0/4", "1/4", "2/4", "3/4"])
        #expect(try MTAScanProcess.run(["verify", input, merged]).status == 0)
        // Merged byte for byte: the same lines as the parts, nothing rewritten.
        let partLines = try parts.flatMap { try String(contentsOfFile: $0, encoding: .utf8).split(separator: "\n") }
        let mergedLines = try String(contentsOfFile: merged, encoding: .utf8).split(separator: "\n")
        #expect(mergedLines.sorted() == partLines.sorted())

        // Domain by domain, the shards conclude what the single scan did. Some
        // scenarios document more than one right outcome (a silent nameserver is a
        // timeout until unbound marks it down, SERVFAIL after): a difference within
        // those is no difference. A few hostile scenarios race the client (a reset
        // 1.5 s after accept): under the load of four scans at once they can land a
        // step earlier or later, so any other domain that differs is scanned again
        // alone, and must then reproduce the shards' outcome at least once in three tries.
        let expected = try outcomes(whole), sharded = try outcomes(merged)
        #expect(sharded.count == expected.count)
        let byDomain = Dictionary(scenarios.map { ($0.domain, $0) }, uniquingKeysWith: { first, _ in first })
        var timingDependent: [String] = []
        for (key, value) in expected where sharded[key] != value {
            let domain = String(key.split(separator: " ").last ?? "")
            let lineNumber = Int(key.split(separator: " ").first ?? "") ?? 0
            timingDependent.append(domain)
            if let scenario = byDomain[domain], let outcome = sharded[key],
               Self.isDocumentedAlternative(outcome, of: scenario), Self.isDocumentedAlternative(value, of: scenario) {
                continue
            }
            var reproduced = false
            for attempt in 0..<3 where !reproduced {
                let again = path("again-\(lineNumber)-\(attempt).ndjson")
                let alone = try write([domain], to: "again-\(lineNumber).txt")
                _ = try MTAScanProcess.run(["scan", alone, "-o", again, "-q"] + flags, timeout: 60)
                let outcome = try outcomes(again).values.first
                reproduced = outcome == sharded[key]
            }
            #expect(reproduced, "\(key): \(value) unsharded, \(sharded[key] ?? "none") in the shards, never reproduced alone")
        }

        // The report reads the parts and the merged file alike, and as the single scan
        // (when no timing-dependent domain came out otherwise).
        func tables(_ files: [String]) throws -> JSONValue? {
            let report = try MTAScanProcess.run(["report", "--format", "json"] + files)
            #expect(report.status == 0, "\(report.stderr)")
            return try JSONParser.parse(report.stdout)["tables"]
        }
        let fromParts = try tables(parts)
        #expect(fromParts != nil)
        #expect(fromParts == (try tables([merged])))
        if timingDependent.isEmpty {
            // A scenario with documented alternatives can swap them between its
            // lookups with the same codes in all (a timeout for `_mta-sts`, an
            // error, and SERVFAIL for `_smtp._tls`, a warning, or the other way
            // round): its domains are left out of the tables compared.
            func withoutAlternatives(_ file: String, _ name: String) throws -> String {
                let kept = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").filter { line in
                    guard let domain = try? JSONParser.parse(String(line))["domain"]?.stringValue,
                          let scenario = byDomain[domain] else { return true }
                    return scenario.dnsPhaseFindings.count <= 1
                }
                return try write(kept.map(String.init), to: name)
            }
            let fromWhole = try tables([try withoutAlternatives(whole, "whole-compared.ndjson")])
            let fromParts = try tables([try withoutAlternatives(merged, "merged-compared.ndjson")])
            let differing = (fromParts?.objectValue?.keys ?? []).filter { fromParts?[$0] != fromWhole?[$0] }
            #expect(differing.isEmpty, """
                tables that differ between the parts and the whole scan: \(differing)
                \(differing.map { "\($0) in the parts: \(fromParts?[$0]?.jsonText ?? "none")\n\($0) in the whole scan: \(fromWhole?[$0]?.jsonText ?? "none")" }.joined(separator: "\n"))
                """)
        }
    }

    /// Whether an outcome ("verdict code(reason),code") is one a scenario with
    /// alternative outcomes allows: its verdict, and codes drawn only from the
    /// expected and alternative sets (one lookup may time out while the next gets SERVFAIL).
    private static func isDocumentedAlternative(_ outcome: String, of scenario: TestInternet.Scenario) -> Bool {
        guard scenario.dnsPhaseFindings.count > 1 else { return false }
        let parts = outcome.split(separator: " ", maxSplits: 1)
        guard parts.first.map(String.init) == scenario.verdict else { return false }
        let codes = (parts.count > 1 ? parts[1] : "").split(separator: ",").map { code in
            String(code.prefix { $0 != "(" })
        }
        let allowed = scenario.dnsPhaseFindings.reduce(scenario.findings) { $0.union($1) }
        return !codes.isEmpty && codes.allSatisfy(allowed.contains)
    }

    /// Every way a set of parts falls short is named, and fails.
    @Test func verifyNamesEveryGapAndMergeRefusesThem() throws {
        let names = (1...30).map { "shard-\($0).invalid" } + ["sts-valid.test", "no-sts.test"]
        let input = try write(names, to: "domains.txt")
        let parts = try scanShards(input, count: 3, dnsOnly)
        let good = try MTAScanProcess.run(["verify", input] + parts)
        #expect(good.status == 0, "\(good.stdout)")

        // A shard left out: its lines are missing, and the shard that owes them is named.
        let lacking = try MTAScanProcess.run(["verify", input, parts[0], parts[1]])
        #expect(lacking.status == 1)
        #expect(lacking.stdout.contains("no part for shard 2/3"))
        #expect(lacking.stdout.contains("missing (no record): \(try records(parts[2]).count)"))
        #expect(lacking.stdout.contains("shard 2/3"))

        // A part given twice: every one of its lines twice.
        let twice = try MTAScanProcess.run(["verify", input, parts[0], parts[1], parts[2], parts[1]])
        #expect(twice.status == 1)
        #expect(twice.stdout.contains("duplicate (more than one record): \(try records(parts[1]).count)"))

        // Another input: the size differs from what the parts read.
        let other = try write(names + ["extra.test"], to: "other.txt")
        let changed = try MTAScanProcess.run(["verify", other] + parts)
        #expect(changed.status == 1)
        #expect(changed.stdout.contains("another input, or it changed"))

        // A part killed in the middle of a write: a partial last record, and the part says `running`.
        let text = try String(contentsOfFile: parts[0], encoding: .utf8)
        try String(text.dropLast(20)).write(toFile: parts[0], atomically: true, encoding: .utf8)
        let torn = try MTAScanProcess.run(["verify", input] + parts)
        #expect(torn.status == 1)
        #expect(torn.stdout.contains("partial record"))
        #expect(torn.stdout.contains("missing (no record): 1"))

        // merge refuses what verify would fail, unless forced, and then says it is not complete.
        let refused = try MTAScanProcess.run(["merge", "-o", path("merged.ndjson"), parts[0], parts[1]])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("no part for shard 2/3"))
        #expect(!FileManager.default.fileExists(atPath: path("merged.ndjson")))
        let forced = try MTAScanProcess.run(["merge", "--force", "-o", path("merged.ndjson"), parts[0], parts[1]])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try metadata(path("merged.ndjson"))["complete"] == false)
        #expect(forced.stderr.contains("partial last line"))
        let sameFile = try MTAScanProcess.run(["merge", "-o", parts[0], parts[0], parts[1]])
        #expect(sameFile.status != 0 && sameFile.stderr.contains("is the part"))
    }

    /// `--shard auto` takes its place from a Slurm job array or a Kubernetes
    /// Indexed Job, and refuses what it cannot map.
    @Test func autoShardsFromTheScheduler() throws {
        let input = try write((1...12).map { "auto-\($0).invalid" }, to: "domains.txt")
        let slurm = ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "4", "SLURM_ARRAY_TASK_MAX": "6",
                     "SLURM_ARRAY_TASK_COUNT": "3"]
        let fromSlurm = try MTAScanProcess.run(["scan", input, "-o", path("slurm.ndjson"), "--shard", "auto"] + dnsOnly,
                                               environment: slurm)
        #expect(fromSlurm.status == 0, "\(fromSlurm.stderr)")
        #expect(fromSlurm.stderr.contains("shard 1/3 (slurm)"))
        #expect(try metadata(path("slurm.ndjson"))["shard"]?["source"] == "slurm")
        #expect(try metadata(path("slurm.ndjson"))["shard"]?["index"] == 1)

        // Slurm's variables win when both are set; the test runner itself runs in no job array.
        if ProcessInfo.processInfo.environment["SLURM_ARRAY_TASK_ID"] == nil {
            let fromKubernetes = try MTAScanProcess.run(
                ["scan", input, "-o", path("k8s.ndjson"), "--shard", "auto"] + dnsOnly,
                environment: ["JOB_COMPLETION_INDEX": "2", "MTASCAN_SHARD_COUNT": "3"])
            #expect(fromKubernetes.status == 0, "\(fromKubernetes.stderr)")
            #expect(try metadata(path("k8s.ndjson"))["shard"]?["source"] == "kubernetes")
            #expect(try metadata(path("k8s.ndjson"))["shard"]?["index"] == 2)
            let countless = try MTAScanProcess.run(["scan", input, "--shard", "auto"] + dnsOnly,
                                                   environment: ["JOB_COMPLETION_INDEX": "2"])
            #expect(countless.status != 0 && countless.stderr.contains("MTASCAN_SHARD_COUNT"))
        }

        let stepped = try MTAScanProcess.run(
            ["scan", input, "-o", path("step.ndjson"), "--shard", "auto"] + dnsOnly,
            environment: ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "4",
                          "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_STEP": "2"])
        #expect(stepped.status != 0)
        #expect(stepped.stderr.contains("not one contiguous range"))
        #expect(!FileManager.default.fileExists(atPath: path("step.ndjson")))

        let bad = try MTAScanProcess.run(["scan", input, "--shard", "3/3"] + dnsOnly)
        #expect(bad.status == 64 || bad.status == 2 || bad.status == 1)
        #expect(bad.stderr.contains("INDEX/COUNT"))
    }

    /// A resume continues its own share only.
    @Test func aResumeKeepsItsShard() throws {
        let input = try write((1...10).map { "keep-\($0).invalid" }, to: "domains.txt")
        let part = path("part.ndjson")
        let first = try MTAScanProcess.run(["scan", input, "-o", part, "--shard", "0/2"] + dnsOnly)
        #expect(first.status == 0, "\(first.stderr)")
        let other = try MTAScanProcess.run(["scan", input, "-o", part, "--shard", "1/2", "--resume"] + dnsOnly)
        #expect(other.status != 0)
        #expect(other.stderr.contains("holds --shard 0/2 of the input; resume it with the same shard (not --shard 1/2)"))
        let same = try MTAScanProcess.run(["scan", input, "-o", part, "--shard", "0/2", "--resume"] + dnsOnly)
        #expect(same.status == 0, "\(same.stderr)")
        #expect(try MTAScanProcess.run(["verify", input, part]).stdout.contains("no part for shard 1/2"))
    }
}
