import MTAScanCore

/// `GET https://<domain>/.well-known/security.txt` (RFC 9116 §3: HTTPS only,
/// at the well-known path; the legacy top-level `/security.txt` is not
/// fetched) for `notify second-channel --security-txt`. The domain's address
/// comes from mtascan's own DNS client and the given resolvers (A, else
/// AAAA); the transport is the policy fetch's: SNI and PKIX for the domain,
/// no redirects, bounded in time and bytes (`SecurityTxt.maxBytes`). Domains
/// are fetched one after another, one connection at a time: a second channel
/// is a handful of domains, and this is the politest pace there is.
public enum SecurityTxtFetch {
    public static let path = "/.well-known/security.txt"

    public enum Outcome: Sendable, Equatable {
        /// Status 200 and a body within the limit.
        case fetched([UInt8])
        /// Why not: no address, a connection, TLS or HTTP failure, another status.
        case failed(String)
    }

    public static func fetch(_ domains: [DomainName], dns: DNSClientConfiguration, tls: TLSConfiguration,
                             userAgentVersion: String, limits: PolicyFetchLimits = .init()) throws -> [Outcome] {
        var outcomes: [Outcome] = []
        guard !domains.isEmpty else { return outcomes }
        var setupError: (any Error)?
        _ = try EventLoop.run(label: "mtascan-security-txt") { loop in
            do {
                let client = try DNSClient(loop: loop, configuration: dns)
                let context = try TLSContext(configuration: tls)
                func next() {
                    guard outcomes.count < domains.count else {
                        client.close()
                        return loop.requestShutdown()
                    }
                    one(domains[outcomes.count], loop: loop, client: client, context: context,
                        version: userAgentVersion, limits: limits) { outcome in
                        outcomes.append(outcome)
                        next()
                    }
                }
                next()
            } catch {
                setupError = error
                loop.requestShutdown()
            }
        }
        if let setupError { throw setupError }
        return outcomes
    }

    private static func one(_ domain: DomainName, loop: EventLoop, client: DNSClient, context: TLSContext,
                            version: String, limits: PolicyFetchLimits, _ done: @escaping (Outcome) -> Void) {
        address(of: domain, client: client) { address in
            guard let address else { return done(.failed("no A or AAAA record for \(domain.text)")) }
            let userAgent = PolicyFetchRequest(version: version).userAgent
            let request = "GET \(path) HTTP/1.1\r\nHost: \(domain.text)\r\nUser-Agent: \(userAgent)\r\n"
                + "Accept: text/plain\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n"
            do {
                try PolicyFetch(loop: loop, context: context, host: domain, address: address,
                                userAgentVersion: version, limits: limits, request: Array(request.utf8),
                                maxBodyBytes: SecurityTxt.maxBytes) { result in
                    if result.httpStatus == 200, let body = result.body { return done(.fetched(body)) }
                    let finding = result.findings.first
                    let reason = finding.map { finding in
                        "\(finding.code.rawValue) " + String(decoding: ScanRecord.line(.object(finding.details)).dropLast(), as: UTF8.self)
                    }
                    done(.failed(result.httpStatus.map { "HTTP status \($0)" } ?? reason ?? "no response"))
                }.start()
            } catch {
                done(.failed("connect: \(ConnectFailureReason.of(error))"))
            }
        }
    }

    /// Port 443 of the domain's first address (A before AAAA, lowest first: the same every run).
    private static func address(of domain: DomainName, client: DNSClient, _ done: @escaping (SocketAddress?) -> Void) {
        func first(_ type: DNSRecordType, _ then: @escaping (SocketAddress?) -> Void) {
            client.query(domain, type) { lookup in
                let addresses = lookup.coreResult { rdata -> SocketAddress? in
                    switch rdata {
                    case .a(let v4): return SocketAddress(v4.text, defaultPort: 443)
                    case .aaaa(let v6): return SocketAddress("[\(v6.text)]:443")
                    default: return nil
                    }
                }
                then(addresses.values.sorted { $0.description < $1.description }.first)
            }
        }
        first(.a) { v4 in
            if let v4 { return done(v4) }
            first(.aaaa, done)
        }
    }
}
