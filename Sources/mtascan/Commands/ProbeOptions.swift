import ArgumentParser
import MTAScanCore
import MTAScanEngine

/// How `scan` touches policy hosts and MX hosts: trust, identity, politeness, time limits.
struct ProbeOptions: ParsableArguments {
    @Option(name: .customLong("ca-file"), help: ArgumentHelp("PEM bundle of trust anchors (default: the system's).", valueName: "path"))
    var caFile: String?

    @Option(name: .customLong("source-ip"), help: ArgumentHelp("Connect from this address; repeat for several, IPv4 and IPv6. Each needs forward-confirmed reverse DNS, and says its own FCrDNS name in EHLO. A destination always gets the same source of its family.", valueName: "ip"))
    var sourceIPs: [String] = []

    @Option(name: .customLong("ehlo"), help: ArgumentHelp("EHLO name instead of the source addresses' FCrDNS names (from every source); needs --ehlo-not-fcrdns.", valueName: "name"))
    var ehlo: String?

    @Flag(name: .customLong("ehlo-not-fcrdns"), help: "Acknowledge that the --ehlo name is not forward-confirmed reverse DNS of the source addresses.")
    var ehloNotFCrDNS = false

    @Option(name: .customLong("exclude"), help: ArgumentHelp("Never touch these networks (CIDR) and domain suffixes, one per line.", valueName: "file"))
    var exclude: String?

    @Flag(name: .customLong("probe-all-mx"), help: "Probe the MX hosts of every domain, not only of MTA-STS domains.")
    var probeAllMX = false

    @Flag(name: .customLong("probe-every-name"), help: "Probe every MX name at a shared server, even where the server's certificate does not depend on SNI (by default one probe answers them all; docs/probes.md).")
    var probeEveryName = false

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
        var seen = Set<IPAddress>()
        for text in sourceIPs {
            guard let address = IPAddress(text) else {
                throw ValidationError("--source-ip \"\(text)\" is not an IP address")
            }
            guard address != .anyV4, address != .anyV6 else {
                throw ValidationError("--source-ip \(text) is the unspecified address: leave --source-ip out to let the kernel choose")
            }
            guard seen.insert(address).inserted else {
                throw ValidationError("--source-ip \(address) is given twice")
            }
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

    /// The `--source-ip` addresses, in the order given.
    var sourceAddresses: [IPAddress] { sourceIPs.compactMap { IPAddress($0) } }

    /// Every `--source-ip` must be an address of this machine: a typo would otherwise
    /// fail every connection of its share of the destinations, one finding at a time.
    func checkSourcesBindable() throws {
        for address in sourceAddresses {
            guard let failure = SourceIdentity.bindFailure(address) else { continue }
            throw CLIError("--source-ip \(address): cannot connect from it (\(failure.name)): is it an address of this machine?")
        }
    }

    func exclusions() throws -> ExclusionList {
        guard let exclude else { return ExclusionList() }
        let bytes = try FileDescriptor.readAll(path: exclude, maxBytes: 64 << 20)
        do {
            return try ExclusionList(parsing: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw CLIError("\(exclude): \(error)")
        }
    }

    /// The probe configuration; `identity` is nil unless the MX phase runs.
    func configuration(identity: ScanIdentity?, exclusions: ExclusionList) -> ProbeConfiguration {
        var policyLimits = PolicyFetchLimits()
        policyLimits.connectTimeout = Self.duration(connectTimeout)
        policyLimits.totalTimeout = Self.duration(policyTimeout)
        var smtpLimits = STARTTLSProbeLimits()
        smtpLimits.connectTimeout = Self.duration(connectTimeout)
        smtpLimits.totalTimeout = Self.duration(smtpTimeout)
        return ProbeConfiguration(
            tls: TLSConfiguration(trustRoots: caFile.map { .pemFile($0) } ?? .systemDefault),
            ehloName: identity?.defaultName,
            sources: ProbeSources(identity?.sources ?? sourceAddresses.map { ProbeSource(address: $0) }),
            limits: .init(ratePerDestination: ratePerIP, burstPerDestination: burstPerIP,
                          concurrentPerDestination: connectionsPerIP, concurrentTotal: maxConnections),
            exclusions: exclusions, policyLimits: policyLimits, smtpLimits: smtpLimits,
            maxAddressesPerHost: maxAddresses, probeCacheCapacity: probeCache, probeAllMX: probeAllMX,
            shareProbesAcrossNames: !probeEveryName,
            userAgentVersion: MTAScanVersion.string)
    }

    /// Who the scan says it is in EHLO: the --ehlo override for every source, or each
    /// source's FCrDNS name, checked through mtascan's own resolver client (without
    /// --source-ip, the address the kernel uses toward the internet). Unless every
    /// source is confirmed, SMTP probing must not start: the error names each
    /// source that fails, why, and how to fix it.
    func identity(dns: DNSClientConfiguration) throws -> ScanIdentity {
        let given = sourceAddresses
        if let ehlo, let name = DomainName(ehlo) {
            return ScanIdentity(sources: given.map { ProbeSource(address: $0, ehloName: name) }, defaultName: name,
                                confirmed: false)
        }
        let checked = given.isEmpty ? [try Self.kernelSource()] : given
        let outcomes = try SourceIdentity.check(checked, configuration: dns)
        var sources: [ProbeSource] = []
        var failures: [String] = []
        for (address, outcome) in zip(checked, outcomes) {
            if case .confirmed(let name) = outcome {
                sources.append(ProbeSource(address: address, ehloName: name))
            } else {
                // The explanation quotes names from reverse DNS, which anyone controls.
                failures.append(TerminalText.escaped(outcome.explanation(address: address.description)))
            }
        }
        guard failures.isEmpty, let first = sources.first?.ehloName else {
            throw CLIError(Self.refusal(failures, of: checked.count))
        }
        // Without --source-ip the kernel keeps choosing: the checked address is
        // listed, not bound. A destination family without a given source also
        // connects from the kernel's choice, and says the first source's name.
        return ScanIdentity(sources: given.isEmpty ? [] : sources, defaultName: first, confirmed: true,
                            kernelSource: given.isEmpty ? sources.first : nil)
    }

    static func refusal(_ failures: [String], of count: Int) -> String {
        let what = failures.count == 1
            ? failures[0]
            : "\(failures.count) of \(count) source addresses have no forward-confirmed reverse DNS:\n"
                + failures.map { "  \($0)" }.joined(separator: "\n")
        let fixes = count > 1
            ? "Fix the PTR/A records, drop the --source-ip addresses that fail, run without the mx phase (--phases dns,policy),\nor pass --ehlo NAME --ehlo-not-fcrdns (said from every source)."
            : "Fix the PTR/A records, pass --source-ip with an address that has FCrDNS, run without the mx phase (--phases dns,policy),\nor pass --ehlo NAME --ehlo-not-fcrdns."
        return """
            SMTP probes not started: \(what).
            Mail servers distrust clients without forward-confirmed reverse DNS. \(fixes)
            """
    }

    /// The address the kernel would send from toward the internet.
    private static func kernelSource() throws -> IPAddress {
        // A documentation address (RFC 5737): only the route is looked up, nothing is sent.
        let probe = SocketAddress(ip: IPAddress(ipv4: 192, 0, 2, 1), port: 25)
        do {
            return try SourceIdentity.sourceAddress(toward: probe)
        } catch {
            throw CLIError("cannot find this machine's source address toward the internet (\(error)); pass --source-ip ADDRESS")
        }
    }

    /// The sources as the metadata lists them: each with its EHLO name and whether
    /// it is confirmed once the MX phase checked them, else the bare addresses.
    func metadataSources(_ identity: ScanIdentity?) -> [ScanMetadata.Source] {
        guard let identity else { return sourceAddresses.map { ScanMetadata.Source(address: $0.description) } }
        return identity.listed.map {
            ScanMetadata.Source(address: $0.address.description, ehloName: $0.ehloName?.text, confirmed: identity.confirmed)
        }
    }

    static func duration(_ seconds: Double) -> Duration { .milliseconds(Int((seconds * 1000).rounded())) }
}

/// Who a scan says it is: each source address with the name it gives in EHLO.
struct ScanIdentity {
    /// The `--source-ip` addresses, in the order given, each with its EHLO name.
    var sources: [ProbeSource]
    /// The name said when the kernel chooses the source: without --source-ip, or
    /// toward a family no --source-ip belongs to.
    var defaultName: DomainName
    /// Every source's name is its forward-confirmed reverse DNS (false with --ehlo).
    var confirmed: Bool
    /// Without --source-ip: the kernel's source toward the internet, as checked.
    var kernelSource: ProbeSource?

    /// What the metadata lists: the given sources, or the kernel's.
    var listed: [ProbeSource] { sources.isEmpty ? kernelSource.map { [$0] } ?? [] : sources }
}
