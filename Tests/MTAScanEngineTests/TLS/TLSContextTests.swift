import Testing
@testable import MTAScanEngine

@Suite struct TLSContextTests {
    @Test func systemDefaultTrustLoads() throws {
        let context = try TLSContext()
        #expect(!context.isServer)
    }

    @Test func missingCAFileIsAnErrorNamingThePath() {
        do {
            _ = try TLSContext(configuration: TLSConfiguration(trustRoots: .pemFile("/nonexistent/ca.pem")))
            Issue.record("no error")
        } catch {
            #expect(error.description.contains("/nonexistent/ca.pem"))
            #expect(!error.errors.isEmpty)
        }
    }

    @Test func aCAFileWithoutCertificatesIsAnError() throws {
        let pki = try TestPKI.shared.get()
        // A key is PEM, but not a trust anchor.
        #expect(throws: OpenSSLError.self) {
            try TLSContext(configuration: TLSConfiguration(trustRoots: .pemFile(pki.good.key)))
        }
    }

    @Test func serverKeyMustMatchItsCertificate() throws {
        let pki = try TestPKI.shared.get()
        do {
            _ = try TLSContext(server: TLSServerConfiguration(certificateChainPath: pki.good.chain,
                                                              privateKeyPath: pki.other.key))
            Issue.record("a mismatched key was accepted")
        } catch {
            #expect(error.operation.contains(pki.other.key))
        }
    }

    @Test func inconsistentVersionBoundsFailTheHandshakeNotTheProcess() throws {
        let pki = try TestPKI.shared.get()
        let pair = try TLSTestPair(pki: pki, certificateChain: pki.good.chain, key: pki.good.key,
                                   client: TLSConfiguration(trustRoots: .pemFile(pki.rootCA),
                                                            minimumVersion: .tls1_3, maximumVersion: .tls1_2))
        guard case .failed(let failure) = pair.client.handshake() else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.reason == .protocol)
    }
}
