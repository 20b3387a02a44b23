import Foundation
import MTAScanCore

/// The local test internet of tools/testnet, started by tools/test.sh
/// (`MTASCAN_TESTNET=1`). Its scenario catalogue is the single source of truth
/// for what each scenario domain must produce.
enum TestInternet {
    static let resolver = "127.53.0.2"

    static var isRunning: Bool { ProcessInfo.processInfo.environment["MTASCAN_TESTNET"] == "1" }

    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Scenario {
        let name: String
        let domain: String
        /// Acceptable sets of DNS-phase finding codes (the first is the expected one).
        let dnsPhaseFindings: [Set<String>]
        let verdict: String
        /// Finding codes after every phase.
        let findings: Set<String>
        /// Detail fields some finding of each code must carry (`expect.detail`).
        let detail: [String: JSONObject]
    }

    static var caFile: String { repositoryRoot.appendingPathComponent("tools/testnet/run/ca/bundle.pem").path }

    /// The scanner's source address on the test internet: its PTR is scanner.test, which resolves back.
    static let confirmedSource = "127.0.0.10"
    /// A source address whose PTR name does not resolve back to it.
    static let unconfirmedSource = "127.0.0.11"

    /// `scan` flags for the whole test internet: its resolver and CA, the
    /// FCrDNS-confirmed source, limits loose enough for a quick run, and time
    /// limits short enough that the hostile servers end quickly.
    static var scanArguments: [String] {
        ["--resolver", resolver, "--dns-timeout", "1", "--ca-file", caFile, "--source-ip", confirmedSource,
         "--rate-per-ip", "100", "--burst-per-ip", "20", "--connections-per-ip", "20",
         "--connect-timeout", "2", "--policy-timeout", "4", "--smtp-timeout", "4"]
    }

    static func scenarios() throws -> [Scenario] {
        let url = repositoryRoot.appendingPathComponent("tools/testnet/scenarios.json")
        let catalogue = try JSONParser.parse(Array(try Data(contentsOf: url)))
        return (catalogue["scenarios"]?.arrayValue ?? []).compactMap { scenario in
            guard let name = scenario["name"]?.stringValue, let domain = scenario["domain"]?.stringValue,
                  let expect = scenario["expect"], let dnsPhase = expect["dns_phase"] else { return nil }
            func codes(_ value: JSONValue?) -> Set<String> { Set((value?.arrayValue ?? []).compactMap(\.stringValue)) }
            let alternatives = (dnsPhase["alternatives"]?.arrayValue ?? []).map { codes($0) }
            var detail: [String: JSONObject] = [:]
            for (code, fields) in expect["detail"]?.objectValue?.fields ?? [] {
                if let object = fields.objectValue { detail[code] = object }
            }
            return Scenario(name: name, domain: domain, dnsPhaseFindings: [codes(dnsPhase["findings"])] + alternatives,
                            verdict: expect["verdict"]?.stringValue ?? "", findings: codes(expect["findings"]),
                            detail: detail)
        }
    }
}
