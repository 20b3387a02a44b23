/// The metadata side file of a scan (docs/output.md, "Metadata side file"):
/// what was scanned, when, from where, with which options, and how it went.
/// A study cites it; a re-run compares against it. Records stay lean because
/// none of this is repeated per line.
///
/// Pure: the CLI gathers the values (clock, resolvers, FCrDNS result, DNS
/// statistics) and writes `fileBytes` where `sidePath` says.
public struct ScanMetadata: Sendable, Equatable {
    public static let schemaVersion = 1
    public static let tool = "mtascan"

    public struct Input: Sendable, Equatable {
        /// As given on the command line; `-` for standard input.
        public var path: String
        public var format: InputFormat
        /// The input file's size when the scan began; nil for standard input. The
        /// parts of a sharded scan, and a resume, must read the same input.
        public var sizeBytes: Int?

        public init(path: String, format: InputFormat, sizeBytes: Int? = nil) {
            self.path = path
            self.format = format
            self.sizeBytes = sizeBytes
        }
    }

    /// Which share of a sharded scan this output holds (`--shard`).
    public struct ShardInfo: Sendable, Equatable {
        public var shard: Shard
        public var source: ShardSelection.Source
        public var politeness: ShardPoliteness

        public init(shard: Shard, source: ShardSelection.Source, politeness: ShardPoliteness) {
            self.shard = shard
            self.source = source
            self.politeness = politeness
        }

        var json: JSONValue {
            .object(["index": .int(shard.index), "count": .int(shard.count), "hash": .string(Shard.hashName),
                     "source": .string(source.rawValue), "limits": politeness.json])
        }
    }

    /// One address the scan connects from (`--source-ip`), with the name it says in
    /// EHLO from there and whether that name is its forward-confirmed reverse DNS.
    public struct Source: Sendable, Equatable {
        public var address: String
        /// nil when no SMTP probe is made (the MX phase does not run).
        public var ehloName: String?
        /// nil: not checked (no MX phase).
        public var confirmed: Bool?

        public init(address: String, ehloName: String? = nil, confirmed: Bool? = nil) {
            self.address = address
            self.ehloName = ehloName
            self.confirmed = confirmed
        }

        var json: JSONValue {
            .object(["address": .string(address), "ehlo_name": ehloName.map { .string($0) } ?? .null,
                     "confirmed": confirmed.map { .bool($0) } ?? .null])
        }
    }

    /// Records by outcome. `records` counts every line written; `byVerdict`
    /// those with a verdict; `inputErrors` and `excluded` the two kinds of
    /// record whose verdict is null; `dnsTimeouts` those with a `dns-timeout`
    /// finding, whose verdict rests on a lookup no resolver answered.
    public struct Counts: Sendable, Equatable {
        public var records = 0
        public var byVerdict: [Verdict: Int] = [:]
        public var inputErrors = 0
        public var excluded = 0
        public var dnsTimeouts = 0

        public init() {}

        public mutating func count(verdict: Verdict?, inputError: Bool = false, excluded: Bool = false,
                                   dnsTimeout: Bool = false) {
            records += 1
            if let verdict { byVerdict[verdict, default: 0] += 1 }
            if inputError { inputErrors += 1 }
            if excluded { self.excluded += 1 }
            if dnsTimeout { dnsTimeouts += 1 }
        }

        /// Whether a record has a `dns-timeout` finding: some lookup of its
        /// domain got no answer from any resolver within the attempts.
        public static func hasDNSTimeout(_ record: JSONValue) -> Bool {
            guard case .array(let findings)? = record["findings"] else { return false }
            return findings.contains { $0["code"]?.stringValue == FindingCode.dnsTimeout.rawValue }
        }

        /// Counts a record as written (docs/output.md): by its `verdict`, a non-null
        /// `input_error`, a non-null `excluded`. Reading the record itself keeps the
        /// counts true to the file whatever produced the line.
        public mutating func count(record: JSONValue) {
            let verdict = record["verdict"]?.stringValue.flatMap(Verdict.init(rawValue:))
            count(verdict: verdict, inputError: (record["input_error"] ?? .null) != .null,
                  excluded: (record["excluded"] ?? .null) != .null, dnsTimeout: Self.hasDNSTimeout(record))
        }

        public mutating func add(_ other: Counts) {
            records += other.records
            for (verdict, count) in other.byVerdict { byVerdict[verdict, default: 0] += count }
            inputErrors += other.inputErrors
            excluded += other.excluded
            dnsTimeouts += other.dnsTimeouts
        }

        /// Every verdict appears, zeros included, in `Verdict.allCases` order, so
        /// that two scans' files diff and load alike.
        public var json: JSONValue {
            var verdicts = JSONObject()
            for verdict in Verdict.allCases { verdicts[verdict.rawValue] = .int(byVerdict[verdict] ?? 0) }
            return .object([
                "records": .int(records), "by_verdict": .object(verdicts),
                "input_errors": .int(inputErrors), "excluded": .int(excluded),
                "dns_timeouts": .int(dnsTimeouts),
            ])
        }
    }

    /// How the run stands. The file is written when a scan starts (`running`)
    /// and again on every way it ends, so a file still saying `running` after
    /// the process is gone means it was killed (`kill -9`, a crash).
    public enum State: String, Sendable, Equatable {
        case running
        /// Every input line has its record.
        case complete
        /// Stopped early by a signal; `scan --resume` continues it.
        case interrupted
        /// Stopped by an error (unreadable input, a failed write); records so far are intact.
        case failed
    }

    /// One `scan --resume` of this output.
    public struct Resume: Sendable, Equatable {
        /// Unix seconds, UTC.
        public var at: Int64
        /// Records the output already held, kept as they were.
        public var recordsKept: Int
        /// Bytes of a record cut short by the earlier run's end, removed.
        public var partialBytesDropped: Int

        public init(at: Int64, recordsKept: Int, partialBytesDropped: Int) {
            self.at = at
            self.recordsKept = recordsKept
            self.partialBytesDropped = partialBytesDropped
        }

        var json: JSONValue {
            .object(["at": .string(UnixTime.rfc3339(at)), "records_kept": .int(recordsKept),
                     "partial_bytes_dropped": .int(partialBytesDropped)])
        }

        init?(json: JSONValue) {
            guard let at = json["at"]?.stringValue.flatMap(UnixTime.parseRFC3339),
                  let kept = json["records_kept"]?.intValue, let dropped = json["partial_bytes_dropped"]?.intValue
            else { return nil }
            self.init(at: at, recordsKept: kept, partialBytesDropped: dropped)
        }
    }

    public var state: State = .running
    /// Why a run that is not complete stopped: `SIGTERM`, `input error: …`, `output error: …`.
    public var stopReason: String?
    /// Domains still in flight when an interrupted run stopped: they have no
    /// record and are scanned again by a resume.
    public var abandonedInFlight = 0
    /// Every resume of this output, oldest first (carried over from the metadata file it replaces).
    public var resumes: [Resume] = []

    public var toolVersion: String
    /// Unix seconds, UTC.
    public var startedAt: Int64
    /// Unix seconds, UTC; nil while the scan runs (a file written on interrupt says so).
    public var finishedAt: Int64?
    /// Wall time of the scan by the monotonic clock (finished minus started can be off when the clock steps).
    public var durationSeconds: Double?
    public var input: Input
    public var phases: [ScanRecord.Phase]
    /// Resolver addresses in the order they are tried.
    public var resolvers: [String]
    /// The address probes are sent from, when known or chosen: the first `--source-ip`.
    public var sourceAddress: String?
    /// Every source address, in the order given (without `--source-ip`, the kernel's
    /// source when it was checked); empty when none is known.
    public var sourceAddresses: [Source]
    /// The EHLO name of the first source (of every source with `--ehlo`).
    public var ehloName: String?
    /// Every source's EHLO name is its forward-confirmed reverse DNS (`mtascan fcrdns`);
    /// nil when not checked.
    public var ehloConfirmed: Bool?
    public var caFile: String?
    /// nil for a scan of the whole input.
    public var shard: ShardInfo?
    /// Entries of `--exclude` files (networks and domain suffixes).
    public var exclusions: Int
    /// The effective options and limits (`max_in_flight`, `threads`, timeouts…),
    /// as the CLI resolved them: flags and defaults alike.
    public var options: JSONObject
    public var counts: Counts
    /// DNS client statistics (`sent`, `retries`, `timeouts`…).
    public var dns: JSONObject

    public init(toolVersion: String, startedAt: Int64, finishedAt: Int64? = nil, durationSeconds: Double? = nil,
                input: Input, phases: [ScanRecord.Phase], resolvers: [String], sourceAddress: String? = nil,
                sourceAddresses: [Source] = [], ehloName: String? = nil, ehloConfirmed: Bool? = nil, caFile: String? = nil, exclusions: Int = 0,
                options: JSONObject = JSONObject(), counts: Counts = Counts(), dns: JSONObject = JSONObject()) {
        self.toolVersion = toolVersion
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationSeconds = durationSeconds
        self.input = input
        self.phases = phases
        self.resolvers = resolvers
        self.sourceAddress = sourceAddress
        self.sourceAddresses = sourceAddresses
        self.ehloName = ehloName
        self.ehloConfirmed = ehloConfirmed
        self.caFile = caFile
        self.exclusions = exclusions
        self.options = options
        self.counts = counts
        self.dns = dns
    }

    /// Every key, always, in this order; unknown values are null.
    public var json: JSONValue {
        .object([
            "schema_version": .int(Self.schemaVersion),
            "tool": .string(Self.tool),
            "tool_version": .string(toolVersion),
            "state": .string(state.rawValue),
            "complete": .bool(state == .complete),
            "stop_reason": stopReason.map { .string($0) } ?? .null,
            "abandoned_in_flight": .int(abandonedInFlight),
            "resumes": .array(resumes.map(\.json)),
            "started_at": .string(UnixTime.rfc3339(startedAt)),
            "finished_at": finishedAt.map { .string(UnixTime.rfc3339($0)) } ?? .null,
            "duration_seconds": durationSeconds.map { .double(($0 * 1000).rounded() / 1000) } ?? .null,
            "input": .object(["path": .string(input.path), "format": .string(input.format.rawValue),
                              "size_bytes": input.sizeBytes.map { .int($0) } ?? .null]),
            "shard": shard?.json ?? .null,
            "phases": .strings(phases.map(\.rawValue)),
            "resolvers": .strings(resolvers),
            "source_address": sourceAddress.map { .string($0) } ?? .null,
            "source_addresses": .array(sourceAddresses.map(\.json)),
            "ehlo_name": ehloName.map { .string($0) } ?? .null,
            "ehlo_confirmed": ehloConfirmed.map { .bool($0) } ?? .null,
            "ca_file": caFile.map { .string($0) } ?? .null,
            "exclusions": .int(exclusions),
            "options": .object(options),
            "counts": counts.json,
            "dns": .object(dns),
        ])
    }

    /// The file's content: the object on one line and a newline (`jq .` pretty-prints it).
    public var fileBytes: [UInt8] {
        var writer = JSONWriter(capacity: 2048)
        writer.writeLine(json)
        return writer.bytes
    }

    /// The resumes recorded in an earlier metadata file's text; none when it
    /// is unreadable (a resume does not depend on it: the records are the truth).
    public static func resumes(inPreviousFile bytes: [UInt8]) -> [Resume] {
        guard let value = try? JSONParser.parse(bytes), let list = value["resumes"]?.arrayValue else { return [] }
        return list.compactMap(Resume.init(json:))
    }

    /// The phases recorded in an earlier metadata file's text; nil when unreadable.
    public static func phases(inPreviousFile bytes: [UInt8]) -> [ScanRecord.Phase]? {
        guard let value = try? JSONParser.parse(bytes), let list = value["phases"]?.arrayValue else { return nil }
        let phases = list.compactMap { $0.stringValue.flatMap(ScanRecord.Phase.init(rawValue:)) }
        return phases.count == list.count ? phases : nil
    }

    /// The shard recorded in an earlier metadata file's text: `.some(nil)` for
    /// a scan of the whole input, nil when the file is unreadable.
    public static func shard(inPreviousFile bytes: [UInt8]) -> Shard?? {
        guard let value = try? JSONParser.parse(bytes), let shard = value["shard"] else { return nil }
        if shard == .null { return .some(nil) }
        guard let index = shard["index"]?.intValue, let count = shard["count"]?.intValue,
              let parsed = Shard(index: index, count: count) else { return nil }
        return .some(parsed)
    }

    /// Where the side file goes: `--metadata FILE` if given, else `<output>.meta.json`
    /// next to an output file; nil when records go to standard output and no
    /// `--metadata` was given (there is no file to sit beside).
    public static func sidePath(output: String, metadata: String?) -> String? {
        if let metadata { return metadata }
        return output == "-" ? nil : output + ".meta.json"
    }
}
