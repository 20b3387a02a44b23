internal import Glibc

/// A peer that closes its end makes the next `write()` on that socket raise SIGPIPE,
/// whose default action ends the whole process: one hostile MX host answering
/// `220` to STARTTLS and closing at once killed a scan of millions of domains
/// (exit 141, no records). libuv writes streams with plain `write()`/`writev()` (no
/// `MSG_NOSIGNAL`), so the only process-wide guard is to ignore the signal; the
/// write then fails with EPIPE, which the stream reports as an ordinary error.
///
/// Ignoring SIGPIPE is a process-wide disposition, so it is done once, when the first
/// `EventLoop` is made (any library user's sockets, tests' included, are then safe
/// too); `mtascan` also does it at start, before anything else runs.
public enum BrokenPipe {
    private static let ignored: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    /// Sets SIGPIPE to "ignore" (once per process; later calls cost nothing).
    public static func ignoreSignal() {
        _ = ignored
    }
}
