import Synchronization

/// Where finished records go, from any loop thread: one buffered writer behind
/// a lock. A record is written whole or not at all, and records from different
/// loops never interleave within a line.
public final class OutputSink: Sendable {
    private let state: Mutex<State>

    private struct State: ~Copyable {
        var writer: BufferedWriter
        var records = 0
        var error: FileError?
    }

    public init(destination: FileDescriptor) {
        state = Mutex(State(writer: BufferedWriter(destination: destination)))
    }

    /// Appends one complete NDJSON line. A write error is kept and reported by
    /// `finish()`; later records are dropped rather than half-written.
    public func write(line: [UInt8]) {
        state.withLock { state in
            guard state.error == nil else { return }
            do throws(FileError) {
                try state.writer.write(line)
                state.records += 1
            } catch {
                state.error = error
            }
        }
    }

    public var recordsWritten: Int { state.withLock { $0.records } }

    /// Flushes and returns the number of records written, or the first write error.
    public func finish() throws(FileError) -> Int {
        let result: Result<Int, FileError> = state.withLock { state in
            if let error = state.error { return .failure(error) }
            do throws(FileError) {
                try state.writer.flush()
                return .success(state.records)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
