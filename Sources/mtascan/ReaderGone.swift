#if canImport(Glibc)
internal import Glibc
#endif
import MTAScanEngine

/// `mtascan ... | head`: the reader of our output leaves, and the next write to the
/// pipe fails with EPIPE (SIGPIPE is ignored so that a peer's close cannot end a scan,
/// see `BrokenPipe`). A filter in a pipeline should still end as it always has, quietly
/// and by SIGPIPE (status 141 in the shell), not with "Error: write failed: Broken
/// pipe": nobody is left to read what it would write next.
enum ReaderGone {
    /// Ends the process by SIGPIPE if `error` is a write to a pipe with no reader;
    /// returns otherwise.
    static func endIfBrokenPipe(_ error: any Error) {
        guard let error = error as? FileError, error.errno == EPIPE else { return }
        signal(SIGPIPE, SIG_DFL)
        raise(SIGPIPE)
    }
}
