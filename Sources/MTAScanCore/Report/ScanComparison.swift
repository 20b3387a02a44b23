/// `mtascan report --compare OLD NEW`: what changed per domain between two
/// scans (docs/report.md, "Compare").
///
/// Each record becomes a small **entry** (`entry(old:sequence:)`): its domain,
/// verdict state, finding codes and phases, encoded so that byte order sorts
/// entries by domain and then by position in the file. The caller sorts the
/// entries of each scan (in memory, or by an external sort that spills to disk:
/// memory then stays bounded whatever the scans' size) and `join`s the two
/// sorted streams, which yields each domain's change in domain order.
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

    struct Side {
        var domain: String
        var state: UInt8
        var codes: FindingCodeSet
        /// Codes of error-severity findings: what makes a verdict `misconfigured`.
        var errorCodes: FindingCodeSet
        var phases: PhaseBits
    }

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
    /// Domains of OLD that NEW also had.
    var inBoth = 0
    var disappearedCount = 0
    /// Distinct domains of OLD.
    var oldDomains = 0

    public init() {}

    public mutating func addMalformedLine(inOld: Bool) {
        if inOld { oldMalformed += 1 } else { newMalformed += 1 }
    }

    /// The entry of a record of OLD, to be sorted with the others and joined;
    /// nil for a record that is not a domain's (an input error), counted as skipped.
    /// `sequence`: the record's position in its file (a repeated domain keeps
    /// its last record in OLD, its first in NEW).
    public mutating func entry(old record: JSONValue, sequence: Int) -> [UInt8]? {
        oldRecords += 1
        guard let side = Self.read(record) else {
            oldSkipped += 1
            return nil
        }
        return Self.encode(side, sequence: sequence)
    }

    public mutating func entry(new record: JSONValue, sequence: Int) -> [UInt8]? {
        newRecords += 1
        guard let side = Self.read(record) else {
            newSkipped += 1
            return nil
        }
        return Self.encode(side, sequence: sequence)
    }

    /// Walks the sorted entries of OLD and NEW side by side and hands each
    /// domain's change (none when nothing changed) to `emit`, in domain order.
    public mutating func join<Old: IteratorProtocol<[UInt8]>, New: IteratorProtocol<[UInt8]>>(
        old: inout Old, new: inout New, emit: (DomainChange) throws -> Void
    ) throws {
        var nextOld = old.next(), nextNew = new.next()
        while nextOld != nil || nextNew != nil {
            let order: Int
            switch (nextOld, nextNew) {
            case (let o?, let n?): order = Self.compareDomains(o, n)
            case (.some, nil): order = -1
            default: order = 1
            }
            var oldSide: Side?, newSide: Side?
            if order <= 0, let first = nextOld {
                // OLD keeps its last record of a domain: a rescan appended later wins.
                var last = first
                nextOld = old.next()
                while let following = nextOld, Self.compareDomains(following, first) == 0 {
                    oldDuplicates += 1
                    last = following
                    nextOld = old.next()
                }
                oldSide = Self.decode(last)
            }
            if order >= 0, let first = nextNew {
                nextNew = new.next()
                while let following = nextNew, Self.compareDomains(following, first) == 0 {
                    newDuplicates += 1
                    nextNew = new.next()
                }
                newSide = Self.decode(first)
            }
            if let change = compare(oldSide, newSide) { try emit(change) }
        }
    }

    /// One domain: in OLD, NEW or both.
    private mutating func compare(_ entry: Side?, _ side: Side?) -> DomainChange? {
        if entry != nil { oldDomains += 1 }
        guard let side else {
            guard let entry else { return nil }
            disappearedCount += 1
            transitions[Int(entry.state)][Self.absent] += 1
            return DomainChange(domain: entry.domain, change: .disappeared, oldVerdict: Self.states[Int(entry.state)],
                                newVerdict: nil, codesGained: [], codesLost: entry.codes.codes)
        }
        let domain = side.domain
        guard let entry else {
            transitions[Self.absent][Int(side.state)] += 1
            changes[.appeared, default: 0] += 1
            return DomainChange(domain: domain, change: .appeared, oldVerdict: nil, newVerdict: Self.states[Int(side.state)],
                                codesGained: side.codes.codes, codesLost: [])
        }
        inBoth += 1

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
        case .tlsrpt: return 8
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
        // A NUL would end the domain early in the entry's sort key; no name has one.
        guard !facts.hasInputError, let domain = facts.domain, !domain.utf8.contains(0) else { return nil }
        let name = facts.isExcluded ? "excluded" : (facts.verdict ?? "null")
        let state = states.firstIndex(of: name) ?? states.firstIndex(of: "null") ?? 0
        var phases: PhaseBits = 0
        for phase in facts.phases { if let known = ScanRecord.Phase(rawValue: phase) { phases |= bit(known) } }
        return Side(domain: ASCII.lowercased(domain), state: UInt8(state), codes: FindingCodeSet(facts.findings.map(\.code)),
                    errorCodes: FindingCodeSet(facts.findings.filter(\.isError).map(\.code)), phases: phases)
    }

    // MARK: entries

    /// Domain, NUL, the position (8 bytes, big-endian), then state, phases and
    /// the two code sets: bytewise order is (domain, position).
    static func encode(_ side: Side, sequence: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(side.domain.utf8.count + 30)
        bytes.append(contentsOf: side.domain.utf8)
        bytes.append(0)
        let position = UInt64(max(0, sequence))
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: position >> UInt64(shift))) }
        bytes.append(side.state)
        bytes.append(side.phases)
        for set in [side.codes, side.errorCodes] {
            let bits = set.storedBits
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
            let unknown = set.unknownCodes.prefix(255).map { Array($0.utf8.prefix(255)) }
            bytes.append(UInt8(unknown.count))
            for code in unknown {
                bytes.append(UInt8(code.count))
                bytes.append(contentsOf: code)
            }
        }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) -> Side? {
        guard let end = bytes.firstIndex(of: 0) else { return nil }
        var index = end + 9
        func byte() -> UInt8? {
            guard index < bytes.count else { return nil }
            defer { index += 1 }
            return bytes[index]
        }
        func codeSet() -> FindingCodeSet? {
            guard index + 8 <= bytes.count else { return nil }
            var bits: UInt64 = 0
            for offset in 0..<8 { bits |= UInt64(bytes[index + offset]) << UInt64(offset * 8) }
            index += 8
            guard let count = byte() else { return nil }
            var unknown: [String] = []
            for _ in 0..<count {
                guard let length = byte(), index + Int(length) <= bytes.count else { return nil }
                unknown.append(String(decoding: bytes[index..<index + Int(length)], as: UTF8.self))
                index += Int(length)
            }
            return FindingCodeSet(bits: bits, unknown: unknown)
        }
        guard let state = byte(), Int(state) < states.count, let phases = byte(),
              let codes = codeSet(), let errorCodes = codeSet() else { return nil }
        return Side(domain: String(decoding: bytes[..<end], as: UTF8.self), state: state, codes: codes,
                    errorCodes: errorCodes, phases: phases)
    }

    /// Orders two entries by their domains alone (the bytes before the NUL).
    static func compareDomains(_ left: [UInt8], _ right: [UInt8]) -> Int {
        left.withUnsafeBufferPointer { l in
            right.withUnsafeBufferPointer { r in
                var index = 0
                while true {
                    let a = index < l.count ? l[index] : 0, b = index < r.count ? r[index] : 0
                    if a != b { return a < b ? -1 : 1 }
                    if a == 0 { return 0 }
                    index += 1
                }
            }
        }
    }

    /// Sorts entries in memory (what an external sort does on disk at scale).
    public static func sorted(_ entries: [[UInt8]]) -> [[UInt8]] {
        entries.sorted { $0.lexicographicallyPrecedes($1) }
    }
}
