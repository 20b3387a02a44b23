/// What `--shard` was given, and the shard it names once the scheduler's
/// variables are read: `i/n` as written, or `auto` (`auto/N`) from the job
/// array a scheduler started this process in (docs/scale-out.md).
///
/// - Slurm job arrays: `SLURM_ARRAY_TASK_ID` with `SLURM_ARRAY_TASK_COUNT`, or
///   with `SLURM_ARRAY_TASK_MIN` and `SLURM_ARRAY_TASK_MAX` (index = id − min,
///   count = max − min + 1), so `--array=0-3` and `--array=1-4` both work. An
///   array with gaps or a step (`--array=0,2,5`, `0-9:2`) cannot be mapped onto
///   `0..<n` and is refused.
/// - Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX`, with the count from
///   `MTASCAN_SHARD_COUNT` (Kubernetes does not tell a pod the completions).
///
/// Pure: the environment is passed in.
public enum ShardSelection: Sendable, Equatable {
    case fixed(Shard)
    /// From the scheduler; `count` when given as `auto/N`.
    case automatic(count: Int?)

    public enum Source: String, Sendable {
        case option, slurm, kubernetes
    }

    public struct Resolved: Sendable, Equatable {
        public var shard: Shard
        public var source: Source
    }

    public init?(_ text: String) {
        if text == "auto" {
            self = .automatic(count: nil)
        } else if text.hasPrefix("auto/") {
            guard let count = Int(text.dropFirst(5)), count >= 1, count < 1_000_000_000 else { return nil }
            self = .automatic(count: count)
        } else if let shard = Shard(text) {
            self = .fixed(shard)
        } else {
            return nil
        }
    }

    /// The shard, or why none can be told.
    public func resolve(environment: [String: String]) -> Result<Resolved, ShardSelectionError> {
        switch self {
        case .fixed(let shard):
            return .success(.init(shard: shard, source: .option))
        case .automatic(let given):
            if environment["SLURM_ARRAY_TASK_ID"] != nil { return Self.slurm(environment, count: given) }
            if environment["JOB_COMPLETION_INDEX"] != nil { return Self.kubernetes(environment, count: given) }
            return .failure(.init("--shard auto: neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set; give --shard INDEX/COUNT"))
        }
    }

    private static func slurm(_ environment: [String: String], count given: Int?) -> Result<Resolved, ShardSelectionError> {
        guard let id = number(environment["SLURM_ARRAY_TASK_ID"]) else {
            return .failure(.init("--shard auto: SLURM_ARRAY_TASK_ID is not a number"))
        }
        let minimum = number(environment["SLURM_ARRAY_TASK_MIN"]) ?? 0
        let index = id - minimum
        var count = given
        if let maximum = number(environment["SLURM_ARRAY_TASK_MAX"]) {
            let span = maximum - minimum + 1
            if let tasks = number(environment["SLURM_ARRAY_TASK_COUNT"]), tasks != span {
                return .failure(.init("--shard auto: the job array is not one contiguous range (\(tasks) tasks between \(minimum) and \(maximum)); submit it as --array=0-\(tasks - 1)"))
            }
            if let step = number(environment["SLURM_ARRAY_TASK_STEP"]), step != 1 {
                return .failure(.init("--shard auto: the job array has a step of \(step); submit it with a step of 1"))
            }
            if count == nil { count = span }
        }
        if count == nil { count = number(environment["SLURM_ARRAY_TASK_COUNT"]) }
        guard let count else {
            return .failure(.init("--shard auto: SLURM_ARRAY_TASK_COUNT is not set; give --shard auto/COUNT"))
        }
        guard let shard = Shard(index: index, count: count) else {
            return .failure(.init("--shard auto: array task \(id) is not one of \(count) tasks numbered from \(minimum)"))
        }
        return .success(.init(shard: shard, source: .slurm))
    }

    private static func kubernetes(_ environment: [String: String], count given: Int?) -> Result<Resolved, ShardSelectionError> {
        guard let index = number(environment["JOB_COMPLETION_INDEX"]) else {
            return .failure(.init("--shard auto: JOB_COMPLETION_INDEX is not a number"))
        }
        let fromEnvironment = environment["MTASCAN_SHARD_COUNT"]
        guard let count = given ?? number(fromEnvironment) else {
            return .failure(.init(fromEnvironment == nil
                ? "--shard auto: JOB_COMPLETION_INDEX is set but not the shard count; set MTASCAN_SHARD_COUNT to the Job's completions, or give --shard auto/COUNT"
                : "--shard auto: MTASCAN_SHARD_COUNT is not a number"))
        }
        guard let shard = Shard(index: index, count: count) else {
            return .failure(.init("--shard auto: completion index \(index) is not below the shard count \(count)"))
        }
        return .success(.init(shard: shard, source: .kubernetes))
    }

    private static func number(_ text: String?) -> Int? {
        guard let text, !text.isEmpty, text.utf8.count <= 9, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }
}

public struct ShardSelectionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
