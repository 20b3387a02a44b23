import Dispatch
import Foundation
import Synchronization
import Testing
@testable import MTAScanEngine

@Suite(.serialized) struct SignalWatcherTests {
    @Test func deliversEachSignalToTheClosureInOrder() throws {
        let received = Mutex<[Int32]>([])
        let arrived = DispatchSemaphore(value: 0)
        let watcher = try SignalWatcher(signals: [SIGUSR1, SIGUSR2]) { signal in
            received.withLock { $0.append(signal) }
            arrived.signal()
        }
        defer { watcher.cancel() }
        // Process-directed, as from `kill` or a scheduler: the kernel picks the thread.
        kill(getpid(), SIGUSR1)
        #expect(arrived.wait(timeout: .now() + 10) == .success)
        kill(getpid(), SIGUSR2)
        #expect(arrived.wait(timeout: .now() + 10) == .success)
        #expect(received.withLock { $0 } == [SIGUSR1, SIGUSR2])
    }

    @Test func namesTheSignalsAScanStopsOn() {
        #expect(SignalWatcher.name(of: SIGTERM) == "SIGTERM")
        #expect(SignalWatcher.name(of: SIGINT) == "SIGINT")
        #expect(SignalWatcher.name(of: 40) == "signal 40")
    }
}
