import Foundation
import MTAScanCore
import Testing
@testable import MTAScanEngine

/// DANE (RFC 7672) in the same handshake as PKIX: TLSA records handed to the
/// client session are checked by OpenSSL's DANE verifier, and the PKIX outcome
/// stays as it was (a DANE sender and an MTA-STS sender judge independently).
@Suite struct TLSDANETests {
    let pki: TestPKI

    init() throws { pki = try TestPKI.shared.get() }

    /// `openssl` prints the digest of a certificate's SPKI or of the whole certificate (DER).
    private func sha256(of pem: String, spki: Bool) throws -> String {
        let script = spki
            ? "openssl x509 -in '\(pem)' -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -r"
            : "openssl x509 -in '\(pem)' -outform DER | openssl dgst -sha256 -r"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return String(text.prefix(64))
    }

    private func outcome(_ leaf: TestPKI.Leaf, records: [TLSARecordValue],
                         serverName: String = TestPKI.host) throws -> TLSHandshakeOutcome? {
        let pair = try TLSTestPair(pki: pki, leaf: leaf, serverName: serverName)
        #expect(pair.client.enableDANE(baseDomain: serverName, records: records) == records.count)
        return pair.completedOutcome()
    }

    @Test func daneEEMatchesTheLeafKey() throws {
        let digest = try sha256(of: pki.good.leafOnly, spki: true)
        let record = TLSARecordValue(usage: 3, selector: 1, matchingType: 1, data: digest)
        let result = try #require(try outcome(pki.good, records: [record]))
        #expect(result.dane == DANEVerification(result: .verified, matched: record, depth: 0))
        #expect(result.isPKIXValid)
    }

    @Test func aWrongDigestIsAMismatchAndPKIXStands() throws {
        let record = TLSARecordValue(usage: 3, selector: 1, matchingType: 1, data: String(repeating: "00", count: 32))
        let result = try #require(try outcome(pki.good, records: [record]))
        #expect(result.dane?.result == .mismatch)
        #expect(result.dane?.verifyError == 65)  // X509_V_ERR_DANE_NO_MATCH
        #expect(result.isPKIXValid)
    }

    /// DANE-EE binds the key, not names or dates (RFC 7672 §3.1.1): an expired
    /// or self-signed leaf passes DANE while PKIX fails it.
    @Test func daneEEIgnoresDatesAndIssuers() throws {
        for leaf in [pki.expired, pki.selfSigned] {
            let digest = try sha256(of: leaf.leafOnly, spki: true)
            let result = try #require(try outcome(leaf, records: [TLSARecordValue(usage: 3, selector: 1, matchingType: 1,
                                                                               data: digest)]))
            #expect(result.dane?.result == .verified)
            #expect(!result.isPKIXValid)
        }
    }

    /// DANE-TA: the issuing CA's certificate, sent in the chain, is the trust
    /// anchor; the leaf must then name the host (RFC 7672 §3.2.2).
    @Test func daneTAMatchesTheIssuerAndChecksTheName() throws {
        let intermediate = pki.directory + "/test-intermediate.pem"
        let digest = try sha256(of: intermediate, spki: false)
        let record = TLSARecordValue(usage: 2, selector: 0, matchingType: 1, data: digest)
        let result = try #require(try outcome(pki.good, records: [record]))
        #expect(result.dane?.result == .verified)
        #expect(result.dane?.depth == 1)
        let otherName = try #require(try outcome(pki.good, records: [record], serverName: "mx.other.test"))
        #expect(otherName.dane?.result == .mismatch)
    }

    @Test func withoutRecordsThereIsNoDANEResult() throws {
        let pair = try TLSTestPair(pki: pki, leaf: pki.good)
        #expect(pair.client.enableDANE(baseDomain: TestPKI.host, records: []) == 0)
        #expect(pair.completedOutcome()?.dane == nil)
    }
}

@Suite struct TLSAUsabilityTests {
    @Test func onlyDANETAAndDANEEEWithKnownParametersAreUsable() {
        let digest = String(repeating: "ab", count: 32)
        #expect(TLSAUsability.isUsable(.init(usage: 3, selector: 1, matchingType: 1, data: digest)))
        #expect(TLSAUsability.isUsable(.init(usage: 2, selector: 0, matchingType: 2, data: digest + digest)))
        #expect(TLSAUsability.isUsable(.init(usage: 3, selector: 0, matchingType: 0, data: "3082")))
        #expect(TLSAUsability.reasonUnusable(.init(usage: 1, selector: 1, matchingType: 1, data: digest)) == "pkix-usage")
        #expect(TLSAUsability.reasonUnusable(.init(usage: 0, selector: 0, matchingType: 1, data: digest)) == "pkix-usage")
        #expect(TLSAUsability.reasonUnusable(.init(usage: 4, selector: 1, matchingType: 1, data: digest)) == "unknown-usage")
        #expect(TLSAUsability.reasonUnusable(.init(usage: 3, selector: 2, matchingType: 1, data: digest)) == "unknown-selector")
        #expect(TLSAUsability.reasonUnusable(.init(usage: 3, selector: 1, matchingType: 3, data: digest)) == "unknown-matching-type")
        #expect(TLSAUsability.reasonUnusable(.init(usage: 3, selector: 1, matchingType: 1, data: "abcd")) == "digest-length")
        #expect(TLSAUsability.reasonUnusable(.init(usage: 3, selector: 1, matchingType: 0, data: "")) == "empty-data")
    }

    @Test func hexDecodes() {
        #expect(Hex.decode("00ffA0") == [0, 255, 160])
        #expect(Hex.decode("") == [])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}
