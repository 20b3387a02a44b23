import ArgumentParser
import MTAScanCore
import MTAScanEngine

/// Where the domains of a run come from; shared by every command that reads domains.
struct InputOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Domain list, Tranco-style CSV or DNS zone file; '-' or nothing reads standard input (e.g. `zcat com.zone.gz | mtascan ...`).", valueName: "input"))
    var path: String = "-"

    @Option(name: .customLong("input-format"), help: ArgumentHelp("list, csv or zone (default: from the file name: *.csv → csv, *.zone/*.db → zone, else list).", valueName: "format"))
    var format: InputFormat?

    @Option(name: .customLong("origin"), help: ArgumentHelp("Origin of a zone file without $ORIGIN or SOA (e.g. com).", valueName: "name"))
    var origin: String?

    var resolvedFormat: InputFormat {
        if let format { return format }
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") { return .csv }
        if lower.hasSuffix(".zone") || lower.hasSuffix(".db") || lower.hasSuffix(".zone.txt") { return .zone }
        return .list
    }

    func validate() throws {
        if let origin, DomainName(origin) == nil {
            throw ValidationError("--origin \"\(origin)\" is not a domain name")
        }
    }

    /// The reader of the input; it says on stderr when it skipped a header
    /// line, so that every command reading domains (scan, domains) does.
    func openReader() throws -> any DomainReader {
        let source = try FileDescriptor.openForReading(path)
        let reader = makeDomainReader(format: resolvedFormat, source: source, origin: origin.flatMap { DomainName($0) })
        return HeaderReportingReader(base: reader, path: path)
    }
}

/// Passes items through and, once a header has been skipped, names it on
/// stderr: a first line taken for a header is a name lost if it was one.
struct HeaderReportingReader: DomainReader {
    private var base: any DomainReader
    private let path: String
    private var reported = false

    init(base: any DomainReader, path: String) {
        self.base = base
        self.path = path
    }

    mutating func next() throws -> InputItem? {
        let item = try base.next()
        if !reported, let header = base.skippedHeader {
            reported = true
            var errors = BufferedWriter(destination: .standardError, flushThreshold: 0)
            try errors.write("mtascan: \(TerminalText.escaped(path)):1: skipped as a CSV header: \(TerminalText.escaped(header))\n")
        }
        return item
    }

    var skippedHeader: String? { base.skippedHeader }
}

extension InputFormat: ExpressibleByArgument {}
