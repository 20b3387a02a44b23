import MTAScanCore
import Testing
@testable import MTAScanEngine

/// The policy fetch over real sockets and real TLS: a server on loopback
/// with the test PKI's certificates, answering with scripted HTTP responses.
@Suite(.serialized) struct PolicyFetchTests {
    enum Reply {
        case http(String)
        /// Accept and never say anything.
        case silent
        /// Reset the connection when the ClientHello arrives.
        case resetOnClientHello
        /// Complete the handshake, read the request, send these bytes, then reset.
        case resetAfter(String)
    }

    /// One HTTPS server: a listener whose connections run a server TLSSession.
    final class Server {
        let listener: TCPListener
        private var connections: [TCPStream] = []

        init(loop: EventLoop, context: TLSContext, reply: Reply) throws {
            listener = try TCPListener(on: loop)
            try listener.bind(to: SocketAddress("127.0.0.1:0")!)
            try listener.listen { [unowned self] result in
                guard case .success(let stream) = result else { return }
                self.connections.append(stream)
                let response: String, resetAfterAnswer: Bool
                switch reply {
                case .silent: return
                case .resetOnClientHello:
                    try? stream.startReading(onBytes: { _ in stream.close(reset: true) }, onEnd: { _ in stream.close() })
                    return
                case .http(let text): (response, resetAfterAnswer) = (text, false)
                case .resetAfter(let text): (response, resetAfterAnswer) = (text, true)
                }
                guard let session = try? TLSSession(context: context) else { return }
                var request: [UInt8] = []
                var answered = false
                try? stream.startReading(onBytes: { bytes in
                    session.feed(Array(copying: bytes))
                    if case .data(let data) = (try? session.read(maxBytes: 65536)) ?? .wantIO { request += data }
                    if !answered, request.count >= 4, request.suffix(4) == Array("\r\n\r\n".utf8) {
                        answered = true
                        try? session.write(Array(response.utf8))
                        if !resetAfterAnswer { session.shutdown() }
                    }
                    if session.hasOutgoing { try? stream.write(session.drainOutgoing()) }
                    if answered, resetAfterAnswer { stream.close(reset: true) }
                }, onEnd: { _ in stream.close() })
            }
        }

        var address: SocketAddress { (try? listener.localAddress()) ?? SocketAddress("127.0.0.1:1")! }

        func close() {
            listener.close()
            connections.forEach { $0.close() }
        }
    }

    private func fetch(_ reply: Reply, host: String = TestPKI.host, leaf: KeyPath<TestPKI, TestPKI.Leaf> = \.good,
                       refused: Bool = false, limits: PolicyFetchLimits = .init()) throws -> PolicyFetchResult? {
        let pki = try TestPKI.shared.get()
        var result: PolicyFetchResult?
        let report = try EventLoop.run { loop in
            do {
                let serverContext = try TLSContext(server: TLSServerConfiguration(
                    certificateChainPath: pki[keyPath: leaf].chain, privateKeyPath: pki[keyPath: leaf].key))
                let server = try Server(loop: loop, context: serverContext, reply: reply)
                var target = server.address
                if refused {
                    server.listener.close()
                    target = SocketAddress(ip: target.ip, port: 1)
                }
                let client = try TLSContext(configuration: TLSConfiguration(trustRoots: .pemFile(pki.rootCA)))
                let fetch = try PolicyFetch(loop: loop, context: client, host: DomainName(host)!, address: target,
                                            userAgentVersion: "test", limits: limits) { fetched in
                    result = fetched
                    server.close()
                    loop.requestShutdown()
                }
                fetch.start()
            } catch {
                Issue.record("setup: \(error)")
                loop.requestShutdown()
            }
        }
        expectClean(report, expectedForcedCloses: report.handlesClosedByShutdown)
        return result
    }

    private func codes(_ result: PolicyFetchResult?) -> [String] { result?.findings.map(\.code.rawValue) ?? ["no result"] }

    @Test func aValidPolicyIsFetchedAndParsed() throws {
        let body = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.test\r\nmax_age: 604800\r\n"
        let result = try fetch(.http("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"))
        #expect(codes(result) == [])
        #expect(result?.policy?.mode == .enforce)
        #expect(result?.httpStatus == 200)
        #expect(result?.tls?.isPKIXValid == true)
    }

    @Test func httpErrorsRedirectsAndMediaTypes() throws {
        #expect(codes(try fetch(.http("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))) == ["policy-http"])
        let redirect = try fetch(.http("HTTP/1.1 301 Moved\r\nLocation: https://elsewhere.example/\r\nContent-Length: 0\r\n\r\n"))
        #expect(codes(redirect) == ["policy-http"])
        #expect(redirect?.findings.first?[detail: "location"] == "https://elsewhere.example/")
        let html = try fetch(.http("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello"))
        #expect(codes(html).contains("policy-content-type"))
    }

    @Test func certificateProblemsAreTLSFindingsAndNoPolicy() throws {
        let wrongName = try fetch(.http("HTTP/1.1 200 OK\r\n\r\n"), host: "mta-sts.other.test")
        #expect(codes(wrongName) == ["policy-tls"])
        #expect(wrongName?.findings.first?[detail: "reason"] == "name-mismatch")
        #expect(wrongName?.policy == nil)
        let expired = try fetch(.http("HTTP/1.1 200 OK\r\n\r\n"), leaf: \.expired)
        #expect(expired?.findings.first?[detail: "reason"] == "expired")
    }

    @Test func refusedAndSilentServersEndWithinTheirBounds() throws {
        let refused = try fetch(.silent, refused: true)
        #expect(codes(refused) == ["policy-tcp"])
        #expect(refused?.findings.first?[detail: "reason"] == "refused")
        var limits = PolicyFetchLimits()
        limits.totalTimeout = .milliseconds(300)
        let silent = try fetch(.silent, limits: limits)
        #expect(codes(silent) == ["policy-tls"])
        #expect(silent?.findings.first?[detail: "reason"] == "timeout")
    }

    /// A reset is that stage's finding with a stable reason, never a wait for the deadline.
    @Test func aResetDuringTheHandshakeIsAPolicyTLSProtocolFailure() throws {
        let result = try fetch(.resetOnClientHello)
        #expect(codes(result) == ["policy-tls"])
        #expect(result?.findings.first?.details["reason"] == "protocol")
    }

    @Test func aResetInTheMiddleOfTheResponseIsPolicyHTTPWithReasonReset() throws {
        let result = try fetch(.resetAfter("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 500\r\n\r\nversion: STSv1\r\n"))
        #expect(codes(result) == ["policy-http"])
        #expect(result?.findings.first?.details["reason"] == "reset")
    }
}
