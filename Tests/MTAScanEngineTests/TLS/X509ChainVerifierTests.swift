import Foundation
import Testing
@testable import MTAScanEngine

/// Every verification reason of `policy-tls` / `mx-tls`, from a real handshake
/// against a server presenting the certificate in question.
@Suite struct X509ChainVerifierTests {
    let pki: TestPKI

    init() throws { pki = try TestPKI.shared.get() }

    private func outcome(_ leaf: TestPKI.Leaf, sendIntermediate: Bool = true, serverName: String? = TestPKI.host,
                         trust: String? = nil) throws -> TLSHandshakeOutcome {
        let pair = try TLSTestPair(pki: pki, leaf: leaf, sendIntermediate: sendIntermediate, serverName: serverName,
                                   trust: trust)
        return try #require(pair.completedOutcome())
    }

    private func reasons(_ outcome: TLSHandshakeOutcome) -> [TLSFailureReason] {
        outcome.verificationFailures.map(\.reason)
    }

    @Test func goodChainVerifiesAndMatchesTheName() throws {
        let outcome = try outcome(pki.good)
        #expect(outcome.verificationFailures == [])
        #expect(outcome.isPKIXValid)
        #expect(outcome.checkedName == TestPKI.host)
        #expect(outcome.matchedName == TestPKI.host)
        #expect(outcome.failureDetails == nil)
    }

    @Test func wildcardMatchesOneLabelOnly() throws {
        let one = try outcome(pki.good, serverName: "mail.mx.example.test")
        #expect(one.isPKIXValid)
        #expect(one.matchedName == "*.mx.example.test")
        let two = try outcome(pki.good, serverName: "a.mail.mx.example.test")
        #expect(reasons(two) == [.nameMismatch])
        let bare = try outcome(pki.good, serverName: "mx.example.test")
        #expect(reasons(bare) == [.nameMismatch])
    }

    @Test func absoluteNameWithTrailingDotMatches() throws {
        let outcome = try outcome(pki.good, serverName: "mta-sts.example.test.")
        #expect(outcome.isPKIXValid)
    }

    @Test func nameMismatchListsThePresentedNames() throws {
        let outcome = try outcome(pki.good, serverName: "mta-sts.example.org")
        #expect(reasons(outcome) == [.nameMismatch])
        #expect(outcome.matchedName == nil)
        let details = try #require(outcome.failureDetails)
        #expect(details["reason"] == "name-mismatch")
        #expect(details["presented_names"] == ["mta-sts.example.test", "*.mx.example.test"])
        #expect(details["verify_error"] == nil)
    }

    @Test func withoutANameOnlyTheChainIsChecked() throws {
        let outcome = try outcome(pki.good, serverName: nil)
        #expect(outcome.isPKIXValid)
        #expect(outcome.checkedName == nil)
        #expect(outcome.matchedName == nil)
    }

    @Test func expired() throws {
        let outcome = try outcome(pki.expired)
        #expect(reasons(outcome) == [.expired])
        let failure = try #require(outcome.primaryFailure)
        #expect(failure.verifyError == 10)  // X509_V_ERR_CERT_HAS_EXPIRED
        #expect(failure.depth == 0)
        #expect(failure.message == "certificate has expired")
    }

    @Test func notYetValid() throws {
        let outcome = try outcome(pki.notYetValid)
        #expect(reasons(outcome) == [.notYetValid])
        #expect(outcome.primaryFailure?.verifyError == 9)  // X509_V_ERR_CERT_NOT_YET_VALID
    }

    @Test func selfSigned() throws {
        let outcome = try outcome(pki.selfSigned)
        #expect(reasons(outcome) == [.selfSigned])
        #expect(outcome.primaryFailure?.verifyError == 18)  // X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
        #expect(outcome.peerCertificate?.chainLength == 1)
    }

    @Test func selfSignedForAnotherNameReportsBothTrustFirst() throws {
        let outcome = try outcome(pki.selfSigned, serverName: "mx.example.org")
        #expect(reasons(outcome) == [.selfSigned, .nameMismatch])
        #expect(outcome.failureDetails?["reasons"] == ["self-signed", "name-mismatch"])
    }

    @Test func untrustedWhenTheChainEndsAtAnUnknownRoot() throws {
        // The server sends its leaf and intermediate; the intermediate's root is
        // not a trust anchor.
        let outcome = try outcome(pki.other)
        #expect(reasons(outcome) == [.untrusted])
        #expect(outcome.primaryFailure?.verifyError == 20)  // X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
        #expect(outcome.primaryFailure?.depth == 1)
        #expect(outcome.peerCertificate?.chainLength == 2)
    }

    @Test func theSameChainVerifiesWithItsOwnRoot() throws {
        let outcome = try outcome(pki.other, trust: pki.otherRootCA)
        #expect(outcome.isPKIXValid)
    }

    /// Issue 13 item 6: error 19 (the chain ends in an untrusted self-signed
    /// root) is `untrusted`; only a self-signed leaf (18) is `self-signed`.
    @Test func selfSignedRootSentInTheChainIsUntrusted() throws {
        // A private CA's server that sends its own root along.
        let chain = pki.directory + "/other-with-root.pem"
        let text = try [pki.other.chain, pki.otherRootCA].map { try String(contentsOfFile: $0, encoding: .utf8) }
        try text.joined().write(toFile: chain, atomically: true, encoding: .utf8)
        let pair = try TLSTestPair(pki: pki, certificateChain: chain, key: pki.other.key)
        let outcome = try #require(pair.completedOutcome())
        #expect(reasons(outcome) == [.untrusted])
        #expect(outcome.primaryFailure?.verifyError == 19)  // X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
        #expect(outcome.peerCertificate?.chainLength == 3)
    }

    @Test func incompleteChainWhenTheIntermediateIsMissing() throws {
        let outcome = try outcome(pki.good, sendIntermediate: false)
        #expect(reasons(outcome) == [.incompleteChain])
        #expect(outcome.primaryFailure?.depth == 0)
        #expect(outcome.peerCertificate?.chainLength == 1)
    }

    @Test func expiredAndIncompleteReportsBoth() throws {
        let outcome = try outcome(pki.expired, sendIntermediate: false)
        #expect(reasons(outcome) == [.incompleteChain, .expired])
    }

    @Test func systemTrustStoreDoesNotTrustTheTestCA() throws {
        let pair = try TLSTestPair(pki: pki, certificateChain: pki.good.chain, key: pki.good.key,
                                   client: TLSConfiguration(trustRoots: .systemDefault))
        let outcome = try #require(pair.completedOutcome())
        #expect(reasons(outcome) == [.untrusted])
    }

    @Test func missingIssuerCodesDependOnWhetherTheLeafIssuerWasSent() {
        for code: Int32 in [2, 20, 21] {
            #expect(X509ChainVerifier.reason(for: code, leafIssuerSent: false) == .incompleteChain)
            #expect(X509ChainVerifier.reason(for: code, leafIssuerSent: true) == .untrusted)
        }
        #expect(X509ChainVerifier.reason(for: 9, leafIssuerSent: true) == .notYetValid)
        #expect(X509ChainVerifier.reason(for: 10, leafIssuerSent: true) == .expired)
        #expect(X509ChainVerifier.reason(for: 18, leafIssuerSent: false) == .selfSigned)
        // Issue 13 item 6: a chain ending in an untrusted self-signed root is untrusted, not self-signed.
        #expect(X509ChainVerifier.reason(for: 19, leafIssuerSent: true) == .untrusted)
        #expect(X509ChainVerifier.reason(for: 19, leafIssuerSent: false) == .untrusted)
        // Everything else: untrusted, with the code kept in the failure.
        for code: Int32 in [7, 24, 26, 67, 68, 79] {
            #expect(X509ChainVerifier.reason(for: code, leafIssuerSent: true) == .untrusted)
        }
    }
}

/// A chain met again on the same context is answered from its cache, with
/// what verifying it afresh says; a result that depends on the time is not kept.
@Suite struct VerifiedChainReuseTests {
    let pki: TestPKI

    init() throws { pki = try TestPKI.shared.get() }

    private func outcome(_ leaf: TestPKI.Leaf, on context: TLSContext, sendIntermediate: Bool = true,
                         serverName: String = TestPKI.host) throws -> TLSHandshakeOutcome {
        let pair = try TLSTestPair(pki: pki, leaf: leaf, sendIntermediate: sendIntermediate, serverName: serverName,
                                   clientContext: context)
        return try #require(pair.completedOutcome())
    }

    private func context() throws -> TLSContext {
        try TLSContext(configuration: TLSConfiguration(trustRoots: .pemFile(pki.rootCA)))
    }

    @Test func aGoodChainIsVerifiedOnceAndItsNameCheckedEachTime() throws {
        let context = try context()
        let first = try outcome(pki.good, on: context)
        #expect(first.isPKIXValid)
        #expect(context.verifiedChains.count == 1)
        #expect(context.verifiedChains.hits == 0)
        // Another name on the same chain: the chain comes from the cache, the name check does not.
        let second = try outcome(pki.good, on: context, serverName: "mta-sts.example.org")
        #expect(context.verifiedChains.hits == 1)
        #expect(second.verificationFailures.map(\.reason) == [.nameMismatch])
        let third = try outcome(pki.good, on: context)
        #expect(context.verifiedChains.hits == 2)
        #expect(third.verificationFailures == first.verificationFailures)
        #expect(third.peerCertificate == first.peerCertificate)
        #expect(context.certificateInfos.count == 1)
        // The leaf alone: its fields come from the cache, its chain length is this handshake's.
        let alone = try outcome(pki.good, on: context, sendIntermediate: false)
        #expect(context.certificateInfos.count == 1)
        #expect(alone.peerCertificate?.chainLength == 1)
        #expect(first.peerCertificate?.chainLength == 2)
        #expect(alone.peerCertificate?.sha256Fingerprint == first.peerCertificate?.sha256Fingerprint)
        #expect(alone.peerCertificate?.dnsNames == first.peerCertificate?.dnsNames)
    }

    @Test func failuresAreKeptWithTheirCodesAndDepths() throws {
        let context = try context()
        for leaf in [pki.selfSigned, pki.other] {
            let fresh = try outcome(leaf, on: context)
            let cached = try outcome(leaf, on: context)
            #expect(!fresh.isPKIXValid)
            #expect(cached.verificationFailures == fresh.verificationFailures)
        }
        #expect(context.verifiedChains.hits == 2)
        // The same leaf without its intermediate is another chain, with another verdict.
        let incomplete = try outcome(pki.good, on: context, sendIntermediate: false)
        #expect(incomplete.verificationFailures.map(\.reason) == [.incompleteChain])
        #expect(context.verifiedChains.hits == 2)
    }

    /// A certificate with more names than the cache keeps is read again each
    /// time (a hostile one must not fill memory); its chain is still cached.
    @Test func aCertificateWithHugeNameListsIsReadAgainEachTime() throws {
        let context = try context()
        let first = try outcome(pki.manyNames, on: context)
        let second = try outcome(pki.manyNames, on: context)
        #expect(first.isPKIXValid)
        #expect(first.peerCertificate?.dnsNames.count == 702)
        #expect(second.peerCertificate == first.peerCertificate)
        #expect(context.certificateInfos.count == 0)
        #expect(context.verifiedChains.hits == 1)
    }

    @Test func aResultThatDependsOnTheTimeIsNotKept() throws {
        let context = try context()
        for leaf in [pki.expired, pki.notYetValid] {
            let fresh = try outcome(leaf, on: context)
            let again = try outcome(leaf, on: context)
            #expect(!fresh.isPKIXValid)
            #expect(again.verificationFailures == fresh.verificationFailures)
        }
        #expect(context.verifiedChains.count == 0)
        #expect(context.verifiedChains.hits == 0)
    }
}
