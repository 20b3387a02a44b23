import MTAScanEngine
import Testing

/// A listener whose connections collect everything until the peer's FIN, then write it
/// back and half-close: a client only sees its echo after it has shut down its own side.
private func makeEchoListener(on loop: EventLoop, at ip: IPAddress, peers: @escaping (SocketAddress) -> Void = { _ in }) throws -> TCPListener {
    let listener = try TCPListener(on: loop)
    try listener.bind(to: SocketAddress(ip: ip, port: 0))
    try listener.listen { accepted in
        guard case .success(let stream) = accepted else {
            Issue.record("accept failed: \(accepted)")
            return
        }
        if let peer = try? stream.remoteAddress() { peers(peer) }
        var received: [UInt8] = []
        do {
            try stream.startReading(
                onBytes: { received.append(contentsOf: Array(copying: $0)) },
                onEnd: { end in
                    guard end == nil else {
                        stream.close()
                        return
                    }
                    do {
                        try stream.write(received)
                        try stream.shutdownWrites { _ in stream.close() }
                    } catch {
                        Issue.record("echo write failed: \(error)")
                        stream.close()
                    }
                }
            )
        } catch {
            Issue.record("echo read failed: \(error)")
            stream.close()
        }
    }
    return listener
}

@Suite struct TCPStreamTests {
    struct EchoResult: Sendable {
        var echoed: [UInt8]
        var end: UVError?
        var writeStatus: UVError?
        var shutdownStatus: UVError?
        var local: SocketAddress
        var remote: SocketAddress
        var listenerAddress: SocketAddress
    }

    @Test(arguments: [IPAddress.loopbackV4, .loopbackV6])
    func echoWithHalfClose(ip: IPAddress) async throws {
        let message = Array("EHLO mtascan.test\r\n" + String(repeating: "x", count: 200_000))
        let result: EchoResult = try await onFreshLoop { loop, finish in
            let listener = try makeEchoListener(on: loop, at: ip)
            let listenerAddress = try listener.localAddress()
            let client = try TCPStream(on: loop)
            var echoed: [UInt8] = []
            var writeStatus: UVError? = .canceled
            var shutdownStatus: UVError? = .canceled
            try client.connect(to: listenerAddress, timeout: .seconds(5)) { error in
                if let error {
                    Issue.record("connect failed: \(error)")
                    return
                }
                do {
                    let local = try client.localAddress()
                    let remote = try client.remoteAddress()
                    try client.setNoDelay(true)
                    try client.startReading(
                        onBytes: { echoed.append(contentsOf: Array(copying: $0)) },
                        onEnd: { end in
                            let result = EchoResult(
                                echoed: echoed, end: end, writeStatus: writeStatus, shutdownStatus: shutdownStatus,
                                local: local, remote: remote, listenerAddress: listenerAddress
                            )
                            let both = Countdown(2) { finish(result) }
                            client.close(both.tick)
                            listener.close(both.tick)
                        }
                    )
                    try client.write(message) { writeStatus = $0 }
                    try client.shutdownWrites { shutdownStatus = $0 }
                } catch {
                    Issue.record("client failed: \(error)")
                }
            }
        }
        #expect(result.echoed == message)
        #expect(result.end == nil)
        #expect(result.writeStatus == nil)
        #expect(result.shutdownStatus == nil)
        #expect(result.remote == result.listenerAddress)
        #expect(result.local.ip == ip)
    }

    @Test func connectFromAChosenSourceAddress() async throws {
        let source = IPAddress(ipv4: 127, 0, 0, 2)
        let (seen, local): (SocketAddress?, SocketAddress) = try await onFreshLoop { loop, finish in
            var seenPeer: SocketAddress?
            let listener = try makeEchoListener(on: loop, at: .loopbackV4) { seenPeer = $0 }
            let client = try TCPStream(on: loop)
            try client.connect(to: listener.localAddress(), from: SocketAddress(ip: source, port: 0)) { error in
                #expect(error == nil)
                let local = (try? client.localAddress()) ?? SocketAddress(ip: .anyV4, port: 0)
                try? client.startReading(onBytes: { _ in }, onEnd: { _ in
                    let both = Countdown(2) { finish((seenPeer, local)) }
                    client.close(both.tick)
                    listener.close(both.tick)
                })
                try? client.shutdownWrites()
            }
        }
        #expect(local.ip == source)
        #expect(seen == local)
    }

    @Test(arguments: [IPAddress.loopbackV4, .loopbackV6])
    func connectToAClosedPortIsRefused(ip: IPAddress) async throws {
        let (error, closedAfter): (UVError?, Bool) = try await onFreshLoop { loop, finish in
            let deadEnd = try unusedPort(ip, on: loop)
            let client = try TCPStream(on: loop)
            try client.connect(to: deadEnd, timeout: .seconds(5)) { error in
                client.close { finish((error, client.isClosed)) }
            }
        }
        #expect(error == .connectionRefused)
        #expect(closedAfter)
    }

    @Test func connectToASilentPeerTimesOut() async throws {
        let silent = try SilentListener()
        let (filler, timedOut, closed, elapsed): (UVError?, UVError?, Bool, Duration) = try await onFreshLoop { loop, finish in
            // The first connection fills the accept queue of a backlog-0 listener that never
            // accepts; the kernel then drops the second one's SYNs.
            let first = try TCPStream(on: loop)
            try first.connect(to: silent.address, timeout: .seconds(5)) { fillerStatus in
                let clock = ContinuousClock()
                let started = clock.now
                do {
                    let second = try TCPStream(on: loop)
                    try second.connect(to: silent.address, timeout: .milliseconds(200)) { status in
                        let elapsed = clock.now - started
                        let closed = second.isClosed
                        let both = Countdown(2) { finish((fillerStatus, status, closed, elapsed)) }
                        second.close(both.tick)
                        first.close(both.tick)
                    }
                } catch {
                    Issue.record("second connect failed at once: \(error)")
                    first.close()
                }
            }
        }
        #expect(filler == nil)
        #expect(timedOut == .timedOut)
        #expect(closed, "a timed-out stream is closed")
        #expect(elapsed >= .milliseconds(200))
        #expect(elapsed < .seconds(5))
    }

    @Test func closingWithAPendingReadAndWriteCancelsBoth() async throws {
        let log: [String] = try await onFreshLoop { loop, finish in
            var log: [String] = []
            var serverSide: TCPStream?
            let listener = try TCPListener(on: loop)
            try listener.bind(to: SocketAddress(ip: .loopbackV4, port: 0))
            // The server accepts and never reads, so a large write cannot drain.
            try listener.listen { serverSide = try? $0.get() }
            let client = try TCPStream(on: loop)
            try client.connect(to: listener.localAddress()) { error in
                #expect(error == nil)
                do {
                    try client.startReading(onBytes: { _ in log.append("bytes") }, onEnd: { log.append("read end: \($0?.name ?? "EOF")") })
                    try client.write([UInt8](repeating: 0x2E, count: 64 << 20)) { log.append("write: \($0?.name ?? "done")") }
                    try client.write([1, 2, 3]) { log.append("write 2: \($0?.name ?? "done")") }
                    if client.pendingWriteBytes > 0 { log.append("write pending") }
                } catch {
                    Issue.record("client failed: \(error)")
                }
                client.close {
                    log.append("closed")
                    let rest = Countdown(2) { finish(log) }
                    listener.close(rest.tick)
                    if let serverSide { serverSide.close(rest.tick) } else { rest.tick() }
                }
            }
        }
        #expect(log == ["write pending", "write: ECANCELED", "write 2: ECANCELED", "read end: ECANCELED", "closed"])
    }

    @Test func pausedReadingDeliversNothingUntilResumed() async throws {
        let total = 1 << 20
        struct Outcome: Sendable { var received: Int; var chunksWhilePaused: Int; var end: UVError? }
        let outcome: Outcome = try await onFreshLoop { loop, finish in
            let listener = try TCPListener(on: loop)
            try listener.bind(to: SocketAddress(ip: .loopbackV4, port: 0))
            try listener.listen { accepted in
                guard let stream = try? accepted.get() else { return }
                try? stream.write([UInt8](repeating: 7, count: total))
                try? stream.shutdownWrites { _ in stream.close() }
            }
            let client = try TCPStream(on: loop)
            var received = 0
            var paused = false
            var chunksWhilePaused = 0
            var resumeTimer: Timer?
            try client.connect(to: listener.localAddress()) { _ in
                try? client.startReading(
                    onBytes: { bytes in
                        if paused { chunksWhilePaused += 1 }
                        received += bytes.count
                        guard resumeTimer == nil else { return }
                        // After the first chunk: pause for 50 ms, then resume.
                        client.pauseReading()
                        paused = true
                        #expect(!client.isReading)
                        resumeTimer = try? Timer(on: loop) {
                            paused = false
                            try? client.resumeReading()
                            #expect(client.isReading)
                            resumeTimer?.close()
                        }
                        try? resumeTimer?.start(after: .milliseconds(50))
                    },
                    onEnd: { end in
                        let outcome = Outcome(received: received, chunksWhilePaused: chunksWhilePaused, end: end)
                        let both = Countdown(2) { finish(outcome) }
                        client.close(both.tick)
                        listener.close(both.tick)
                    }
                )
            }
        }
        #expect(outcome.received == total)
        #expect(outcome.chunksWhilePaused == 0)
        #expect(outcome.end == nil)
    }

    @Test func resetCloseIsSeenAsConnectionReset() async throws {
        let end: UVError? = try await onFreshLoop { loop, finish in
            let listener = try TCPListener(on: loop)
            try listener.bind(to: SocketAddress(ip: .loopbackV4, port: 0))
            let client = try TCPStream(on: loop)
            // Reset once the client is connected and the server side is reading.
            let bothReady = Countdown(2) { client.close(reset: true) }
            try listener.listen { accepted in
                guard let stream = try? accepted.get() else { return }
                try? stream.startReading(onBytes: { _ in }, onEnd: { end in
                    let both = Countdown(2) { finish(end) }
                    stream.close(both.tick)
                    listener.close(both.tick)
                })
                bothReady.tick()
            }
            try client.connect(to: listener.localAddress()) { status in
                #expect(status == nil)
                bothReady.tick()
            }
        }
        #expect(end == .connectionReset)
    }

    /// Data then an RST: Linux may end the read with a plain EOF and keep ECONNRESET in
    /// SO_ERROR; the stream must still report the reset, not a clean end.
    @Test func aResetRightAfterDataIsStillSeenAsConnectionReset() async throws {
        let (received, end): (Int, UVError?) = try await onFreshLoop { loop, finish in
            let listener = try TCPListener(on: loop)
            try listener.bind(to: SocketAddress(ip: .loopbackV4, port: 0))
            let client = try TCPStream(on: loop)
            try listener.listen { accepted in
                guard let stream = try? accepted.get() else { return }
                // Once the client is surely connected (it spoke): data, then the RST.
                try? stream.startReading(onBytes: { _ in
                    try? stream.write(Array(repeating: 0x41, count: 1000))
                    stream.close(reset: true)
                    listener.close()
                }, onEnd: { _ in })
            }
            var received = 0
            try client.connect(to: listener.localAddress()) { status in
                #expect(status == nil)
                try? client.write([0x0A])
            }
            try client.startReading(onBytes: { received += $0.count }, onEnd: { end in
                client.close { finish((received, end)) }
            })
        }
        #expect(received <= 1000)
        #expect(end == .connectionReset)
    }

    @Test func closingBeforeTheConnectCompletesCancelsIt() async throws {
        let status: UVError? = try await onFreshLoop { loop, finish in
            let silent = try SilentListener()
            let client = try TCPStream(on: loop)
            var status: UVError?
            try client.connect(to: silent.address, timeout: .seconds(5)) { status = $0 }
            client.close { finish(status) }
        }
        #expect(status == .canceled)
    }

    @Test func misuseIsReportedNotFatal() async throws {
        let errors: [UVError] = try await onFreshLoop { loop, finish in
            var errors: [UVError] = []
            let listener = try TCPListener(on: loop)
            try listener.bind(to: SocketAddress(ip: .loopbackV4, port: 0))
            try listener.listen { _ in }
            let stream = try TCPStream(on: loop)
            try stream.connect(to: listener.localAddress()) { _ in }
            do throws(UVError) { try stream.connect(to: listener.localAddress()) { _ in } } catch { errors.append(error) }
            try stream.startReading(onBytes: { _ in }, onEnd: { _ in })
            do throws(UVError) { try stream.startReading(onBytes: { _ in }, onEnd: { _ in }) } catch { errors.append(error) }
            try stream.resumeReading()  // already reading: nothing to do
            stream.close {
                do throws(UVError) { try stream.write([1]) } catch { errors.append(error) }
                do throws(UVError) { try stream.shutdownWrites() } catch { errors.append(error) }
                do throws(UVError) { _ = try stream.remoteAddress() } catch { errors.append(error) }
                #expect(stream.pendingWriteBytes == 0)
                listener.close { finish(errors) }
            }
        }
        #expect(errors.map(\.name) == ["EALREADY", "EALREADY", "EBADF", "EBADF", "EBADF"])
    }
}
