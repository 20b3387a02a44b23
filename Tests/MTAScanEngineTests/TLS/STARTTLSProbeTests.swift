import MTAScanCore
import Testing
@testable import MTAScanEngine

/// The STARTTLS probe over real sockets and TLS, against a small SMTP server
/// on loopback that plays the parts the test asks for.
@Suite(.serialized) struct STARTTLSProbeTests {
    struct Script {
        var banner = "220 mx.example.test ESMTP\r\n"
        var ehloReply = "250-mx.example.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n"
        var startTLSReply = "220 2.0.0 Ready to start TLS\r\n"
        var hangUp: HangUp?
    }

    /// Ways the server leaves in the middle of the dialogue.
    enum HangUp {
        /// An RST instead of the reply to EHLO.
        case resetOnEHLO
        /// An RST when the ClientHello arrives after the 220 to STARTTLS.
        case resetOnClientHello
        /// The observed crash: `220` to STARTTLS, a few bytes that are not TLS, FIN at once.
        case garbageAndCloseAfterSTARTTLS
    }

    final class Server {
        let listener: TCPListener
        private var connections: [TCPStream] = []
        private(set) var commands: [String] = []
        private(set) var peers: [IPAddress] = []

        init(loop: EventLoop, context: TLSContext, script: Script, bindAddress: String = "127.0.0.1:0") throws {
            listener = try TCPListener(on: loop)
            try listener.bind(to: SocketAddress(bindAddress)!)
            try listener.listen { [unowned self] result in
                guard case .success(let stream) = result else { return }
                self.connections.append(stream)
                if let peer = try? stream.remoteAddress() { self.peers.append(peer.ip) }
                var session: TLSSession?
                var pending: [UInt8] = []
                func reply(_ text: String) {
                    if let session {
                        try? session.write(Array(text.utf8))
                        if session.hasOutgoing { try? stream.write(session.drainOutgoing()) }
                    } else {
                        try? stream.write(Array(text.utf8))
                    }
                }
                func handle(_ line: String) {
                    self.commands.append(line)
                    switch line.split(separator: " ").first.map({ $0.uppercased() }) ?? "" {
                    case "EHLO":
                        if script.hangUp == .resetOnEHLO { return stream.close(reset: true) }
                        reply(script.ehloReply)
                    case "HELO": reply("250 mx.example.test\r\n")
                    case "STARTTLS":
                        if script.hangUp == .garbageAndCloseAfterSTARTTLS {
                            try? stream.write(Array("220 2.0.0 Go ahead\r\n\u{0}not TLS at all\r\n".utf8))
                            return stream.close()
                        }
                        reply(script.startTLSReply)
                        if script.startTLSReply.hasPrefix("220") { session = try? TLSSession(context: context) }
                    case "QUIT": reply("221 2.0.0 Bye\r\n")
                    default: reply("502 5.5.2 Not here\r\n")
                    }
                }
                try? stream.startReading(onBytes: { bytes in
                    var plaintext = Array(copying: bytes)
                    if session != nil, script.hangUp == .resetOnClientHello { return stream.close(reset: true) }
                    if let session {
                        session.feed(plaintext)
                        plaintext = []
                        if case .data(let data) = (try? session.read(maxBytes: 65536)) ?? .wantIO { plaintext = data }
                        if session.hasOutgoing { try? stream.write(session.drainOutgoing()) }
                    }
                    pending += plaintext
                    while let end = pending.firstIndex(of: 0x0A) {
                        let line = String(decoding: pending[..<end], as: UTF8.self).trimmingCharacters(in: ["\r"])
                        pending.removeFirst(end + 1)
                        handle(line)
                    }
                }, onEnd: { _ in stream.close() })
                reply(script.banner)
            }
        }

        var address: SocketAddress { (try? listener.localAddress()) ?? SocketAddress("127.0.0.1:1")! }

        func close() {
            listener.close()
            connections.forEach { $0.close() }
        }
    }

    private func probe(_ script: Script = Script(), host: String = TestPKI.host,
                       leaf: KeyPath<TestPKI, TestPKI.Leaf> = \.good, bindAddress: String = "127.0.0.1:0",
                       source: SocketAddress? = nil) throws -> (STARTTLSProbeResult?, [String]) {
        try probeObservingPeers(script, host: host, leaf: leaf, bindAddress: bindAddress, source: source).map { ($0.0, $0.1) } ?? (nil, [])
    }

    private func probeObservingPeers(_ script: Script = Script(), host: String = TestPKI.host,
                                     leaf: KeyPath<TestPKI, TestPKI.Leaf> = \.good, bindAddress: String = "127.0.0.1:0",
                                     source: SocketAddress? = nil) throws -> (STARTTLSProbeResult?, [String], [IPAddress])? {
        let pki = try TestPKI.shared.get()
        var result: STARTTLSProbeResult?
        var commands: [String] = []
        var peers: [IPAddress] = []
        let report = try EventLoop.run { loop in
            do {
                let serverContext = try TLSContext(server: TLSServerConfiguration(
                    certificateChainPath: pki[keyPath: leaf].chain, privateKeyPath: pki[keyPath: leaf].key))
                let server = try Server(loop: loop, context: serverContext, script: script, bindAddress: bindAddress)
                let client = try TLSContext(configuration: TLSConfiguration(trustRoots: .pemFile(pki.rootCA)))
                let probe = try STARTTLSProbe(loop: loop, context: client, host: DomainName(host)!, address: server.address,
                                              source: source, ehloName: DomainName("scanner.test")!) { probed in
                    result = probed
                    commands = server.commands
                    peers = server.peers
                    server.close()
                    loop.requestShutdown()
                }
                probe.start()
            } catch {
                Issue.record("setup: \(error)")
                loop.requestShutdown()
            }
        }
        expectClean(report, expectedForcedCloses: report.handlesClosedByShutdown)
        return (result, commands, peers)
    }

    /// Where ::1 cannot be bound (some containers), the IPv6 test has nothing to talk to.
    static let ipv6LoopbackAvailable: Bool = {
        var available = false
        _ = try? EventLoop.run { loop in
            defer { loop.requestShutdown() }
            guard let listener = try? TCPListener(on: loop) else { return }
            do {
                try listener.bind(to: SocketAddress("[::1]:0")!)
                try listener.listen { _ in }
                available = true
            } catch {}
            listener.close()
        }
        return available
    }()

    @Test(.enabled(if: STARTTLSProbeTests.ipv6LoopbackAvailable, "::1 cannot be bound here"))
    func anIPv6AddressIsProbedTheSameWay() throws {
        let (result, commands) = try probe(bindAddress: "[::1]:0")
        #expect(codes(result) == [])
        #expect(result?.address.family == .ipv6)
        #expect(result?.tls?.isPKIXValid == true)
        #expect(commands.first == "EHLO scanner.test")
    }

    /// `--source-ip`: the connection comes from the address whose FCrDNS name is in EHLO.
    @Test func theConnectionComesFromTheGivenSourceAddress() throws {
        let observed = try probeObservingPeers(source: SocketAddress("127.0.0.10:0"))
        #expect(codes(observed?.0) == [])
        #expect(observed?.2 == [IPAddress("127.0.0.10")!])
        // The result names it, for the record's `source_address`.
        #expect(observed?.0?.source?.ip == IPAddress("127.0.0.10"))
    }

    /// Without a given source the result names the kernel's choice, read once connected.
    @Test func theResultNamesTheKernelsSourceAddress() throws {
        let observed = try probeObservingPeers()
        #expect(codes(observed?.0) == [])
        #expect(observed?.0?.source?.ip == observed?.2.first)
        #expect(observed?.0?.source?.ip == IPAddress("127.0.0.1"))
    }

    private func codes(_ result: STARTTLSProbeResult?) -> [String] { result?.findings.map(\.code.rawValue) ?? ["no result"] }

    @Test func aGoodServerGivesNoFindingAndNeverSeesMailCommands() throws {
        let (result, commands) = try probe()
        #expect(codes(result) == [])
        #expect(result?.tls?.isPKIXValid == true)
        #expect(result?.smtp?.startTLSAdvertised == true)
        #expect(commands.map { $0.split(separator: " ").first.map(String.init) ?? "" } == ["EHLO", "STARTTLS", "QUIT"])
        #expect(commands.first == "EHLO scanner.test")
    }

    @Test func noSTARTTLSAdvertised() throws {
        var script = Script()
        script.ehloReply = "250-mx.example.test\r\n250 PIPELINING\r\n"
        let (result, commands) = try probe(script)
        #expect(codes(result) == ["mx-no-starttls"])
        #expect(!commands.contains("STARTTLS"))
    }

    @Test func greylistingBannerIsAnSMTPFinding() throws {
        var script = Script()
        script.banner = "421 4.7.0 Try again later\r\n"
        let (result, _) = try probe(script)
        #expect(codes(result) == ["mx-smtp"])
        #expect(result?.findings.first?[detail: "reason"] == "temporary")
    }

    @Test func certificateProblemsAreMXTLS() throws {
        let (mismatch, _) = try probe(host: "mx.other.test")
        #expect(codes(mismatch) == ["mx-tls"])
        #expect(mismatch?.findings.first?[detail: "reason"] == "name-mismatch")
        let (selfSigned, _) = try probe(leaf: \.selfSigned)
        #expect(codes(selfSigned) == ["mx-tls"])
        #expect(selfSigned?.findings.first?[detail: "reason"] == "self-signed")
    }

    /// Issue 13 item 8: a probe that ends in `mx-tls` keeps the dialogue before it.
    @Test func anMXTLSProbeKeepsTheBannerEHLOAndSTARTTLS() throws {
        let (mismatch, _) = try probe(host: "mx.other.test")
        #expect(codes(mismatch) == ["mx-tls"])
        let smtp = try #require(mismatch?.smtp)
        #expect(smtp.banner == "mx.example.test ESMTP")
        #expect(smtp.capabilities != nil)
        #expect(smtp.startTLSAdvertised)
        #expect(smtp.failure?.stage == .tls)
        #expect(smtp.finding == nil)   // the engine's mx-tls is the one finding

        var script = Script()
        script.hangUp = .resetOnClientHello
        let (reset, _) = try probe(script)
        #expect(codes(reset) == ["mx-tls"])
        #expect(reset?.smtp?.banner == "mx.example.test ESMTP")
        #expect(reset?.smtp?.startTLSAdvertised == true)
    }

    @Test func refusedSTARTTLS() throws {
        var script = Script()
        script.startTLSReply = "454 4.7.0 TLS not available\r\n"
        let (result, _) = try probe(script)
        #expect(codes(result) == ["mx-no-starttls"])
    }

    /// A reset or a close at any stage ends the probe with that stage's finding and a
    /// stable reason, never a crash (SIGPIPE) or a wait for the deadline.
    @Test func aResetBeforeTheEHLOReplyIsAnSMTPFindingWithReasonReset() throws {
        var script = Script()
        script.hangUp = .resetOnEHLO
        let (result, _) = try probe(script)
        let finding = try #require(result?.findings.first)
        #expect(codes(result) == ["mx-smtp"])
        #expect(finding.details["stage"] == "ehlo")
        #expect(finding.details["reason"] == "reset")
        #expect(finding.details["error"]?.stringValue?.hasPrefix("e") == true)
    }

    @Test func aResetDuringTheHandshakeIsAnMXTLSProtocolFailure() throws {
        var script = Script()
        script.hangUp = .resetOnClientHello
        let (result, _) = try probe(script)
        let finding = try #require(result?.findings.first)
        #expect(codes(result) == ["mx-tls"])
        #expect(finding.details["reason"] == "protocol")
    }

    @Test func garbageAndACloseRightAfterTheSTARTTLSReplyIsAnMXTLSFinding() throws {
        var script = Script()
        script.hangUp = .garbageAndCloseAfterSTARTTLS
        let (result, _) = try probe(script)
        let finding = try #require(result?.findings.first)
        #expect(codes(result) == ["mx-tls"])
        #expect(finding.details["reason"] == "protocol")
        #expect(result?.smtp?.startTLSAdvertised == true)
    }
}
