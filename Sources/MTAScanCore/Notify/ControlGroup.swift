/// A random, recorded control group for a campaign (`notify plan
/// --control-fraction F --seed S`). Un-notified domains fix a large share of
/// their issues on their own (Çetin et al., NDSS 2019): only the difference
/// between notified and control domains measures what the notification did.
///
/// Stratified: within each stratum (the component of the first finding and the
/// provider, `NoticeCandidate.stratum`) the domains are ordered by a keyed hash
/// of (seed, domain) and the first round(F × n) become the control group, so
/// both groups have the same mix of problems and providers. The same seed and
/// candidates always give the same groups, whatever the order of the scan.
public enum ControlGroup {
    /// The domains of `candidates` held out as the control group.
    public static func assign(_ candidates: [(domain: String, stratum: String)], fraction: Double,
                              seed: UInt64) -> Set<String> {
        guard fraction > 0 else { return [] }
        var strata: [String: [String]] = [:]
        for candidate in candidates { strata[candidate.stratum, default: []].append(candidate.domain) }
        var control = Set<String>()
        for (_, domains) in strata {
            let ordered = domains.sorted { (rank($0, seed), $0) < (rank($1, seed), $1) }
            let count = Int((Double(ordered.count) * min(1, fraction)).rounded())
            control.formUnion(ordered.prefix(count))
        }
        return control
    }

    /// SplitMix64 of the seed mixed with FNV-1a of the domain: a documented
    /// order another tool can reproduce (docs/notify.md).
    static func rank(_ domain: String, _ seed: UInt64) -> UInt64 {
        var z = seed &+ Shard.fnv1a64(domain.utf8) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
