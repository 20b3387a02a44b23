import MTAScanCore
import MTAScanEngine

/// `scan --resume`: what the existing output already holds, so the scan skips
/// those input lines and appends the rest (docs/output.md, "Stopping and resuming").
struct ScanResumption {
    var ledger: ResumeLedger
    /// The kept records' counts: the metadata counts the whole file.
    var counts: ScanMetadata.Counts
    var resumes: [ScanMetadata.Resume]

    /// Refuses a resume that cannot work, before anything else is checked or sent.
    static func checkPossible(output: String, inputPath: String) throws {
        guard output != "-" else {
            throw CLIError("--resume needs -o FILE: the records to continue are read from that file")
        }
        guard inputPath != "-", FileDescriptor.identity(of: inputPath)?.isRegularFile == true else {
            throw CLIError("--resume needs an input it can read again from the start, and \(inputPath == "-" ? "standard input" : "\"\(TerminalText.escaped(inputPath))\"") is not a regular file: save the input to a file first (e.g. zcat com.zone.gz > com.zone) and scan that")
        }
    }

    /// Reads `output` and cuts off a partial last record. Nil when `output`
    /// does not exist yet: a fresh scan.
    static func prepare(output: String, metadataPath: String?, phases: [ScanRecord.Phase], shard: Shard?, now: Int64,
                        notice: (String) -> Void) throws -> ScanResumption? {
        guard FileDescriptor.identity(of: output) != nil else {
            notice("\(output) does not exist yet: nothing to resume, starting a new scan")
            return nil
        }
        // A dataset with two kinds of record in one file is worse than none: the
        // phases must be those the output was begun with (when its metadata says).
        let previous = metadataPath.flatMap { try? FileDescriptor.readAll(path: $0, maxBytes: 16 << 20) }
        if let previous, let begun = ScanMetadata.phases(inPreviousFile: previous), begun != phases {
            throw CLIError("\(output) was scanned with --phases \(begun.map(\.rawValue).joined(separator: ",")); resume it with the same phases (not \(phases.map(\.rawValue).joined(separator: ",")))")
        }
        // Another share's names appended to this file would be scanned twice
        // across the shards and leave this share's gaps open.
        if let previous, let begun = ScanMetadata.shard(inPreviousFile: previous), begun != shard {
            func named(_ shard: Shard?) -> String { shard.map { "--shard \($0)" } ?? "no --shard" }
            throw CLIError("\(output) holds \(named(begun)) of the input; resume it with the same shard (not \(named(shard)))")
        }
        let file = try FileDescriptor.openForReading(output)
        defer { file.close() }
        var source = file
        let recovery = try ScanOutputRecovery.read(&source)
        if recovery.malformedCount > 0 {
            let first = recovery.malformed.map { "\(TerminalText.escaped(output)):\($0.line): \(TerminalText.escaped($0.message))" }
            throw CLIError((first + ["\(recovery.malformedCount) line(s) of \(output) are not mtascan records: refusing to append to it"]).joined(separator: "\n"))
        }
        if recovery.ledger.duplicates > 0 {
            notice("warning: \(output) holds \(recovery.ledger.duplicates) second record(s) for input lines that already had one")
        }
        if recovery.partialBytes > 0 {
            try FileDescriptor.truncate(path: output, to: recovery.completeBytes)
            notice("\(output): dropped a partial last record (\(recovery.partialBytes) bytes); its domain is scanned again")
        }
        notice("resuming: \(recovery.ledger.count) input lines already have their record in \(output)")
        var resumes = previous.map(ScanMetadata.resumes(inPreviousFile:)) ?? []
        resumes.append(.init(at: now, recordsKept: recovery.ledger.count, partialBytesDropped: recovery.partialBytes))
        return ScanResumption(ledger: recovery.ledger, counts: recovery.counts, resumes: resumes)
    }
}
