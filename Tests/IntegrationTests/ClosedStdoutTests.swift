import Foundation
import Testing

/// A reader of standard output that goes away early (`| head`) ends a command
/// quietly with 141, as SIGPIPE would have: mtascan ignores SIGPIPE so that a
/// peer's close cannot end a scan, and must not turn `head` into an error.
@Suite struct ClosedStdoutTests {
    @Test func domainsIntoHeadEndsQuietly() throws {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-head-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: input) }
        // Far more than a pipe buffer, so the writer is still writing when head leaves.
        try (1...200_000).map { "name\($0).example" }.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        let script = #""$0" domains "$1" 2>"$1.err" | head -n 1; echo "status=${PIPESTATUS[0]}"; cat "$1.err""#
        _ = MTAScanProcess.parentIgnoresSIGPIPE
        let shell = try ChildProcess(executable: "/bin/bash",
                                     arguments: ["-c", script, MTAScanProcess.executable.path, input.path],
                                     stdin: .file("/dev/null"))
        defer { shell.killAndReap() }
        let output = shell.collect(stdout: true)
        #expect(shell.wait(timeout: 60) == .exited(0))
        let text = String(decoding: output.wait(timeout: 30) ?? Data(), as: UTF8.self)
        #expect(text == "name1.example\nstatus=141\n")
        try? FileManager.default.removeItem(atPath: input.path + ".err")
    }
}
