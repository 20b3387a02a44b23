import Foundation
import MTAScanCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Scans that end early end cleanly and continue where they stopped
/// (docs/output.md, "Crash safety, stopping and resuming"), through the real
/// binary on the test internet, started with default signal dispositions.
@Suite(.enabled(if: TestInternet.isRunning, "needs the local test internet: run tools/test.sh"), .serialized)
final class ScanStopResumeTests: Sendable {
    private let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-stop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    // Each test's scratch folder (outputs of up to a few MB) goes with it.
    deinit { try? FileManager.default.removeItem(at: directory) }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func write(_ lines: [String], to name: String) throws -> String {
        try (lines.joined(separator: "\n") + "\n").write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    private func lines(of file: String) -> [String] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    private func metadata(_ file: String) throws -> JSONValue {
        try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: file + ".meta.json"))))
    }

    private func scan(_ arguments: [String], stdin: ChildProcess.Stream = .file("/dev/null")) throws -> ChildProcess {
        _ = MTAScanProcess.parentIgnoresSIGPIPE
        return try ChildProcess(executable: MTAScanProcess.executable.path,
                         arguments: ["scan"] + TestInternet.scanArguments + arguments + ["--progress-interval", "3600"],
                         stdin: stdin, stdout: .file("/dev/null"), stderr: .file(path("stderr-\(UUID().uuidString)")))
    }

    /// Polls (bounded) until `file` holds at least `count` lines; false if it never does.
    private func waitForLines(_ file: String, atLeast count: Int, process: ChildProcess, seconds: Double = 60) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if lines(of: file).count >= count { return true }
            if process.wait(timeout: 0.05) != nil { return lines(of: file).count >= count }
        }
        return false
    }

    /// The scenario catalogue's domains: every kind of server, the slow ones included.
    private var scenarioDomains: [String] {
        get throws { try TestInternet.scenarios().map(\.domain) }
    }

    @Test func sigtermStopsAdmittingFlushesAndWritesMetadata() throws {
        // Three rounds of the catalogue with few in flight: far longer than the test waits.
        let input = try write(Array(repeating: try scenarioDomains, count: 3).flatMap { $0 }, to: "names.txt")
        let output = path("scan.ndjson")
        let process = try scan(["--max-in-flight", "4", "-o", output, input])
        defer { process.killAndReap() }
        // Records reach the file while the scan runs (the once-a-second flush),
        // and the metadata says it is running before anything ends.
        #expect(waitForLines(output, atLeast: 5, process: process), "no records appeared while the scan ran")
        #expect(try metadata(output)["state"] == "running")
        process.send(signal: SIGTERM)
        let ended = process.wait(timeout: 120)
        #expect(ended == .exited(143))
        let written = lines(of: output)
        let meta = try metadata(output)
        #expect(meta["state"] == "interrupted")
        #expect(meta["complete"] == false)
        #expect(meta["stop_reason"] == "SIGTERM")
        #expect(meta["counts"]?["records"]?.intValue == written.count)
        #expect(written.count < 3 * (try scenarioDomains.count))
        for line in written { #expect(throws: Never.self) { try JSONParser.parse(line) } }
    }

    @Test func aSecondSignalEndsTheDrainAtOnce() throws {
        // Policy hosts that never answer, generous timeouts and a ten-minute drain:
        // only the second signal can end this scan within the test's wait.
        let slow = ["policy-tcp-timeout.test", "policy-tls-timeout.test"]
        let input = try write(slow + ["sts-valid.test"], to: "slow.txt")
        let output = path("slow.ndjson")
        let process = try scan(["--connect-timeout", "300", "--policy-timeout", "300", "--drain-timeout", "600",
                                "-o", output, input])
        defer { process.killAndReap() }
        #expect(waitForLines(output, atLeast: 1, process: process), "the quick domain's record never appeared")
        process.send(signal: SIGINT)
        #expect(process.wait(timeout: 1) == nil, "the first signal must wait for the domains in flight")
        process.send(signal: SIGINT)
        #expect(process.wait(timeout: 60) == .exited(130))
        let meta = try metadata(output)
        #expect(meta["state"] == "interrupted")
        #expect(meta["stop_reason"] == "SIGINT")
        #expect(meta["abandoned_in_flight"] == 2)
        #expect(lines(of: output).count == 1)
    }

    @Test func aSignalEndsAScanWaitingForInputThatNeverComes() throws {
        // Standard input stays open and silent: the input thread is blocked in a
        // read, and the signal's own thread must still end the scan.
        let output = path("stdin.ndjson")
        let process = try scan(["--phases", "dns", "-o", output], stdin: .pipe)
        defer { process.killAndReap() }
        process.feedStdin(Data("sts-valid.test\nno-mta-sts.test\n".utf8), close: false)
        #expect(waitForLines(output, atLeast: 2, process: process), "records waited for the end of the input")
        process.send(signal: SIGTERM)
        #expect(process.wait(timeout: 60) == .exited(143))
        let meta = try metadata(output)
        #expect(meta["state"] == "interrupted")
        #expect(meta["abandoned_in_flight"] == 0)
        #expect(meta["counts"]?["records"] == 2)
    }

    /// Domain and verdict per input line: what must not depend on how often a scan was
    /// interrupted (the issue's "same verdicts"). Finding codes may differ where a
    /// scenario races by design: a dead nameserver is `dns-timeout` or `dns-servfail`
    /// by what unbound has learned, a reset right after the accept is `mx-tcp` or
    /// `mx-smtp` by whether the connect had completed.
    private func outcomes(_ file: String) throws -> [Int: String] {
        var result: [Int: String] = [:]
        for line in lines(of: file) {
            let record = try JSONParser.parse(line)
            let inputLine = try #require(record["input_line"]?.intValue)
            #expect(result[inputLine] == nil, "a second record for input line \(inputLine)")
            result[inputLine] = "\(record["domain"]?.stringValue ?? "?") \(record["verdict"]?.stringValue ?? "null")"
        }
        return result
    }

    @Test func killsAndResumesEndInExactlyOneRecordPerInputLine() throws {
        let domains = try scenarioDomains + ["not a name", "-bad-.test"]
        let input = try write(domains, to: "catalogue.txt")
        let reference = path("reference.ndjson")
        let whole = try scan(["-o", reference, input])
        defer { whole.killAndReap() }
        #expect(whole.wait(timeout: 300) == .exited(0))
        let expected = try outcomes(reference)
        #expect(expected.count == domains.count)

        let output = path("interrupted.ndjson")
        var generator = SystemRandomNumberGenerator()
        // Kills at random moments, alternating SIGKILL (no flush, maybe half a
        // line) and SIGTERM (a clean stop), each followed by a resume.
        for round in 0..<6 {
            let process = try scan((round == 0 ? [] : ["--resume"]) + ["-o", output, input])
            defer { process.killAndReap() }
            Thread.sleep(forTimeInterval: Double.random(in: 0.3...3.0, using: &generator))
            process.send(signal: round.isMultiple(of: 2) ? SIGKILL : SIGTERM)
            let ended = process.wait(timeout: 120)
            #expect(ended != nil)
            if ended == .exited(0) { break }   // it finished first: nothing left to interrupt
            // Killed before it opened the output (a slow start on a busy machine),
            // there is nothing to cut: the resume starts a new scan.
            if ended == .signalled(SIGKILL), FileManager.default.fileExists(atPath: output) {
                // A death in the middle of a write leaves the start of a record: the resume must cut it.
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
                try handle.seekToEnd()
                try handle.write(contentsOf: Data(#"{"domain":"sts-valid.test","input_line":1,"verd"#.utf8))
                try handle.close()
            }
        }
        let last = try scan(["--resume", "-o", output, input])
        defer { last.killAndReap() }
        #expect(last.wait(timeout: 300) == .exited(0))
        let meta = try metadata(output)
        #expect(meta["state"] == "complete")
        #expect(meta["counts"]?["records"]?.intValue == domains.count)
        #expect((meta["resumes"]?.arrayValue?.count ?? 0) >= 1)
        let resumed = try outcomes(output)
        #expect(resumed.count == domains.count)
        #expect(lines(of: output).count == domains.count)
        for (line, outcome) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(resumed[line] == outcome, "input line \(line)")
        }
    }

    @Test func aResumeOfACompleteScanScansNothing() throws {
        let input = try write(["sts-valid.test", "no-mta-sts.test"], to: "two.txt")
        let output = path("two.ndjson")
        let first = try MTAScanProcess.run(["scan"] + TestInternet.scanArguments + ["--phases", "dns", "-o", output, input])
        #expect(first.status == 0, "\(first.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: output))
        let again = try MTAScanProcess.run(["scan"] + TestInternet.scanArguments + ["--phases", "dns", "--resume", "-o", output, input])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == before)
        #expect(again.stderr.contains("2 input lines already have their record"))
        #expect(try metadata(output)["counts"]?["records"] == 2)
        // Other phases would mix two kinds of record in one dataset.
        let otherPhases = try MTAScanProcess.run(["scan"] + TestInternet.scanArguments + ["--phases", "dns,policy", "--resume", "-o", output, input])
        #expect(otherPhases.status == 1)
        #expect(otherPhases.stderr.contains("--phases dns"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == before)
    }

    @Test func aResumeThatCannotWorkIsRefusedWithoutTouchingTheOutput() throws {
        let input = try write(["sts-valid.test"], to: "one.txt")
        let fromStdin = try MTAScanProcess.run(["scan", "--resolver", TestInternet.resolver, "--resume", "-o", path("x.ndjson")],
                                               stdin: "sts-valid.test\n")
        #expect(fromStdin.status == 1)
        #expect(fromStdin.stderr.contains("standard input"))
        let toStdout = try MTAScanProcess.run(["scan", "--resolver", TestInternet.resolver, "--resume", input])
        #expect(toStdout.status == 1)
        #expect(toStdout.stderr.contains("-o FILE"))
        // Someone else's file: complete lines that are no mtascan records.
        let foreign = try write(["{\"domain\":\"a.test\",\"input_line\":1}", "hello"], to: "foreign.ndjson")
        let before = try Data(contentsOf: URL(fileURLWithPath: foreign))
        let refused = try MTAScanProcess.run(["scan", "--resolver", TestInternet.resolver, "--phases", "dns", "--resume",
                                              "-o", foreign, input])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("foreign.ndjson:2"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: foreign)) == before)
        // The input changed since the scan began: the record for line 1 names another domain.
        let changed = try write([#"{"domain":"other.test","input_line":1,"verdict":"valid","input_error":null,"excluded":null}"#],
                                to: "changed.ndjson")
        let mismatch = try MTAScanProcess.run(["scan", "--resolver", TestInternet.resolver, "--phases", "dns", "--resume",
                                               "-o", changed, input])
        #expect(mismatch.status == 1)
        #expect(mismatch.stderr.contains("the input changed"))
        #expect(lines(of: changed).count == 1)
    }

    @Test func anOutputThatIsTheInputIsRefusedAndTheInputSurvives() throws {
        let input = try write(["sts-valid.test", "no-mta-sts.test"], to: "self.txt")
        let before = try Data(contentsOf: URL(fileURLWithPath: input))
        for flags in [["-o", input], ["-o", path("fine.ndjson"), "--metadata", input]] {
            let result = try MTAScanProcess.run(["scan", "--resolver", TestInternet.resolver, "--phases", "dns"] + flags + [input])
            #expect(result.status == 1)
            #expect(result.stderr.contains("input file"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before)
        }
        // The same file under another name (a symbolic link) is still the input.
        let link = path("link.txt")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: input)
        let linked = try MTAScanProcess.run(["scan", "--resolver", TestInternet.resolver, "--phases", "dns", "-o", link, input])
        #expect(linked.status == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before)
    }

    @Test func aZoneThatBreaksPartwayLeavesItsRecordsAndMetadata() throws {
        let zone = path("broken.zone")
        try """
            $ORIGIN test.
            $TTL 3600
            sts-valid NS ns1.nic.test.
            no-mta-sts NS ns1.nic.test.
            broken NS ns1.nic.test. )

            """.write(toFile: zone, atomically: true, encoding: .utf8)
        let output = path("zone.ndjson")
        let result = try MTAScanProcess.run(["scan", "--resolver", TestInternet.resolver, "--phases", "dns",
                                             "--input-format", "zone", "-o", output, zone])
        #expect(result.status == 1)
        #expect(result.stderr.contains("broken.zone:5"))
        let meta = try metadata(output)
        #expect(meta["state"] == "failed")
        #expect(meta["stop_reason"]?.stringValue?.hasPrefix("input error: ") == true)
        #expect(meta["counts"]?["records"]?.intValue == lines(of: output).count)
        #expect(lines(of: output).count == 2)
    }

    @Test func aFailedOutputStopsTheScanAndSaysWhy() throws {
        // /dev/full fails every write (ENOSPC), as a full disk does; thousands of names
        // (NXDOMAIN, quick) would take long to scan into the void.
        let input = try write((1...5000).map { "absent-\($0).test" }, to: "many.txt")
        let metadataPath = path("full.meta.json")
        _ = MTAScanProcess.parentIgnoresSIGPIPE
        let process = try ChildProcess(
            executable: MTAScanProcess.executable.path,
            arguments: ["scan", "--resolver", TestInternet.resolver, "--phases", "dns", "--metadata", metadataPath,
                        "--progress-interval", "3600", input],
            stdin: .file("/dev/null"), stdout: .file("/dev/full"), stderr: .pipe)
        defer { process.killAndReap() }
        let stderr = process.collect(stdout: false)
        #expect(process.wait(timeout: 120) == .exited(1))
        let text = String(decoding: stderr.wait(timeout: 30) ?? Data(), as: UTF8.self)
        #expect(text.contains("No space left on device"), "\(text)")
        let meta = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: metadataPath))))
        #expect(meta["state"] == "failed")
        #expect(meta["stop_reason"]?.stringValue?.hasPrefix("output error: ") == true)
        #expect(meta["counts"]?["records"] == 0)
    }

    @Test func aScanThatCannotOpenItsOutputSaysSoInItsMetadata() throws {
        let input = try write(["sts-valid.test"], to: "unopened.txt")
        let metadataPath = path("unopened.meta.json")
        let result = try MTAScanProcess.run(["scan", "--resolver", TestInternet.resolver, "--phases", "dns",
                                             "-o", path("no-such-directory/out.ndjson"), "--metadata", metadataPath, input])
        #expect(result.status == 1)
        let meta = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: metadataPath))))
        #expect(meta["state"] == "failed")
        #expect(meta["stop_reason"]?.stringValue?.contains("cannot create") == true)
    }
}
