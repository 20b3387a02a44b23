import ArgumentParser
import MTAScanCore
import MTAScanEngine

/// `mtascan verify INPUT PART...`: proves that the parts of a sharded scan (or
/// one whole scan) hold exactly one record per input line, and that their
/// metadata describe one scan (docs/scale-out.md).
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that scan outputs hold exactly one record per input line (sharded or not).",
        discussion: """
            Reads every part's records and metadata side file (PART.meta.json), then the input in order. It lists input lines without a record (and the shard that owes them), lines with more than one, records whose line holds another name, records in the wrong shard's part, and metadata that disagree: another input, phases or outcome-changing options, a shard missing or given twice, a part not complete.
            Exit status: 0 when the parts are exactly once, 1 when not, 2 on a usage error.
            Memory: one byte per input line.
              mtascan verify com.zone part-*.ndjson
              mtascan verify domains.txt scan.ndjson
            """
    )

    @OptionGroup var input: InputOptions

    @Argument(help: ArgumentHelp("The scan outputs (NDJSON), each with its metadata side file beside it.", valueName: "part"))
    var parts: [String] = []

    func validate() throws {
        guard !parts.isEmpty else { throw ValidationError("give the input and at least one scan output: mtascan verify INPUT PART...") }
        guard input.path != "-" else { throw ValidationError("verify reads the input file the scan read; standard input cannot be compared") }
        if parts.contains("-") { throw ValidationError("the parts are files (their metadata sits beside them), not standard input") }
    }

    func run() throws {
        var out = BufferedWriter(destination: .standardOutput, flushThreshold: 0)
        let described = parts.map(ScanParts.part)
        let inputSize = FileDescriptor.identity(of: input.path).flatMap { $0.isRegularFile ? $0.size : nil }
        let agreement = PartsAgreement.check(described, inputSize: inputSize, inputFormat: input.resolvedFormat)
        let shardCount = described.compactMap(\.shard).first?.count

        var check = ExactlyOnceCheck(shardCount: shardCount)
        var damaged: [String] = []
        for part in described {
            let shard = part.shard
            let damage = try ScanParts.records(of: part.name) { _, line, domain, _ in
                check.noteRecord(line: line, domain: domain, part: part.name, shard: shard)
            }
            if damage.malformed > 0 { damaged.append("\(part.name): \(damage.malformed) line(s) are not scan records") }
            if damage.partialLastLine { damaged.append("\(part.name): ends in a partial record (a killed scan); `mtascan scan --resume` repairs it") }
        }
        var reader = try input.openReader()
        while let item = try reader.next() {
            check.noteInput(line: item.line, key: (try? item.name.get().text) ?? item.text)
        }

        let shown = TerminalText.escaped
        let shardText = shardCount.map { " of a scan in \($0) shards" } ?? ""
        try out.write("verify: \(parts.count) part\(parts.count == 1 ? "" : "s")\(shardText), \(check.records) records; \(check.inputLines) input lines with a name in \(shown(input.path))\n")
        for warning in agreement.warnings { try out.write("warning: \(shown(warning))\n") }
        for problem in agreement.problems { try out.write("metadata: \(shown(problem))\n") }
        for problem in damaged { try out.write("damaged: \(shown(problem))\n") }
        let kinds: [(String, ExactlyOnceCheck.Problems)] = [
            ("missing (no record)", check.missing), ("duplicate (more than one record)", check.duplicates),
            ("another name than the input's", check.otherDomain), ("in the wrong shard's part", check.misplaced),
        ]
        for (label, problems) in kinds where problems.count > 0 {
            try out.write("\(label): \(problems.count)\n")
            for example in problems.examples { try out.write("  \(shown(example))\n") }
            if problems.count > problems.examples.count {
                try out.write("  … and \(problems.count - problems.examples.count) more\n")
            }
        }
        if check.orphans > 0 {
            try out.write("records for lines of the input that hold no name: \(check.orphans) (another input?)\n")
        }
        let exact = check.isExactlyOnce && agreement.problems.isEmpty && damaged.isEmpty
        try out.write(exact ? "verify: OK, every input line has exactly one record\n" : "verify: FAILED\n")
        if !exact { throw ExitCode(1) }
    }
}
