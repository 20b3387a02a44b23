import MTAScanCore
import MTAScanEngine
import Synchronization
internal import Glibc

/// One `mtascan scan` from its first record to its last: feeds the input to the
/// scanner, and ends the scan exactly once, whichever way it ends — the input
/// used up, a broken input, a failed write, or a signal (`ScanStop`). Every
/// end flushes the records and writes the metadata with how the scan ended.
final class ScanRun: Sendable {
    struct Setup {
        var scanner: DomainScanner
        /// Where the records go (opened for appending by a resume).
        var destination: FileDescriptor
        var metadata: ScanMetadata
        var metadataPath: String?
        var progress: ProgressReporter?
        var quiet: Bool
        var exclusions: ExclusionList
        var phases: [ScanRecord.Phase]
        var publicSuffixList: PublicSuffixList?
        var providers: ProviderCatalogue
        var ledger: ResumeLedger?
        var keptCounts: ScanMetadata.Counts
        var inputPath: String
        /// nil for standard output.
        var outputPath: String?
        /// The share of the input this scan writes; nil for all of it.
        var shard: Shard?
        /// The earlier scan of `--previous`, for stale policy patterns.
        var previous: PreviousScan?
    }

    enum End: Sendable {
        case inputEnded
        case inputFailed(String)
        /// A record could not be written (a full disk, a closed pipe): no later one can be.
        case outputFailed
        case signalled
    }

    private let scanner: DomainScanner
    private let sink: OutputSink
    private let metadata: ScanMetadata
    private let metadataPath: String?
    private let outputPath: String?
    private let progress: ProgressReporter?
    private let quiet: Bool
    private let stop: ScanStop
    private let counts: CountsBox
    private let keptRecords: Int
    private let started = ContinuousClock.now
    /// Records this run was asked for: every input line read, less those a resume skipped.
    private let submitted = Atomic<Int>(0)

    init(setup: Setup, stop: ScanStop) {
        scanner = setup.scanner
        metadata = setup.metadata
        metadataPath = setup.metadataPath
        outputPath = setup.outputPath
        progress = setup.progress
        quiet = setup.quiet
        self.stop = stop
        let counts = CountsBox(setup.keptCounts)
        self.counts = counts
        sink = OutputSink(destination: setup.destination, flushed: { counts.flushed() })
        keptRecords = setup.keptCounts.records
    }

    /// Reads the input and submits its domains until the input ends or a stop
    /// is requested; returns how the reading ended.
    func feed(reader: inout any DomainReader, setup: Setup) -> End {
        let phases = setup.phases, publicSuffixList = setup.publicSuffixList, providers = setup.providers
        let previous = setup.previous
        let sink = self.sink, counts = self.counts, progress = self.progress
        do {
            while !stop.isRequested, let item = try reader.next() {
                if sink.hasFailed { return .outputFailed }
                // Only a shard or a resume needs the key: the record's `domain`, what resume and verify read back.
                if setup.shard != nil || setup.ledger != nil {
                    let key = (try? item.name.get().text) ?? item.text
                    if let shard = setup.shard, !shard.owns(key.utf8) {
                        progress?.didFinish()
                        continue
                    }
                    switch setup.ledger?.status(line: item.line, domain: key.utf8) {
                    case .done?:
                        progress?.didFinish()
                        continue
                    case .otherDomain?:
                        return .inputFailed("\(setup.inputPath):\(item.line): the output's record for this line is for another name than \"\(TerminalText.escaped(key))\": the input changed since the scan began; resume with the same input")
                    case .pending?, nil:
                        break
                    }
                }
                switch item.name {
                case .success(let domain):
                    let line = item.line
                    if let rule = setup.exclusions.rule(excluding: domain.text) {
                        submitted.add(1, ordering: .relaxed)
                        sink.write(line: ScanRecord.excludedLine(domain: domain, line: line, rule: rule).bytes) {
                            counts.count(verdict: nil, excluded: true)
                        }
                        progress?.didFinish()
                        continue
                    }
                    let admitted = scanner.submit(domain) { outcome in
                        let record = ScanCommand.record(outcome, phases: phases, line: line,
                                                        publicSuffixList: publicSuffixList, providers: providers,
                                                        previous: previous)
                        let verdict = record.verdict, dnsTimeout = record.dnsTimeout
                        sink.write(line: record.bytes) { counts.count(verdict: verdict, dnsTimeout: dnsTimeout) }
                        progress?.didEnd()
                        progress?.didFinish()
                        if verdict == .unknown { progress?.didFail() }
                        if dnsTimeout { progress?.didLoseDNS() }
                    }
                    guard admitted else { return .signalled }
                    // After the submit, which blocks while the window is full; the
                    // completion may already have counted its end (the line clamps at 0).
                    progress?.didStart()
                    submitted.add(1, ordering: .relaxed)
                case .failure(let problem):
                    submitted.add(1, ordering: .relaxed)
                    sink.write(line: ScanRecord.invalidInputLine(line: item.line, text: item.text, problem: problem).bytes) {
                        counts.count(verdict: nil, inputError: true)
                    }
                    progress?.didFinish()
                    progress?.didFail()
                }
            }
        } catch let error as InputError {
            return .inputFailed("\(TerminalText.escaped(setup.inputPath)):\(error.line): \(error.message)")
        } catch {
            return .inputFailed("\(TerminalText.escaped(setup.inputPath)): \(TerminalText.escaped("\(error)"))")
        }
        return stop.isRequested ? .signalled : .inputEnded
    }

    /// Ends the scan: waits for domains in flight (until the drain deadline once
    /// a signal came), flushes, writes the metadata, prints the summary, and
    /// returns the exit status (docs/output.md, "Exit status").
    func end(_ how: End) -> Int32 {
        scanner.stopAdmitting()
        // Once the output fails, waiting for domains in flight only wastes their probes.
        let giveUp: ContinuousClock.Instant? = if case .outputFailed = how { .now } else { nil }
        let abandoned = scanner.drain(until: { giveUp ?? self.stop.deadline })
        let statistics = abandoned == 0 ? scanner.finish() : scanner.statistics()
        progress?.stop()
        var metadata = self.metadata
        var message: String?
        var status: Int32 = 0
        let written: Int
        do {
            written = try sink.finish()
        } catch {
            written = sink.recordsWritten
            metadata.state = .failed
            metadata.stopReason = "output error: \(error)"
            message = "\(error)"
            status = 1
        }
        if status == 0 {
            switch how {
            case .inputFailed(let problem):
                metadata.state = .failed
                metadata.stopReason = "input error: \(problem)"
                message = problem
                status = 1
            case .inputEnded where abandoned == 0:
                // Input used up and every domain written: complete, even if a signal came meanwhile.
                let asked = submitted.load(ordering: .relaxed)
                if written == asked {
                    metadata.state = .complete
                } else {
                    metadata.state = .failed
                    metadata.stopReason = "internal error: \(asked) input names but \(written) records written"
                    message = metadata.stopReason
                    status = 1
                }
            case .outputFailed:
                // sink.finish() reports the write error above; this is only reached if it did not.
                metadata.state = .failed
                metadata.stopReason = "output error"
                status = 1
            case .inputEnded, .signalled:
                let signal = stop.signal ?? SIGTERM
                metadata.state = .interrupted
                metadata.stopReason = SignalWatcher.name(of: signal)
                status = 128 + signal
            }
        }
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        metadata.abandonedInFlight = abandoned
        metadata.finishedAt = WallClock.now()
        metadata.durationSeconds = seconds
        metadata.counts = counts.value
        metadata.dns = statistics.dns.json
        metadata.options["probes"] = .object([
            "policy_fetches": .int(statistics.probes.policyFetches), "mx_probes": .int(statistics.probes.mxProbes),
            "cache_hits": .int(statistics.probes.cacheHits),
            "mx_shared_answers": .int(statistics.probes.mxSharedAnswers), "sni_checks": .int(statistics.probes.sniChecks),
            // Phase tlsrpt: distinct endpoints checked and connected to, and the requests de-duplicated.
            "report_endpoint_checks": .int(statistics.probes.reportEndpointChecks),
            "report_endpoint_cache_hits": .int(statistics.probes.reportEndpointCacheHits),
            "report_endpoint_connections": .int(statistics.probes.reportEndpointConnections),
            "report_endpoint_connection_cache_hits": .int(statistics.probes.reportEndpointConnectionCacheHits),
        ])
        var errors = BufferedWriter(destination: .standardError, flushThreshold: 0)
        if let metadataPath {
            do {
                try FileDescriptor.replaceContents(of: metadataPath, with: metadata.fileBytes)
            } catch {
                try? errors.write("mtascan: \(error)\n")
                if status == 0 { status = 1 }
            }
        }
        if !quiet {
            var text = ScanSummary.text(records: written, seconds: seconds, dns: statistics.dns, probes: statistics.probes)
            if keptRecords > 0 { text += " kept_records=\(keptRecords)" }
            try? errors.write(text + "\n")
        }
        if let warning = ScanSummary.dnsLossWarning(dns: statistics.dns, counts: metadata.counts, outputPath: outputPath) {
            try? errors.write(warning + "\n")
        }
        if metadata.state == .interrupted {
            try? errors.write("mtascan: stopped by \(metadata.stopReason ?? "a signal"): \(written) records written, \(abandoned) domains in flight left for --resume\n")
        }
        if let message { try? errors.write("Error: \(message)\n") }
        return status
    }
}

/// The records' verdict counts, from whichever loop writes them: a record
/// counts as buffered when the sink takes it and as written once the sink has
/// put it in the file, so the metadata of a scan whose output failed counts
/// only what the file holds.
final class CountsBox: Sendable {
    private struct Tally {
        var written: ScanMetadata.Counts
        var buffered = ScanMetadata.Counts()
    }
    private let tally: Mutex<Tally>
    init(_ initial: ScanMetadata.Counts = .init()) { tally = Mutex(Tally(written: initial)) }
    func count(verdict: Verdict?, inputError: Bool = false, excluded: Bool = false, dnsTimeout: Bool = false) {
        tally.withLock {
            $0.buffered.count(verdict: verdict, inputError: inputError, excluded: excluded, dnsTimeout: dnsTimeout)
        }
    }
    /// The sink wrote everything it had taken.
    func flushed() {
        tally.withLock { tally in
            tally.written.add(tally.buffered)
            tally.buffered = .init()
        }
    }
    var value: ScanMetadata.Counts { tally.withLock { $0.written } }
}
