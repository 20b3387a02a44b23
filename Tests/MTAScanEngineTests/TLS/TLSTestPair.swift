@testable import MTAScanEngine

/// A client and a server session joined in memory: bytes move between them
/// only when the test says so, no sockets anywhere.
struct TLSTestPair {
    let client: TLSSession
    let server: TLSSession

    /// A server presenting `certificateChain` and a client trusting `trust`
    /// (the test root by default) that asks for `serverName`.
    init(pki: TestPKI, certificateChain: String, key: String, serverName: String? = TestPKI.host,
         trust: String? = nil, client clientConfiguration: TLSConfiguration? = nil,
         serverMinimum: TLSVersion = .tls1_0, serverMaximum: TLSVersion? = nil,
         acceptedServerNames: [String]? = nil, clientContext existing: TLSContext? = nil) throws {
        let clientContext = try existing ?? TLSContext(
            configuration: clientConfiguration ?? TLSConfiguration(trustRoots: .pemFile(trust ?? pki.rootCA)))
        let serverContext = try TLSContext(server: TLSServerConfiguration(
            certificateChainPath: certificateChain, privateKeyPath: key, minimumVersion: serverMinimum,
            maximumVersion: serverMaximum, acceptedServerNames: acceptedServerNames))
        client = try TLSSession(context: clientContext, serverName: serverName)
        server = try TLSSession(context: serverContext)
    }

    init(pki: TestPKI, leaf: TestPKI.Leaf, sendIntermediate: Bool = true, serverName: String? = TestPKI.host,
         trust: String? = nil, clientContext: TLSContext? = nil) throws {
        try self.init(pki: pki, certificateChain: sendIntermediate ? leaf.chain : leaf.leafOnly, key: leaf.key,
                      serverName: serverName, trust: trust, clientContext: clientContext)
    }

    /// Both handshakes, stepped alternately until no bytes move.
    func handshake() -> (client: TLSHandshakeProgress, server: TLSHandshakeProgress) {
        var clientProgress = client.handshake()
        var serverProgress = TLSHandshakeProgress.wantIO
        for _ in 0..<20 {
            let toServer = client.drainOutgoing()
            server.feed(toServer)
            serverProgress = server.handshake()
            let toClient = server.drainOutgoing()
            client.feed(toClient)
            clientProgress = client.handshake()
            if toServer.isEmpty && toClient.isEmpty && !client.hasOutgoing { break }
        }
        return (clientProgress, serverProgress)
    }

    /// The client's outcome, when both sides completed.
    func completedOutcome() -> TLSHandshakeOutcome? {
        let (clientProgress, serverProgress) = handshake()
        guard case .complete(let outcome) = clientProgress, case .complete = serverProgress else { return nil }
        return outcome
    }

    /// Moves pending bytes both ways until neither side has any.
    func pump() {
        for _ in 0..<100 {
            let toServer = client.drainOutgoing()
            let toClient = server.drainOutgoing()
            if toServer.isEmpty && toClient.isEmpty { return }
            server.feed(toServer)
            client.feed(toClient)
        }
    }

    /// Everything `session` can read now, until it would wait or the peer closed.
    static func readAvailable(_ session: TLSSession, maxBytes: Int = 4096) throws -> (data: [UInt8], end: TLSReadResult) {
        var data: [UInt8] = []
        while true {
            let result = try session.read(maxBytes: maxBytes)
            guard case .data(let chunk) = result else { return (data, result) }
            data += chunk
        }
    }
}
