import Foundation

/// Runs the built `mtascan` binary as a user would: the integration tests check
/// the real command line, exit codes and output, not library calls. The child starts
/// with default signal dispositions and an empty signal mask (`ChildProcess`), as
/// from a shell, so a scanner that dies of SIGPIPE dies here too.
struct MTAScanProcess {
    struct Output {
        /// The exit status; for a child killed by a signal, 128 + the signal (as a shell
        /// reports it), and `signal` says which.
        let status: Int32
        /// The signal that ended the child, or nil if it exited.
        var signal: Int32? = nil
        let stdout: String
        let stderr: String
        /// The child's peak resident set (VmHWM, KiB), when asked for: the last
        /// reading of /proc/<pid>/status before it exited, sampled every 10 ms.
        var peakResidentKiB: Int?
        var stdoutLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
    }

    /// What the child reads on stdin.
    enum Input {
        case text(String)
        case file(String)
    }

    /// The binary next to the test bundle (`.build/<config>/mtascan`).
    static var executable: URL {
        var directory = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("mtascan")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug/mtascan")
    }

    /// The test process writes children's stdin: a child that exits early must make that
    /// write fail, not end the test runner. (The children get default dispositions anyway.)
    static let parentIgnoresSIGPIPE: Void = { signal(SIGPIPE, SIG_IGN) }()

    static func run(_ arguments: [String], stdin: String = "", timeout: TimeInterval = 60,
                    sampleMemory: Bool = false, environment: [String: String] = [:]) throws -> Output {
        let scan = try start(arguments, stdin: .text(stdin), sampleMemory: sampleMemory, environment: environment)
        guard let termination = scan.wait(timeout: timeout) else {
            scan.stop()
            throw NSError(domain: "mtascan", code: 1, userInfo: [NSLocalizedDescriptionKey: "mtascan \(arguments) timed out"])
        }
        return scan.output(termination)
    }

    /// Starts `mtascan` and returns at once, for tests that act on a running scan (signals).
    /// stdout goes to `stdoutPath` if given (read it with `RunningScan.stdout`), else to a pipe.
    static func start(_ arguments: [String], stdin: Input = .text(""), stdoutPath: String? = nil,
                      sampleMemory: Bool = false, environment: [String: String] = [:]) throws -> RunningScan {
        _ = parentIgnoresSIGPIPE
        let input: ChildProcess.Stream
        switch stdin {
        case .text: input = .pipe
        case .file(let path): input = .file(path)
        }
        let child = try ChildProcess(executable: executable.path, arguments: arguments, stdin: input,
                                     stdout: stdoutPath.map { .file($0) } ?? .pipe, environment: environment)
        if case .text(let text) = stdin { child.feedStdin(Data(text.utf8)) }
        return RunningScan(child: child, stdoutPath: stdoutPath,
                           memory: sampleMemory ? PeakMemorySampler(pid: child.pid) : nil)
    }
}

/// A `mtascan` process that is running or has ended.
final class RunningScan: Sendable {
    private let child: ChildProcess
    private let stdoutPath: String?
    private let stdoutCollector: ChildProcess.Collector
    private let stderrCollector: ChildProcess.Collector
    private let memory: PeakMemorySampler?

    fileprivate init(child: ChildProcess, stdoutPath: String?, memory: PeakMemorySampler?) {
        self.child = child
        self.stdoutPath = stdoutPath
        self.memory = memory
        // Read both pipes from the start so the child never blocks on a full one.
        stdoutCollector = child.collect(stdout: true)
        stderrCollector = child.collect(stdout: false)
    }

    var pid: Int32 { child.pid }

    func send(signal: Int32) { child.send(signal: signal) }

    /// Waits at most `timeout` seconds for the child to end; nil if it still runs.
    func wait(timeout: TimeInterval) -> ChildProcess.Termination? { child.wait(timeout: timeout) }

    /// Kills a child that still runs (SIGKILL) and reaps it: for a test giving up.
    func stop() { child.killAndReap() }

    /// What the child wrote to stdout so far (its file) or, for a pipe, all of it once it ended.
    var stdout: String {
        if let stdoutPath {
            return String(decoding: FileManager.default.contents(atPath: stdoutPath) ?? Data(), as: UTF8.self)
        }
        return String(decoding: stdoutCollector.wait(timeout: 30) ?? Data(), as: UTF8.self)
    }

    /// Everything the child wrote to stderr (waits for the pipe's end, at most 30 s after exit).
    var stderr: String { String(decoding: stderrCollector.wait(timeout: 30) ?? Data(), as: UTF8.self) }

    /// The whole output of an ended child.
    func output(_ termination: ChildProcess.Termination) -> MTAScanProcess.Output {
        let status: Int32, signal: Int32?
        switch termination {
        case .exited(let code): (status, signal) = (code, nil)
        case .signalled(let number): (status, signal) = (128 + number, number)
        }
        return MTAScanProcess.Output(status: status, signal: signal, stdout: stdout, stderr: stderr,
                                     peakResidentKiB: memory?.finish())
    }
}

/// Reads VmHWM (the kernel's own high-water mark of resident memory) of a running
/// child until it exits. VmHWM only grows, so the last reading is the peak up to
/// the last 10 ms of the child's life.
final class PeakMemorySampler: @unchecked Sendable {
    // `peak` is guarded by `lock`; the thread ends when /proc/<pid>/status stops
    // showing VmHWM (the child exited and became a zombie, or was reaped).
    private var peak: Int?
    private let lock = NSLock()
    private let stopped = DispatchSemaphore(value: 0)

    init(pid: Int32) {
        let thread = Thread { [self] in
            while let kib = Self.highWaterMark(pid: pid) {
                lock.lock(); peak = max(peak ?? 0, kib); lock.unlock()
                Thread.sleep(forTimeInterval: 0.01)
            }
            stopped.signal()
        }
        thread.start()
    }

    func finish() -> Int? {
        stopped.wait()
        lock.lock(); defer { lock.unlock() }
        return peak
    }

    private static func highWaterMark(pid: Int32) -> Int? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/status") else { return nil }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("VmHWM:") {
            // "VmHWM:\t   23456 kB"
            return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) }
        }
        return nil
    }
}
