/// What a later scan shows of a notice's problem (`notify status`): the
/// notice's findings against the domain's new record.
public enum FollowUp {
    public enum Result: String, Sendable, CaseIterable {
        /// None of the notice's finding codes is left.
        case fixed
        /// Some are left, some are gone.
        case partlyFixed = "partly-fixed"
        /// All are left.
        case stillBroken = "still-broken"
        /// The domain no longer publishes MTA-STS: the errors are gone with it,
        /// which is no fix. Counted apart so that it is not read as one.
        case abandoned
        /// The new scan has no usable record for the domain (missing, an input
        /// error, excluded, or a verdict of `unknown`: the scan could not tell).
        case unknown
    }

    public static func result(of candidate: NoticeCandidate, in record: JSONValue?) -> Result {
        guard let record, record["domain"]?.stringValue != nil,
              record["input_error"] == nil || record["input_error"] == .null,
              record["excluded"] == nil || record["excluded"] == .null,
              record["verdict"]?.stringValue != "unknown" else { return .unknown }
        let codes = Set(candidate.findings.map(\.code)).subtracting([NoticeFinding.tlsrptRecommendedCode])
        if codes.isEmpty { return adoptedTLSRPT(record) ? .fixed : .stillBroken }
        let left = codes.intersection((record["findings"]?.arrayValue ?? []).compactMap { $0["code"]?.stringValue })
        if left.isEmpty {
            let published = record["sts_record"]?["status"]?.stringValue
            return published == "absent" && codes.contains(where: { !$0.hasPrefix("tlsrpt-") }) ? .abandoned : .fixed
        }
        return left.count < codes.count ? .partlyFixed : .stillBroken
    }

    /// The record shows a valid TLS-RPT record.
    public static func adoptedTLSRPT(_ record: JSONValue) -> Bool {
        record["tlsrpt"]?["status"]?.stringValue == "valid"
    }
}

/// A share with its 95% Wilson score interval, and the difference of two
/// shares with Newcombe's hybrid score interval (Newcombe 1998, method 10):
/// sound for small groups and shares near 0 or 1, where the normal
/// approximation is not.
public struct Proportion: Sendable, Equatable {
    public let successes: Int
    public let total: Int

    public init(_ successes: Int, of total: Int) {
        self.successes = successes
        self.total = total
    }

    public var value: Double? { total > 0 ? Double(successes) / Double(total) : nil }

    static let z = 1.959963984540054

    /// The 95% Wilson score interval; nil for an empty group.
    public var interval: (lower: Double, upper: Double)? {
        guard let p = value else { return nil }
        let n = Double(total), z2 = Self.z * Self.z
        let center = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = Self.z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / (1 + z2 / n)
        return (max(0, center - half), min(1, center + half))
    }

    /// `self` − `other`, with its 95% interval; nil when either group is empty.
    public func difference(from other: Proportion) -> (value: Double, lower: Double, upper: Double)? {
        guard let p1 = value, let p2 = other.value, let (l1, u1) = interval, let (l2, u2) = other.interval else { return nil }
        let d = p1 - p2
        let lower = d - ((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2)).squareRoot()
        let upper = d + ((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2)).squareRoot()
        return (d, lower, upper)
    }
}
