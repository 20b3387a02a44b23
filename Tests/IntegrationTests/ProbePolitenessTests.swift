import Foundation
import MTAScanCore
import Testing

/// Politeness, de-duplication and exclusions of `mtascan scan`, watched from the
/// servers' side (issue #4): the `politeness` scenarios are twelve domains whose
/// policy hosts share one nginx address that logs each connection's accept and
/// answer times (tools/testnet/README.md, `timing_log`), and whose MX are the
/// shared mx1/mx2.mailhost.test of one Postfix. Each test connects from its own
/// source address and counts only what came from there.
@Suite(.enabled(if: TestInternet.isRunning && ServerSide.logsAreHere,
                "needs the local test internet started from this checkout: run tools/test.sh"))
struct ProbePolitenessTests {
    static let hostedDomains = (1...12).map { "provider-hosted-\($0 < 10 ? "0" : "")\($0).test" }

    /// nginx logs whole milliseconds (its cached loop time): two readings may each be 1 ms off.
    static let resolution = 0.002
    /// How late nginx may accept a connection after the client's connect() on 2 busy cores:
    /// the rate bound is checked on accept times, so a window may look this much shorter.
    static let acceptDelay = 0.1

    private struct Scan {
        let records: [JSONValue]
        let output: MTAScanProcess.Output
        var figures: [String: Double] { summaryFigures(output.stderr) }
        func record(_ domain: String) -> JSONValue? { records.first { $0["domain"]?.stringValue == domain } }
    }

    private func scan(_ domains: [String], source: String, _ flags: [String]) throws -> Scan {
        let output = try MTAScanProcess.run(
            ["scan"] + ServerSide.scanFlags(source: source) + ["--connect-timeout", "2", "--policy-timeout", "5",
                                                               "--smtp-timeout", "5"] + flags,
            stdin: domains.joined(separator: "\n") + "\n", timeout: 120)
        return Scan(records: try output.stdoutLines.map { try JSONParser.parse($0) }, output: output)
    }

    private func requests(from source: String, count: Int) -> [ServerSide.Request] {
        ServerSide.poll({ ServerSide.timedRequests(from: source) }, until: { $0.count >= count })
    }

    // MARK: rate and concurrency per destination IP

    /// Token bucket: in any window of w seconds at most burst + rate × w connections
    /// may start. Checked on every pair of accept times (every window that begins and
    /// ends at a connection), widened by nginx's accept delay; the first window over
    /// the bound, or nil.
    static func windowOverBucket(_ starts: [Double], rate: Double, burst: Int) -> String? {
        for first in starts.indices {
            for last in first..<starts.count {
                let window = starts[last] - starts[first]
                let allowed = Double(burst) + rate * (window + acceptDelay + resolution)
                if Double(last - first + 1) > allowed {
                    return "\(last - first + 1) connections within \(window) s (allowed \(allowed))"
                }
            }
        }
        return nil
    }

    /// The most logged connections open at once. Each interval is shrunk by the log's
    /// resolution at both ends; a start instant is where the most can overlap.
    static func mostOpenAtOnce(_ seen: [ServerSide.Request]) -> Int {
        let intervals = seen.map { ($0.accepted + resolution, $0.answered - resolution) }.filter { $0.0 < $0.1 }
        return intervals.map { probe in intervals.filter { $0.0 <= probe.0 && probe.0 < $0.1 }.count }.max() ?? 0
    }

    /// Token bucket: in any window of w seconds at most burst + rate × w connections
    /// may start. Checked on every pair of accept times (every window that begins and
    /// ends at a connection), widened by nginx's accept delay: a lower bound on elapsed
    /// time, not a performance figure.
    @Test func newConnectionsToOneAddressKeepToTheRateAndBurst() throws {
        let source = ServerSide.freshSourceAddress()
        let rate = 4.0, burst = 2
        let result = try scan(Self.hostedDomains, source: source,
                              ["--rate-per-ip", "\(Int(rate))", "--burst-per-ip", "\(burst)", "--connections-per-ip", "10"])
        #expect(result.output.status == 0, "\(result.output.stderr)")
        #expect(result.records.count == Self.hostedDomains.count)
        #expect(result.figures["policy_fetches"] == Double(Self.hostedDomains.count))

        let seen = requests(from: source, count: Self.hostedDomains.count)
        #expect(seen.count == Self.hostedDomains.count, "nginx logged \(seen.count) requests from \(source)")
        #expect(Set(seen.map(\.serverAddress)).count == 1, "the politeness policy hosts share one address")
        #expect(Set(seen.map(\.serverName)) == Set(Self.hostedDomains.map { "mta-sts.\($0)" }))
        let starts = seen.map(\.accepted).sorted()
        let worst = Self.windowOverBucket(starts, rate: rate, burst: burst)
        #expect(worst == nil, "\(worst ?? "")")
        // The same bound over the whole scan: 12 connections at 4/s after a burst of 2.
        let span = (starts.last ?? 0) - (starts.first ?? 0)
        #expect(span >= Double(Self.hostedDomains.count - burst) / rate - Self.acceptDelay - Self.resolution,
                "12 connections accepted within \(span) s")
    }

    /// Each logged connection lies within the time mtascan held it: accepted after its
    /// connect(), answered before it could read the answer. So the most that overlap
    /// in the log never exceeds the most that were open: a sound check of the cap.
    @Test func openConnectionsToOneAddressKeepToTheCap() throws {
        for cap in [1, 3] {
            let source = ServerSide.freshSourceAddress()
            let result = try scan(Self.hostedDomains, source: source,
                                  ["--rate-per-ip", "1000", "--burst-per-ip", "100", "--connections-per-ip", "\(cap)"])
            #expect(result.output.status == 0, "\(result.output.stderr)")
            let seen = requests(from: source, count: Self.hostedDomains.count)
            #expect(seen.count == Self.hostedDomains.count)
            let mostOpen = Self.mostOpenAtOnce(seen)
            #expect(mostOpen <= cap, "\(mostOpen) connections open at once with --connections-per-ip \(cap)")
        }
    }

    /// Four shards of one scan, run at once from one address (as four machines
    /// behind one NAT would be, or one machine's four array tasks): each gets a
    /// quarter of the per-destination limits, so together they keep to what one
    /// scan may send, as nginx saw it.
    @Test func fourShardsTogetherKeepToOneScansLimits() throws {
        let source = ServerSide.freshSourceAddress()
        let rate = 4.0, burst = 4, cap = 4
        let flags = ServerSide.scanFlags(source: source) + [
            "--connect-timeout", "2", "--policy-timeout", "5", "--smtp-timeout", "5", "-q",
            "--rate-per-ip", "\(Int(rate))", "--burst-per-ip", "\(burst)", "--connections-per-ip", "\(cap)"]
        let shards = try (0..<4).map { index in
            try MTAScanProcess.start(["scan", "--shard", "\(index)/4"] + flags,
                                     stdin: .text(Self.hostedDomains.joined(separator: "\n") + "\n"))
        }
        var records = 0
        for shard in shards {
            guard let end = shard.wait(timeout: 120) else {
                shard.stop()
                Issue.record("a shard did not finish")
                continue
            }
            let output = shard.output(end)
            #expect(output.status == 0, "\(output.stderr)")
            records += output.stdoutLines.count
        }
        #expect(records == Self.hostedDomains.count)

        let seen = requests(from: source, count: Self.hostedDomains.count)
        #expect(seen.count == Self.hostedDomains.count, "nginx logged \(seen.count) requests from \(source)")
        let worst = Self.windowOverBucket(seen.map(\.accepted).sorted(), rate: rate, burst: burst)
        #expect(worst == nil, "all shards together: \(worst ?? "")")
        let mostOpen = Self.mostOpenAtOnce(seen)
        #expect(mostOpen <= cap, "\(mostOpen) connections open at once from 4 shards with --connections-per-ip \(cap)")
    }

    // MARK: de-duplication

    /// Fourteen MTA-STS domains, all with MX mx1/mx2.mailhost.test: two probes in all,
    /// as the summary says and as Postfix saw.
    @Test func sharedMXHostsAreProbedOncePerHostAndAddress() throws {
        let source = ServerSide.freshSourceAddress()
        let domains = Self.hostedDomains + ["sts-valid.test", "sts-valid-testing.test"]
        let result = try scan(domains, source: source, ["--rate-per-ip", "100", "--burst-per-ip", "20",
                                                        "--connections-per-ip", "10"])
        #expect(result.output.status == 0, "\(result.output.stderr)")
        #expect(result.records.count == domains.count)
        #expect(result.figures["mx_probes"] == 2)
        #expect(result.figures["policy_fetches"] == Double(domains.count))
        // Every domain asks for both (host, address) pairs; all but the first two are answered by the cache.
        #expect(result.figures["probe_cache_hits"] == Double(2 * domains.count - 2))
        let connections = ServerSide.poll({ ServerSide.smtpConnections(from: source) },
                                           until: { $0.values.reduce(0, +) >= 2 })
        #expect(connections == ["mx1": 1, "mx2": 1], "Postfix saw \(connections)")
        for domain in domains {
            let hosts = result.record(domain)?["mx"]?["hosts"]?.arrayValue ?? []
            #expect(hosts.count == 2, "\(domain)")
            for host in hosts {
                #expect(host["probes"]?.arrayValue?.map { $0["result"] } == ["ok"], "\(domain) \(host["host"] ?? .null)")
            }
        }
    }

    // MARK: what the MX hosts see

    /// Every SMTP session of a scan of the whole catalogue, as Postfix itself
    /// counted the commands: EHLO, HELO, STARTTLS and QUIT only — never MAIL,
    /// RCPT, DATA or anything else.
    @Test func postfixSeesNoCommandBeyondSTARTTLSAndQUIT() throws {
        let source = ServerSide.freshSourceAddress()
        let domains = try TestInternet.scenarios().map(\.domain)
        let result = try scan(domains, source: source, ["--rate-per-ip", "100", "--burst-per-ip", "20", "--connections-per-ip", "20"])
        #expect(result.output.status == 0, "\(result.output.stderr)")
        let expectedSessions = Int(result.figures["mx_probes"] ?? 0)
        let sessions = ServerSide.poll({ ServerSide.smtpCommandSummaries(from: source) },
                                       until: { $0.count >= 3 })
        Thread.sleep(forTimeInterval: 0.5)  // the last disconnect lines
        let allowed: Set<String> = ["ehlo", "helo", "starttls", "quit", "commands", "unknown"]
        let seen = ServerSide.smtpCommandSummaries(from: source)
        #expect(seen.count >= max(3, sessions.count), "Postfix sessions: \(seen.count) of \(expectedSessions) probes")
        for commands in seen {
            #expect(Set(commands).isSubset(of: allowed), "Postfix saw \(commands)")
        }
        #expect(seen.contains { $0.contains("starttls") })
    }

    // MARK: exclusions

    @Test func excludedNetworksAreNeverContacted() throws {
        let source = ServerSide.freshSourceAddress()
        let domains = Array(Self.hostedDomains.prefix(3))
        // mx2.mailhost.test's address, and the third domain's policy host address as a bare address.
        let policyAddress = try #require(try policyAddress(of: domains[2]))
        let exclude = try temporaryFile("# never touch\n127.25.0.2/32\n\(policyAddress)\n")
        defer { try? FileManager.default.removeItem(atPath: exclude) }
        // The three policy hosts share the address: all three are excluded.
        let result = try scan(domains, source: source, ["--exclude", exclude])
        #expect(result.output.status == 0, "\(result.output.stderr)")
        #expect(result.records.count == domains.count)
        #expect(result.figures["mx_probes"] == 1)
        #expect(result.figures["policy_fetches"] == 0)
        for domain in domains {
            let record = try #require(result.record(domain))
            #expect(record["policy"]?["excluded"] == true, "\(domain)")
            // Nothing wrong was seen, but what was excluded was not checked either.
            #expect(record["verdict"] == "unknown", "\(domain)")
            for host in record["mx"]?["hosts"]?.arrayValue ?? [] {
                let excluded = host["probes"]?.arrayValue?.map { $0["excluded"] }
                #expect(excluded == [host["host"] == "mx2.mailhost.test" ? true : false], "\(domain) \(host)")
            }
        }
        let connections = ServerSide.poll({ ServerSide.smtpConnections(from: source) }, until: { $0["mx1"] == 1 })
        Thread.sleep(forTimeInterval: 0.5)  // let a stray mx2 line reach the log, if there were one
        #expect(connections["mx1"] == 1)
        #expect(ServerSide.smtpConnections(from: source)["mx2"] == nil)
        #expect(ServerSide.timedRequests(from: source).isEmpty)
    }

    /// A domain suffix on the exclusion list: the input domain's record says which rule
    /// excluded it, has no verdict, and not a single lookup of it reaches the resolver.
    @Test func excludedDomainsAreNeitherLookedUpNorContacted() throws {
        let source = ServerSide.freshSourceAddress()
        let tag = UUID().uuidString.prefix(8).lowercased()
        let excluded = "excluded-\(tag).test", control = "looked-up-\(tag).test"
        let exclude = try temporaryFile("provider-hosted-03.test\n\(excluded)\n")
        defer { try? FileManager.default.removeItem(atPath: exclude) }
        let domains = ["provider-hosted-02.test", "provider-hosted-03.test", excluded, control, "www.\(excluded)"]
        let result = try scan(domains, source: source, ["--exclude", exclude])
        #expect(result.output.status == 0, "\(result.output.stderr)")
        #expect(result.records.count == domains.count)
        for (domain, rule) in [("provider-hosted-03.test", "provider-hosted-03.test"), (excluded, excluded),
                               ("www.\(excluded)", excluded)] {
            let record = try #require(result.record(domain))
            #expect(record["excluded"]?["rule"]?.stringValue == rule, "\(domain)")
            #expect(record["verdict"] == .null, "\(domain)")
        }
        #expect(result.record("provider-hosted-02.test")?["verdict"] == "valid")
        #expect(result.record(control)?["verdict"] == "no-mta-sts")

        let names = ServerSide.poll({ Set(ServerSide.timedRequests(from: source).map(\.serverName)) },
                                     until: { !$0.isEmpty })
        #expect(names == ["mta-sts.provider-hosted-02.test"])
        // The control name shows the cache is the right place to look.
        if let cached = ServerSide.resolverCacheNames() {
            #expect(cached.contains("\(control)."))
            #expect(!cached.contains { $0.hasSuffix("\(excluded).") }, "a lookup of the excluded domain reached unbound")
        }
    }

    // MARK: helpers

    private func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-exclude-\(UUID().uuidString)").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func policyAddress(of domain: String) throws -> String? {
        let url = TestInternet.repositoryRoot.appendingPathComponent("tools/testnet/scenarios.json")
        let catalogue = try JSONParser.parse(Array(try Data(contentsOf: url)))
        let scenario = catalogue["scenarios"]?.arrayValue?.first { $0["domain"]?.stringValue == domain }
        return scenario?["policy"]?["address"]?.stringValue
    }
}
