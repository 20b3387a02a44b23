import Dispatch
import Synchronization

/// Where finished records go, from any loop thread: one buffered writer behind
/// a lock. A record is written whole or not at all, and records from different
/// loops never interleave within a line.
///
/// Crash safety: records leave the buffer when it holds `flushThreshold` bytes
/// and, from a flusher thread, at least every `flushInterval`, so a process
/// killed at any moment loses at most the last interval of records (the kernel
/// keeps what was written; a `kill -9` cannot lose it). A slow scan never holds
/// minutes of records in memory, and a fast one still writes in large blocks.
///
/// Stopping: `seal()` makes the sink refuse every later record, so that what
/// the metadata counts is exactly what the file holds, even while event loops
/// still finish domains that an interrupted scan abandons.
public final class OutputSink: Sendable {
    public static let defaultFlushThreshold = 64 * 1024
    public static let defaultFlushInterval: Duration = .seconds(1)

    private let state: Mutex<State>
    private let flusherStop = DispatchSemaphore(value: 0)
    private let flusherDone = DispatchSemaphore(value: 0)
    private let hasFlusher: Bool

    private struct State: ~Copyable {
        var writer: BufferedWriter
        var records = 0
        var error: FileError?
        var sealed = false
        /// Bytes were written since the last sync.
        var unsynced = false
    }

    private let flushed: @Sendable () -> Void

    /// `flushInterval` nil: no flusher thread (tests, or an output nobody tails).
    /// `flushed` runs under the sink's lock after each successful write to the
    /// file: every line accepted before it is then in the file (a count kept
    /// with `write`'s `accepted` moves from "buffered" to "written" there).
    public init(destination: FileDescriptor, flushThreshold: Int = OutputSink.defaultFlushThreshold,
                flushInterval: Duration? = OutputSink.defaultFlushInterval,
                flushed: @escaping @Sendable () -> Void = {}) {
        self.flushed = flushed
        state = Mutex(State(writer: BufferedWriter(destination: destination, flushThreshold: flushThreshold)))
        hasFlusher = flushInterval != nil
        if let flushInterval {
            let nanoseconds = max(1_000_000, Int(flushInterval.components.seconds) * 1_000_000_000
                + Int(flushInterval.components.attoseconds / 1_000_000_000))
            // Weak: a sink nobody finishes still goes away, and its deinit ends the thread.
            let stop = flusherStop, done = flusherDone
            DispatchQueue(label: "mtascan.output-flush").async { [weak self] in
                while stop.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .timedOut {
                    guard let self else { break }
                    self.flushKeepingError()
                }
                done.signal()
            }
        }
    }

    deinit {
        if hasFlusher, !flusherStopped.load(ordering: .acquiring) { flusherStop.signal() }
    }

    /// Appends one complete NDJSON line and returns true, or returns false when
    /// the sink is sealed or a write has failed (later records are dropped
    /// rather than half-written; `finish()` reports the error). `accepted` runs
    /// under the sink's lock, never for a refused line, just before the line is
    /// buffered; with `flushed`, a count kept there never disagrees with the file.
    @discardableResult
    public func write(line: [UInt8], accepted: () -> Void = {}) -> Bool {
        state.withLock { state in
            guard state.error == nil, !state.sealed else { return false }
            do throws(FileError) {
                // Accepted first, so that a flush this line triggers counts it as written.
                accepted()
                try state.writer.write(line)
                state.records += 1
                state.unsynced = true
                if !state.writer.hasPendingBytes { flushed() }
                return true
            } catch {
                state.error = error
                failed.store(true, ordering: .releasing)
                return false
            }
        }
    }

    public var recordsWritten: Int { state.withLock { $0.records } }

    /// Refuses every later record; records already accepted stay and are
    /// flushed by `finish()`.
    public func seal() {
        state.withLock { $0.sealed = true }
    }

    /// Seals, stops the flusher, flushes, and returns the number of records
    /// written, or the first write error.
    public func finish() throws(FileError) -> Int {
        seal()
        stopFlusher()
        let result: Result<Int, FileError> = state.withLock { state in
            if let error = state.error { return .failure(error) }
            do throws(FileError) {
                try state.writer.flush()
                flushed()
                return .success(state.records)
            } catch {
                state.error = error
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The flusher's tick: writes what waits, then asks the kernel to put the
    /// file on disk, so even a machine that loses power keeps all but the last
    /// interval. The sync runs outside the lock: loops keep writing meanwhile.
    private func flushKeepingError() {
        let destination: FileDescriptor? = state.withLock { state in
            guard state.error == nil, state.writer.hasPendingBytes || state.unsynced else { return nil }
            do throws(FileError) {
                try state.writer.flush()
                flushed()
                state.unsynced = false
                return state.writer.destination
            } catch {
                state.error = error
                failed.store(true, ordering: .releasing)
                return nil
            }
        }
        destination?.syncData()
    }

    /// True once a write failed (a full disk, a closed pipe): the scan should stop,
    /// since no later record can be written.
    public var hasFailed: Bool { failed.load(ordering: .acquiring) }
    private let failed = Atomic<Bool>(false)

    private let flusherStopped = Atomic<Bool>(false)

    private func stopFlusher() {
        guard hasFlusher, !flusherStopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        flusherStop.signal()
        flusherDone.wait()
    }
}
