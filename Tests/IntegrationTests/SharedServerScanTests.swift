import Foundation
import MTAScanCore
import Testing

/// One probe per shared mail server (issue 14 item 4, docs/probes.md), as the
/// servers saw it: the test internet's shared-server providers
/// (tools/testnet/scenarios.py `SHARED_SERVER_PROVIDERS`) are Postfix services
/// of their own syslog names, so their log counts the connections a scan made.
@Suite(.enabled(if: TestInternet.isRunning && ServerSide.logsAreHere,
                "needs the local test internet started from this checkout: run tools/test.sh"), .serialized)
struct SharedServerScanTests {
    struct Provider {
        let name: String
        let tenantZone: String
        let mxZone: String
        let tenants: Int
        let addresses: [String]

        func domain(_ index: Int) -> String { String(format: "t%04d.", index) + tenantZone }
        func mxHost(_ index: Int) -> String { String(format: "t%04d.mx.", index) + mxZone }
        var service: String { "testnet-postfix-\(name)" }
    }

    static func provider(_ name: String) throws -> Provider {
        let url = TestInternet.repositoryRoot.appendingPathComponent("tools/testnet/scenarios.json")
        let catalogue = try JSONParser.parse(Array(try Data(contentsOf: url)))
        let entry = try #require(catalogue["shared_server_providers"]?.arrayValue?.first { $0["name"]?.stringValue == name })
        return Provider(name: name, tenantZone: entry["tenant_zone"]?.stringValue ?? "", mxZone: entry["mx_zone"]?.stringValue ?? "",
                        tenants: entry["tenants"]?.intValue ?? 0,
                        addresses: (entry["addresses"]?.arrayValue ?? []).compactMap(\.stringValue))
    }

    private struct Scan {
        let records: [JSONValue]
        let metadata: JSONValue
        /// Connections the provider's Postfix logged during the scan.
        let connections: Int
    }

    private func scan(_ provider: Provider, tenants: Int, extra: [String] = [], expectedConnections: Int) throws -> Scan {
        let metadataPath = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-shared-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: metadataPath) }
        let mark = ServerSide.logSize()
        let input = (0..<tenants).map(provider.domain).joined(separator: "\n") + "\n"
        let output = try MTAScanProcess.run(["scan"] + TestInternet.scanArguments
                                            + ["--phases", "dns,mx", "--probe-all-mx", "--metadata", metadataPath] + extra,
                                            stdin: input, timeout: 300)
        #expect(output.status == 0, "\(output.stderr)")
        // Postfix logs through postlogd, a little after the fact.
        let connections = ServerSide.poll({ ServerSide.smtpConnections(toService: provider.service, skip: mark) },
                                          until: { $0 >= expectedConnections })
        Thread.sleep(forTimeInterval: 0.3)  // and nothing more arrives
        return Scan(records: try output.stdoutLines.map { try JSONParser.parse($0) },
                    metadata: try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: metadataPath)))),
                    connections: max(connections, ServerSide.smtpConnections(toService: provider.service, skip: mark)))
    }

    private func probes(_ record: JSONValue) -> [JSONValue] {
        (record["mx"]?["hosts"]?.arrayValue ?? []).flatMap { $0["probes"]?.arrayValue ?? [] }
    }

    /// 1,000 domains, each with its own MX name, on two addresses whose one
    /// certificate does not depend on SNI: two connections per address (the
    /// first name and the SNI check), and every name judged for itself.
    @Test func aThousandTenantNamesOnTwoAddressesCostTwoProbesPerAddress() throws {
        let provider = try Self.provider("sharedcert")
        #expect(provider.tenants == 1000 && provider.addresses.count == 2)
        let result = try scan(provider, tenants: provider.tenants, expectedConnections: 4)
        #expect(result.connections == 2 * provider.addresses.count)
        #expect(result.records.count == provider.tenants)
        var shared = 0
        for record in result.records {
            // Records come as domains complete: the input line says which tenant.
            let index = (record["input_line"]?.intValue ?? 0) - 1
            #expect(record["domain"]?.stringValue == provider.domain(index))
            let probes = probes(record)
            #expect(probes.count == provider.addresses.count)
            for probe in probes {
                #expect(probe["result"] == "ok")
                #expect(probe["tls"]?["checked_name"]?.stringValue == provider.mxHost(index))
                #expect(probe["tls"]?["pkix_valid"] == true)
                if let origin = probe["shared_from"]?.objectValue {
                    shared += 1
                    #expect(origin["sni_check_name"] == "sni-check.mtascan.invalid")
                    #expect(origin["host"]?.stringValue != provider.mxHost(index))
                }
            }
            #expect(record["mx"]?["hosts"]?.arrayValue?.first?["pkix_valid"] == true)
        }
        #expect(shared == provider.tenants * provider.addresses.count - provider.addresses.count)
        let counted = result.metadata["options"]?["probes"]
        #expect(counted?["mx_probes"] == 4)
        #expect(counted?["sni_checks"] == 2)
        #expect(counted?["mx_shared_answers"] == .int(shared))
        #expect(result.metadata["options"]?["share_probes_across_names"] == true)
    }

    /// A server that chooses each name's certificate by SNI sends another one
    /// to the SNI check: every name is probed itself.
    @Test func aServerThatChoosesItsCertificateBySNIIsProbedPerName() throws {
        let provider = try Self.provider("snicert")
        let result = try scan(provider, tenants: provider.tenants, expectedConnections: provider.tenants + 1)
        #expect(result.connections == provider.tenants + 1)
        #expect(result.records.count == provider.tenants)
        for record in result.records {
            let index = (record["input_line"]?.intValue ?? 0) - 1
            for probe in probes(record) {
                #expect(probe["shared_from"] == .null)
                #expect(probe["tls"]?["matched_name"]?.stringValue == provider.mxHost(index))
            }
        }
        #expect(result.metadata["options"]?["probes"]?["mx_shared_answers"] == 0)
    }

    /// `--probe-every-name`: the old way, one connection per name and address.
    @Test func probeEveryNameProbesEveryNameAtEveryAddress() throws {
        let provider = try Self.provider("sharedcert")
        let tenants = 40
        let result = try scan(provider, tenants: tenants, extra: ["--probe-every-name"],
                              expectedConnections: tenants * provider.addresses.count)
        #expect(result.connections == tenants * provider.addresses.count)
        #expect(result.records.allSatisfy { record in probes(record).allSatisfy { $0["shared_from"] == .null } })
        #expect(result.metadata["options"]?["share_probes_across_names"] == false)
    }
}
