import MTAScanEngine
import Testing

@Suite struct EventLoopTests {
    @Test func workRunsOnTheLoopThread() async throws {
        let loop = try EventLoop(label: "t")
        #expect(!loop.inEventLoop)
        let onLoop = await withCheckedContinuation { continuation in
            loop.execute { continuation.resume(returning: loop.inEventLoop) }
        }
        #expect(onLoop)
        expectClean(loop.shutdown())
    }

    @Test func workFromManyThreadsRunsInSubmissionOrderPerThread() async throws {
        let loop = try EventLoop(label: "t")
        let producers = 8
        let itemsEach = 2_000
        let seen = Locked([[Int]](repeating: [], count: producers))
        let offLoop = Counter()
        await withTaskGroup(of: Void.self) { group in
            for producer in 0..<producers {
                group.addTask {
                    for item in 0..<itemsEach {
                        let queued = loop.execute {
                            if !loop.inEventLoop { offLoop.add() }
                            seen.withLock { $0[producer].append(item) }
                        }
                        #expect(queued)
                    }
                }
            }
        }
        // Queued after every producer finished, so it runs after all of their items.
        await withCheckedContinuation { continuation in
            loop.execute { continuation.resume() }
        }
        let sequences = seen.value
        for sequence in sequences {
            #expect(sequence == Array(0..<itemsEach))
        }
        #expect(offLoop.value == 0)
        expectClean(loop.shutdown())
    }

    @Test func workQueuedBeforeShutdownRunsAndLaterWorkIsRefused() async throws {
        let loop = try EventLoop(label: "t")
        let ran = Counter()
        for _ in 0..<100 {
            loop.execute { ran.add() }
        }
        loop.requestShutdown()
        #expect(!loop.execute { ran.add(1000) })
        let report = loop.shutdown()
        expectClean(report)
        #expect(ran.value == 100)
        #expect(!loop.execute {})
        // A second shutdown returns the same report at once.
        #expect(loop.shutdown() == report)
    }

    @Test func shutdownClosesWhatWasLeftOpenAndCancelsPendingWork() async throws {
        let loop = try EventLoop(label: "t")
        let outcome = Locked<[String]>([])
        let ready: Void? = await withCheckedContinuation { continuation in
            loop.execute {
                do {
                    let timer = try Timer(on: loop) { outcome.withLock { $0.append("timer fired") } }
                    try timer.start(after: .seconds(3600))   // never, however loaded the machine
                    let udp = try UDPSocket(on: loop)
                    try udp.bind(to: SocketAddress(ip: .loopbackV4, port: 0))
                    try udp.startReceiving(onDatagram: { _, _ in }, onError: { _ in })
                    let listener = try TCPListener(on: loop)
                    try listener.bind(to: SocketAddress(ip: .loopbackV4, port: 0))
                    try listener.listen { _ in }
                    // A connected stream with a read pending, which shutdown must cancel.
                    let stream = try TCPStream(on: loop)
                    try stream.connect(to: listener.localAddress()) { status in
                        outcome.withLock { $0.append("connect: \(status?.name ?? "ok")") }
                        guard status == nil else { return }
                        try? stream.startReading(onBytes: { _ in }, onEnd: { end in
                            outcome.withLock { $0.append("read end: \(end?.name ?? "EOF")") }
                        })
                        continuation.resume(returning: ())
                    }
                    // All four handles (and the accepted peer) are dropped here without close.
                } catch {
                    Issue.record("setup failed: \(error)")
                    continuation.resume(returning: nil)
                }
            }
        }
        #expect(ready != nil)
        let report = loop.shutdown()
        // timer, UDP socket, listener, client stream and the accepted server stream.
        expectClean(report, expectedForcedCloses: 5)
        #expect(outcome.value == ["connect: ok", "read end: ECANCELED"])
    }

    @Test func aDroppedHandleStaysAliveUntilClosed() async throws {
        let loop = try EventLoop(label: "t")
        let fires = Counter()
        let firedThrice: Void = await withCheckedContinuation { continuation in
            loop.execute {
                // No reference kept: handle->data keeps the timer alive while it is open.
                let timer = try? Timer(on: loop) {
                    if fires.add() == 3 { continuation.resume() }
                }
                try? timer?.start(after: .milliseconds(1), repeat: .milliseconds(1))
            }
        }
        _ = firedThrice
        expectClean(loop.shutdown(), expectedForcedCloses: 1)
        let afterShutdown = fires.value
        try await Task.sleep(for: .milliseconds(20))
        #expect(fires.value == afterShutdown)
    }

    @Test func runsOnTheCallingThread() throws {
        var order: [String] = []
        let report = try EventLoop.run(label: "main") { loop in
            #expect(loop.inEventLoop)
            order.append("body")
            do {
                var timer: Timer?
                timer = try Timer(on: loop) {
                    order.append("timer")
                    timer?.close {
                        order.append("closed")
                        loop.requestShutdown()
                    }
                }
                try timer?.start(after: .milliseconds(5))
            } catch {
                Issue.record("timer failed: \(error)")
                loop.requestShutdown()
            }
        }
        expectClean(report)
        #expect(order == ["body", "timer", "closed"])
    }

    @Test func callingThreadLoopCanBeStoppedFromAnotherThread() throws {
        // Another loop's thread (not a task: the cooperative pool may have one thread, and
        // this test blocks it) calls the blocking shutdown(), which waits for this thread to
        // close the loop and publish its report.
        let helper = try EventLoop(label: "helper")
        let reportFromOtherThread = Locked<ShutdownReport?>(nil)
        let report = try EventLoop.run(label: "main") { loop in
            helper.execute {
                let report = loop.shutdown()
                reportFromOtherThread.withLock { $0 = report }
            }
        }
        expectClean(report)
        expectClean(helper.shutdown())  // waits for the helper's work, hence its shutdown() call
        #expect(reportFromOtherThread.value == report)
    }

    @Test func callbacksThatOpenHandlesDuringShutdownAreClosedToo() async throws {
        let loop = try EventLoop(label: "t")
        let reopened = Counter()
        await withCheckedContinuation { continuation in
            loop.execute {
                do {
                    let stream = try TCPStream(on: loop)
                    let listener = try TCPListener(on: loop)
                    try listener.bind(to: SocketAddress(ip: .loopbackV4, port: 0))
                    try listener.listen { _ in }
                    try stream.connect(to: listener.localAddress()) { _ in
                        try? stream.startReading(onBytes: { _ in }, onEnd: { _ in
                            // Runs while shutdown closes the stream: opens a retry timer.
                            if let retry = try? Timer(on: loop, {}) {
                                try? retry.start(after: .seconds(60))
                                reopened.add()
                            }
                        })
                        continuation.resume()
                    }
                } catch {
                    Issue.record("setup failed: \(error)")
                    continuation.resume()
                }
            }
        }
        let report = loop.shutdown()
        #expect(reopened.value == 1)
        // stream, listener, accepted stream, and the retry timer opened mid-shutdown.
        expectClean(report, expectedForcedCloses: 4)
    }
}
