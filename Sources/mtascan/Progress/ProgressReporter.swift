import Dispatch
import MTAScanCore
import Synchronization
internal import Glibc

/// Shows a scan's progress on standard error while it runs, from its own
/// thread, so the event loops never wait for a terminal.
///
/// On an interactive terminal it rewrites one line every 250 ms (`\r`, clear to
/// end of line) and clears it when stopped, leaving the screen to the summary;
/// elsewhere (a log file, a pipe, `nohup`) it prints a plain line every 30 s,
/// since a carriage return per quarter second would fill a log with noise.
///
/// The scan feeds the counters from any thread: `didFinish`, `didFail`,
/// `didStart`/`didEnd` (in flight). They are relaxed atomics: the line is a
/// glance, not an invariant, and the hot path must not take a lock.
final class ProgressReporter: Sendable {
    enum Style: Sendable, Equatable {
        /// Rewrite one line in place (an interactive terminal).
        case rewrite
        /// One plain line per report (a file or pipe).
        case lines
    }

    let total: Int?
    let style: Style
    let interval: Duration
    private let descriptor: Int32

    private let done = Atomic<Int>(0)
    private let errors = Atomic<Int>(0)
    private let dnsLost = Atomic<Int>(0)
    private let inFlight = Atomic<Int>(0)
    private let phase = Mutex<Phase>(.idle)
    private let stopRequested = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)

    private enum Phase { case idle, running, stopped }

    /// `total`: the number of input names when known (a regular file counted
    /// beforehand), else nil and no ETA is shown.
    init(total: Int?, style: Style, interval: Duration, descriptor: Int32 = STDERR_FILENO) {
        self.total = total
        self.style = style
        self.interval = interval
        self.descriptor = descriptor
    }

    /// The style and period for standard error: rewriting every 250 ms on a
    /// terminal, else plain lines every `plainInterval` (`--progress-interval`).
    static func forStandardError(total: Int?, plainInterval: Duration = .seconds(30)) -> ProgressReporter {
        let interactive = isatty(STDERR_FILENO) == 1
        return ProgressReporter(total: total, style: interactive ? .rewrite : .lines,
                                interval: interactive ? .milliseconds(250) : plainInterval)
    }

    // MARK: counters, from any thread

    func didFinish(_ count: Int = 1) { done.add(count, ordering: .relaxed) }
    func didFail(_ count: Int = 1) { errors.add(count, ordering: .relaxed) }
    /// A record with a `dns-timeout` finding.
    func didLoseDNS(_ count: Int = 1) { dnsLost.add(count, ordering: .relaxed) }
    func didStart(_ count: Int = 1) { inFlight.add(count, ordering: .relaxed) }
    func didEnd(_ count: Int = 1) { inFlight.subtract(count, ordering: .relaxed) }

    // MARK: lifecycle

    /// Starts the reporting thread; a second call does nothing.
    func start() {
        let shouldStart = phase.withLock { phase in
            guard phase == .idle else { return false }
            phase = .running
            return true
        }
        guard shouldStart else { return }
        let thread = DispatchQueue(label: "mtascan.progress")
        thread.async { self.run() }
    }

    /// Stops the thread and waits for it: on a terminal the line is cleared
    /// before this returns, so the summary that follows starts on a clean line.
    func stop() {
        let wasRunning = phase.withLock { phase in
            defer { phase = .stopped }
            return phase == .running
        }
        guard wasRunning else { return }
        stopRequested.signal()
        stopped.wait()
    }

    private func run() {
        let clock = ContinuousClock()
        let started = clock.now
        var line = ProgressLine()
        let nanoseconds = max(1_000_000, Int(interval.components.seconds) * 1_000_000_000
            + Int(interval.components.attoseconds / 1_000_000_000))
        while stopRequested.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .timedOut {
            let elapsed = Self.seconds(started.duration(to: clock.now))
            let finished = done.load(ordering: .relaxed)
            line.record(done: finished, at: elapsed)
            let text = line.text(done: finished, total: total, elapsed: elapsed,
                                 inFlight: max(0, inFlight.load(ordering: .relaxed)), errors: errors.load(ordering: .relaxed),
                                 dnsLost: dnsLost.load(ordering: .relaxed))
            switch style {
            case .rewrite: write("\r\u{1B}[K" + text)
            case .lines: write("mtascan: " + text + "\n")
            }
        }
        if style == .rewrite { write("\r\u{1B}[K") }
        stopped.signal()
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// All of `text`, retrying after signals and short writes; a failing
    /// standard error is not worth failing a scan over, so errors end the write.
    private func write(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return -1 }
                return Glibc.write(descriptor, base + offset, buffer.count - offset)
            }
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}
