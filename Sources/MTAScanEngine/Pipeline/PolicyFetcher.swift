import MTAScanCore

/// Limits of one policy fetch (RFC 8461 §3.3: senders SHOULD bound the time
/// and size of a fetch; the body cap is the policy parser's).
public struct PolicyFetchLimits: Sendable {
    public var connectTimeout: Duration = .seconds(5)
    /// From the start to the last byte: a server sending one byte a second is cut off here.
    public var totalTimeout: Duration = .seconds(15)
    public var readChunk = 16 * 1024

    public init() {}
}

/// What fetching one policy host's address produced.
public struct PolicyFetchResult: Sendable {
    public var address: SocketAddress
    /// `policy-tcp`, `policy-tls`, `policy-http`, `policy-content-type`, `policy-syntax`, … findings.
    public var findings: [Finding]
    public var policy: Policy?
    public var tls: TLSHandshakeOutcome?
    public var httpStatus: Int?
    public var contentType: String? = nil
    /// The parsed body, when one was parsed (also when retrieval errors keep the policy from applying).
    public var evaluation: PolicyEvaluation? = nil
    /// The raw body of a complete response (for other uses of the transport: security.txt).
    public var body: [UInt8]? = nil
}

/// `GET /.well-known/mta-sts.txt` over HTTPS from one address of
/// `mta-sts.<domain>`, on one loop: TCP connect, TLS with SNI and full PKIX and
/// RFC 8461 name verification, one HTTP/1.1 request, a bounded response, the
/// policy parser. Redirects are reported, never followed. Every stage is
/// bounded in bytes and time and ends in exactly one completion.
///
/// The TLS-RPT endpoint check (`ReportEndpointDesk`) reuses this transport with
/// its own request (a `HEAD`) and a body cap of 0: it reads only the status,
/// and translates the `policy-*` findings into its own reasons.
final class PolicyFetch {
    private enum Stage: String { case connect, tls, http }

    private let loop: EventLoop
    private let host: DomainName
    private let address: SocketAddress
    private let source: SocketAddress?
    private let limits: PolicyFetchLimits
    private let request: [UInt8]
    private let completion: (PolicyFetchResult) -> Void
    private let connection: DeadlineConnection
    private let session: TLSSession
    private var parser: HTTPResponseParser
    private var stage = Stage.connect
    private var outcome: TLSHandshakeOutcome?
    private var finished: Bool { connection.isFinished }

    init(loop: EventLoop, context: TLSContext, host: DomainName, address: SocketAddress, source: SocketAddress? = nil,
         userAgentVersion: String, limits: PolicyFetchLimits = .init(), request: [UInt8]? = nil,
         maxBodyBytes: Int = PolicyParser.maxBodyBytes,
         completion: @escaping (PolicyFetchResult) -> Void) throws {
        self.loop = loop
        self.host = host
        self.address = address
        self.source = source
        self.limits = limits
        self.completion = completion
        self.request = request ?? PolicyFetchRequest(version: userAgentVersion).bytes(host: host)
        parser = HTTPResponseParser(maxBodyBytes: maxBodyBytes)
        connection = try DeadlineConnection(loop: loop)
        session = try TLSSession(context: context, serverName: host.text)
    }

    /// Starts the fetch; the fetch keeps itself alive through its handlers until it completes.
    func start() {
        do {
            try connection.open(
                to: address, from: source, connectTimeout: limits.connectTimeout, deadline: limits.totalTimeout,
                onDeadline: { self.timedOut() },
                onConnect: { error in
                    if let error { return self.fail(.policyTCP, ["reason": .string(ConnectFailureReason.of(error))]) }
                    self.stage = .tls
                    self.advance()
                },
                onBytes: { bytes in
                    self.session.feed(Array(copying: bytes))
                    self.advance()
                },
                onEnd: { end in
                    switch end {
                    case .closed:
                        self.session.receivedEOF()
                        self.advance(peerClosed: true)
                    case .failed:
                        self.connectionFailed(end.errorName ?? "")
                    }
                })
        } catch {
            fail(.policyTCP, ["reason": .string(ConnectFailureReason.of(error))])
        }
    }

    private func advance(peerClosed: Bool = false) {
        guard !finished, stage != .connect else { return }
        if stage == .tls {
            switch session.handshake() {
            case .wantIO:
                flush()
                if peerClosed { fail(.policyTLS, ["reason": "protocol", "error": "connection closed during the handshake"]) }
                return
            case .failed(let failure):
                flush()
                return fail(.policyTLS, failure.details)
            case .complete(let outcome):
                self.outcome = outcome
                // A certificate that is not valid for the policy host means no policy (RFC 8461 §3.3).
                if let details = outcome.failureDetails { return fail(.policyTLS, details) }
                stage = .http
                do { try session.write(request) } catch { return fail(.policyTLS, error.details) }
            }
        }
        readResponse(peerClosed: peerClosed)
        flush()
    }

    private func readResponse(peerClosed: Bool) {
        while !finished {
            let result: TLSReadResult
            do { result = try session.read(maxBytes: limits.readChunk) } catch { return fail(.policyTLS, error.details) }
            switch result {
            case .data(let bytes):
                if case .done = handle(parser.feed(bytes)) { return }
            case .wantIO:
                if peerClosed { _ = handle(parser.finish()) }
                return
            case .closed:
                _ = handle(parser.finish())
                return
            }
        }
    }

    private enum Handled { case done, more }

    private func handle(_ progress: HTTPParseProgress) -> Handled {
        switch progress {
        case .needMore:
            return .more
        case .complete(let response):
            let fetched = PolicyFetchOutcome(response: response)
            finish(PolicyFetchResult(address: address, findings: fetched.findings, policy: fetched.policy,
                                     tls: outcome, httpStatus: response.status,
                                     contentType: response.head.values(of: "content-type").first.map {
                                         ProbeText.excerpt($0, maxBytes: 256) },
                                     evaluation: fetched.evaluation, body: response.body))
            return .done
        case .failed(let failure):
            let fetched = PolicyFetchOutcome(failure: failure)
            finish(PolicyFetchResult(address: address, findings: fetched.findings, policy: nil, tls: outcome,
                                     httpStatus: failure.status,
                                     contentType: failure.head?.values(of: "content-type").first.map {
                                         ProbeText.excerpt($0, maxBytes: 256) }))
            return .done
        }
    }

    /// A read or write failed (the peer reset the connection) before the response
    /// was complete: whatever was read is incomplete, so the stage reports it.
    private func connectionFailed(_ error: String) {
        switch stage {
        case .connect:
            fail(.policyTCP, ["reason": "reset", "error": .string(error)])
        case .tls:
            fail(.policyTLS, ["reason": "protocol", "error": "connection reset during the handshake",
                              "connection_error": .string(error)])
        case .http:
            fail(.policyHTTP, ["reason": "reset", "error": .string(error)])
        }
    }

    private func flush() {
        connection.flush(session)
    }

    private func timedOut() {
        switch stage {
        case .connect: fail(.policyTCP, ["reason": "timeout"])
        case .tls: fail(.policyTLS, ["reason": "timeout", "error": "no complete handshake within the time limit"])
        case .http: fail(.policyHTTP, ["reason": "timeout"])
        }
    }

    private func fail(_ code: FindingCode, _ details: JSONObject) {
        var details = details
        details["address"] = .string(address.ip.description)
        finish(PolicyFetchResult(address: address, findings: [Finding(code, details: details)], policy: nil, tls: outcome,
                                 httpStatus: nil))
    }

    private func finish(_ result: PolicyFetchResult) {
        guard connection.finish() else { return }
        completion(result)
    }
}
