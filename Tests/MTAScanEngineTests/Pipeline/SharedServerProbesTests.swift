import MTAScanCore
import Testing
@testable import MTAScanEngine

/// One probe per shared server, on a real loop with a scheduler whose work is
/// a model server: what certificate each address sends for each SNI name.
@Suite(.serialized) struct SharedServerProbesTests {
    /// What a model address does: the certificate names it sends for an SNI
    /// name (nil: the connection fails before TLS).
    typealias Server = (_ sni: String) -> [String]?

    struct Observation {
        var connections: [String] = []
        var results: [String: STARTTLSProbeResult] = [:]
        var excluded = 0
        var sharedAnswers = 0
        var sniChecks = 0
    }

    private static func certificate(_ names: [String]) -> CertificateInfo {
        CertificateInfo(subject: "CN=\(names.first ?? "")", issuer: "CN=CA", dnsNames: names, notBefore: 0,
                        notAfter: 1, keyType: "EC", keyBits: 256, keyCurve: nil,
                        signatureAlgorithm: "ecdsa-with-SHA256", sha256Fingerprint: names.joined(separator: ","),
                        chainLength: 2)
    }

    /// What `STARTTLSProbe` would report: the name check against the SNI name.
    private static func probe(_ key: ProbeKey, _ server: Server) -> STARTTLSProbeResult {
        guard let names = server(key.host) else {
            return STARTTLSProbeResult(address: key.address, findings: [Finding(.mxTCP, ["mx_host": .string(key.host),
                                       "reason": "refused"])], smtp: nil, tls: nil)
        }
        let certificate = certificate(names)
        let check = TLSHandshakeOutcome.nameCheck(certificate, host: key.host)
        let outcome = TLSHandshakeOutcome(version: .tls1_3, cipher: "TLS_AES_128_GCM_SHA256", peerCertificate: certificate,
                                          checkedName: key.host, matchedName: check.matched,
                                          verificationFailures: [check.failure].compactMap { $0 })
        var findings: [Finding] = []
        if var details = outcome.failureDetails {
            details["mx_host"] = .string(key.host)
            findings.append(Finding(.mxTLS, details: details))
        }
        return STARTTLSProbeResult(address: key.address, findings: findings, smtp: nil, tls: outcome)
    }

    private func run(_ requests: [ProbeKey], servers: [String: Server],
                     exclusions: ExclusionList = ExclusionList(), capacity: Int = 100) throws -> Observation {
        var observation = Observation()
        let report = try EventLoop.run { loop in
            var timers: [Timer] = []
            var scheduler: ProbeScheduler<STARTTLSProbeResult>?
            scheduler = ProbeScheduler(loop: loop, limits: .init(ratePerDestination: 10_000, burstPerDestination: 100),
                                       exclusions: exclusions) { key, done in
                observation.connections.append(key.host)
                let result = Self.probe(key, servers[key.address.ip.description] ?? { _ in nil })
                guard let timer = try? Timer(on: loop, { done(result) }) else { return done(result) }
                timers.append(timer)
                try? timer.start(after: .milliseconds(3))
            }
            guard let scheduler else { return }
            let shared = SharedServerProbes(scheduler: scheduler, capacity: capacity)
            var answered = 0
            for key in requests {
                shared.request(key) { outcome in
                    answered += 1
                    switch outcome {
                    case .excluded: observation.excluded += 1
                    case .done(let result): observation.results["\(key.host) \(key.address.ip)"] = result
                    }
                    if answered == requests.count {
                        observation.sharedAnswers = shared.sharedAnswers
                        observation.sniChecks = shared.sniChecks
                        scheduler.close()
                        timers.forEach { $0.close() }
                        loop.requestShutdown()
                    }
                }
            }
        }
        expectClean(report)
        return observation
    }

    private func key(_ host: String, _ address: String, tlsa: [TLSARecordValue] = []) -> ProbeKey {
        ProbeKey(host: host, address: SocketAddress(address, defaultPort: 25)!, tlsa: tlsa)
    }

    private func tenants(_ count: Int, at address: String) -> [ProbeKey] {
        (0..<count).map { key("t\($0).mx.provider.example", address) }
    }

    private let wildcard: Server = { _ in ["*.mx.provider.example"] }
    /// Each tenant's own certificate by SNI; unknown names get the first tenant's.
    private let bySNI: Server = { sni in sni.hasPrefix("t") ? [sni] : ["t0.mx.provider.example"] }

    @Test func aServerWhoseCertificateIgnoresSNIIsProbedTwiceForAHundredNames() throws {
        let observation = try run(tenants(100, at: "127.0.0.1"), servers: ["127.0.0.1": wildcard])
        #expect(observation.connections.sorted() == ["sni-check.mtascan.invalid", "t0.mx.provider.example"])
        #expect(observation.results.count == 100)
        #expect(observation.sharedAnswers == 99)
        #expect(observation.sniChecks == 1)
        let result = observation.results["t42.mx.provider.example 127.0.0.1"]
        #expect(result?.sharedFrom == SharedProbeOrigin(host: "t0.mx.provider.example",
                                                         sniCheckName: SharedServerProbes.sniCheckName))
        #expect(result?.tls?.checkedName == "t42.mx.provider.example")
        #expect(result?.tls?.isPKIXValid == true)
        #expect(result?.findings.isEmpty == true)
        #expect(observation.results["t0.mx.provider.example 127.0.0.1"]?.sharedFrom == nil)
    }

    @Test func aServerThatChoosesByNameIsProbedPerName() throws {
        // Its default certificate is the first tenant's: the SNI check alone would
        // not tell; the other tenants are not covered by it, so they are probed.
        let observation = try run(tenants(5, at: "127.0.0.2"), servers: ["127.0.0.2": bySNI])
        #expect(observation.connections.count == 6)
        #expect(observation.sharedAnswers == 0)
        #expect(observation.results.values.allSatisfy { $0.sharedFrom == nil && $0.findings.isEmpty })
    }

    @Test func aServerWithAnotherDefaultCertificateIsProbedPerName() throws {
        let server: Server = { sni in sni.hasPrefix("t") ? [sni, "*.mx.provider.example"] : ["default.provider.example"] }
        let observation = try run(tenants(5, at: "127.0.0.3"), servers: ["127.0.0.3": server])
        #expect(observation.connections.count == 6)
        #expect(observation.sharedAnswers == 0)
    }

    @Test func aFailedFirstProbeSharesNothingAndCostsNoCheck() throws {
        let observation = try run(tenants(4, at: "127.0.0.4"), servers: [:])
        #expect(observation.connections.count == 4)
        #expect(observation.sniChecks == 0)
        #expect(observation.results.values.allSatisfy { $0.findings.first?.code == .mxTCP && $0.sharedFrom == nil })
    }

    @Test func aFirstNameTheCertificateDoesNotCoverSharesNothing() throws {
        let observation = try run([key("vanity.example", "127.0.0.5")] + tenants(3, at: "127.0.0.5"),
                                  servers: ["127.0.0.5": wildcard])
        #expect(observation.connections.count == 4)
        #expect(observation.results["vanity.example 127.0.0.5"]?.findings.first?.code == .mxTLS)
        #expect(observation.results["t1.mx.provider.example 127.0.0.5"]?.findings.isEmpty == true)
    }

    @Test func aNameOutsideTheSharedCertificateIsProbedItself() throws {
        let requests = tenants(3, at: "127.0.0.6") + [key("mx.other.example", "127.0.0.6")]
        let observation = try run(requests, servers: ["127.0.0.6": wildcard])
        #expect(observation.connections.contains("mx.other.example"))
        #expect(observation.sharedAnswers == 2)
        let other = observation.results["mx.other.example 127.0.0.6"]
        #expect(other?.sharedFrom == nil)
        #expect(other?.findings.first?[detail: "reason"] == "name-mismatch")
    }

    @Test func namesWithTLSARecordsAndExcludedNamesAreNeverShared() throws {
        let tlsa = [TLSARecordValue(usage: 3, selector: 1, matchingType: 1, data: String(repeating: "ab", count: 32))]
        let exclusions = try ExclusionList(parsing: "optout.example\n")
        let requests = tenants(3, at: "127.0.0.7") + [key("t9.mx.provider.example", "127.0.0.7", tlsa: tlsa),
                                                      key("mx.optout.example", "127.0.0.7")]
        let observation = try run(requests, servers: ["127.0.0.7": { _ in ["*.mx.provider.example", "mx.optout.example"] }],
                                  exclusions: exclusions)
        #expect(observation.excluded == 1)
        #expect(!observation.connections.contains("mx.optout.example"))
        #expect(observation.connections.filter { $0 == "t9.mx.provider.example" }.count == 1)
        #expect(observation.sharedAnswers == 2)
    }

    @Test func aSmallTableForgetsOldAddressesAndStillAnswersEveryName() throws {
        let requests = (1...20).flatMap { tenants(3, at: "127.0.1.\($0)") }
        var servers: [String: Server] = [:]
        for index in 1...20 { servers["127.0.1.\(index)"] = wildcard }
        let observation = try run(requests, servers: servers, capacity: 4)
        #expect(observation.results.count == 60)
        #expect(observation.results.values.allSatisfy { $0.tls?.isPKIXValid == true })
    }
}
