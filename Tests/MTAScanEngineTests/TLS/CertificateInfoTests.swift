import Foundation
import MTAScanCore
import Testing
@testable import MTAScanEngine

@Suite struct CertificateInfoTests {
    let pki: TestPKI

    init() throws { pki = try TestPKI.shared.get() }

    private func certificate(_ leaf: TestPKI.Leaf, serverName: String = TestPKI.host) throws -> CertificateInfo {
        let pair = try TLSTestPair(pki: pki, leaf: leaf, serverName: serverName)
        return try #require(pair.completedOutcome()?.peerCertificate)
    }

    /// `openssl x509 -noout -fingerprint -sha256` of a PEM file, as lower-case hex.
    private func opensslFingerprint(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let hex = text.split(separator: "=").last.map(String.init) ?? ""
        return hex.filter { $0.isHexDigit }.lowercased()
    }

    @Test func leafFieldsOfAnECCertificate() throws {
        let info = try certificate(pki.good)
        #expect(info.subject == "CN=mta-sts.example.test")
        #expect(info.issuer == "O=mtascan tests,CN=mtascan Test Intermediate")
        #expect(info.dnsNames == ["mta-sts.example.test", "*.mx.example.test"])
        #expect(info.keyType == "EC")
        #expect(info.keyBits == 256)
        #expect(info.keyCurve == "prime256v1")
        #expect(info.signatureAlgorithm == "ecdsa-with-SHA256")
        #expect(info.chainLength == 2)
        #expect(info.sha256Fingerprint.count == 64)
        #expect(info.sha256Fingerprint == (try opensslFingerprint(pki.good.leafOnly)))
        // `openssl ca -days 30`: valid from about now, for 30 days.
        let now = Int64(Date().timeIntervalSince1970)
        let notBefore = try #require(info.notBefore)
        let notAfter = try #require(info.notAfter)
        #expect(abs(notBefore - now) < 3_600)
        #expect(notAfter - notBefore == 30 * 86_400)
    }

    @Test func validityDatesAsSet() throws {
        let expired = try certificate(pki.expired)
        #expect(expired.notBefore == 1_577_836_800)  // 2020-01-01T00:00:00Z
        #expect(expired.notAfter == 1_609_459_200)  // 2021-01-01T00:00:00Z
        let future = try certificate(pki.notYetValid)
        #expect(future.notBefore == 2_208_988_800)  // 2040-01-01T00:00:00Z
    }

    @Test func rsaKeyTypeAndSize() throws {
        let info = try certificate(pki.rsa, serverName: "rsa.example.test")
        #expect(info.keyType == "RSA")
        #expect(info.keyBits == 2048)
        #expect(info.keyCurve == nil)
    }

    @Test func jsonHasSnakeCaseKeysInOrder() throws {
        let info = try certificate(pki.expired)
        let json = info.json()
        let object = try #require(json.objectValue)
        #expect(object.keys == [
            "subject", "issuer", "san_dns_names", "san_dns_names_total", "not_before", "not_before_unix", "not_after", "not_after_unix",
            "key_type", "key_bits", "key_curve", "signature_algorithm", "sha256_fingerprint", "chain_length",
        ])
        #expect(json["not_before"] == "2020-01-01T00:00:00Z")
        #expect(json["not_after_unix"] == 1_609_459_200)
        #expect(json["san_dns_names"] == ["mta-sts.example.test", "*.mx.example.test"])
        #expect(json["chain_length"] == 2)
    }

    @Test func jsonCapsHugeSANListsAndReportsTheTotal() {
        let names = (0..<250).map { "host\($0).example.test" }
        let info = CertificateInfo(subject: "", issuer: "", dnsNames: names, notBefore: nil, notAfter: nil,
                                   keyType: "EC", keyBits: 256, keyCurve: nil, signatureAlgorithm: "",
                                   sha256Fingerprint: "", chainLength: 1)
        let json = info.json()
        #expect(json["san_dns_names"]?.arrayValue?.count == CertificateInfo.maxDNSNamesInJSON)
        #expect(json["san_dns_names_total"] == 250)
        #expect(json["not_before"] == .null)
        #expect(json["key_curve"] == .null)
    }
}
