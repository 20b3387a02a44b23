import Foundation
import MTAScanCore

/// What the test internet's servers saw, read from their logs in its run
/// directory (tools/testnet/README.md): the observation point of the
/// politeness tests, which must not trust mtascan's own account of itself.
///
/// Each test connects from a source address of its own (any 127/8 address
/// binds on Linux), so its lines are told apart from those of other tests and
/// other scans sharing the one test internet.
enum ServerSide {
    /// `TESTNET_RUN`, as tools/testnet/lib.sh, or this checkout's tools/testnet/run.
    static var runDirectory: URL {
        if let run = ProcessInfo.processInfo.environment["TESTNET_RUN"], !run.isEmpty {
            return URL(fileURLWithPath: run)
        }
        return TestInternet.repositoryRoot.appendingPathComponent("tools/testnet/run")
    }

    static var caBundle: String { runDirectory.appendingPathComponent("ca/bundle.pem").path }

    /// True when the running test internet was started from this checkout (its logs are here).
    static var logsAreHere: Bool {
        FileManager.default.fileExists(atPath: runDirectory.appendingPathComponent("nginx-timing.log").path)
    }

    /// A fresh source address in 127.0.128.0/17 (nothing of the test internet lives there).
    static func freshSourceAddress() -> String {
        "127.0.\(Int.random(in: 128...254)).\(Int.random(in: 1...254))"
    }

    /// Flags for a scan that connects from `source` and says so in EHLO without FCrDNS
    /// (only 127.0.0.10 has it; the test internet's MX hosts do not check).
    static func scanFlags(source: String) -> [String] {
        ["--resolver", TestInternet.resolver, "--ca-file", caBundle, "--source-ip", source,
         "--ehlo", "politeness-probe.test", "--ehlo-not-fcrdns"]
    }

    // MARK: nginx: the politeness scenarios' policy hosts (`timing_log`)

    /// One request as nginx logged it; times in seconds since the epoch, millisecond resolution.
    struct Request {
        /// When nginx accepted the connection (its loop time: at or after the client's connect).
        let accepted: Double
        /// When the response was written (at or before the client could read it).
        let answered: Double
        let serverAddress: String
        let serverName: String
        let status: Int
    }

    static func timedRequests(from source: String) -> [Request] {
        lines(of: "nginx-timing.log").compactMap { line in
            // $msec $connection_time $request_time $remote_addr $server_addr $ssl_server_name
            // $connection $connection_requests $status
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 9, fields[3] == source, let msec = Double(fields[0]),
                  let connectionTime = Double(fields[1]), let status = Int(fields[8]) else { return nil }
            return Request(accepted: msec - connectionTime, answered: msec, serverAddress: fields[4],
                           serverName: fields[5], status: status)
        }
    }

    // MARK: Postfix

    /// Connections Postfix's smtpd logged from `source`, by the first label of the
    /// MX host's name (`mx1`, `mx2`: its `myhostname`, as Postfix's log shows it).
    static func smtpConnections(from source: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in lines(of: "postfix.log") where line.hasSuffix(": connect from unknown[\(source)]") {
            // "Nov 23 11:40:40 mx1 testnet-postfix/smtpd[23879]: connect from unknown[127.0.0.10]"
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 4 else { continue }
            counts[String(fields[3]), default: 0] += 1
        }
        return counts
    }

    /// The command counts of every SMTP session Postfix closed with `source`, from its
    /// disconnect lines: "disconnect from unknown[127.0.0.10] ehlo=1 starttls=1 quit=1 commands=3"
    /// (`name=N` or `name=OK/TRIED` per command the client sent).
    static func smtpCommandSummaries(from source: String) -> [[String]] {
        lines(of: "postfix.log").compactMap { line in
            guard let range = line.range(of: ": disconnect from unknown[\(source)]") else { return nil }
            return line[range.upperBound...].split(separator: " ").compactMap { field in
                field.split(separator: "=").first.map(String.init)
            }
        }
    }

    /// One EHLO or HELO as Postfix logged it (its helo restriction's WARN, tools/testnet/README.md):
    /// "smtpd[PID]: NOQUEUE: warn: EHLO from unknown[127.0.0.13]: helo-seen; proto=SMTP helo=<scanner2.test>".
    struct Greeting: Equatable {
        let client: String
        let command: String
        let name: String
    }

    /// The greetings Postfix logged from any of `sources`, after the first `skip` bytes of its log.
    static func smtpGreetings(from sources: Set<String>, skip: Int = 0) -> [Greeting] {
        lines(of: "postfix.log", skip: skip).compactMap { line in
            guard let warn = line.range(of: ": NOQUEUE: warn: ") else { return nil }
            let rest = line[warn.upperBound...]
            let words = rest.split(separator: " ", maxSplits: 3)
            guard words.count == 4, words[1] == "from", words[2].hasPrefix("unknown["), words[2].hasSuffix("]:") else { return nil }
            let client = String(words[2].dropFirst("unknown[".count).dropLast(2))
            guard sources.contains(client), let helo = rest.range(of: " helo=<"),
                  let end = rest[helo.upperBound...].firstIndex(of: ">") else { return nil }
            return Greeting(client: client, command: String(words[0]), name: String(rest[helo.upperBound..<end]))
        }
    }

    /// Postfix connections from each of `sources`, after the first `skip` bytes of its log.
    static func smtpConnectionsBySource(_ sources: Set<String>, skip: Int = 0) -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in lines(of: "postfix.log", skip: skip) {
            guard let range = line.range(of: ": connect from unknown["), line.hasSuffix("]") else { continue }
            let client = String(line[range.upperBound...].dropLast())
            if sources.contains(client) { counts[client, default: 0] += 1 }
        }
        return counts
    }

    /// Connections one Postfix service took (its `syslog_name`, e.g.
    /// `testnet-postfix-sharedcert`), after the first `skip` bytes of the log.
    static func smtpConnections(toService service: String, skip: Int = 0) -> Int {
        lines(of: "postfix.log", skip: skip).count { line in
            line.contains(" \(service)/smtpd[") && line.contains("]: connect from ")
        }
    }

    /// The size of a log now: pass it as `skip` to read only what comes after.
    static func logSize(_ name: String = "postfix.log") -> Int {
        let path = runDirectory.appendingPathComponent(name).path
        return (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    // MARK: unbound

    /// Every owner name in unbound's message cache (`unbound-control dump_cache`), lowercased;
    /// nil when unbound-control cannot reach it.
    static func resolverCacheNames() -> Set<String>? {
        let config = runDirectory.appendingPathComponent("unbound.conf").path
        guard FileManager.default.fileExists(atPath: config) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["unbound-control", "-c", config, "dump_cache"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        var names = Set<String>()
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("msg ") {
            let fields = line.split(separator: " ")
            if fields.count > 1 { names.insert(fields[1].lowercased()) }
        }
        return names
    }

    // MARK: waiting for logs

    /// Polls `observe` until `done` holds or `seconds` pass (log writers are asynchronous:
    /// Postfix's postlogd in particular); returns the last observation.
    static func poll<T>(within seconds: Double = 5, _ observe: () -> T, until done: (T) -> Bool) -> T {
        let deadline = Date().addingTimeInterval(seconds)
        var value = observe()
        while !done(value), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            value = observe()
        }
        return value
    }

    private static func lines(of name: String, skip: Int = 0) -> [Substring] {
        guard let data = FileManager.default.contents(atPath: runDirectory.appendingPathComponent(name).path) else { return [] }
        return String(decoding: data.dropFirst(skip), as: UTF8.self).split(separator: "\n")
    }
}

/// The `key=value` pairs of a scan's summary line on standard error.
func summaryFigures(_ stderr: String) -> [String: Double] {
    var figures: [String: Double] = [:]
    for word in stderr.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
        let parts = word.split(separator: "=", maxSplits: 1)
        if parts.count == 2, let value = Double(parts[1]) { figures[String(parts[0])] = value }
    }
    return figures
}
