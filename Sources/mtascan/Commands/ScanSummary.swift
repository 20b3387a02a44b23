import MTAScanCore
import MTAScanEngine

/// The closing line of a scan on standard error: what a person checks first,
/// and what the benchmark scripts parse (`key=value` pairs after the prose).
enum ScanSummary {
    static func text(records: Int, seconds: Double, dns: DNSClientStatistics, probes: ProbeStatistics = .init()) -> String {
        let rate = seconds > 0 ? Double(records) / seconds : 0
        let qps = seconds > 0 ? Double(dns.sent) / seconds : 0
        return "mtascan: \(records) records in \(format(seconds)) s (\(Int(rate.rounded()))/s)."
            + " records=\(records) seconds=\(format(seconds)) dns_sent=\(dns.sent) dns_qps=\(Int(qps.rounded()))"
            + " dns_accepted=\(dns.accepted) dns_dropped=\(dns.droppedMismatched + dns.droppedMalformed)"
            + " dns_retries=\(dns.retries) dns_timeouts=\(dns.timeouts) dns_tcp=\(dns.tcpFallbacks)"
            + " policy_fetches=\(probes.policyFetches) mx_probes=\(probes.mxProbes) probe_cache_hits=\(probes.cacheHits)"
            + " mx_shared_answers=\(probes.mxSharedAnswers)"
            + " rua_checks=\(probes.reportEndpointChecks) rua_connections=\(probes.reportEndpointConnections)"
    }

    /// Said after the summary whenever a lookup went unanswered: a resolver
    /// that drops queries turns verdicts into `unknown`, and a counter in the
    /// metadata is too quiet for that (docs/output.md, "When DNS answers are lost").
    static func dnsLossWarning(dns: DNSClientStatistics, counts: ScanMetadata.Counts, outputPath: String?) -> String? {
        guard dns.timeouts > 0 || counts.dnsTimeouts > 0 else { return nil }
        let lossy = dns.resolvers.filter { $0.window.presumedLost > 0 }
            .map { "\($0.address) (\($0.window.presumedLost) presumed lost, \($0.window.lossEvents) loss events)" }
        let file = outputPath.map { TerminalText.escaped($0) } ?? "OUTPUT"
        // A resume that sent nothing lost nothing: the records are what the file already held.
        let lost = dns.timeouts > 0
            ? "\(dns.timeouts) DNS queries got no answer from any resolver after every attempt;"
            : "this run lost no DNS query, but"
        return "mtascan: WARNING: \(lost)"
            + " \(counts.dnsTimeouts) records have a dns-timeout finding and verdicts that rest on it."
            + (lossy.isEmpty ? "" : " Resolvers that lost queries: " + lossy.joined(separator: ", ") + ".")
            + " Rescan those domains: jq -r 'select(any(.findings[]?; .code == \"dns-timeout\")) | .domain' \(file)"
    }

    private static func format(_ seconds: Double) -> String {
        let milliseconds = Int((seconds * 1000).rounded())
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
