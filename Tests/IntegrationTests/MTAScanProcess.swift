import Foundation

/// Runs the built `mtascan` binary as a user would: the integration tests check
/// the real command line, exit codes and output, not library calls.
struct MTAScanProcess {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
        /// The child's peak resident set (VmHWM, KiB), when asked for: the last
        /// reading of /proc/<pid>/status before it exited, sampled every 10 ms.
        var peakResidentKiB: Int?
        var stdoutLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
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

    static func run(_ arguments: [String], stdin: String = "", timeout: TimeInterval = 60,
                    sampleMemory: Bool = false) throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let input = Pipe(), output = Pipe(), error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let memory = sampleMemory ? PeakMemorySampler(pid: process.processIdentifier) : nil
        // Write and read concurrently so a large exchange cannot deadlock on full pipes.
        let writer = Thread {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let deadline = DispatchTime.now() + timeout
        let outData = LockedData(), errData = LockedData()
        let group = DispatchGroup()
        for (pipe, sink) in [(output, outData), (error, errData)] {
            group.enter()
            DispatchQueue.global().async {
                sink.set(pipe.fileHandleForReading.readDataToEndOfFile())
                group.leave()
            }
        }
        if group.wait(timeout: deadline) == .timedOut {
            process.terminate()
            throw NSError(domain: "mtascan", code: 1, userInfo: [NSLocalizedDescriptionKey: "mtascan \(arguments) timed out"])
        }
        process.waitUntilExit()
        return Output(status: process.terminationStatus,
                      stdout: String(decoding: outData.get(), as: UTF8.self),
                      stderr: String(decoding: errData.get(), as: UTF8.self),
                      peakResidentKiB: memory?.finish())
    }
}

private final class LockedData: @unchecked Sendable {
    // Guarded by `lock`; written once by a reader thread, read after the group wait.
    private var data = Data()
    private let lock = NSLock()
    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}

/// Reads VmHWM (the kernel's own high-water mark of resident memory) of a running
/// child until it exits. VmHWM only grows, so the last reading is the peak up to
/// the last 10 ms of the child's life.
private final class PeakMemorySampler: @unchecked Sendable {
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
