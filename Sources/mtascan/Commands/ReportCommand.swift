import ArgumentParser
import MTAScanCore
import MTAScanEngine

/// `mtascan report`: the tables a measurement paper prints, from one or more
/// scans' NDJSON, in one streaming pass; `--compare OLD NEW` for what changed.
/// Aggregation and rendering live in the core (Report/); this only reads
/// files and writes the chosen format (docs/report.md).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Summarise scan NDJSON: verdicts, misconfigurations, policy errors by layer, TLS-RPT adoption, providers.",
        discussion: """
            Several SCAN files are read as one population (e.g. a zone split across machines).
            Memory is bounded by distinct policy/MX hosts, not by records.
              mtascan report scan.ndjson                         aligned tables
              mtascan report --format json scan.ndjson > r.json  stable ids for programs
              mtascan report --svg chart.svg scan.ndjson         a chart as well
              mtascan report --compare old.ndjson new.ndjson --changes changes.ndjson
            Tables, definitions and formats: docs/report.md.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, markdown, csv, json
    }

    @Argument(help: ArgumentHelp("Scan NDJSON files ('-' reads standard input); with --compare, OLD and NEW.", valueName: "scan"))
    var scans: [String] = ["-"]

    @Flag(name: .long, help: "Compare two scans, OLD then NEW, domain by domain.")
    var compare = false

    @Option(name: .long, help: ArgumentHelp("table, markdown, csv or json.", valueName: "format"))
    var format: Format = .table

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write the report here instead of standard output.", valueName: "file"))
    var output: String = "-"

    @Option(name: .long, help: ArgumentHelp("Also write an SVG chart of the breakdown.", valueName: "file"))
    var svg: String?

    @Option(name: .customLong("third-party-threshold"), help: ArgumentHelp("A policy or MX host serving at least this many MTA-STS domains of the scan is third-party.", valueName: "n"))
    var thirdPartyThreshold = 50

    @Option(name: .long, help: ArgumentHelp("Rows of the provider and CNAME-target tables before \"other\".", valueName: "n"))
    var top = 10

    @Option(name: .customLong("psl"), help: ArgumentHelp("Public Suffix List, to group CNAME targets by registrable domain (default: Debian's, if installed).", valueName: "path"))
    var psl: String?

    @Option(name: .long, help: ArgumentHelp("With --compare: write each changed domain here (NDJSON, or CSV if the name ends in .csv).", valueName: "file"))
    var changes: String?

    @Option(name: .customLong("sort-memory"), help: ArgumentHelp("With --compare: MiB per scan for sorting its domains; beyond it they are sorted on disk (in --temporary-directory), so memory stays bounded whatever the scans' size.", valueName: "MiB"))
    var sortMemory = 128

    @Option(name: .customLong("temporary-directory"), help: ArgumentHelp("With --compare: where sorted runs go when the domains exceed --sort-memory (default: $TMPDIR or /tmp).", valueName: "dir"))
    var temporaryDirectory: String?

    func validate() throws {
        if sortMemory < 1 { throw ValidationError("--sort-memory must be at least 1 MiB") }
        if compare && scans.count != 2 { throw ValidationError("--compare takes exactly two scans, OLD and NEW") }
        if !compare && changes != nil { throw ValidationError("--changes needs --compare") }
        if compare && svg != nil { throw ValidationError("--svg charts one report, not a comparison") }
        if scans.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input ('-') can be read only once") }
        for path in [output, svg, changes].compactMap({ $0 }) where path != "-" && scans.contains(path) {
            throw ValidationError("\(path) is an input; refusing to overwrite it")
        }
        if thirdPartyThreshold < 1 { throw ValidationError("--third-party-threshold must be at least 1") }
        if top < 1 { throw ValidationError("--top must be at least 1") }
    }

    func run() throws {
        var output = BufferedWriter(destination: try FileDescriptor.openForWriting(self.output))
        defer { output.destination.close() }
        if compare {
            try runComparison(&output)
        } else {
            try runReport(&output)
        }
        try output.flush()
    }

    private func runReport(_ output: inout BufferedWriter) throws {
        var aggregator = ReportAggregator(options: .init(
            thirdPartyThreshold: thirdPartyThreshold, top: top, publicSuffixList: try loadPublicSuffixList()))
        for path in scans {
            try ScanFileReading.read(path, record: { aggregator.add($0) }, malformed: { aggregator.addMalformedLine() })
        }
        let report = aggregator.report(inputs: scans)
        if let svg {
            let file = try FileDescriptor.openForWriting(svg)
            defer { file.close() }
            try file.writeAll(Array(ReportSVGRenderer.render(report).utf8))
        }
        try output.write(rendered(report))
    }

    /// Both scans become sorted streams of small per-domain entries (on disk
    /// beyond --sort-memory), joined domain by domain: memory stays bounded
    /// whatever the scans' size (docs/report.md, "Compare").
    private func runComparison(_ output: inout BufferedWriter) throws {
        var comparison = ScanComparison()
        let budget = sortMemory << 20
        let directory = temporaryDirectory ?? ExternalSorter.defaultTemporaryDirectory
        let oldSorter = ExternalSorter(memoryBudget: budget, temporaryDirectory: directory)
        var sequence = 0
        try ScanFileReading.read(scans[0], record: { record in
            sequence += 1
            if let entry = comparison.entry(old: record, sequence: sequence) { try oldSorter.add(entry) }
        }, malformed: { comparison.addMalformedLine(inOld: true) })
        var oldEntries = try oldSorter.sorted()
        let newSorter = ExternalSorter(memoryBudget: budget, temporaryDirectory: directory)
        sequence = 0
        try ScanFileReading.read(scans[1], record: { record in
            sequence += 1
            if let entry = comparison.entry(new: record, sequence: sequence) { try newSorter.add(entry) }
        }, malformed: { comparison.addMalformedLine(inOld: false) })
        var newEntries = try newSorter.sorted()
        var sink = try ChangeSink(path: changes, keepInMemory: changes == nil && format == .json)
        try comparison.join(old: &oldEntries, new: &newEntries) { try sink.add($0) }
        if let error = oldEntries.error ?? newEntries.error { throw error }
        try sink.close()
        let report = comparison.report(old: scans[0], new: scans[1])
        guard format == .json, let kept = sink.kept else { return try output.write(rendered(report)) }
        guard case .object(var root) = ReportDataRenderer.json(report) else { return }
        root["changes"] = .array(kept.map(\.json))
        var writer = JSONWriter()
        writer.writeLine(.object(root))
        try output.write(writer.bytes)
    }

    private func rendered(_ report: Report) -> String {
        switch format {
        case .table: return ReportTextRenderer.terminal(report)
        case .markdown: return ReportTextRenderer.markdown(report)
        case .csv: return ReportDataRenderer.csv(report)
        case .json:
            var writer = JSONWriter()
            writer.writeLine(ReportDataRenderer.json(report))
            return String(decoding: writer.bytes, as: UTF8.self)
        }
    }

    /// `--psl PATH` must load; without it, Debian's list is used if present,
    /// and CNAME targets are grouped by full name if not.
    private func loadPublicSuffixList() throws -> PublicSuffixList? {
        let path = psl ?? PublicSuffixList.debianPath
        do {
            return try PublicSuffixList(listText: FileDescriptor.readAll(path: path, maxBytes: 16 << 20))
        } catch {
            if psl == nil { return nil }
            throw CLIError("cannot load the Public Suffix List \(path): \(error)")
        }
    }
}
