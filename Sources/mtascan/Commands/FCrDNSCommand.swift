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
            (default: the first resolver). Exit status 0 with the confirmed name, 1 otherwise.
            """
    )

    @Argument(help: ArgumentHelp("The source address to check.", valueName: "address"))
    var address: String?

    @Option(name: .customLong("toward"), help: ArgumentHelp("Find the source address used toward this IP.", valueName: "ip"))
    var toward: String?

    @OptionGroup var dns: DNSOptions

    func run() throws {
        let configuration = try dns.clientConfiguration()
        let source: IPAddress
        if let address {
            guard let parsed = IPAddress(address) else { throw ValidationError("\"\(address)\" is not an IP address") }
            source = parsed
        } else {
            let target = toward.flatMap { SocketAddress($0, defaultPort: 25) } ?? configuration.resolvers[0]
            source = try SourceIdentity.sourceAddress(toward: target)
        }
        let outcome = try SourceIdentity.check(source, configuration: configuration)
        // The explanation quotes names from reverse DNS, which anyone controls.
        print(TerminalText.escaped(outcome.explanation(address: source.description)))
        guard case .confirmed = outcome else { throw ExitCode(1) }
    }
}
