import Dispatch
import Synchronization

/// The domains a scan may have in flight: the input thread takes a place per
/// domain, completions on the loops give it back.
///
/// A semaphore would cost two system calls per domain once the window is
/// full (a wake from the completing loop, a wait on the input thread) and a
/// context switch onto a core the loops need. Here a full window makes the
/// input thread sleep until a batch of places is free, so it then submits
/// that batch in one go: one wake-up per batch, not per domain.
final class AdmissionWindow: Sendable {
    let capacity: Int
    private let batch: Int
    private let free: Atomic<Int>
    private let sleeping = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        batch = max(1, min(64, self.capacity / 16))
        free = Atomic(self.capacity)
    }

    /// Takes a place, waiting while none is free; false (no place taken) as
    /// soon as `stopped()` says so. Waits are timed, so a stop is noticed
    /// within 50 ms even if no place frees.
    func acquire(unless stopped: () -> Bool) -> Bool {
        while true {
            if stopped() { return false }
            var current = free.load(ordering: .acquiring)
            while current > 0 {
                let (exchanged, original) = free.compareExchange(
                    expected: current, desired: current - 1, ordering: .acquiringAndReleasing)
                if exchanged { return true }
                current = original
            }
            sleeping.store(true, ordering: .sequentiallyConsistent)
            // A release between the load above and the flag may have missed it: look again.
            if free.load(ordering: .sequentiallyConsistent) > 0 {
                sleeping.store(false, ordering: .relaxed)
                continue
            }
            _ = wake.wait(timeout: .now() + .milliseconds(50))
            sleeping.store(false, ordering: .relaxed)
        }
    }

    /// Gives a place back, from any thread; wakes a sleeping input thread once
    /// a batch is free.
    func release() {
        let now = free.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue
        guard now >= batch || now == capacity, sleeping.load(ordering: .sequentiallyConsistent) else { return }
        if sleeping.compareExchange(expected: true, desired: false, ordering: .sequentiallyConsistent).exchanged {
            wake.signal()
        }
    }

    /// Places taken now: domains in flight.
    var inFlight: Int { capacity - free.load(ordering: .acquiring) }

    /// Waits until no domain is in flight or `deadline()` has passed (nil: no
    /// deadline; asked again every few milliseconds); returns those still in flight.
    func waitUntilEmpty(until deadline: () -> ContinuousClock.Instant?) -> Int {
        while inFlight > 0 {
            if let end = deadline(), end <= .now { break }
            _ = wake.wait(timeout: .now() + .milliseconds(5))
        }
        return inFlight
    }
}
