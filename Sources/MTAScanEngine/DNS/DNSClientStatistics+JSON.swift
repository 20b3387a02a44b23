import MTAScanCore

extension DNSClientStatistics {
    /// For the scan's metadata side file (`ScanMetadata.dns`); the same numbers
    /// as the summary line, under the same names without the `dns_` prefix.
    public var json: JSONObject {
        [
            "sent": .int(sent), "received": .int(received), "accepted": .int(accepted),
            "dropped_mismatched": .int(droppedMismatched), "dropped_malformed": .int(droppedMalformed),
            "timeouts": .int(timeouts), "retries": .int(retries), "tcp": .int(tcpFallbacks),
            "peak_in_flight": .int(peakInFlight),
            "resolvers": .array(resolvers.map { .object($0.json) }),
        ]
    }
}
