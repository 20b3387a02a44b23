/// `mtascan report --compare OLD NEW`: what changed per domain between two
/// scans (docs/report.md, "Compare").
///
/// OLD is read first into a map domain → (verdict, finding codes), the one
/// place the report keeps something per domain: memory is O(domains of OLD),
/// a few dozen bytes each. NEW is then streamed against it; each NEW record
/// yields at most one `DomainChange`, and the OLD domains never seen in NEW
/// come out at the end.
public struct ScanComparison {
    public enum Change: String, Sendable, CaseIterable {
        /// misconfigured → valid
        case fixed
        /// valid → misconfigured
        case broke
        /// no-mta-sts → valid or misconfigured
        case adopted
        /// valid or misconfigured → no-mta-sts
        case dropped
        /// any other change of verdict (to or from unknown, excluded, null)
        case other
        /// same verdict, different finding codes
        case codesChanged = "codes-changed"
        /// in NEW only
        case appeared
        /// in OLD only
        case disappeared
    }

    /// One changed domain: the `--changes` line.
    public struct DomainChange: Sendable, Equatable {
        public var domain: String
        public var change: Change
        public var oldVerdict: String?
        public var newVerdict: String?
        public var codesGained: [String]
        public var codesLost: [String]

        public var json: JSONValue {
            .object([
                "domain": .string(domain), "change": .string(change.rawValue),
                "old_verdict": oldVerdict.map { .string($0) } ?? .null,
                "new_verdict": newVerdict.map { .string($0) } ?? .null,
                "codes_gained": .strings(codesGained), "codes_lost": .strings(codesLost),
            ])
        }

        public static let csvHeader = "domain,change,old_verdict,new_verdict,codes_gained,codes_lost\n"

        /// Codes separated by spaces within their field.
        public var csvLine: String {
            [domain, change.rawValue, oldVerdict ?? "", newVerdict ?? "", codesGained.joined(separator: " "),
             codesLost.joined(separator: " ")].map(ReportDataRenderer.csvField).joined(separator: ",") + "\n"
        }
    }

    /// A record's verdict as a state of the transition table; `excluded` and
    /// `null` are states too, so a domain that became excluded is not "gone".
    static let states = ["no-mta-sts", "valid", "misconfigured", "unknown", "excluded", "null"]
    /// The extra row/column of the transition table: not in that scan.
    static let absent = states.count

    private struct Entry {
        var state: UInt8
        var codes: FindingCodeSet
        var seenInNew = false
    }

    private var old: [String: Entry] = [:]
    var oldRecords = 0, newRecords = 0
    var oldSkipped = 0, newSkipped = 0
    var oldMalformed = 0, newMalformed = 0
    var oldDuplicates = 0, newDuplicates = 0
    var changes: [Change: Int] = [:]
    var unchanged = 0
    /// [old state][new state], `absent` included.
    var transitions = [[Int]](repeating: [Int](repeating: 0, count: states.count + 1), count: states.count + 1)
    var gained: [String: Int] = [:]
    var lost: [String: Int] = [:]

    public init() {}

    public mutating func addMalformedLine(inOld: Bool) {
        if inOld { oldMalformed += 1 } else { newMalformed += 1 }
    }

    public mutating func addOld(_ record: JSONValue) {
        oldRecords += 1
        guard let (domain, state, codes) = Self.read(record) else { return oldSkipped += 1 }
        if old.updateValue(Entry(state: state, codes: codes), forKey: domain) != nil { oldDuplicates += 1 }
    }

    /// Compares one NEW record with OLD; the change, or nil when nothing changed
    /// (or the record is skipped: an input error, a repeat of a domain).
    public mutating func addNew(_ record: JSONValue) -> DomainChange? {
        newRecords += 1
        guard let (domain, state, codes) = Self.read(record) else {
            newSkipped += 1
            return nil
        }
        guard var entry = old[domain] else {
            transitions[Self.absent][Int(state)] += 1
            changes[.appeared, default: 0] += 1
            return DomainChange(domain: domain, change: .appeared, oldVerdict: nil, newVerdict: Self.states[Int(state)],
                                codesGained: codes.codes, codesLost: [])
        }
        guard !entry.seenInNew else {
            newDuplicates += 1
            return nil
        }
        entry.seenInNew = true
        old[domain] = entry
        transitions[Int(entry.state)][Int(state)] += 1
        let codesGained = codes.subtracting(entry.codes), codesLost = entry.codes.subtracting(codes)
        for code in codesGained { gained[code, default: 0] += 1 }
        for code in codesLost { lost[code, default: 0] += 1 }
        let change = Self.change(from: Self.states[Int(entry.state)], to: Self.states[Int(state)])
        if change == nil { unchanged += 1 }
        guard let kind = change ?? (codesGained.isEmpty && codesLost.isEmpty ? nil : .codesChanged) else { return nil }
        changes[kind, default: 0] += 1
        return DomainChange(domain: domain, change: kind, oldVerdict: Self.states[Int(entry.state)],
                            newVerdict: Self.states[Int(state)], codesGained: codesGained, codesLost: codesLost)
    }

    /// The OLD domains NEW did not have, by domain name. Call after the last NEW record.
    public func disappeared() -> [DomainChange] {
        old.filter { !$0.value.seenInNew }.sorted { $0.key < $1.key }.map { domain, entry in
            DomainChange(domain: domain, change: .disappeared, oldVerdict: Self.states[Int(entry.state)], newVerdict: nil,
                         codesGained: [], codesLost: entry.codes.codes)
        }
    }

    /// The change of verdict, nil when the verdict stayed.
    static func change(from old: String, to new: String) -> Change? {
        switch (old, new) {
        case _ where old == new: return nil
        case ("misconfigured", "valid"): return .fixed
        case ("valid", "misconfigured"): return .broke
        case ("no-mta-sts", "valid"), ("no-mta-sts", "misconfigured"): return .adopted
        case ("valid", "no-mta-sts"), ("misconfigured", "no-mta-sts"): return .dropped
        default: return .other
        }
    }

    /// Domain, verdict state and codes; nil for an input error (not a domain).
    private static func read(_ record: JSONValue) -> (String, UInt8, FindingCodeSet)? {
        let facts = RecordFacts(record)
        guard !facts.hasInputError, let domain = facts.domain else { return nil }
        let name = facts.isExcluded ? "excluded" : (facts.verdict ?? "null")
        let state = states.firstIndex(of: name) ?? states.firstIndex(of: "null") ?? 0
        return (ASCII.lowercased(domain), UInt8(state), FindingCodeSet(facts.findings.map(\.code)))
    }

    /// Domains of OLD that NEW also had.
    var inBoth: Int { old.values.reduce(0) { $0 + ($1.seenInNew ? 1 : 0) } }
    var disappearedCount: Int { old.count - inBoth }
    /// Distinct domains of OLD.
    var oldDomains: Int { old.count }

    /// The OLD verdict state of each domain NEW did not have.
    func disappearedStates() -> [UInt8] {
        old.values.filter { !$0.seenInNew }.map(\.state)
    }
}
