import Dispatch
import Synchronization
internal import Glibc

/// Turns SIGINT/SIGTERM (or any catchable signal) into calls of a Swift closure
/// on a thread of its own, so a scan can stop cleanly instead of dying.
///
/// A self-pipe, not `sigwait`: `sigwait` needs the signals blocked in every
/// thread before any is created, and one thread that leaves them unblocked
/// (a Dispatch worker, a library's) would let the default action kill the
/// process. A handler installed with `sigaction` runs on whichever thread the
/// kernel picks and only writes the signal's number to a pipe: that write is
/// async-signal-safe, and all the real work happens on the watcher's thread.
///
/// One watcher per process: installing a second replaces the first's handlers.
public final class SignalWatcher: Sendable {
    private let readEnd: Int32
    private let writeEnd: Int32
    private let signals: [Int32]

    /// Installs handlers for `signals`; `received` runs for each delivery, in
    /// order, on the watcher's thread (a second signal is a second call).
    public init(signals: [Int32], received: @escaping @Sendable (Int32) -> Void) throws(FileError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw FileError("pipe", path: "<signals>", errno: errno) }
        readEnd = ends[0]
        writeEnd = ends[1]
        self.signals = signals
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        // A full pipe (thousands of undelivered signals) must not block the handler.
        _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK)
        signalPipe.store(writeEnd, ordering: .releasing)
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = forwardSignal
            sigemptyset(&action.sa_mask)
            // SA_RESTART: blocking reads and writes elsewhere carry on instead of failing with EINTR.
            action.sa_flags = SA_RESTART
            sigaction(signal, &action, nil)
        }
        let readEnd = self.readEnd
        DispatchQueue(label: "mtascan.signals").async {
            var byte: UInt8 = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count == 1 {
                    received(Int32(byte))
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    return   // the write end was closed: the watcher is gone
                }
            }
        }
    }

    /// Restores the default actions and ends the watcher's thread.
    public func cancel() {
        for signal in signals { Glibc.signal(signal, SIG_DFL) }
        if signalPipe.compareExchange(expected: writeEnd, desired: -1, ordering: .acquiringAndReleasing).exchanged {
            close(writeEnd)
        }
    }

    /// The conventional name of a signal, for messages and metadata ("SIGTERM").
    public static func name(of signal: Int32) -> String {
        switch signal {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        case SIGQUIT: "SIGQUIT"
        case SIGUSR1: "SIGUSR1"
        case SIGUSR2: "SIGUSR2"
        default: "signal \(signal)"
        }
    }
}

/// The pipe the handler writes to; -1 when no watcher is installed.
private let signalPipe = Atomic<Int32>(-1)

private func forwardSignal(_ signal: Int32) {
    let saved = errno   // a handler must leave errno as it found it
    let fd = signalPipe.load(ordering: .acquiring)
    if fd >= 0 {
        var byte = UInt8(truncatingIfNeeded: signal)
        _ = write(fd, &byte, 1)
    }
    errno = saved
}
