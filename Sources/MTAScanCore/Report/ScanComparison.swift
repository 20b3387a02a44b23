/// `mtascan report --compare OLD NEW`: what changed per domain between two
/// scans (docs/report.md, "Compare").
///
/// OLD is read first into a map domain → (verdict, finding codes), the one
/// place the report keeps something per domain: memory is O(domains of OLD),
/// a few dozen bytes each. NEW is then streamed against it; each NEW record
/// yields at most one `DomainChange`, and the OLD domains never seen in NEW
/// come out at the end.
///
/// Only what both scans measured is compared. Each record names its `phases`;
/// when a domain's two records ran different phases (a full scan against a
/// `--phases dns` one), its finding codes are compared only where both ran
/// the code's `FindingCode.measuringPhases`, and a `valid` or `misconfigured`
/// verdict is judged by the error codes of those phases alone. Otherwise a
/// policy or MX host the second scan never looked at would count as "fixed".
/// The phases left out are named per domain and counted.
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
        /// Phases only one of the two scans ran for this domain: nothing they
        /// measure was compared (verdicts are then those of the common phases).
        public var phasesNotCompared: [String] = []

        public var json: JSONValue {
            .object([
                "domain": .string(domain), "change": .string(change.rawValue),
                "old_verdict": oldVerdict.map { .string($0) } ?? .null,
                "new_verdict": newVerdict.map { .string($0) } ?? .null,
                "codes_gained": .strings(codesGained), "codes_lost": .strings(codesLost),
                "phases_not_compared": .strings(phasesNotCompared),
            ])
        }

        public static let csvHeader = "domain,change,old_verdict,new_verdict,codes_gained,codes_lost,phases_not_compared\n"

        /// Codes (and phases) separated by spaces within their field.
        public var csvLine: String {
            [domain, change.rawValue, oldVerdict ?? "", newVerdict ?? "", codesGained.joined(separator: " "),
             codesLost.joined(separator: " "), phasesNotCompared.joined(separator: " ")]
                .map(ReportDataRenderer.csvField).joined(separator: ",") + "\n"
        }
    }

    /// A record's verdict as a state of the transition table; `excluded` and
    /// `null` are states too, so a domain that became excluded is not "gone".
    static let states = ["no-mta-sts", "valid", "misconfigured", "unknown", "excluded", "null"]
    /// The extra row/column of the transition table: not in that scan.
    static let absent = states.count

    /// The phases a record ran, a bit per `ScanRecord.Phase`; 0 when it names
    /// none (an excluded domain, an input error, a scan older than `phases`):
    /// nothing to restrict by.
    typealias PhaseBits = UInt8

    private struct Side {
        var domain: String
        var state: UInt8
        var codes: FindingCodeSet
        /// Codes of error-severity findings: what makes a verdict `misconfigured`.
        var errorCodes: FindingCodeSet
        var phases: PhaseBits
    }

    private struct Entry {
        var state: UInt8
        var codes: FindingCodeSet
        var errorCodes: FindingCodeSet
        var phases: PhaseBits
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
    /// Domains in both scans whose records ran different phases.
    var phasesDiffer = 0
    /// Per phase (`ScanRecord.Phase` raw value): domains in both scans for which
    /// only OLD, or only NEW, ran it.
    var onlyInOld: [String: Int] = [:]
    var onlyInNew: [String: Int] = [:]

    public init() {}

    public mutating func addMalformedLine(inOld: Bool) {
        if inOld { oldMalformed += 1 } else { newMalformed += 1 }
    }

    public mutating func addOld(_ record: JSONValue) {
        oldRecords += 1
        guard let side = Self.read(record) else { return oldSkipped += 1 }
        let entry = Entry(state: side.state, codes: side.codes, errorCodes: side.errorCodes, phases: side.phases)
        if old.updateValue(entry, forKey: side.domain) != nil { oldDuplicates += 1 }
    }

    /// Compares one NEW record with OLD; the change, or nil when nothing changed
    /// (or the record is skipped: an input error, a repeat of a domain).
    public mutating func addNew(_ record: JSONValue) -> DomainChange? {
        newRecords += 1
        guard let side = Self.read(record) else {
            newSkipped += 1
            return nil
        }
        let domain = side.domain
        guard var entry = old[domain] else {
            transitions[Self.absent][Int(side.state)] += 1
            changes[.appeared, default: 0] += 1
            return DomainChange(domain: domain, change: .appeared, oldVerdict: nil, newVerdict: Self.states[Int(side.state)],
                                codesGained: side.codes.codes, codesLost: [])
        }
        guard !entry.seenInNew else {
            newDuplicates += 1
            return nil
        }
        entry.seenInNew = true
        old[domain] = entry

        var oldState = entry.state, newState = side.state
        var oldCodes = entry.codes, newCodes = side.codes
        var notCompared: [String] = []
        if entry.phases != 0, side.phases != 0, entry.phases != side.phases {
            // Compare what both measured: the codes, and the verdict, of the common phases.
            let common = entry.phases & side.phases
            phasesDiffer += 1
            for phase in ScanRecord.Phase.allCases {
                let bit = Self.bit(phase)
                if entry.phases & bit != 0, side.phases & bit == 0 { onlyInOld[phase.rawValue, default: 0] += 1 }
                if side.phases & bit != 0, entry.phases & bit == 0 { onlyInNew[phase.rawValue, default: 0] += 1 }
                if (entry.phases ^ side.phases) & bit != 0 { notCompared.append(phase.rawValue) }
            }
            oldCodes = Self.measured(entry.codes, within: common)
            newCodes = Self.measured(side.codes, within: common)
            oldState = Self.state(entry.state, errorCodes: Self.measured(entry.errorCodes, within: common))
            newState = Self.state(side.state, errorCodes: Self.measured(side.errorCodes, within: common))
        }

        transitions[Int(oldState)][Int(newState)] += 1
        let codesGained = newCodes.subtracting(oldCodes), codesLost = oldCodes.subtracting(newCodes)
        for code in codesGained { gained[code, default: 0] += 1 }
        for code in codesLost { lost[code, default: 0] += 1 }
        let change = Self.change(from: Self.states[Int(oldState)], to: Self.states[Int(newState)])
        if change == nil { unchanged += 1 }
        guard let kind = change ?? (codesGained.isEmpty && codesLost.isEmpty ? nil : .codesChanged) else { return nil }
        changes[kind, default: 0] += 1
        return DomainChange(domain: domain, change: kind, oldVerdict: Self.states[Int(oldState)],
                            newVerdict: Self.states[Int(newState)], codesGained: codesGained, codesLost: codesLost,
                            phasesNotCompared: notCompared)
    }

    static func bit(_ phase: ScanRecord.Phase) -> PhaseBits {
        switch phase {
        case .dns: return 1
        case .policy: return 2
        case .mx: return 4
        }
    }

    /// The codes whose measuring phases all ran in `phases`; a code this build
    /// does not know cannot be placed, so it is left out.
    static func measured(_ codes: FindingCodeSet, within phases: PhaseBits) -> FindingCodeSet {
        codes.filter { code in
            guard let known = FindingCode(rawValue: code) else { return false }
            return known.measuringPhases.allSatisfy { phases & bit($0) != 0 }
        }
    }

    /// A `valid` or `misconfigured` verdict judged by `errorCodes` alone (those
    /// of the common phases): misconfigured when one is left. Other states
    /// (`no-mta-sts` rests on DNS; `unknown`, `excluded`, null) stay.
    static func state(_ state: UInt8, errorCodes: FindingCodeSet) -> UInt8 {
        let name = states[Int(state)]
        guard name == "valid" || name == "misconfigured" else { return state }
        let judged = errorCodes.isEmpty ? "valid" : "misconfigured"
        return UInt8(states.firstIndex(of: judged) ?? Int(state))
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

    /// Domain, verdict state, codes and phases; nil for an input error (not a domain).
    private static func read(_ record: JSONValue) -> Side? {
        let facts = RecordFacts(record)
        guard !facts.hasInputError, let domain = facts.domain else { return nil }
        let name = facts.isExcluded ? "excluded" : (facts.verdict ?? "null")
        let state = states.firstIndex(of: name) ?? states.firstIndex(of: "null") ?? 0
        var phases: PhaseBits = 0
        for phase in facts.phases { if let known = ScanRecord.Phase(rawValue: phase) { phases |= bit(known) } }
        return Side(domain: ASCII.lowercased(domain), state: UInt8(state), codes: FindingCodeSet(facts.findings.map(\.code)),
                    errorCodes: FindingCodeSet(facts.findings.filter(\.isError).map(\.code)), phases: phases)
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
