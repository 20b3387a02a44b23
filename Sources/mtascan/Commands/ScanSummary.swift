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
    }

    private static func format(_ seconds: Double) -> String {
        let milliseconds = Int((seconds * 1000).rounded())
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
