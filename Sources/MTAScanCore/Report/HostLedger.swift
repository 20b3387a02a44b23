/// Counts per hosting key (a policy host or an MX host), so that whether a
/// host is third-party can be decided after the last record: a host is
/// third-party when it serves at least `threshold` domains of the scan or
/// belongs to a known provider, and how many domains it serves is known only
/// at the end. Memory is bounded by the distinct hosts, never by the domains.
struct HostLedger {
    struct Entry {
        /// Domains of the scan this host serves.
        var domains = 0
        var hasProvider = false
        /// Row key (e.g. `policy-tls`, `policy-tls/name-mismatch`) → domains.
        var rows: [String: Int] = [:]
    }

    enum Side: Sendable {
        case selfManaged
        case thirdParty
    }

    private(set) var entries: [String: Entry] = [:]
    /// Rows of domains without any key (no CNAME, no address): nobody else
    /// serves them, so they are self-managed unless a provider is named.
    private var unkeyed: [Side: [String: Int]] = [:]

    /// One more domain served by `key`.
    mutating func serve(key: String, provider: String?) {
        entries[key, default: Entry()].domains += 1
        if provider != nil { entries[key, default: Entry()].hasProvider = true }
    }

    /// Counts `rows` once each for a domain attributed to `key`.
    mutating func count(rows: [String], key: String?, provider: String?) {
        guard !rows.isEmpty else { return }
        guard let key else {
            let side: Side = provider == nil ? .selfManaged : .thirdParty
            for row in rows { unkeyed[side, default: [:]][row, default: 0] += 1 }
            return
        }
        if provider != nil { entries[key, default: Entry()].hasProvider = true }
        for row in rows { entries[key, default: Entry()].rows[row, default: 0] += 1 }
    }

    func side(of entry: Entry, threshold: Int) -> Side {
        entry.hasProvider || entry.domains >= threshold ? .thirdParty : .selfManaged
    }

    /// Row key → domains, per side, with every host classified.
    func totals(threshold: Int) -> [Side: [String: Int]] {
        var totals = unkeyed
        for entry in entries.values {
            let side = side(of: entry, threshold: threshold)
            for (row, n) in entry.rows { totals[side, default: [:]][row, default: 0] += n }
        }
        return totals
    }

    /// Distinct hosts that served at least one domain, and how many are third-party.
    func hostCounts(threshold: Int) -> (hosts: Int, thirdParty: Int) {
        var hosts = 0, thirdParty = 0
        for entry in entries.values where entry.domains > 0 {
            hosts += 1
            if side(of: entry, threshold: threshold) == .thirdParty { thirdParty += 1 }
        }
        return (hosts, thirdParty)
    }
}
