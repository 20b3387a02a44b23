/// Proves that the parts of a scan hold exactly one record per input line
/// (`mtascan verify`): the records of every part are noted first, then the
/// input is read through in order and each of its lines looked up.
///
/// Memory is one byte per input line (`ResumeLedger`) plus the first few
/// problem lines of each kind, whatever the number of records: 100 MB for a
/// 100-million-line input, streamed from any number of parts.
public struct ExactlyOnceCheck: Sendable {
    /// A kind of problem: how many, and the first few examples.
    public struct Problems: Sendable, Equatable {
        public private(set) var count = 0
        public private(set) var examples: [String] = []

        public static let maxExamples = 20

        mutating func note(_ example: @autoclosure () -> String) {
            count += 1
            if examples.count < Self.maxExamples { examples.append(example()) }
        }
    }

    private var ledger = ResumeLedger()
    private var matched = 0

    /// Input lines with a name but no record in any part.
    public private(set) var missing = Problems()
    /// Second (and later) records for one input line.
    public private(set) var duplicates = Problems()
    /// Records whose line holds another name in the input: the input changed, or a part belongs to another input.
    public private(set) var otherDomain = Problems()
    /// Records in a part whose shard is not the one their name hashes to.
    public private(set) var misplaced = Problems()
    public private(set) var records = 0
    public private(set) var inputLines = 0

    /// The shard count of the parts, to name the shard a missing line belongs to.
    private let shardCount: Int?

    public init(shardCount: Int? = nil) {
        self.shardCount = shardCount.flatMap { $0 >= 1 ? $0 : nil }
    }

    /// A record of `part` (a name for messages) that sits in `shard`, if the part is one.
    public mutating func noteRecord(line: Int, domain: String, part: String, shard: Shard?) {
        records += 1
        if !ledger.add(line: line, domain: domain.utf8) {
            duplicates.note("input line \(line) (\(domain)): another record in \(part)")
        }
        if let shard, !shard.owns(domain.utf8) {
            misplaced.note("\(part): \(domain) (input line \(line)) belongs to shard \(Shard.index(of: domain.utf8, count: shard.count)), not \(shard.index)")
        }
    }

    /// An input line that holds a name (or a bad name, which also gets a record); in input order.
    public mutating func noteInput(line: Int, key: String) {
        inputLines += 1
        switch ledger.status(line: line, domain: key.utf8) {
        case .done:
            matched += 1
        case .pending:
            missing.note("input line \(line): \(key)\(shardCount.map { ", shard \(Shard.index(of: key.utf8, count: $0))/\($0)" } ?? "")")
        case .otherDomain:
            matched += 1
            otherDomain.note("input line \(line): the input holds \(key), the record another name")
        }
    }

    /// Records for lines of the input that hold no name (after the last one, or a comment line).
    public var orphans: Int { ledger.count - matched }

    public var isExactlyOnce: Bool {
        missing.count == 0 && duplicates.count == 0 && otherDomain.count == 0 && misplaced.count == 0 && orphans == 0
    }
}
