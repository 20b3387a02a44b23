import ArgumentParser
import MTAScanCore
import MTAScanEngine

/// `mtascan fcrdns`: does the scanner's source address have forward-confirmed
/// reverse DNS? STARTTLS probes introduce themselves with that name in EHLO;
/// mail servers distrust clients without it.
struct FCrDNSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fcrdns",
        abstract: "Check forward-confirmed reverse DNS of the scanner's source address (the EHLO name).",
        discussion: """
            Without ADDRESS, checks the address this machine would send from toward --toward
            (default: the first resolver). With several (the --source-ip addresses of a scan),
            checks each. Exit status 0 when every address has a confirmed name, 1 otherwise.
            """
    )

    @Argument(help: ArgumentHelp("The source addresses to check.", valueName: "address"))
    var addresses: [String] = []

    @Option(name: .customLong("toward"), help: ArgumentHelp("Find the source address used toward this IP.", valueName: "ip"))
    var toward: String?

    @OptionGroup var dns: DNSOptions

    func run() throws {
        let configuration = try dns.clientConfiguration()
        var sources: [IPAddress] = []
        for address in addresses {
            guard let parsed = IPAddress(address) else { throw ValidationError("\"\(address)\" is not an IP address") }
            sources.append(parsed)
        }
        if sources.isEmpty {
            let target = toward.flatMap { SocketAddress($0, defaultPort: 25) } ?? configuration.resolvers[0]
            sources = [try SourceIdentity.sourceAddress(toward: target)]
        }
        let outcomes = try SourceIdentity.check(sources, configuration: configuration)
        for (source, outcome) in zip(sources, outcomes) {
            // The explanation quotes names from reverse DNS, which anyone controls.
            print(TerminalText.escaped(outcome.explanation(address: source.description)))
        }
        guard outcomes.allSatisfy({ if case .confirmed = $0 { true } else { false } }) else { throw ExitCode(1) }
    }
}
