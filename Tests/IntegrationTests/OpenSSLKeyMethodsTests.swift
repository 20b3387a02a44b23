import Foundation
import MTAScanCore
import Testing

/// On OpenSSL 3.0 the scanner decodes and uses RSA and EC keys through
/// OpenSSL's built-in methods instead of a provider decoder per certificate
/// (`Sources/CMTAScanShims/legacy_keys.c`): the same arithmetic by another
/// path, for a quarter less CPU per handshake. It must change nothing a scan
/// observes. Every scenario with a certificate to look at is scanned both
/// ways through the real binary, and what each handshake recorded (version,
/// cipher, verification failures with their codes and depths, the
/// certificate's fields) must be the same, as must the verdicts and findings.
@Suite(.enabled(if: TestInternet.isRunning, "needs the local test internet: run tools/test.sh"), .serialized)
struct OpenSSLKeyMethodsTests {
    /// Scenarios whose name says they are about TLS, certificates or DANE, and a valid one.
    private static func certificateScenarios() throws -> [String] {
        let words = ["tls", "cert", "dane", "chain", "sni", "valid"]
        return try TestInternet.scenarios().map(\.domain).filter { domain in words.contains { domain.contains($0) } }
    }

    private static func scan(_ domains: [String], providerKeys: Bool) throws -> [String: JSONValue] {
        let output = try MTAScanProcess.run(
            ["scan"] + TestInternet.scanArguments + ["--dane"], stdin: domains.joined(separator: "\n") + "\n",
            timeout: 300, environment: providerKeys ? ["MTASCAN_OPENSSL_PROVIDER_KEYS": "1"] : [:])
        #expect(output.status == 0, "\(output.stderr)")
        var records: [String: JSONValue] = [:]
        for line in output.stdoutLines {
            let record = try JSONParser.parse(line)
            records[record["domain"]?.stringValue ?? ""] = record
        }
        return records
    }

    /// What a handshake recorded, wherever it is in the record (the policy
    /// fetch's, each MX probe's), in record order.
    private static func handshakes(in value: JSONValue?) -> [JSONValue] {
        guard let value else { return [] }
        if let object = value.objectValue {
            var found: [JSONValue] = []
            for (key, field) in object.fields {
                if key == "tls" { found.append(field) } else { found += handshakes(in: field) }
            }
            return found
        }
        return (value.arrayValue ?? []).flatMap { handshakes(in: $0) }
    }

    /// Finding codes with their reasons and verification errors: what a report tallies.
    private static func findingSummary(_ record: JSONValue?) -> [String] {
        (record?["findings"]?.arrayValue ?? []).map { finding in
            ["code", "reason", "verify_error", "mx_host"].map { finding[$0].map { "\($0)" } ?? "-" }.joined(separator: " ")
        }.sorted()
    }

    /// The switch works: this machine's OpenSSL 3.0 takes the built-in path
    /// unless told not to, so the comparison below compares two paths.
    @Test func versionSaysWhichPathKeysTake() throws {
        let builtin = try MTAScanProcess.run(["version"])
        let provider = try MTAScanProcess.run(["version"], environment: ["MTASCAN_OPENSSL_PROVIDER_KEYS": "1"])
        let openssl = builtin.stdoutLines.first { $0.hasPrefix("OpenSSL ") } ?? ""
        try #require(openssl.hasPrefix("OpenSSL 3.0."), "the built-in path is only for OpenSSL 3.0: \(openssl)")
        #expect(builtin.stdoutLines.contains("openssl keys builtin"))
        #expect(provider.stdoutLines.contains("openssl keys provider"))
    }

    @Test func builtinKeyMethodsObserveWhatProviderDecodingObserves() throws {
        let domains = try Self.certificateScenarios()
        try #require(domains.count > 30, "the catalogue should have dozens of certificate scenarios")
        let builtin = try Self.scan(domains, providerKeys: false)
        let provider = try Self.scan(domains, providerKeys: true)
        #expect(builtin.count == domains.count)
        #expect(provider.count == domains.count)
        var handshakesCompared = 0
        var certificatesCompared = 0
        for domain in domains {
            let ours = builtin[domain], theirs = provider[domain]
            #expect(ours?["verdict"] == theirs?["verdict"], "\(domain)")
            #expect(Self.findingSummary(ours) == Self.findingSummary(theirs), "\(domain)")
            let left = Self.handshakes(in: ours), right = Self.handshakes(in: theirs)
            #expect(left.count == right.count, "\(domain)")
            for (a, b) in zip(left, right) {
                #expect(a == b, "\(domain): \(a) vs \(b)")
                handshakesCompared += 1
                if a["certificate"] != nil { certificatesCompared += 1 }
            }
        }
        #expect(handshakesCompared > 50)
        #expect(certificatesCompared > 40)
    }
}
