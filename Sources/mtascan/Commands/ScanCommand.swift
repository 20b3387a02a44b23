import ArgumentParser
import MTAScanCore
import MTAScanEngine
import Dispatch
internal import Glibc

/// `mtascan scan`: one NDJSON record per input domain, streamed as each completes.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan domains and stream one NDJSON record per input domain.",
        discussion: """
            Every input line that holds a name yields exactly one record, invalid names, excluded domains and failed lookups included (docs/output.md). Records are written as domains finish, not in input order; `input_line` ties each to its line.

            The policy phase fetches https://mta-sts.<domain>/.well-known/mta-sts.txt of MTA-STS domains; the mx phase probes their MX hosts with STARTTLS (never MAIL, RCPT or DATA), introducing itself with the forward-confirmed reverse DNS name of the source address it connects from (see `mtascan fcrdns`). With several --source-ip addresses, each must have one, and each destination IP always gets the same source of its family. Connections are rate-limited per destination IP, and each (MX host, address) is probed once per scan.

            Records reach the output at least once a second. SIGINT or SIGTERM stops cleanly: domains in flight get --drain-timeout seconds, the records are flushed, the metadata says "interrupted", and the exit status is 128 + the signal; `--resume` then continues in the same file (docs/output.md).

            This machine's /etc/resolv.conf may point anywhere: name your resolver.
              mtascan scan --resolver 127.0.0.1 -o scan.ndjson domains.txt
              mtascan scan --resolver 127.0.0.1 --phases dns,policy top-1m.csv
              mtascan scan --resolver 127.0.0.1 --resume -o scan.ndjson domains.txt
            """
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var dns: DNSOptions
    @OptionGroup var probe: ProbeOptions
    @OptionGroup var psl: PublicSuffixListOption

    @Option(name: .customLong("phases"), help: ArgumentHelp("Comma-separated phases: dns (always), policy (fetch policies), mx (STARTTLS probes), tlsrpt (can each TLS-RPT rua endpoint receive? lookups and a HEAD, never a POST; opt-in). (default: dns,policy,mx)", valueName: "list"),
            transform: ScanCommand.parsePhases)
    var phases: [ScanRecord.Phase] = ScanRecord.Phase.defaults

    static func parsePhases(_ text: String) throws -> [ScanRecord.Phase] {
        let words = try text.split(separator: ",").map { word in
            guard let phase = ScanRecord.Phase(rawValue: String(word.filter { $0 != " " })) else {
                throw ValidationError("unknown phase \"\(word)\"; phases: \(ScanRecord.Phase.allCases.map(\.rawValue).joined(separator: ","))")
            }
            return phase
        }
        // The DNS phase feeds every other; keep the canonical order.
        let chosen = Set(words).union([.dns])
        return ScanRecord.Phase.allCases.filter(chosen.contains)
    }

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Write records here instead of standard output.", valueName: "file"))
    var output: String = "-"

    @Flag(name: .customLong("dns-all"), help: "Resolve the policy host and MX addresses of every domain, not only of MTA-STS domains.")
    var resolveEverything = false

    @Flag(name: .customLong("dane"), help: "Also look up the TLSA records of MX hosts (_25._tcp.<mx>, RFC 7672).")
    var dane = false

    @Option(name: .customLong("max-in-flight"), help: ArgumentHelp("Domains in progress at once (bounds memory).", valueName: "n"))
    var maxInFlight: Int = 4096

    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "No progress and no summary on standard error.")
    var quiet = false

    @Option(name: .customLong("progress-interval"), help: ArgumentHelp("Seconds between progress lines when standard error is not a terminal.", valueName: "seconds"))
    var progressInterval: Double = 30

    @Option(name: .customLong("metadata"), help: ArgumentHelp("Write the scan's metadata here (default: <output>.meta.json beside an output file).", valueName: "file"))
    var metadata: String?

    @Option(name: .customLong("providers"), help: ArgumentHelp("More known providers: lines `policy-host|mail SUFFIX PROVIDER-ID` (docs/providers.md).", valueName: "file"))
    var providersFile: String?

    @Option(name: .customLong("threads"), help: ArgumentHelp("Event loop threads (default: one per core).", valueName: "n"))
    var threads: Int = EventLoopGroup.defaultThreadCount

    @Flag(name: .customLong("resume"), help: "Continue the scan whose records are in -o FILE: keep them, drop a partial last record, scan only the input lines without a record, and append.")
    var resume = false

    @Option(name: .customLong("shard"), help: ArgumentHelp("Scan only share INDEX of COUNT (0-based) of the input, by a fixed hash of each name; `auto` takes both from a Slurm job array or a Kubernetes Indexed Job (`auto/COUNT` only the index). Per-destination limits are divided by COUNT (docs/scale-out.md).", valueName: "INDEX/COUNT|auto"),
            transform: ScanCommand.parseShard)
    var shard: ShardSelection?

    static func parseShard(_ text: String) throws -> ShardSelection {
        guard let selection = ShardSelection(text) else {
            throw ValidationError("--shard \"\(text)\": give INDEX/COUNT with 0 <= INDEX < COUNT (e.g. 0/4), auto or auto/COUNT")
        }
        return selection
    }

    @Option(name: .customLong("previous"), help: ArgumentHelp("An earlier scan (NDJSON) of the same domains: a policy mx pattern that matches no MX host now but matched one then is reported as stale (mx-pattern-mismatch stale, old_host, old_scan).", valueName: "file"))
    var previous: String?

    @Option(name: .customLong("drain-timeout"), help: ArgumentHelp("Seconds a first SIGINT/SIGTERM gives the domains in flight to finish before the scan stops; a second signal stops at once.", valueName: "seconds"))
    var drainTimeout: Double = 10

    func validate() throws {
        guard maxInFlight > 0, threads > 0 else { throw ValidationError("--max-in-flight and --threads must be positive") }
        guard progressInterval > 0 else { throw ValidationError("--progress-interval must be positive") }
        guard drainTimeout >= 0, drainTimeout.isFinite else { throw ValidationError("--drain-timeout must be zero or more seconds") }
    }

    func run() throws {
        let metadataPath = ScanMetadata.sidePath(output: output, metadata: self.metadata)
        try Self.refuseOverwritingInput(input: input.path, output: output, metadata: metadataPath)
        if resume { try ScanResumption.checkPossible(output: output, inputPath: input.path) }
        let sharding = try resolveShard()
        // Politeness is global: each shard sends its share of what one scan may.
        var dns = self.dns, probe = self.probe
        if let sharding {
            let share = sharding.politeness.perShard
            probe.ratePerIP = share.ratePerIP
            probe.burstPerIP = share.burstPerIP
            probe.connectionsPerIP = share.connectionsPerIP
            dns.queriesPerSecond = share.queriesPerSecond
        }
        let clientConfiguration = try dns.clientConfiguration()
        let exclusions = try probe.exclusions()
        let phaseSet = Set(phases)
        // Fail before the first packet: an unusable CA file, no PSL or no FCrDNS name stop the scan here.
        var probes: ProbeConfiguration?
        var identity: ScanIdentity?
        if phaseSet.contains(.policy) || phaseSet.contains(.mx) || phaseSet.contains(.tlsrpt) {
            try probe.checkSourcesBindable()
            if phaseSet.contains(.mx) { identity = try probe.identity(dns: clientConfiguration) }
            probes = probe.configuration(identity: identity, exclusions: exclusions)
        }
        let publicSuffixList = try phaseSet.contains(.policy) ? loadPublicSuffixList() : nil
        let previousScan = try previous.map(Self.loadPrevious)
        let providers = try loadProviders()
        let startedAt = WallClock.now()
        let quiet = self.quiet
        let notice: @Sendable (String) -> Void = { text in
            guard !quiet else { return }
            var errors = BufferedWriter(destination: .standardError, flushThreshold: 0)
            try? errors.write("mtascan: \(text)\n")
        }
        if let sharding {
            notice("shard \(sharding.shard) (\(sharding.source.rawValue)): scanning the names whose hash falls in this share; per-destination limits divided by \(sharding.shard.count)")
            if !sharding.politeness.exceeded.isEmpty {
                notice("warning: \(sharding.politeness.exceeded.joined(separator: ", ")) below \(sharding.shard.count) cannot be divided over \(sharding.shard.count) shards: each keeps 1, so together they may reach \(sharding.shard.count); give at least \(sharding.shard.count) for a global bound")
            }
        }
        let resumption = resume
            ? try ScanResumption.prepare(output: output, metadataPath: metadataPath, phases: phases,
                                         shard: sharding?.shard, now: startedAt, notice: notice)
            : nil
        let inputSize = FileDescriptor.identity(of: input.path).flatMap { $0.isRegularFile ? $0.size : nil }
        var metadata = ScanMetadata(
            toolVersion: MTAScanVersion.string, startedAt: startedAt,
            input: .init(path: input.path, format: input.resolvedFormat, sizeBytes: inputSize), phases: phases,
            resolvers: clientConfiguration.resolvers.map(\.description),
            sourceAddress: (identity?.listed.first?.address ?? probe.sourceAddresses.first)?.description,
            sourceAddresses: probe.metadataSources(identity),
            ehloName: identity?.defaultName.text, ehloConfirmed: identity?.confirmed, caFile: probe.caFile, exclusions: exclusions.count,
            options: options)
        metadata.resumes = resumption?.resumes ?? []
        metadata.shard = sharding.map { .init(shard: $0.shard, source: $0.source, politeness: $0.politeness) }
        metadata.counts = resumption?.counts ?? .init()

        var reader = try input.openReader()
        // The metadata says `running` before the output is opened (and a fresh one
        // truncated): from then on, however the process ends, the side file never
        // describes an earlier scan beside records of this one.
        if let metadataPath { try FileDescriptor.replaceContents(of: metadataPath, with: metadata.fileBytes) }
        let destination: FileDescriptor
        let scanner: DomainScanner
        do {
            destination = try FileDescriptor.openForWriting(output, append: resumption != nil)
            scanner = try DomainScanner(
                configuration: DNSPhaseConfiguration(
                    client: clientConfiguration, threads: threads, maxDomainsInFlight: maxInFlight,
                    resolveEverything: resolveEverything, resolveTLSA: dane),
                phases: phaseSet, probes: probes)
        } catch {
            // Not `running` for ever: the scan never started, and the side file says why.
            metadata.state = .failed
            metadata.stopReason = "\(error)"
            if let metadataPath { try? FileDescriptor.replaceContents(of: metadataPath, with: metadata.fileBytes) }
            throw error
        }
        let progress: ProgressReporter? = quiet ? nil : ProgressReporter.forStandardError(
            total: input.resolvedFormat == .zone ? nil : FileDescriptor.countLines(path: input.path),
            plainInterval: ProbeOptions.duration(progressInterval))
        let setup = ScanRun.Setup(
            scanner: scanner, destination: destination, metadata: metadata,
            metadataPath: metadataPath, progress: progress, quiet: quiet, exclusions: exclusions, phases: phases,
            publicSuffixList: publicSuffixList, providers: providers, ledger: resumption?.ledger,
            keptCounts: resumption?.counts ?? .init(), inputPath: input.path, outputPath: output == "-" ? nil : output,
            shard: sharding?.shard, previous: previousScan)
        let stop = ScanStop(drainTimeout: ProbeOptions.duration(drainTimeout))
        let scan = ScanRun(setup: setup, stop: stop)

        // A signal's end runs on a thread of its own: the input thread may be
        // blocked reading a pipe, and the watcher must stay free for a second signal.
        let drainSeconds = drainTimeout
        let watcher = try SignalWatcher(signals: [SIGINT, SIGTERM, SIGHUP]) { signal in
            switch stop.received(signal) {
            case .beginStop(let runEnd):
                scanner.stopAdmitting()
                notice("\(SignalWatcher.name(of: signal)): stopping; domains in flight get \(drainSeconds) s to finish (a second signal stops at once)")
                guard runEnd else { return }
                DispatchQueue(label: "mtascan.stop").async { _exit(scan.end(.signalled)) }
            case .stopNow:
                notice("\(SignalWatcher.name(of: signal)): stopping now")
            }
        }
        progress?.start()
        let how = scan.feed(reader: &reader, setup: setup)
        guard stop.claimEnd() else {
            // A signal's thread ends the scan and the process; nothing is left to do here.
            while true { pause() }
        }
        let status = scan.end(how)
        watcher.cancel()
        if status != 0 { throw ExitCode(status) }
    }

    /// The shard this process scans, with the limits it may use; nil without `--shard`.
    private func resolveShard() throws -> (shard: Shard, source: ShardSelection.Source, politeness: ShardPoliteness)? {
        guard let shard else { return nil }
        switch shard.resolve(environment: ProcessEnvironment.variables) {
        case .failure(let error):
            throw CLIError(error.description)
        case .success(let resolved):
            let global = ShardPoliteness.Limits(
                ratePerIP: probe.ratePerIP, burstPerIP: probe.burstPerIP, connectionsPerIP: probe.connectionsPerIP,
                queriesPerSecond: dns.queriesPerSecond)
            return (resolved.shard, resolved.source, ShardPoliteness(global: global, shards: resolved.shard.count))
        }
    }

    /// `scan -o same.txt same.txt` would truncate its own input before reading
    /// a line of it; so would a metadata path that names the input.
    static func refuseOverwritingInput(input: String, output: String, metadata: String?) throws {
        guard let inputFile = FileDescriptor.identity(of: input) else { return }
        if FileDescriptor.identity(of: output) == inputFile {
            throw CLIError("-o \(output) is the input file: writing the records there would destroy the input; choose another output")
        }
        if let metadata, FileDescriptor.identity(of: metadata) == inputFile {
            throw CLIError("the metadata file \(metadata) is the input file; choose another --metadata path")
        }
    }

    private func loadPublicSuffixList() throws -> PublicSuffixList {
        switch psl.loader()() {
        case .success(let list): return list
        case .failure(let error): throw CLIError(error.message)
        }
    }

    /// Classifies one domain and writes its record: pure, on the domain's loop.
    static func record(_ outcome: DomainScanOutcome, phases: [ScanRecord.Phase], line: Int,
                       publicSuffixList: PublicSuffixList?, providers: ProviderCatalogue,
                       previous: PreviousScan? = nil) -> ScanRecord.Line {
        guard phases != [.dns] else {
            return ScanRecord.dnsPhaseLine(facts: outcome.facts, assessment: outcome.dns, line: line, providers: providers)
        }
        let assessment = DomainClassifier.classify(
            facts: outcome.facts, dns: outcome.dns, policy: outcome.probes.policy, probes: outcome.probes.mx,
            publicSuffixList: publicSuffixList, providers: providers, previous: previous,
            reportEndpoints: outcome.reportEndpoints)
        return ScanRecord.scannedLine(facts: outcome.facts, dns: outcome.dns, assessment: assessment,
                                      retrieval: outcome.probes.policy, probes: outcome.probes.mx, phases: phases, line: line,
                                      providers: providers, reportEndpoints: outcome.reportEndpoints)
    }

    /// The earlier scan of `--previous`, read one record at a time; its date
    /// from its metadata side file when there is one.
    static func loadPrevious(_ path: String) throws -> PreviousScan {
        let meta = try? FileDescriptor.readAll(path: path + ".meta.json", maxBytes: 16 << 20)
        var previous = PreviousScan(scannedAt: meta.flatMap { try? JSONParser.parse($0) }?["started_at"]?.stringValue)
        try ScanFileReading.read(path, record: { previous.add($0) }, malformed: {})
        return previous
    }

    private func loadProviders() throws -> ProviderCatalogue {
        guard let providersFile else { return .builtIn }
        let bytes = try FileDescriptor.readAll(path: providersFile, maxBytes: 16 << 20)
        do {
            return ProviderCatalogue.builtIn.adding(try ProviderCatalogue.parseEntries(String(decoding: bytes, as: UTF8.self)))
        } catch {
            throw CLIError("\(providersFile): \(error)")
        }
    }

    /// The effective options, for the metadata side file.
    private var options: JSONObject {
        [
            "max_in_flight": .int(maxInFlight), "threads": .int(threads), "dns_all": .bool(resolveEverything),
            "dane": .bool(dane), "probe_all_mx": .bool(probe.probeAllMX),
            "share_probes_across_names": .bool(!probe.probeEveryName),
            "rate_per_ip": .double(probe.ratePerIP), "burst_per_ip": .int(probe.burstPerIP),
            "connections_per_ip": .int(probe.connectionsPerIP), "max_connections": .int(probe.maxConnections),
            "max_addresses": .int(probe.maxAddresses), "connect_timeout": .double(probe.connectTimeout),
            "policy_timeout": .double(probe.policyTimeout), "smtp_timeout": .double(probe.smtpTimeout),
            "probe_cache": .int(probe.probeCache), "dns_timeout": .double(dns.timeout), "dns_attempts": .int(dns.attempts),
            "qps": .int(dns.queriesPerSecond), "providers_file": providersFile.map { .string($0) } ?? .null,
            "resume": .bool(resume), "drain_timeout": .double(drainTimeout),
            "previous": previous.map { .string($0) } ?? .null,
        ]
    }
}
