/// Whether the parts of a sharded scan are parts of one scan, by their metadata
/// side files (`mtascan verify`, `mtascan merge`): the same input, phases and
/// outcome-changing options, one part per shard, each complete. Records alone
/// cannot show that two shards were scanned with different timeouts or of a
/// different input that happens to share its line numbers.
///
/// Pure: the caller reads the side files and the input file's size.
public enum PartsAgreement {
    public struct Part: Sendable {
        /// How messages name it (its path).
        public var name: String
        /// The parsed side file; nil when missing or unreadable.
        public var metadata: JSONValue?

        public init(name: String, metadata: JSONValue?) {
            self.name = name
            self.metadata = metadata
        }

        /// The shard the part holds, from its metadata; nil for a whole scan.
        public var shard: Shard? {
            guard let object = metadata?["shard"], let index = object["index"]?.intValue,
                  let count = object["count"]?.intValue else { return nil }
            return Shard(index: index, count: count)
        }
    }

    public struct Outcome: Sendable, Equatable {
        /// Any of these means the parts do not make one scan.
        public var problems: [String] = []
        /// Worth knowing, not wrong (another tool version).
        public var warnings: [String] = []
    }

    /// Options that change what a record says; the others (threads, limits,
    /// drain timeout, resume) only change how fast or how politely.
    public static let outcomeOptions = [
        "dns_all", "dane", "probe_all_mx", "max_addresses", "connect_timeout", "policy_timeout", "smtp_timeout",
        "dns_timeout", "dns_attempts", "providers_file",
    ]

    /// `inputSize` and `inputFormat`: of the input as the checker sees it; nil when not known.
    public static func check(_ parts: [Part], inputSize: Int? = nil, inputFormat: InputFormat? = nil) -> Outcome {
        var outcome = Outcome()
        let readable = parts.filter { part in
            guard let metadata = part.metadata else {
                outcome.problems.append("\(part.name): no metadata side file (\(part.name).meta.json): cannot tell which scan and shard it is")
                return false
            }
            guard metadata["tool"]?.stringValue == ScanMetadata.tool else {
                outcome.problems.append("\(part.name): the metadata side file is not mtascan's")
                return false
            }
            return true
        }
        checkShards(readable, into: &outcome)
        for part in readable {
            guard let metadata = part.metadata else { continue }
            let state = metadata["state"]?.stringValue ?? "unknown"
            if state != ScanMetadata.State.complete.rawValue {
                let reason = metadata["stop_reason"]?.stringValue.map { " (\($0))" } ?? ""
                let hint = state == ScanMetadata.State.running.rawValue
                    ? "still running, or killed; resume it with `mtascan scan --resume` and the same options"
                    : "resume it with `mtascan scan --resume` and the same options"
                outcome.problems.append("\(part.name): the scan is \(state)\(reason): \(hint)")
            }
            let format = metadata["input"]?["format"]?.stringValue
            if let inputFormat, let format, format != inputFormat.rawValue {
                outcome.problems.append("\(part.name): scanned its input as \(format), not \(inputFormat.rawValue)")
            }
            if let inputSize, let size = metadata["input"]?["size_bytes"]?.intValue, size != inputSize {
                outcome.problems.append("\(part.name): its input had \(size) bytes, this one has \(inputSize): another input, or it changed")
            }
        }
        guard let first = readable.first, let base = first.metadata else { return outcome }
        for part in readable.dropFirst() {
            guard let metadata = part.metadata else { continue }
            func differs(_ label: String, _ mine: JSONValue?, _ theirs: JSONValue?) {
                guard (mine ?? .null) != (theirs ?? .null) else { return }
                outcome.problems.append("\(part.name): \(label) \(describe(mine)), but \(describe(theirs)) in \(first.name)")
            }
            differs("input size", metadata["input"]?["size_bytes"], base["input"]?["size_bytes"])
            differs("input format", metadata["input"]?["format"], base["input"]?["format"])
            differs("phases", metadata["phases"], base["phases"])
            for option in outcomeOptions {
                differs("option \(option)", metadata["options"]?[option], base["options"]?[option])
            }
            if metadata["tool_version"] != base["tool_version"] {
                outcome.warnings.append("\(part.name): written by mtascan \(describe(metadata["tool_version"])), \(first.name) by \(describe(base["tool_version"])): classifications may differ")
            }
        }
        return outcome
    }

    private static func checkShards(_ parts: [Part], into outcome: inout Outcome) {
        let shards = parts.map(\.shard)
        let sharded = shards.compactMap { $0 }
        if sharded.isEmpty {
            if parts.count > 1 {
                outcome.problems.append("\(parts.count) outputs of whole scans (none has --shard): each holds every input line, so together they hold each line \(parts.count) times")
            }
            return
        }
        if sharded.count < parts.count {
            let whole = parts.filter { $0.shard == nil }.map(\.name)
            outcome.problems.append("\(whole.joined(separator: ", ")): a whole scan (no --shard) among shards")
        }
        let counts = Set(sharded.map(\.count))
        guard counts.count == 1, let count = counts.first else {
            outcome.problems.append("the parts split the input differently: \(parts.compactMap { part in part.shard.map { "\(part.name) is \($0)" } }.joined(separator: ", "))")
            return
        }
        var holders: [Int: [String]] = [:]
        for part in parts { if let shard = part.shard { holders[shard.index, default: []].append(part.name) } }
        for (index, names) in holders.sorted(by: { $0.key < $1.key }) where names.count > 1 {
            outcome.problems.append("shard \(index)/\(count) is in \(names.count) parts: \(names.joined(separator: ", "))")
        }
        let absent = (0..<count).filter { holders[$0] == nil }
        if !absent.isEmpty {
            let shown = absent.prefix(20).map { "\($0)/\(count)" }.joined(separator: ", ")
            outcome.problems.append("no part for shard\(absent.count == 1 ? "" : "s") \(shown)\(absent.count > 20 ? " and \(absent.count - 20) more" : ""): its input lines have no record")
        }
    }

    private static func describe(_ value: JSONValue?) -> String {
        guard let value, value != .null else { return "none" }
        return value.stringValue ?? value.jsonText
    }
}
