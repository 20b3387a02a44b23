@testable import MTAScanEngine
import Testing

@Suite struct TimerTests {
    @Test func timersFireInDeadlineOrder() async throws {
        let order: [Int] = try await onFreshLoop { loop, finish in
            var fired: [Int] = []
            var timers: [Timer] = []
            let allFired = Countdown(3) {
                let countdown = Countdown(timers.count) { finish(fired) }
                for timer in timers { timer.close(countdown.tick) }
            }
            for delay in [30, 10, 20] {
                let timer = try Timer(on: loop) {
                    fired.append(delay)
                    allFired.tick()
                }
                try timer.start(after: .milliseconds(delay))
                timers.append(timer)
            }
        }
        #expect(order == [10, 20, 30])
    }

    @Test func stoppedTimerDoesNotFire() async throws {
        let stoppedFired: Bool = try await onFreshLoop { loop, finish in
            var stoppedFired = false
            let stopped = try Timer(on: loop) { stoppedFired = true }
            try stopped.start(after: .milliseconds(10))
            #expect(stopped.isActive)
            stopped.stop()
            #expect(!stopped.isActive)
            var later: Timer?
            later = try Timer(on: loop) {
                let both = Countdown(2) { finish(stoppedFired) }
                stopped.close(both.tick)
                later?.close(both.tick)
            }
            try later?.start(after: .milliseconds(60))
        }
        #expect(!stoppedFired)
    }

    @Test func repeatingTimerFiresUntilStopped() async throws {
        let fires: Int = try await onFreshLoop { loop, finish in
            var fires = 0
            var repeating: Timer?
            repeating = try Timer(on: loop) {
                fires += 1
                if fires == 3 { repeating?.stop() }
            }
            try repeating?.start(after: .milliseconds(1), repeat: .milliseconds(5))
            // Long after a fourth fire would have come: count, then close.
            var check: Timer?
            check = try Timer(on: loop) {
                let both = Countdown(2) { finish(fires) }
                repeating?.close(both.tick)
                check?.close(both.tick)
            }
            try check?.start(after: .milliseconds(80))
        }
        #expect(fires == 3)
    }

    @Test func restartReplacesTheSchedule() async throws {
        let elapsed: Duration = try await onFreshLoop { loop, finish in
            let clock = ContinuousClock()
            let started = clock.now
            var timer: Timer?
            timer = try Timer(on: loop) {
                let elapsed = clock.now - started
                timer?.close { finish(elapsed) }
            }
            try timer?.start(after: .seconds(30))
            try timer?.start(after: .milliseconds(5))
        }
        #expect(elapsed < .seconds(5))
    }

    @Test func closeInsideTheHandlerAndAfterwards() async throws {
        let log: [String] = try await onFreshLoop { loop, finish in
            var log: [String] = []
            var timer: Timer?
            timer = try Timer(on: loop) {
                log.append("fire")
                timer?.close {
                    log.append("closed")
                    guard let timer else { return }
                    #expect(timer.isClosed)
                    #expect(!timer.isActive)
                    do throws(UVError) {
                        try timer.start(after: .zero)
                        log.append("restarted a closed timer")
                    } catch {
                        log.append(error.name)
                    }
                    timer.stop()  // harmless
                    timer.close { log.append("closed again") }  // runs at once
                }
                timer?.close {
                    log.append("second close waits")
                    finish(log)
                }
            }
            try timer?.start(after: .zero, repeat: .milliseconds(1))
        }
        #expect(log == ["fire", "closed", "EBADF", "closed again", "second close waits"])
    }

    @Test func durationsRoundUpToMilliseconds() {
        #expect(Duration.zero.uvMilliseconds == 0)
        #expect(Duration.nanoseconds(1).uvMilliseconds == 1)
        #expect(Duration.microseconds(1500).uvMilliseconds == 2)
        #expect(Duration.milliseconds(250).uvMilliseconds == 250)
        #expect(Duration.seconds(3).uvMilliseconds == 3000)
        #expect(Duration.milliseconds(-5).uvMilliseconds == 0)
        #expect(Duration.seconds(Int64.max).uvMilliseconds == UInt64.max)
    }
}
