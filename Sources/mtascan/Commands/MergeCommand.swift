import ArgumentParser
import MTAScanCore
import MTAScanEngine

/// `mtascan merge -o OUT PART...`: the parts of a sharded scan as one output
/// and one metadata side file, streamed (docs/scale-out.md).
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the outputs of a sharded scan into one NDJSON file and one metadata side file.",
        discussion: """
            Records are copied byte for byte, part by part, in the order given; a partial last line of a killed part and a second record for an input line are dropped (and counted). The merged metadata (OUT.meta.json) sums the counts, lists the parts under "merged_from", and is complete only when every part is. Parts whose metadata disagree (another input, options or shard count, a shard given twice or missing) are refused unless --force; `mtascan verify INPUT PART...` tells exactly what is wrong.
            Memory: one byte per input line, whatever the number of records.
              mtascan merge -o com.ndjson part-*.ndjson
            """
    )

    private static let lineEnd: [UInt8] = [UInt8(ascii: "\n")]

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("The merged NDJSON file (its metadata goes to FILE.meta.json).", valueName: "file"))
    var output: String

    @Flag(name: .long, help: "Merge even when the parts' metadata disagree or some part is not complete.")
    var force = false

    @Argument(help: ArgumentHelp("The parts (NDJSON), each with its metadata side file beside it.", valueName: "part"))
    var parts: [String] = []

    func validate() throws {
        guard !parts.isEmpty else { throw ValidationError("give at least one part: mtascan merge -o OUT PART...") }
        guard output != "-" else { throw ValidationError("-o names a file: the merged metadata goes beside it") }
        if parts.contains("-") { throw ValidationError("the parts are files (their metadata sits beside them), not standard input") }
    }

    func run() throws {
        var errors = BufferedWriter(destination: .standardError, flushThreshold: 0)
        let shown = TerminalText.escaped
        if let target = FileDescriptor.identity(of: output),
           let part = parts.first(where: { FileDescriptor.identity(of: $0) == target } ) {
            throw CLIError("-o \(shown(output)) is the part \(shown(part)): choose another output")
        }
        let described = parts.map(ScanParts.part)
        let agreement = PartsAgreement.check(described)
        for warning in agreement.warnings { try errors.write("mtascan merge: warning: \(shown(warning))\n") }
        if !agreement.problems.isEmpty {
            for problem in agreement.problems { try errors.write("mtascan merge: \(shown(problem))\n") }
            guard force else {
                throw CLIError("the parts do not make one complete scan (above); nothing written. Resume or rescan the parts, or merge anyway with --force")
            }
        }

        let destination = try FileDescriptor.openForWriting(output)
        var writer = BufferedWriter(destination: destination)
        var seen = ResumeLedger()
        var counts = ScanMetadata.Counts()
        var dropped = 0, malformed = 0, partial = 0
        var perPart: [JSONValue] = []
        for part in described {
            var written = 0
            // Records are copied as the scan wrote them, byte for byte (another
            // version's writer may format a number differently from ours).
            let damage = try ScanParts.records(of: part.name, keepingBytes: true) { record, line, domain, bytes in
                guard seen.add(line: line, domain: domain.utf8) else {
                    dropped += 1
                    return
                }
                try writer.write(bytes)
                try writer.write(Self.lineEnd)
                counts.count(record: record)
                written += 1
            }
            malformed += damage.malformed
            if damage.partialLastLine { partial += 1 }
            perPart.append(Self.summary(of: part, records: written))
        }
        try writer.flush()
        destination.syncData()
        destination.close()

        let metadata = Self.merged(described, summaries: perPart, counts: counts,
                                   problems: agreement.problems)
        var bytes = JSONWriter(capacity: 4096)
        bytes.writeLine(metadata)
        try FileDescriptor.replaceContents(of: output + ".meta.json", with: bytes.bytes)

        var notes: [String] = []
        if dropped > 0 { notes.append("\(dropped) second record(s) for an input line dropped") }
        if malformed > 0 { notes.append("\(malformed) line(s) that are not records skipped") }
        if partial > 0 { notes.append("\(partial) partial last line(s) of killed parts dropped") }
        try errors.write("mtascan merge: \(counts.records) records from \(parts.count) part\(parts.count == 1 ? "" : "s") to \(shown(output))\(notes.isEmpty ? "" : "; " + notes.joined(separator: "; "))\n")
    }

    /// What the merged metadata says of one part.
    static func summary(of part: PartsAgreement.Part, records: Int) -> JSONValue {
        let metadata = part.metadata
        return .object([
            "path": .string(part.name),
            "shard": part.shard.map { .string($0.description) } ?? .null,
            "state": metadata?["state"] ?? .null,
            "stop_reason": metadata?["stop_reason"] ?? .null,
            "records": .int(records),
            "started_at": metadata?["started_at"] ?? .null,
            "finished_at": metadata?["finished_at"] ?? .null,
            "duration_seconds": metadata?["duration_seconds"] ?? .null,
            "source_address": metadata?["source_address"] ?? .null,
            "source_addresses": metadata?["source_addresses"] ?? .null,
            "ehlo_name": metadata?["ehlo_name"] ?? .null,
            "resumes": .int(metadata?["resumes"]?.arrayValue?.count ?? 0),
            "dns": metadata?["dns"] ?? .null,
        ])
    }

    /// The first readable part's metadata, made to describe the whole: counts of
    /// the merged records, the earliest start and latest end, every resume, the
    /// parts under `merged_from`, and `complete` only if every part is.
    static func merged(_ parts: [PartsAgreement.Part], summaries: [JSONValue], counts: ScanMetadata.Counts,
                       problems: [String]) -> JSONValue {
        let readable = parts.compactMap(\.metadata)
        var object = readable.first?.objectValue ?? JSONObject()
        let states = readable.map { $0["state"]?.stringValue ?? "unknown" }
        let allComplete = problems.isEmpty && states.count == parts.count
            && states.allSatisfy { $0 == ScanMetadata.State.complete.rawValue }
        let state = allComplete ? ScanMetadata.State.complete.rawValue
            : states.first { $0 != ScanMetadata.State.complete.rawValue } ?? ScanMetadata.State.failed.rawValue
        object["state"] = .string(state)
        object["complete"] = .bool(allComplete)
        object["stop_reason"] = allComplete ? .null : .string("merged from parts that are not one complete scan: " + (problems.first ?? "a part is \(state)"))
        let started = readable.compactMap { $0["started_at"]?.stringValue }.min()
        let finished = readable.compactMap { $0["finished_at"]?.stringValue }
        object["started_at"] = started.map { .string($0) } ?? .null
        object["finished_at"] = finished.count == readable.count ? finished.max().map { .string($0) } ?? .null : .null
        let durations = readable.compactMap { $0["duration_seconds"] }.compactMap { value -> Double? in
            if case .double(let seconds) = value { return seconds }
            return value.intValue.map(Double.init)
        }
        object["duration_seconds"] = durations.max().map { .double($0) } ?? .null
        object["abandoned_in_flight"] = .int(readable.reduce(0) { $0 + ($1["abandoned_in_flight"]?.intValue ?? 0) })
        object["resumes"] = .array(readable.flatMap { $0["resumes"]?.arrayValue ?? [] })
        object["shard"] = .null
        object["counts"] = counts.json
        // Each part asked its own resolvers; their statistics stay with the parts.
        object["dns"] = .object(JSONObject())
        object["merged_from"] = .array(summaries)
        return .object(object)
    }
}
