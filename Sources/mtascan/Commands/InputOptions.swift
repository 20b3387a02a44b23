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

    func openReader() throws -> any DomainReader {
        let source = try FileDescriptor.openForReading(path)
        return makeDomainReader(format: resolvedFormat, source: source, origin: origin.flatMap { DomainName($0) })
    }
}

extension InputFormat: ExpressibleByArgument {}
