import Synchronization

/// How a scan that is asked to stop winds down (docs/output.md, "Stopping and
/// resuming"): the first SIGINT or SIGTERM stops admitting domains and gives
/// those in flight `drainTimeout` to finish; a second ends the wait at once.
/// Either way the records written so far are flushed and the metadata says
/// why the scan stopped.
///
/// It also decides who runs the scan's end, exactly once: the input thread
/// when the input is used up (or broken), or a thread of the signal's when a
/// signal comes first — the input thread may then be blocked in a read of a
/// pipe that never ends, so the end cannot wait for it.
///
/// `notify send` stops the same way (NotifySendCommand.watchSignals): the
/// hand-off under way is what is in flight, its --timeout the drain time.
final class ScanStop: Sendable {
    let drainTimeout: Duration

    private struct State {
        var signal: Int32?
        var signals = 0
        var deadline: ContinuousClock.Instant?
        var endClaimed = false
    }
    private let state = Mutex(State())

    init(drainTimeout: Duration) {
        self.drainTimeout = drainTimeout
    }

    enum Response {
        /// The first signal: stop admitting, and run the end unless the input thread already does.
        case beginStop(runEnd: Bool)
        /// A later one: stop waiting for domains in flight.
        case stopNow
    }

    /// Notes one signal and moves the drain deadline.
    func received(_ signal: Int32) -> Response {
        state.withLock { state in
            state.signals += 1
            if state.signals == 1 {
                state.signal = signal
                state.deadline = .now + drainTimeout
                let runEnd = !state.endClaimed
                state.endClaimed = true
                return .beginStop(runEnd: runEnd)
            }
            state.deadline = .now
            return .stopNow
        }
    }

    /// True once a signal asked the scan to stop.
    var isRequested: Bool { state.withLock { $0.signals > 0 } }

    /// The signal that stopped the scan, if one did.
    var signal: Int32? { state.withLock { $0.signal } }

    /// When to give up on domains in flight; nil while no signal has come.
    var deadline: ContinuousClock.Instant? { state.withLock { $0.deadline } }

    /// Claims the scan's end for the input thread; false when a signal's thread already runs it.
    func claimEnd() -> Bool {
        state.withLock { state in
            guard !state.endClaimed else { return false }
            state.endClaimed = true
            return true
        }
    }
}
