@testable import MTAScanEngine
import Testing

@Suite struct LoopCheckTests {
    /// Datagrams queued before an iteration are all delivered in its I/O
    /// phase; the check runs once after them, which is what lets the DNS
    /// client send the queries of a batch of answers together.
    @Test(arguments: [false, true])
    func aCheckRunsAfterTheIterationsIO(batchReceive: Bool) async throws {
        let events: [String] = try await onFreshLoop { loop, finish in
            var events: [String] = []
            let receiver = try UDPSocket(on: loop, batchReceive: batchReceive)
            try receiver.bind(to: SocketAddress(ip: .loopbackV4, port: 0))
            let sender = try UDPSocket(on: loop)
            try sender.bind(to: SocketAddress(ip: .loopbackV4, port: 0))
            var check: LoopCheck?
            check = try LoopCheck(on: loop) {
                events.append("check")
                check?.stop()
                let all = Countdown(3) { finish(events) }
                receiver.close(all.tick)
                sender.close(all.tick)
                check?.close(all.tick)
            }
            try receiver.startReceiving(
                onDatagram: { bytes, _ in
                    events.append(String(decoding: Array(copying: bytes), as: UTF8.self))
                    try? check?.start()
                },
                onError: { Issue.record("receive error: \($0)") })
            let to = try receiver.localAddress()
            for index in 0..<5 { try sender.send(Array("d\(index)".utf8), to: to) }
        }
        #expect(events == ["d0", "d1", "d2", "d3", "d4", "check"])
    }

    @Test func aStoppedOrClosedCheckDoesNotRun() async throws {
        let runs: [String] = try await onFreshLoop { loop, finish in
            var runs: [String] = []
            let stopped = try LoopCheck(on: loop) { runs.append("stopped") }
            try stopped.start()
            #expect(stopped.isActive)
            stopped.stop()
            #expect(!stopped.isActive)
            let closed = try LoopCheck(on: loop) { runs.append("closed") }
            try closed.start()
            closed.close()
            #expect(throws: UVError.handleClosed) { try closed.start() }
            var later: Timer?
            later = try Timer(on: loop) {
                let both = Countdown(2) { finish(runs) }
                stopped.close(both.tick)
                later?.close(both.tick)
            }
            try later?.start(after: .milliseconds(30))
        }
        #expect(runs.isEmpty)
    }
}
