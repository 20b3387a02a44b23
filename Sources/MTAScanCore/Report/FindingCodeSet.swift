/// The finding codes of one domain, compactly: a bit per known code, and the
/// rare code this build does not know (a newer scan) kept as text. `report
/// --compare` holds one per domain of the old scan, so its size matters.
struct FindingCodeSet: Equatable, Sendable {
    private static let known = FindingCode.allCases
    private var bits: UInt64 = 0
    private var unknown: [String] = []

    init() {}

    /// The set as stored: a bit per known code (vocabulary order) and the unknown codes, sorted.
    init(bits: UInt64, unknown: [String]) {
        self.bits = bits
        self.unknown = unknown.sorted()
    }

    var storedBits: UInt64 { bits }
    var unknownCodes: [String] { unknown }

    init(_ codes: some Sequence<String>) {
        for code in codes { insert(code) }
    }

    mutating func insert(_ code: String) {
        if let known = FindingCode(rawValue: code), let index = Self.known.firstIndex(of: known), index < 64 {
            bits |= 1 << UInt64(index)
        } else if !unknown.contains(code) {
            unknown.append(code)
            unknown.sort()
        }
    }

    /// Codes in vocabulary order, then unknown codes alphabetically.
    var codes: [String] {
        var result: [String] = []
        for (index, code) in Self.known.enumerated() where index < 64 && bits & (1 << UInt64(index)) != 0 {
            result.append(code.rawValue)
        }
        return result + unknown
    }

    /// The codes `isIncluded` keeps (`report --compare`: those both scans measured).
    func filter(_ isIncluded: (String) -> Bool) -> FindingCodeSet {
        var kept = FindingCodeSet()
        for code in codes where isIncluded(code) { kept.insert(code) }
        return kept
    }

    var isEmpty: Bool { bits == 0 && unknown.isEmpty }

    /// The codes in `self` and not in `other`.
    func subtracting(_ other: FindingCodeSet) -> [String] {
        var difference = FindingCodeSet()
        difference.bits = bits & ~other.bits
        difference.unknown = unknown.filter { !other.unknown.contains($0) }
        return difference.codes
    }
}
