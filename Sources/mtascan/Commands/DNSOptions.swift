import ArgumentParser
import MTAScanEngine

/// How mtascan resolves: which resolvers, how hard, how politely.
struct DNSOptions: ParsableArguments {
    @Option(name: .customLong("resolver"), help: ArgumentHelp("Recursive resolver IP[:PORT] or [IPv6]:PORT (repeatable; default: the nameservers of /etc/resolv.conf).", valueName: "address"))
    var resolvers: [String] = []

    @Option(name: .customLong("dns-timeout"), help: ArgumentHelp("Seconds to wait for a first answer; each retry waits twice as long.", valueName: "seconds"))
    var timeout: Double = 2

    @Option(name: .customLong("dns-attempts"), help: ArgumentHelp("UDP attempts per query, over the resolvers in turn.", valueName: "n"))
    var attempts: Int = 3

    @Option(name: .customLong("qps"), help: ArgumentHelp("Queries per second to each resolver (0: no limit).", valueName: "n"))
    var queriesPerSecond: Int = 50_000

    @Option(name: .customLong("max-queries-in-flight"), help: ArgumentHelp("Ceiling on DNS queries awaiting an answer at once; each resolver's congestion window finds the operating point below it.", valueName: "n"))
    var maxQueriesInFlight: Int = 8192

    func validate() throws {
        for text in resolvers where SocketAddress(text, defaultPort: 53) == nil {
            throw ValidationError("--resolver \"\(text)\" is not an IP address with an optional port")
        }
        guard timeout > 0, timeout <= 60 else { throw ValidationError("--dns-timeout must be between 0 and 60 seconds") }
        guard attempts >= 1, attempts <= 10 else { throw ValidationError("--dns-attempts must be 1 to 10") }
        guard queriesPerSecond >= 0, maxQueriesInFlight >= 1 else { throw ValidationError("--qps and --max-queries-in-flight must be positive") }
    }

    func clientConfiguration() throws -> DNSClientConfiguration {
        var addresses = resolvers.compactMap { SocketAddress($0, defaultPort: 53) }
        if addresses.isEmpty { addresses = ResolvConf.nameservers() }
        guard !addresses.isEmpty else {
            throw CLIError("no resolver: name one with --resolver (none found in \(ResolvConf.path))")
        }
        var configuration = DNSClientConfiguration(resolvers: addresses)
        configuration.timeout = .milliseconds(Int(timeout * 1000))
        configuration.attempts = attempts
        configuration.queriesPerSecondPerResolver = queriesPerSecond
        configuration.maxInFlight = maxQueriesInFlight
        return configuration
    }
}
