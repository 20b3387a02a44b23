import MTAScanEngine
import Testing

/// A socket that sends every datagram back to its sender.
private func makeEchoSocket(on loop: EventLoop, at ip: IPAddress) throws -> UDPSocket {
    let echo = try UDPSocket(on: loop)
    try echo.bind(to: SocketAddress(ip: ip, port: 0))
    try echo.startReceiving(
        onDatagram: { bytes, sender in
            do {
                try echo.send(bytes, to: sender)
            } catch {
                Issue.record("echo send failed: \(error)")
            }
        },
        onError: { Issue.record("echo receive error: \($0)") }
    )
    return echo
}

@Suite struct UDPSocketTests {
    struct Exchange: Sendable {
        var reply: [UInt8]
        var replyFrom: SocketAddress
        var echoAddress: SocketAddress
        var clientAddress: SocketAddress
        var sendStatus: UVError?
    }

    @Test(arguments: [IPAddress.loopbackV4, .loopbackV6])
    func echoBetweenTwoSockets(ip: IPAddress) async throws {
        let exchange: Exchange = try await onFreshLoop { loop, finish in
            let echo = try makeEchoSocket(on: loop, at: ip)
            let echoAddress = try echo.localAddress()
            let client = try UDPSocket(on: loop)
            try client.bind(to: SocketAddress(ip: ip, port: 0))
            let clientAddress = try client.localAddress()
            var sendStatus: UVError? = .canceled
            try client.startReceiving(
                onDatagram: { bytes, sender in
                    let exchange = Exchange(
                        reply: Array(copying: bytes), replyFrom: sender, echoAddress: echoAddress,
                        clientAddress: clientAddress, sendStatus: sendStatus
                    )
                    let both = Countdown(2) { finish(exchange) }
                    client.close(both.tick)
                    echo.close(both.tick)
                },
                onError: { Issue.record("client receive error: \($0)") }
            )
            try client.send(Array("hello over \(ip)"), to: echoAddress) { sendStatus = $0 }
        }
        #expect(exchange.reply == Array("hello over \(ip)"))
        #expect(exchange.replyFrom == exchange.echoAddress)
        #expect(exchange.echoAddress.ip == ip)
        #expect(exchange.echoAddress.port != 0)
        #expect(exchange.clientAddress.port != 0)
        #expect(exchange.clientAddress != exchange.echoAddress)
        #expect(exchange.sendStatus == nil)
    }

    @Test func twoHundredSocketsAtOnce() async throws {
        let clients = 200
        let result: (replies: Int, wrong: Int, ports: Int) = try await onFreshLoop { loop, finish in
            let echo = try makeEchoSocket(on: loop, at: .loopbackV4)
            let echoAddress = try echo.localAddress()
            var sockets: [UDPSocket] = []
            var ports = Set<UInt16>()
            var replies = 0
            var wrong = 0
            let allAnswered = Countdown(clients) {
                let closed = Countdown(sockets.count + 1) { finish((replies, wrong, ports.count)) }
                for socket in sockets { socket.close(closed.tick) }
                echo.close(closed.tick)
            }
            // All sockets are open before the first datagram goes out.
            for index in 0..<clients {
                let socket = try UDPSocket(on: loop)
                try socket.bind(to: SocketAddress(ip: .loopbackV4, port: 0))
                ports.insert(try socket.localAddress().port)
                let expected: [UInt8] = [UInt8(index >> 8), UInt8(index & 0xFF), 0xD5]
                try socket.startReceiving(
                    onDatagram: { bytes, sender in
                        replies += 1
                        if Array(copying: bytes) != expected || sender != echoAddress { wrong += 1 }
                        socket.stopReceiving()
                        allAnswered.tick()
                    },
                    onError: { Issue.record("receive error: \($0)") }
                )
                sockets.append(socket)
            }
            for (index, socket) in sockets.enumerated() {
                try socket.send([UInt8(index >> 8), UInt8(index & 0xFF), 0xD5], to: echoAddress)
            }
        }
        #expect(result.replies == clients)
        #expect(result.wrong == 0)
        #expect(result.ports == clients)
    }

    @Test func connectedSocketSurfacesPortUnreachableAsReceiveError() async throws {
        let error: UVError = try await onFreshLoop { loop, finish in
            // A port that was just free: nothing answers there, so the kernel's ICMP
            // port-unreachable comes back to the connected socket.
            let probe = try UDPSocket(on: loop)
            try probe.bind(to: SocketAddress(ip: .loopbackV4, port: 0))
            let deadEnd = try probe.localAddress()
            probe.close()

            let client = try UDPSocket(on: loop)
            try client.connect(to: deadEnd)
            #expect(try client.remoteAddress() == deadEnd)
            try client.startReceiving(
                onDatagram: { _, _ in Issue.record("nothing should answer") },
                onError: { error in client.close { finish(error) } }
            )
            try client.send(Array("anyone?"))
        }
        #expect(error == .connectionRefused)
    }

    @Test func oversizedDatagramIsAnErrorNotACrash() async throws {
        let error: UVError? = try await onFreshLoop { loop, finish in
            let socket = try UDPSocket(on: loop)
            try socket.bind(to: SocketAddress(ip: .loopbackV4, port: 0))
            let target = try socket.localAddress()
            let tooBig = [UInt8](repeating: 0x41, count: 70_000)
            do throws(UVError) {
                try socket.send(tooBig, to: target) { status in socket.close { finish(status) } }
            } catch {
                socket.close { finish(error) }
            }
        }
        #expect(error == .messageTooLong)
    }

    @Test func operationsOnAClosedSocketThrow() async throws {
        let errors: [UVError] = try await onFreshLoop { loop, finish in
            let socket = try UDPSocket(on: loop)
            socket.close {
                var errors: [UVError] = []
                #expect(socket.isClosed)
                #expect(socket.pendingSendCount == 0)
                socket.stopReceiving()  // harmless
                do throws(UVError) { try socket.send([1], to: SocketAddress(ip: .loopbackV4, port: 9)) } catch { errors.append(error) }
                do throws(UVError) { try socket.bind(to: SocketAddress(ip: .loopbackV4, port: 0)) } catch { errors.append(error) }
                do throws(UVError) { _ = try socket.localAddress() } catch { errors.append(error) }
                finish(errors)
            }
        }
        #expect(errors == [.handleClosed, .handleClosed, .handleClosed])
    }

    @Test func bindingATakenPortFails() async throws {
        let error: UVError? = try await onFreshLoop { loop, finish in
            let first = try UDPSocket(on: loop)
            try first.bind(to: SocketAddress(ip: .loopbackV4, port: 0))
            let second = try UDPSocket(on: loop)
            var failure: UVError?
            do throws(UVError) { try second.bind(to: first.localAddress()) } catch { failure = error }
            let both = Countdown(2) { finish(failure) }
            first.close(both.tick)
            second.close(both.tick)
        }
        #expect(error == .addressInUse)
    }
}
