import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// The harness must not hide a missing SIGPIPE guard: whatever this test process
/// ignores or blocks, the children it spawns start with every signal at its default
/// action and none blocked.
@Suite struct ChildProcessTests {
    /// The SigIgn and SigBlk masks of a child (hex in /proc/<pid>/status: bit n-1 is signal n).
    private func childSignalMasks() throws -> (ignored: UInt64, blocked: UInt64) {
        let child = try ChildProcess(executable: "/bin/sh",
                                     arguments: ["-c", "exec grep -E '^Sig(Ign|Blk):' /proc/self/status"])
        child.closeStdin()
        let output = child.collect(stdout: true)
        let termination = child.wait(timeout: 30)
        #expect(termination == .exited(0))
        let text = String(decoding: try #require(output.wait(timeout: 30)), as: UTF8.self)
        var masks: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == ":" || $0 == "\t" || $0 == " " })
            if fields.count == 2, let value = UInt64(fields[1], radix: 16) { masks[String(fields[0])] = value }
        }
        return (try #require(masks["SigIgn"], "\(text)"), try #require(masks["SigBlk"], "\(text)"))
    }

    @Test func childrenStartWithDefaultDispositionsAndNoBlockedSignals() throws {
        // The parent ignores SIGPIPE (as the test runner or a shell in CI may) and blocks
        // SIGUSR2 on this thread, whose mask posix_spawn would otherwise pass on.
        let previous = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previous) }
        var block = sigset_t(), saved = sigset_t()
        sigemptyset(&block)
        sigaddset(&block, SIGUSR2)
        pthread_sigmask(SIG_BLOCK, &block, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }

        let masks = try childSignalMasks()
        #expect(masks.ignored & (1 << (UInt64(SIGPIPE) - 1)) == 0, "SIGPIPE ignored in the child: \(String(masks.ignored, radix: 16))")
        // Signals 1-31; glibc keeps its own reserved real-time signals (32, 33: thread
        // cancellation and setxid) out of posix_spawn's reach, so they are not checked.
        let standard: UInt64 = (1 << 31) - 1
        #expect(masks.ignored & standard == 0, "signals ignored in the child: \(String(masks.ignored, radix: 16))")
        #expect(masks.blocked == 0, "signals blocked in the child: \(String(masks.blocked, radix: 16))")
    }

    @Test func aSignalledChildIsReportedAsSignalledNotAsAnExitStatus() throws {
        let child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "kill -PIPE $$; exit 3"])
        child.closeStdin()
        #expect(child.wait(timeout: 30) == .signalled(SIGPIPE))
    }
}

/// The handle API for tests that act on a running scan: a scan waiting on its input
/// can be signalled, and its end is reported as the signal, not as an exit status.
@Suite struct RunningScanTests {
    @Test func aRunningScanCanBeSignalledAndReportsTheSignal() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("input").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // Held open for writing (and never written), so the scan blocks reading its input.
        let writer = open(fifo, O_RDWR | O_NONBLOCK)
        #expect(writer >= 0)
        defer { close(writer) }
        // Only loopback: the test internet's resolver address, whether or not it runs.
        let scan = try MTAScanProcess.start(["scan", "--resolver", TestInternet.resolver, "--phases", "dns"],
                                            stdin: .file(fifo), stdoutPath: directory.appendingPathComponent("out").path)
        #expect(scan.pid > 0)
        #expect(scan.wait(timeout: 0.5) == nil, "the scan ended without input: \(scan.stderr)")
        scan.send(signal: SIGKILL)
        let termination = try #require(scan.wait(timeout: 30))
        #expect(termination == .signalled(SIGKILL))
        let output = scan.output(termination)
        #expect(output.signal == SIGKILL)
        #expect(output.status == 128 + SIGKILL)
        #expect(output.stdout.isEmpty)
    }
}
