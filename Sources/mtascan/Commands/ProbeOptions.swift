import ArgumentParser
import MTAScanCore
import MTAScanEngine

/// How `scan` touches policy hosts and MX hosts: trust, identity, politeness, time limits.
struct ProbeOptions: ParsableArguments {
    @Option(name: .customLong("ca-file"), help: ArgumentHelp("PEM bundle of trust anchors (default: the system's).", valueName: "path"))
    var caFile: String?

    @Option(name: .customLong("source-ip"), help: ArgumentHelp("Connect from this address (one IPv4, one IPv6; repeatable). Its FCrDNS name becomes the EHLO name.", valueName: "ip"))
    var sourceIPs: [String] = []

    @Option(name: .customLong("ehlo"), help: ArgumentHelp("EHLO name instead of the source address's FCrDNS name; needs --ehlo-not-fcrdns.", valueName: "name"))
    var ehlo: String?

    @Flag(name: .customLong("ehlo-not-fcrdns"), help: "Acknowledge that the --ehlo name is not forward-confirmed reverse DNS of the source address.")
    var ehloNotFCrDNS = false

    @Option(name: .customLong("exclude"), help: ArgumentHelp("Never touch these networks (CIDR) and domain suffixes, one per line.", valueName: "file"))
    var exclude: String?

    @Flag(name: .customLong("probe-all-mx"), help: "Probe the MX hosts of every domain, not only of MTA-STS domains.")
    var probeAllMX = false

    @Option(name: .customLong("rate-per-ip"), help: ArgumentHelp("New connections per second to one destination IP.", valueName: "n"))
    var ratePerIP: Double = 1

    @Option(name: .customLong("burst-per-ip"), help: ArgumentHelp("Connections to one IP that may start at once after a quiet spell.", valueName: "n"))
    var burstPerIP: Int = 2

    @Option(name: .customLong("connections-per-ip"), help: ArgumentHelp("Open connections to one destination IP at once.", valueName: "n"))
    var connectionsPerIP: Int = 2

    @Option(name: .customLong("max-connections"), help: ArgumentHelp("Open connections at once, in total.", valueName: "n"))
    var maxConnections: Int = 500

    @Option(name: .customLong("max-addresses"), help: ArgumentHelp("Addresses tried per policy host and probed per MX host.", valueName: "n"))
    var maxAddresses: Int = 4

    @Option(name: .customLong("connect-timeout"), help: ArgumentHelp("Seconds for a TCP connection.", valueName: "seconds"))
    var connectTimeout: Double = 5

    @Option(name: .customLong("policy-timeout"), help: ArgumentHelp("Seconds for a whole policy fetch.", valueName: "seconds"))
    var policyTimeout: Double = 15

    @Option(name: .customLong("smtp-timeout"), help: ArgumentHelp("Seconds for a whole STARTTLS probe.", valueName: "seconds"))
    var smtpTimeout: Double = 30

    @Option(name: .customLong("probe-cache"), help: ArgumentHelp("MX probe results remembered (one per MX host and address).", valueName: "n"))
    var probeCache: Int = 100_000

    func validate() throws {
        for text in sourceIPs where IPAddress(text) == nil {
            throw ValidationError("--source-ip \"\(text)\" is not an IP address")
        }
        let families = sourceIPs.compactMap { IPAddress($0)?.family }
        guard Set(families).count == families.count else {
            throw ValidationError("--source-ip: at most one IPv4 and one IPv6 address")
        }
        if ehlo != nil, !ehloNotFCrDNS {
            throw ValidationError("--ehlo NAME replaces the FCrDNS-confirmed name; add --ehlo-not-fcrdns to acknowledge that mail servers may distrust it")
        }
        if let ehlo, DomainName(ehlo) == nil { throw ValidationError("--ehlo \"\(ehlo)\" is not a domain name") }
        guard ratePerIP > 0, burstPerIP > 0, connectionsPerIP > 0, maxConnections > 0, maxAddresses > 0, probeCache > 0 else {
            throw ValidationError("rate and connection limits must be positive")
        }
        for (name, value) in [("--connect-timeout", connectTimeout), ("--policy-timeout", policyTimeout), ("--smtp-timeout", smtpTimeout)]
        where !(value > 0 && value <= 600) {
            throw ValidationError("\(name) must be between 0 and 600 seconds")
        }
    }

    var sourceIPv4: IPAddress? { sourceIPs.compactMap { IPAddress($0) }.first { $0.family == .ipv4 } }
    var sourceIPv6: IPAddress? { sourceIPs.compactMap { IPAddress($0) }.first { $0.family == .ipv6 } }

    func exclusions() throws -> ExclusionList {
        guard let exclude else { return ExclusionList() }
        let bytes = try FileDescriptor.readAll(path: exclude, maxBytes: 64 << 20)
        do {
            return try ExclusionList(parsing: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw CLIError("\(exclude): \(error)")
        }
    }

    /// The probe configuration; `ehloName` is nil unless the MX phase runs.
    func configuration(ehloName: DomainName?, exclusions: ExclusionList) -> ProbeConfiguration {
        var policyLimits = PolicyFetchLimits()
        policyLimits.connectTimeout = Self.duration(connectTimeout)
        policyLimits.totalTimeout = Self.duration(policyTimeout)
        var smtpLimits = STARTTLSProbeLimits()
        smtpLimits.connectTimeout = Self.duration(connectTimeout)
        smtpLimits.totalTimeout = Self.duration(smtpTimeout)
        return ProbeConfiguration(
            tls: TLSConfiguration(trustRoots: caFile.map { .pemFile($0) } ?? .systemDefault),
            ehloName: ehloName, sourceIPv4: sourceIPv4, sourceIPv6: sourceIPv6,
            limits: .init(ratePerDestination: ratePerIP, burstPerDestination: burstPerIP,
                          concurrentPerDestination: connectionsPerIP, concurrentTotal: maxConnections),
            exclusions: exclusions, policyLimits: policyLimits, smtpLimits: smtpLimits,
            maxAddressesPerHost: maxAddresses, probeCacheCapacity: probeCache, probeAllMX: probeAllMX,
            userAgentVersion: MTAScanVersion.string)
    }

    /// The EHLO name: the --ehlo override, or the FCrDNS name of the source
    /// address, checked through mtascan's own resolver client. Without one,
    /// SMTP probing must not start: the error says why and how to fix it.
    func ehloName(dns: DNSClientConfiguration) throws -> (name: DomainName, source: IPAddress?, confirmed: Bool) {
        if let ehlo, let name = DomainName(ehlo) { return (name, sourceIPv4 ?? sourceIPv6, false) }
        let source: IPAddress
        if let given = sourceIPv4 ?? sourceIPv6 {
            source = given
        } else {
            // A documentation address (RFC 5737): only the route is looked up, nothing is sent.
            let probe = SocketAddress(ip: IPAddress(ipv4: 192, 0, 2, 1), port: 25)
            do {
                source = try SourceIdentity.sourceAddress(toward: probe)
            } catch {
                throw CLIError("cannot find this machine's source address toward the internet (\(error)); pass --source-ip ADDRESS")
            }
        }
        let outcome = try SourceIdentity.check(source, configuration: dns)
        guard case .confirmed(let name) = outcome else {
            throw CLIError("""
                SMTP probes not started: \(outcome.explanation(address: source.description)).
                Mail servers distrust clients without forward-confirmed reverse DNS. Fix the PTR/A records,
                pass --source-ip with an address that has FCrDNS, run without the mx phase (--phases dns,policy),
                or pass --ehlo NAME --ehlo-not-fcrdns.
                """)
        }
        return (name, source, true)
    }

    static func duration(_ seconds: Double) -> Duration { .milliseconds(Int((seconds * 1000).rounded())) }
}
