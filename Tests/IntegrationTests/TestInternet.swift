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
    }

    static func scenarios() throws -> [Scenario] {
        let url = repositoryRoot.appendingPathComponent("tools/testnet/scenarios.json")
        let catalogue = try JSONParser.parse(Array(try Data(contentsOf: url)))
        return (catalogue["scenarios"]?.arrayValue ?? []).compactMap { scenario in
            guard let name = scenario["name"]?.stringValue, let domain = scenario["domain"]?.stringValue,
                  let expect = scenario["expect"], let dnsPhase = expect["dns_phase"] else { return nil }
            func codes(_ value: JSONValue?) -> Set<String> { Set((value?.arrayValue ?? []).compactMap(\.stringValue)) }
            let alternatives = (dnsPhase["alternatives"]?.arrayValue ?? []).map { codes($0) }
            return Scenario(name: name, domain: domain, dnsPhaseFindings: [codes(dnsPhase["findings"])] + alternatives,
                            verdict: expect["verdict"]?.stringValue ?? "")
        }
    }
}
