import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn` so that it begins as from a login
/// shell: **every signal at its default action and no signal blocked**. Foundation's
/// `Process` promises neither, and a child inherits ignored signals across exec: if
/// the test runner ignores SIGPIPE, a scanner that forgot to would pass every test
/// and still die of SIGPIPE in the field (exit 141, no records). So the tests spawn
/// here, never with `Process`, whatever the parent's own dispositions are.
///
/// The child's descriptors 0, 1, 2 are pipes to this process or files; every pipe is
/// made close-on-exec so that a child spawned concurrently by another test does not
/// hold our write end open (its reader would then never see end of file).
final class ChildProcess: @unchecked Sendable {
    /// Where a standard stream of the child goes.
    enum Stream {
        case pipe
        case file(String)
    }

    /// How the child ended.
    enum Termination: Equatable, Sendable {
        case exited(Int32)
        case signalled(Int32)
    }

    let pid: pid_t
    /// Our ends of the pipes (nil where the stream is a file).
    private let stdinWriter: FileHandle?
    private let stdoutReader: FileHandle?
    private let stderrReader: FileHandle?
    // Guarded by `lock`: the reaped status, once known.
    private var reaped: Termination?
    private let lock = NSLock()

    struct SpawnError: Error, CustomStringConvertible {
        let call: String
        let code: Int32
        var description: String { "\(call): \(String(cString: strerror(code)))" }
    }

    /// Serialises spawns of this process: a pipe is briefly inheritable after `pipe()`.
    private static let spawnLock = NSLock()

    /// `environment`: variables set (or replaced) in the child, beside this process's own.
    init(executable: String, arguments: [String], stdin: Stream = .pipe, stdout: Stream = .pipe,
         stderr: Stream = .pipe, environment: [String: String] = [:]) throws {
        Self.spawnLock.lock()
        defer { Self.spawnLock.unlock() }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var childEnds: [Int32] = []
        defer { for fd in childEnds { close(fd) } }
        var ours: [FileHandle?] = []
        for (target, stream) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
            switch stream {
            case .file(let path):
                let flags = target == 0 ? O_RDONLY : (O_WRONLY | O_CREAT | O_TRUNC)
                try Self.check("posix_spawn_file_actions_addopen",
                               posix_spawn_file_actions_addopen(&actions, target, path, flags, 0o644))
                ours.append(nil)
            case .pipe:
                var fds: [Int32] = [-1, -1]
                // pipe2(O_CLOEXEC) is not imported (it needs _GNU_SOURCE): pipe, then
                // FD_CLOEXEC, with all our spawns serialised so none sees the gap.
                guard pipe(&fds) == 0 else { throw SpawnError(call: "pipe", code: errno) }
                for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
                // The child's end is fds[0] for stdin, fds[1] for output; dup2 onto 0/1/2
                // clears close-on-exec on the copy only.
                let (child, mine) = target == 0 ? (fds[0], fds[1]) : (fds[1], fds[0])
                childEnds.append(child)
                ours.append(FileHandle(fileDescriptor: mine, closeOnDealloc: true))
                try Self.check("posix_spawn_file_actions_adddup2",
                               posix_spawn_file_actions_adddup2(&actions, child, target))
            }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        try Self.check("posix_spawnattr_setsigdefault", posix_spawnattr_setsigdefault(&attributes, &all))
        try Self.check("posix_spawnattr_setsigmask", posix_spawnattr_setsigmask(&attributes, &none))
        try Self.check("posix_spawnattr_setflags", posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var variables = ProcessInfo.processInfo.environment
        variables.merge(environment) { $1 }
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var child: pid_t = 0
        try Self.check("posix_spawn", posix_spawn(&child, executable, &actions, &attributes, argv, envp))
        pid = child
        stdinWriter = ours[0]
        stdoutReader = ours[1]
        stderrReader = ours[2]
    }

    private static func check(_ call: String, _ result: Int32) throws {
        if result != 0 { throw SpawnError(call: call, code: result) }
    }

    /// Writes `data` to the child's stdin pipe on a thread of its own (the child may fill
    /// its output pipes before it reads all of its input), then closes it unless `close`
    /// is false (an input that stays open and silent, as a stalled `zcat` would).
    func feedStdin(_ data: Data, close: Bool = true) {
        guard let writer = stdinWriter else { return }
        let thread = Thread {
            // A child that exits before reading everything makes this fail with EPIPE
            // (the test process ignores SIGPIPE while writing); that is the child's business.
            try? writer.write(contentsOf: data)
            if close { try? writer.close() }
        }
        thread.start()
    }

    /// Closes our end of the stdin pipe without writing.
    func closeStdin() { try? stdinWriter?.close() }

    /// Closes our end of the stdout pipe unread, as `| head` does once it has enough.
    func closeStdout() { try? stdoutReader?.close() }

    /// Reads the child's stdout or stderr pipe to its end on a background thread.
    func collect(stdout: Bool) -> Collector {
        let collector = Collector()
        guard let reader = stdout ? stdoutReader : stderrReader else {
            collector.finish(Data())
            return collector
        }
        let thread = Thread { collector.finish(reader.readDataToEndOfFile()) }
        thread.start()
        return collector
    }

    func send(signal: Int32) {
        lock.lock(); defer { lock.unlock() }
        if reaped == nil { kill(pid, signal) }  // never a recycled pid: only before reaping
    }

    /// Waits for the child to end, for at most `timeout` seconds; nil if it is still running.
    func wait(timeout: TimeInterval) -> Termination? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let status = poll() { return status }
            if Date() >= deadline { return nil }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    /// Kills the child (SIGKILL) if it still runs and reaps it.
    func killAndReap() {
        send(signal: SIGKILL)
        _ = wait(timeout: 30)
    }

    private func poll() -> Termination? {
        lock.lock(); defer { lock.unlock() }
        if let reaped { return reaped }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        // WIFEXITED / WTERMSIG are macros Swift does not import: the low 7 bits are the
        // terminating signal (0 for a normal exit), bits 8-15 the exit status.
        let signal = status & 0x7f
        reaped = signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
        return reaped
    }

    /// The bytes of one output stream, once its reader reached end of file.
    final class Collector: @unchecked Sendable {
        // Guarded by `lock`; set once by the reading thread.
        private var data: Data?
        private let lock = NSLock()
        private let done = DispatchSemaphore(value: 0)

        fileprivate func finish(_ value: Data) {
            lock.lock(); data = value; lock.unlock()
            done.signal()
        }

        /// Waits until the stream ended (at most `timeout` seconds); nil if it has not.
        func wait(timeout: TimeInterval) -> Data? {
            guard done.wait(timeout: .now() + timeout) == .success else { return nil }
            done.signal()  // later waits return at once
            lock.lock(); defer { lock.unlock() }
            return data
        }
    }
}
