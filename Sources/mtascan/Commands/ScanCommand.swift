import ArgumentParser
import MTAScanCore
import MTAScanEngine

/// `mtascan scan`: one NDJSON record per input domain, streamed as each completes.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan domains and stream one NDJSON record per input domain.",
        discussion: """
            Every input line that holds a name yields exactly one record, invalid names and
            failed lookups included (docs/output.md). Records are written as domains finish,
            not in input order; `input_line` ties each to its line.

            This machine's /etc/resolv.conf may point anywhere: name your resolver.
              mtascan scan --resolver 127.53.0.2 --phases dns domains.txt
            """
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var dns: DNSOptions

    @Option(name: .customLong("phases"), help: ArgumentHelp("Comma-separated phases to run; this version runs the DNS phase.", valueName: "list"),
            transform: ScanCommand.parsePhases)
    var phases: [ScanRecord.Phase] = [.dns]

    static func parsePhases(_ text: String) throws -> [ScanRecord.Phase] {
        try text.split(separator: ",").map { word in
            guard let phase = ScanRecord.Phase(rawValue: String(word.filter { $0 != " " })) else {
                throw ValidationError("unknown phase \"\(word)\"; phases: \(ScanRecord.Phase.allCases.map(\.rawValue).joined(separator: ","))")
            }
            return phase
        }
    }

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Write records here instead of standard output.", valueName: "file"))
    var output: String = "-"

    @Flag(name: .customLong("dns-all"), help: "Resolve the policy host and MX addresses of every domain, not only of MTA-STS domains.")
    var resolveEverything = false

    @Flag(name: .customLong("dane"), help: "Also look up the TLSA records of MX hosts (_25._tcp.<mx>, RFC 7672).")
    var dane = false

    @Option(name: .customLong("max-in-flight"), help: ArgumentHelp("Domains in progress at once (bounds memory).", valueName: "n"))
    var maxInFlight: Int = 4096

    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "No summary on standard error.")
    var quiet = false

    @Option(name: .customLong("threads"), help: ArgumentHelp("Event loop threads (default: one per core).", valueName: "n"))
    var threads: Int = EventLoopGroup.defaultThreadCount

    func validate() throws {
        guard phases == [.dns] else {
            throw ValidationError("--phases: this version runs the dns phase only (policy fetches and MX probes come next)")
        }
        guard maxInFlight > 0, threads > 0 else { throw ValidationError("--max-in-flight and --threads must be positive") }
    }

    func run() throws {
        var reader = try input.openReader()
        let sink = OutputSink(destination: try FileDescriptor.openForWriting(output))
        let scanner = try DNSPhaseScanner(configuration: DNSPhaseConfiguration(
            client: try dns.clientConfiguration(), threads: threads, maxDomainsInFlight: maxInFlight,
            resolveEverything: resolveEverything, resolveTLSA: dane))

        let started = ContinuousClock.now
        var submitted = 0
        do {
            while let item = try reader.next() {
                submitted += 1
                switch item.name {
                case .success(let domain):
                    let line = item.line
                    scanner.submit(domain) { facts in
                        let assessment = DNSPhaseClassifier.assess(facts)
                        sink.write(line: ScanRecord.line(ScanRecord.dnsPhase(facts: facts, assessment: assessment, line: line)))
                    }
                case .failure(let problem):
                    sink.write(line: ScanRecord.line(ScanRecord.invalidInput(line: item.line, text: item.text, problem: problem)))
                }
            }
        } catch let error as InputError {
            scanner.finish()
            _ = try? sink.finish()
            throw CLIError("\(input.path):\(error.line): \(error.message)")
        }
        let statistics = scanner.finish()
        let written = try sink.finish()
        if !quiet {
            let elapsed = started.duration(to: .now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            var summary = BufferedWriter(destination: .standardError, flushThreshold: 0)
            try summary.write(ScanSummary.text(records: written, seconds: seconds, dns: statistics) + "\n")
        }
        guard written == submitted else {
            throw CLIError("internal error: \(submitted) input names but \(written) records written")
        }
    }
}

