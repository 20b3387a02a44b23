/// The policy's `mx` patterns against the domain's MX hosts (RFC 8461 §4.1):
/// a compliant sender delivers only to MX hosts that match a pattern, so every
/// MX host that matches none is mail that will not arrive once the policy is
/// enforced. Each such host becomes one `mx-pattern-mismatch` finding, and the
/// finding says what kind of mistake most likely caused it.
public enum MXConsistency {
    /// Largest edit distance still counted as a typo.
    public static let typoLimit = 3

    /// One `mx-pattern-mismatch` finding per MX host that matches no pattern
    /// (empty when all match), in the order the hosts are given.
    ///
    /// Detail fields, in order: `kind` (a `MismatchKind`), `scope` (`all` when
    /// no MX host of the domain matches any pattern, else `some`), `mx_host`
    /// (lower-case, no trailing dot), `pattern` (the closest pattern, as
    /// written in the policy) and, for `typo` only, `distance`.
    ///
    /// Hosts are compared case-insensitively and one trailing dot is ignored; a
    /// host listed twice (say at two preferences) is reported once. An empty
    /// host name, which is how the null MX `.` (RFC 7505) arrives, is skipped:
    /// it names no server that could match.
    ///
    /// No hosts or no patterns give no findings here: a domain without MX
    /// records is the `mx` component's `mx-none`, and a policy without a usable
    /// `mx` pattern is `policy-syntax` (`missing-mx` / `bad-mx-pattern`).
    /// Reporting every host again as a mismatch would count one mistake twice.
    public static func evaluate(patterns: [MXPattern], mxHosts: [String], psl: PublicSuffixList) -> [Finding] {
        evaluate(patterns: patterns, mxHosts: mxHosts, psl: psl, limits: .default).findings
    }

    /// How much work the classification of unmatched hosts may do. Matching
    /// itself is always complete and near-linear (`PatternIndex`); only the
    /// search for the closest pattern compares host–pattern pairs, each by an
    /// edit distance whose cost grows with the host name's length (one row
    /// per byte, at most 2 × `closenessLimit` + 1 cells a row). Without a
    /// bound, 10,000 hosts against 10,000 patterns are 10^8 comparisons; and
    /// a count of pairs alone is not enough either, since one pair of 250-byte
    /// names costs as much as a hundred pairs of 25-byte ones. So the work is
    /// counted in patterns compared × bytes of host names, which bounds the
    /// cells whatever the names' lengths.
    public struct Limits: Sendable, Equatable {
        /// Patterns compared with each unmatched host × the total bytes of
        /// the unmatched host names, at most; but every unmatched host is
        /// compared with at least one pattern.
        public var hostBytePatterns: Int

        public init(hostBytePatterns: Int) {
            self.hostBytePatterns = max(1, hostBytePatterns)
        }

        /// Far above any real domain: a scan has at most 32 MX hosts, whose
        /// names (30 bytes, say) are then compared with 1,000 patterns each.
        /// At most about 65 × 10^6 edit-distance cells per evaluation.
        public static let `default` = Limits(hostBytePatterns: 1_000_000)
    }

    /// Edit distances above this are not worked out: such a pattern is far
    /// from the host, and far patterns rank by policy order alone. It keeps
    /// each comparison's cost at O(host length × 65) for long hostile names.
    public static let closenessLimit = 32

    /// The findings, and whether the limits cut the classification short.
    public struct Evaluation: Sendable, Equatable {
        public var findings: [Finding]
        /// Set when each unmatched host was compared with only the first
        /// `comparedPatterns` patterns (in policy order) instead of all: its
        /// `kind` and `pattern` are then the closest among those.
        public var comparedPatterns: Int?
        /// The number of patterns given.
        public var patterns: Int
        /// The bytes of the unmatched host names the limit divides by.
        public var unmatchedHostBytes = 0
    }

    /// `evaluate`, bounded by `limits`: hosts matching some pattern cost
    /// O(length) each, whatever the number of patterns; the unmatched hosts
    /// are classified against the first ⌊`hostBytePatterns` / B⌋ patterns
    /// (at least one), B the total bytes of their names (each counted as at
    /// least 1 and at most 256: a longer name is no DNS name and is compared
    /// at no cost), when comparing them with all would exceed that, and the
    /// answer says so.
    public static func evaluate(
        patterns: [MXPattern], mxHosts: [String], psl: PublicSuffixList, limits: Limits
    ) -> Evaluation {
        var evaluation = Evaluation(findings: [], comparedPatterns: nil, patterns: patterns.count)
        guard !patterns.isEmpty else { return evaluation }
        var seen = Set<String>()
        let hosts = mxHosts.map(normalised).filter { !$0.isEmpty && seen.insert($0).inserted }
        guard !hosts.isEmpty else { return evaluation }

        let index = PatternIndex(patterns)
        let unmatched = hosts.filter { !index.matches($0) }
        guard !unmatched.isEmpty else { return evaluation }
        let scope = unmatched.count == hosts.count ? "all" : "some"

        // Multiplying could overflow for absurd inputs; dividing cannot.
        let hostBytes = unmatched.reduce(0) { $0 + min(max($1.utf8.count, 1), 256) }
        evaluation.unmatchedHostBytes = hostBytes
        let compared = min(patterns.count, max(1, limits.hostBytePatterns / hostBytes))
        // Only a cut is reported: one pattern compared of one is all of them.
        if compared < patterns.count { evaluation.comparedPatterns = compared }
        let candidates = patterns.prefix(compared).map { Candidate($0, psl: psl) }

        evaluation.findings = unmatched.map { host in
            let result = classify(NameParts(host, psl: psl), candidates)
            var details: JSONObject = [
                "kind": .string(result.kind.rawValue),
                "scope": .string(scope),
                "mx_host": .string(host),
            ]
            if let pattern = result.pattern { details["pattern"] = .string(pattern.text) }
            if let distance = result.distance { details["distance"] = .int(distance) }
            return Finding(.mxPatternMismatch, details: details)
        }
        return evaluation
    }

    /// The kind of mistake that makes `host` match none of `patterns`, the
    /// pattern it was most likely meant to match, and (for `typo`) the edit distance.
    ///
    /// Each pattern is related to the host by the first of these that holds, in
    /// this order; the closest pattern is the one whose relation comes first,
    /// then the one at the smallest edit distance (all distances above
    /// `closenessLimit` counting as one), then the first in the policy.
    /// "Registrable domain" and "public suffix" are by the Public Suffix List,
    /// private section included; the edit distance is `EditDistance`'s OSA
    /// distance between the host and the pattern, a wildcard pattern's `*`
    /// replaced by the host's own first label.
    ///
    /// - `mta-sts-label`: the pattern carries an `mta-sts` label (the findings
    ///   vocabulary's definition): the policy host's name (`mta-sts.example.com`)
    ///   pasted where the MX name belongs, whether the MX hosts are the
    ///   domain's own (`mx.example.com`) or a provider's (`aspmx.l.google.com`).
    ///   No MX host is ever meant to be the policy host, so this wins over
    ///   every other relation.
    /// - `extra-label`: host and pattern have the same registrable domain but
    ///   differ left of it: extra, missing or different labels (host
    ///   `mx1.mail.example.com` against `*.example.com`, `mail.example.com`, or
    ///   `*.mx.example.com`). A misspelt label left of the registrable domain
    ///   (`mial.example.com`) is this kind too, by the findings vocabulary.
    /// - `tld`: the labels left of the public suffix agree (a `*` standing for
    ///   the host's first label) and only the public suffixes differ
    ///   (`mail.example.net` against `mail.example.com`, `mx.example.com`
    ///   against `*.example.co.uk`). Both must have a registrable domain.
    /// - `typo`: the same public suffix (the "TLD" of the vocabulary, so
    ///   `co.uk` counts whole) and an edit distance of at most `typoLimit`
    ///   (`mail.example.com` against `mail.exmaple.com`: 2).
    /// - `complete`: none of these; the pattern reported is the one at the
    ///   smallest edit distance (up to `closenessLimit`).
    ///
    /// Meant for a host that matches no pattern: patterns it does match are
    /// ignored, and with none left the answer is `complete` with no pattern.
    public static func classify(
        host: String, patterns: [MXPattern], psl: PublicSuffixList
    ) -> (kind: MismatchKind, pattern: MXPattern?, distance: Int?) {
        classify(NameParts(normalised(host), psl: psl), patterns.map { Candidate($0, psl: psl) })
    }

    private static func classify(
        _ host: NameParts, _ candidates: [Candidate]
    ) -> (kind: MismatchKind, pattern: MXPattern?, distance: Int?) {
        var best: (kind: MismatchKind, rank: Int, distance: Int, pattern: MXPattern)? = nil
        for candidate in candidates where !candidate.pattern.matches(host.text) {
            // The kind first, which needs no distance except for `typo`
            // (and then only up to `typoLimit`, a narrow band): a pattern
            // whose kind ranks below the best so far needs no distance at all.
            let kind: MismatchKind
            var known: Int? = nil
            if let structural = structuralRelation(host, candidate) {
                kind = structural
            } else if host.publicSuffix == candidate.base.publicSuffix,
                      let distance = candidate.distance(to: host, limit: typoLimit), distance <= typoLimit {
                kind = .typo
                known = distance
            } else {
                kind = .complete
            }
            let rank = Self.rank(kind)
            if let current = best {
                if current.rank < rank { continue }
                if current.rank == rank {
                    // Only a strictly closer pattern replaces the best (ties
                    // keep the first in policy order), so the distance is
                    // needed only up to one less than the best's.
                    let limit = min(current.distance - 1, closenessLimit)
                    guard let distance = known ?? candidate.distance(to: host, limit: limit),
                          distance < current.distance else { continue }
                    best = (kind, rank, distance, candidate.pattern)
                    continue
                }
            }
            let distance = known ?? candidate.distance(to: host, limit: closenessLimit) ?? Int.max
            best = (kind, rank, distance, candidate.pattern)
        }
        guard let best else { return (.complete, nil, nil) }
        return (best.kind, best.pattern, best.kind == .typo ? best.distance : nil)
    }

    /// The kinds from most to least specific: the first that holds wins.
    private static func rank(_ kind: MismatchKind) -> Int {
        switch kind {
        case .mtaStsLabel: 0
        case .extraLabel: 1
        case .tld: 2
        case .typo: 3
        case .complete: 4
        }
    }

    /// The kinds decided by the names' structure alone, in rank order; nil
    /// leaves `typo` or `complete`, which the edit distance decides.
    private static func structuralRelation(_ host: NameParts, _ candidate: Candidate) -> MismatchKind? {
        let base = candidate.base
        if candidate.hasMTASTSLabel { return .mtaStsLabel }
        if let registrable = host.registrableDomain, base.registrableDomain == registrable { return .extraLabel }
        if host.registrableDomain != nil, base.registrableDomain != nil,
           host.publicSuffix != base.publicSuffix, candidate.prefixMatches(host.prefix) {
            return .tld
        }
        return nil
    }

    /// Lower-case ASCII, one trailing dot dropped.
    /// Lower-case, no trailing dot, Unicode labels as A-labels (a host with
    /// no A-label form is kept as given: it matches no pattern).
    static func normalised(_ host: String) -> String {
        var bytes = Array(host.utf8)
        if IDNA.needsConversion(bytes), case .success(let ascii) = IDNA.toASCII(host) { bytes = Array(ascii.utf8) }
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        return String(decoding: bytes.map(ASCII.lower), as: UTF8.self)
    }
}

/// A lower-case name split at its public suffix.
private struct NameParts {
    let text: String
    let labels: [Substring]
    let publicSuffix: String
    let registrableDomain: String?
    /// The labels left of the public suffix.
    let prefix: ArraySlice<Substring>

    init(_ text: String, psl: PublicSuffixList) {
        let lookup = psl.lookup(text)
        self.text = text
        self.labels = text.split(separator: ".", omittingEmptySubsequences: false)
        self.publicSuffix = lookup.publicSuffix
        self.registrableDomain = lookup.registrableDomain
        let suffixLabels = lookup.publicSuffix.utf8.reduce(1) { $1 == UInt8(ascii: ".") ? $0 + 1 : $0 }
        self.prefix = labels.dropLast(suffixLabels)
    }
}

/// One pattern with what the classifier needs to know about it, worked out once.
private struct Candidate {
    let pattern: MXPattern
    /// The name after `*.`, or the whole name.
    let base: NameParts
    /// The pattern has an `mta-sts` label: the policy host's name pasted where an MX name belongs.
    let hasMTASTSLabel: Bool

    init(_ pattern: MXPattern, psl: PublicSuffixList) {
        self.pattern = pattern
        self.base = NameParts(pattern.baseName, psl: psl)
        hasMTASTSLabel = base.labels.contains("mta-sts")
    }

    /// The pattern's labels left of the public suffix, `*` included, against the
    /// host's: equal, except that `*` stands for any one non-empty label.
    func prefixMatches(_ hostPrefix: ArraySlice<Substring>) -> Bool {
        let ownPrefix = base.prefix
        guard !ownPrefix.isEmpty else { return false }
        guard pattern.isWildcard else { return ownPrefix.elementsEqual(hostPrefix) }
        guard let first = hostPrefix.first, !first.isEmpty else { return false }
        return ownPrefix.elementsEqual(hostPrefix.dropFirst())
    }

    /// No DNS name is longer, so a longer host is unrelated to any pattern, and
    /// the bound keeps the distance computation small on hostile input.
    private static let longestName = 255

    /// The edit distance from the host to the pattern, `*` taking the host's
    /// first label, if it is at most `limit` (nil: further). A host or pattern
    /// too long to be a DNS name is unrelated to any other name: `Int.max`.
    func distance(to host: NameParts, limit: Int) -> Int? {
        let hostLength = host.text.utf8.count
        var targetLength = pattern.text.utf8.count
        if pattern.isWildcard, let first = host.labels.first {
            targetLength = first.utf8.count + 1 + pattern.baseName.utf8.count
        }
        let longer = max(hostLength, targetLength)
        guard longer <= Self.longestName else { return Int.max }
        // Each insertion or deletion costs 1: decided without building the
        // target, which most pairs of a large request are.
        guard abs(hostLength - targetLength) <= limit else { return nil }
        var target = pattern.text
        if pattern.isWildcard, let first = host.labels.first {
            target = first + "." + pattern.baseName
        }
        // No distance exceeds the longer length, so that limit is no limit.
        return EditDistance.optimalStringAlignment(host.text.utf8, target.utf8, limit: min(limit, longer))
    }
}

/// The patterns as two hash sets, so that whether a host matches any of them
/// costs one or two lookups instead of a pass over every pattern: an exact
/// pattern matches only its own name, and `*.base` only a name whose part
/// after its first label is `base` (RFC 8461 §4.1, as `MXPattern.matches`).
struct PatternIndex {
    // Bytes, not `String`s: String equality is canonical equivalence, and
    // matching is byte for byte (a wildcard's label may be any bytes).
    private var exact = Set<[UInt8]>()
    private var wildcardBases = Set<[UInt8]>()

    init(_ patterns: [MXPattern]) {
        for pattern in patterns {
            if pattern.isWildcard {
                wildcardBases.insert(Array(pattern.baseName.utf8))
            } else {
                exact.insert(Array(pattern.text.utf8))
            }
        }
    }

    /// Same answer as `patterns.contains { $0.matches(host) }`.
    func matches(_ host: String) -> Bool {
        var name = host.utf8.map(ASCII.lower)
        if name.last == UInt8(ascii: ".") { name.removeLast() }
        if exact.contains(name) { return true }
        // `*.base`: one non-empty left-most label, then exactly `base`.
        guard let dot = name.firstIndex(of: UInt8(ascii: ".")), dot > 0 else { return false }
        return wildcardBases.contains(Array(name[(dot + 1)...]))
    }
}
