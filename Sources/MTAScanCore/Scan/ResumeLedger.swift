/// Which input lines already have a record, for `scan --resume`: one byte per
/// input line (100 MB for a 100-million-line input), holding 0 for "no record
/// yet" or a fingerprint of the record's domain, so a resumed scan notices an
/// input that changed under it instead of silently skipping the wrong names.
///
/// Records are keyed by `input_line` and `domain` (docs/output.md): the line
/// says where, the domain checks that the line still holds the same name.
public struct ResumeLedger: Sendable {
    public enum Status: Equatable, Sendable {
        /// No record for this line yet: scan it.
        case pending
        /// A record for this line and this name exists: skip it.
        case done
        /// A record for this line exists, but for another name.
        case otherDomain
    }

    private var fingerprints: [UInt8] = []
    /// Records for lines that already had one (an earlier resume that went wrong,
    /// or a file assembled by hand).
    public private(set) var duplicates = 0
    public private(set) var count = 0

    public init() {}

    /// Notes a record; returns false for a second record of the same line.
    @discardableResult
    public mutating func add(line: Int, domain: some Collection<UInt8>) -> Bool {
        guard line > 0 else { return false }
        if line > fingerprints.count {
            // Grow geometrically: records arrive in completion order, not line order.
            let wanted = Swift.max(line, fingerprints.count * 2, 1024)
            fingerprints += [UInt8](repeating: 0, count: wanted - fingerprints.count)
        }
        guard fingerprints[line - 1] == 0 else {
            duplicates += 1
            return false
        }
        fingerprints[line - 1] = Self.fingerprint(domain)
        count += 1
        return true
    }

    public func status(line: Int, domain: some Collection<UInt8>) -> Status {
        guard line > 0, line <= fingerprints.count else { return .pending }
        let stored = fingerprints[line - 1]
        if stored == 0 { return .pending }
        return stored == Self.fingerprint(domain) ? .done : .otherDomain
    }

    /// FNV-1a folded to 1...255 (0 means "no record"): a changed input shows
    /// within a few lines, which is all this has to catch.
    static func fingerprint(_ bytes: some Collection<UInt8>) -> UInt8 {
        var hash: UInt32 = 0x811c_9dc5
        for byte in bytes {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        let folded = UInt8(truncatingIfNeeded: hash ^ (hash >> 8) ^ (hash >> 16) ^ (hash >> 24))
        return folded == 0 ? 1 : folded
    }
}
