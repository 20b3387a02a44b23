import Testing
@testable import MTAScanCore

@Suite struct StalePolicyTests {
    private func pattern(_ text: String) -> MXPattern {
        guard case .success(let pattern) = MXPattern.parse(text) else { fatalError("bad test pattern \(text)") }
        return pattern
    }

    private let mismatch = Finding(.mxPatternMismatch, ["kind": "complete", "scope": "all", "mx_host": "mx.new-provider.net"])

    @Test func aPatternThatMatchedAnEarlierMXHostIsStale() throws {
        var previous = PreviousScan(scannedAt: "2026-06-01T00:00:00Z")
        previous.add(.object(["domain": "Example.COM", "sts_record": .object(["status": "valid"]),
                              "mx": .object(["hosts": [.object(["host": "mx1.old-provider.net"])]])]))
        #expect(previous.count == 1)
        let annotated = StalePolicy.annotate(
            [mismatch, Finding(.policyMaxAgeShort)], patterns: [pattern("*.old-provider.net")],
            currentHosts: ["mx.new-provider.net"], previous: previous.entry(for: "example.com"),
            scannedAt: previous.scannedAt)
        let stale = try #require(annotated.first)
        #expect(stale[detail: "stale"] == true)
        #expect(stale[detail: "old_host"] == "mx1.old-provider.net")
        #expect(stale[detail: "old_pattern"] == "*.old-provider.net")
        #expect(stale[detail: "old_scan"] == "2026-06-01T00:00:00Z")
        #expect(annotated[1] == Finding(.policyMaxAgeShort), "other findings are left alone")
    }

    @Test func neverMatchedOrNoHistoryIsNotStale() throws {
        let old = PreviousScan.Entry(mxHosts: ["mx.elsewhere.org"])
        let never = StalePolicy.annotate([mismatch], patterns: [pattern("mx.typo-provider.net")],
                                         currentHosts: ["mx.new-provider.net"], previous: old, scannedAt: nil)
        #expect(never.first?[detail: "stale"] == false)
        #expect(never.first?[detail: "old_host"] == nil)
        let unknown = StalePolicy.annotate([mismatch], patterns: [pattern("*.old-provider.net")],
                                           currentHosts: ["mx.new-provider.net"], previous: nil, scannedAt: nil)
        #expect(unknown.first?[detail: "stale"] == false)
        // A pattern that still matches a current host is not the stale one.
        let stillUsed = StalePolicy.annotate([mismatch], patterns: [pattern("*.new-provider.net")],
                                             currentHosts: ["mx.new-provider.net", "backup.other.net"],
                                             previous: PreviousScan.Entry(mxHosts: ["mx.new-provider.net"]), scannedAt: nil)
        #expect(stillUsed.first?[detail: "stale"] == false)
    }

    @Test func onlyDomainsWithAnMTASTSRecordAreKept() {
        var previous = PreviousScan()
        previous.add(.object(["domain": "plain.example", "sts_record": .object(["status": "absent"]),
                              "mx": .object(["hosts": [.object(["host": "mx.plain.example"])]])]))
        previous.add(.object(["domain": "bad.example", "input_error": .object(["reason": "empty-label"])]))
        #expect(previous.count == 0 && previous.recordsRead == 2)
    }
}
