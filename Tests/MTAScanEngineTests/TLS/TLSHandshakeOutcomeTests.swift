import MTAScanCore
import Testing
@testable import MTAScanEngine

@Suite struct TLSHandshakeOutcomeTests {
    private let certificate = CertificateInfo(
        subject: "CN=mx.example.com", issuer: "CN=Example CA", dnsNames: ["mx.example.com"], notBefore: 0,
        notAfter: 86_400, keyType: "EC", keyBits: 256, keyCurve: "prime256v1",
        signatureAlgorithm: "ecdsa-with-SHA256", sha256Fingerprint: "ab", chainLength: 1)

    @Test func validOutcomeJSON() {
        let outcome = TLSHandshakeOutcome(version: .tls1_3, cipher: "TLS_AES_128_GCM_SHA256",
                                          peerCertificate: certificate, checkedName: "mx.example.com",
                                          matchedName: "mx.example.com", verificationFailures: [])
        #expect(outcome.isPKIXValid)
        #expect(outcome.failureDetails == nil)
        let json = outcome.json()
        #expect(json.objectValue?.keys == ["version", "cipher", "pkix_valid", "checked_name", "matched_name",
                                           "failures", "certificate"])
        #expect(json["failures"] == .array([]))
        #expect(json["version"] == "TLSv1.3")
        #expect(json["pkix_valid"] == true)
        #expect(json["certificate"]?["subject"] == "CN=mx.example.com")
    }

    @Test func failureDetailsNameThePrimaryReasonAndListAll() {
        let outcome = TLSHandshakeOutcome(
            version: .tls1_2, cipher: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", peerCertificate: certificate,
            checkedName: "mail.example.org", matchedName: nil,
            verificationFailures: [
                TLSVerificationFailure(reason: .selfSigned, verifyError: 18, message: "self-signed certificate",
                                       depth: 0),
                TLSVerificationFailure(reason: .nameMismatch, message: "no match", depth: 0),
            ])
        #expect(!outcome.isPKIXValid)
        #expect(outcome.failureDetails == [
            "reason": "self-signed", "reasons": ["self-signed", "name-mismatch"], "error": "self-signed certificate",
            "verify_error": 18, "depth": 0, "presented_names": ["mx.example.com"],
        ])
        #expect(outcome.json()["failures"]?.arrayValue?.count == 2)
        #expect(outcome.json()["pkix_valid"] == false)
    }

    @Test func noCertificateIsNeverValid() {
        let outcome = TLSHandshakeOutcome(version: .tls1_3, cipher: "", peerCertificate: nil, checkedName: nil,
                                          matchedName: nil, verificationFailures: [])
        #expect(!outcome.isPKIXValid)
    }

    @Test func reasonsAreTheStableVocabulary() {
        #expect(TLSFailureReason.allCases.map(\.rawValue) == [
            "name-mismatch", "expired", "not-yet-valid", "self-signed", "untrusted", "incomplete-chain", "alert",
            "protocol",
        ])
    }

    @Test func versionAndAlertNames() {
        #expect([TLSVersion.tls1_0, .tls1_1, .tls1_2, .tls1_3].map(\.name) == ["TLSv1.0", "TLSv1.1", "TLSv1.2",
                                                                             "TLSv1.3"])
        #expect(TLSVersion(wireValue: 0x0300).name == "SSLv3")
        #expect(TLSVersion(wireValue: 0x7f1c).name == "0x7f1c")
        #expect(TLSVersion.tls1_0 < .tls1_3)
        #expect(TLSAlert(code: 112).name == "unrecognized_name")
        #expect(TLSAlert(code: 40).name == "handshake_failure")
        #expect(TLSAlert(code: 0).name == "close_notify")
        #expect(TLSAlert(code: 200).name == "alert_200")
    }
}

/// A handshake judged offline for another name (shared-server probes): the
/// chain's failures stay, the name check is made again, DANE is dropped.
@Suite struct TLSHandshakeOutcomeJudgedForNameTests {
    private func outcome(names: [String], checked: String, chainFailures: [TLSVerificationFailure] = [])
        -> TLSHandshakeOutcome
    {
        let certificate = CertificateInfo(
            subject: "CN=x", issuer: "CN=CA", dnsNames: names, notBefore: 0, notAfter: 1, keyType: "EC", keyBits: 256,
            keyCurve: nil, signatureAlgorithm: "ecdsa-with-SHA256", sha256Fingerprint: "cd", chainLength: 2)
        let check = TLSHandshakeOutcome.nameCheck(certificate, host: checked)
        return TLSHandshakeOutcome(version: .tls1_3, cipher: "TLS_AES_256_GCM_SHA384", peerCertificate: certificate,
                                   checkedName: checked, matchedName: check.matched,
                                   verificationFailures: TLSHandshakeOutcome.ordered(chainFailures + [check.failure].compactMap { $0 }),
                                   dane: DANEVerification(result: .verified, matched: nil, depth: 0))
    }

    @Test func aWildcardCoversAnotherTenantName() {
        let judged = outcome(names: ["*.mx.provider.example"], checked: "a.mx.provider.example")
            .judged(forName: "b.mx.provider.example")
        #expect(judged.checkedName == "b.mx.provider.example")
        #expect(judged.matchedName == "*.mx.provider.example")
        #expect(judged.isPKIXValid)
        #expect(judged.dane == nil)
    }

    @Test func aNameTheCertificateLacksIsAMismatchAndTheChainFailuresStay() {
        let expired = TLSVerificationFailure(reason: .expired, verifyError: 10, message: "certificate has expired", depth: 0)
        let judged = outcome(names: ["a.mx.provider.example"], checked: "a.mx.provider.example", chainFailures: [expired])
            .judged(forName: "b.mx.provider.example")
        #expect(judged.matchedName == nil)
        #expect(judged.verificationFailures.map(\.reason) == [.nameMismatch, .expired])  // by priority
        #expect(judged.failureDetails?["presented_names"] == ["a.mx.provider.example"])
    }

    @Test func aMismatchOfTheProbedNameGoesWhenTheOtherNameMatches() {
        let judged = outcome(names: ["b.mx.provider.example"], checked: "a.mx.provider.example")
            .judged(forName: "B.MX.provider.example")
        #expect(judged.verificationFailures.isEmpty)
        #expect(judged.matchedName == "b.mx.provider.example")
    }
}
