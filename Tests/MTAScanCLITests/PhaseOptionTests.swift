import MTAScanCore
import Testing
@testable import mtascan

/// `--phases`: tlsrpt is opt-in, dns always runs, the order is canonical.
struct PhaseOptionTests {
    @Test func tlsrptIsOptIn() throws {
        let scan = try ScanCommand.parse(["list.txt"])
        #expect(scan.phases == [.dns, .policy, .mx])
    }

    @Test func tlsrptCanBeAskedForInAnyOrder() throws {
        #expect(try ScanCommand.parsePhases("tlsrpt,mx,policy") == [.dns, .policy, .mx, .tlsrpt])
        #expect(try ScanCommand.parsePhases("tlsrpt") == [.dns, .tlsrpt])
        #expect(throws: (any Error).self) { try ScanCommand.parsePhases("dns,rua") }
    }
}
