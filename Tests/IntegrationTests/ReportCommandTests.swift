import Foundation
import MTAScanCore
import Testing

/// `mtascan report` on the real binary: NDJSON files written to a temporary
/// directory, the JSON report's numbers, the SVG and CSV outputs, and --compare.
@Suite struct ReportCommandTests {
    /// A scan in today's DNS-phase shape (policy null, no MX probes) and two
    /// records in the full shape, plus an input error, an exclusion and a torn line.
    static let scan = [
        #"{"schema_version":1,"domain":"none.example","input_line":1,"input_error":null,"verdict":"no-mta-sts","mode":null,"phases":["dns"],"findings":[],"sts_record":{"lookup":"nxdomain","txt":[],"status":"absent","id":null},"tlsrpt":{"lookup":"nxdomain","txt":[],"status":"absent","rua":null},"policy_host":null,"excluded":null,"policy":null,"mx":{"lookup":"answer","hosts":[{"preference":10,"host":"mx.none.example","ipv4":null,"ipv6":null,"address_lookup":null,"tlsa":null}]},"ns":null}"#,
        #"{"schema_version":1,"domain":"ok.example","input_line":2,"input_error":null,"verdict":"valid","mode":"enforce","phases":["dns","policy","mx"],"findings":[],"sts_record":{"lookup":"answer","txt":["v=STSv1; id=1"],"status":"valid","id":"1"},"tlsrpt":{"lookup":"answer","txt":["v=TLSRPTv1; rua=mailto:r@ok.example"],"status":"valid","rua":["mailto:r@ok.example"]},"policy_host":{"name":"mta-sts.ok.example","cname_chain":["ok.policy.host.example"],"cname_target":"ok.policy.host.example","ipv4":["192.0.2.1"],"ipv6":[],"lookup":{"a":"answer","aaaa":"nodata"},"provider":"HostCo"},"excluded":null,"policy":{"url":"https://mta-sts.ok.example/.well-known/mta-sts.txt","address":"192.0.2.1","excluded":false,"tcp_failures":[],"tls":null,"http_status":200,"content_type":"text/plain","valid":true,"version":"STSv1","mode":"enforce","max_age":604800,"mx":["mx.ok.example"]},"mx":{"lookup":"answer","hosts":[{"preference":10,"host":"mx.ok.example","ipv4":["192.0.2.25"],"ipv6":[],"address_lookup":{"a":"answer","aaaa":"nodata"},"tlsa":null,"provider":null,"matches_policy":true,"pattern":"mx.ok.example","pkix_valid":true,"probes":[]}]},"ns":null}"#,
        #"{"schema_version":1,"domain":"bad.example","input_line":3,"input_error":null,"verdict":"misconfigured","mode":"enforce","phases":["dns","policy","mx"],"findings":[{"code":"policy-tls","address":"192.0.2.2","reason":"name-mismatch","severity":"error","component":"policy"},{"code":"mx-pkix-invalid-all","severity":"error","component":"mx"}],"sts_record":{"lookup":"answer","txt":["v=STSv1; id=1"],"status":"valid","id":"1"},"tlsrpt":{"lookup":"nxdomain","txt":[],"status":"absent","rua":null},"policy_host":{"name":"mta-sts.bad.example","cname_chain":[],"cname_target":null,"ipv4":["192.0.2.2"],"ipv6":[],"lookup":{"a":"answer","aaaa":"nodata"},"provider":null},"excluded":null,"policy":null,"mx":{"lookup":"answer","hosts":[{"preference":10,"host":"mx.bad.example","ipv4":["192.0.2.26"],"ipv6":[],"address_lookup":{"a":"answer","aaaa":"nodata"},"tlsa":null,"provider":null,"matches_policy":null,"pattern":null,"pkix_valid":false,"probes":[]}]},"ns":null}"#,
        #"{"schema_version":1,"domain":"bad..name","input_line":4,"input_error":{"reason":"empty-label","message":"the name has an empty label"},"verdict":null,"mode":null,"phases":[],"findings":[],"sts_record":null,"tlsrpt":null,"policy_host":null,"excluded":null,"policy":null,"mx":null,"ns":null}"#,
        #"{"schema_version":1,"domain":"skip.example","input_line":5,"input_error":null,"verdict":null,"mode":null,"phases":[],"findings":[],"sts_record":null,"tlsrpt":null,"policy_host":null,"excluded":{"rule":"skip.example"},"policy":null,"mx":null,"ns":null}"#,
        #"{"schema_version":1,"domain":"torn.exa"#,
    ].joined(separator: "\n") + "\n"

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-report-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func jsonReportCountsTheFixture() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("scan.ndjson").path
        try Self.scan.write(toFile: path, atomically: true, encoding: .utf8)
        let svg = directory.appendingPathComponent("chart.svg").path

        let output = try MTAScanProcess.run(["report", "--format", "json", "--svg", svg, "--third-party-threshold", "2", path])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stderr.contains("scan.ndjson:6: skipped"))
        let json = try JSONParser.parse(output.stdout)
        let tables = json["tables"]
        #expect(json["third_party_threshold"] == 2)
        #expect(tables?["overview"]?["rows"]?["records"]?["count"] == 5)
        #expect(tables?["overview"]?["rows"]?["scanned"]?["count"] == 3)
        #expect(tables?["overview"]?["rows"]?["input_errors"]?["count"] == 1)
        #expect(tables?["overview"]?["rows"]?["excluded"]?["count"] == 1)
        #expect(tables?["overview"]?["rows"]?["malformed_lines"]?["count"] == 1)
        #expect(tables?["verdicts"]?["rows"]?["valid"]?["domains"] == 1)
        #expect(tables?["verdicts"]?["rows"]?["misconfigured"]?["percent"] == .double(33.33))
        #expect(tables?["policy_errors"]?["rows"]?["policy-tls/name-mismatch"]?["self_managed"] == 1)
        #expect(tables?["mx_pkix_invalid"]?["rows"]?["mx-pkix-invalid-all"]?["self_managed"] == 1)
        #expect(tables?["policy_providers"]?["rows"]?["HostCo"]?["domains"] == 1)
        #expect(tables?["tlsrpt"]?["rows"]?["valid"]?["mta_sts"] == 1)
        #expect(tables?["modes"]?["rows"]?["enforce"]?["domains"] == 2)
        let chart = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(chart.hasPrefix("<?xml"))
        #expect(chart.hasSuffix("</svg>\n"))

        // Two copies of one scan are one population of twice the size.
        let twice = try JSONParser.parse(try MTAScanProcess.run(["report", "--format", "json", path, "-"], stdin: Self.scan).stdout)
        #expect(twice["tables"]?["overview"]?["rows"]?["scanned"]?["count"] == 6)

        let csv = try MTAScanProcess.run(["report", "--format", "csv", path])
        #expect(csv.stdoutLines.first == "table,row,column,value")
        #expect(csv.stdoutLines.contains("verdicts,valid,domains,1"))
        let table = try MTAScanProcess.run(["report", path])
        #expect(table.stdout.contains("Policy retrieval errors by layer"))
    }

    @Test func compareWritesChangedDomains() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let old = directory.appendingPathComponent("old.ndjson").path
        let new = directory.appendingPathComponent("new.ndjson").path
        let changes = directory.appendingPathComponent("changes.csv").path
        try Self.scan.write(toFile: old, atomically: true, encoding: .utf8)
        // bad.example is fixed; ok.example disappears; a new domain appears.
        let fixed = Self.scan.split(separator: "\n")[2]
            .replacingOccurrences(of: #""verdict":"misconfigured""#, with: #""verdict":"valid""#)
            .replacingOccurrences(of: #"{"code":"mx-pkix-invalid-all","severity":"error","component":"mx"}"#, with: "")
            .replacingOccurrences(of: #""severity":"error","component":"policy"},"#, with: #""severity":"error","component":"policy"}"#)
        let newScan = [String(Self.scan.split(separator: "\n")[0]), fixed,
                       #"{"domain":"fresh.example","verdict":"no-mta-sts","findings":[]}"#].joined(separator: "\n") + "\n"
        try newScan.write(toFile: new, atomically: true, encoding: .utf8)

        let output = try MTAScanProcess.run(["report", "--compare", "--format", "json", "--changes", changes, old, new])
        #expect(output.status == 0, "\(output.stderr)")
        let json = try JSONParser.parse(output.stdout)
        let rows = json["tables"]?["changes"]?["rows"]
        #expect(rows?["other"]?["domains"] == 0)
        #expect(rows?["fixed"]?["domains"] == 1)
        #expect(rows?["appeared"]?["domains"] == 1)
        #expect(rows?["disappeared"]?["domains"] == 2)  // ok.example and the excluded skip.example
        #expect(json["tables"]?["code_changes"]?["rows"]?["mx-pkix-invalid-all"]?["lost"] == 1)
        #expect(json["changes"] == nil)
        let lines = try String(contentsOfFile: changes, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "domain,change,old_verdict,new_verdict,codes_gained,codes_lost,phases_not_compared")
        #expect(lines.contains("bad.example,fixed,misconfigured,valid,,mx-pkix-invalid-all,"))
        #expect(lines.contains("fresh.example,appeared,,no-mta-sts,,,"))
        #expect(lines.count == 5)

        // Without --changes, the JSON report carries the list.
        let inline = try JSONParser.parse(try MTAScanProcess.run(["report", "--compare", "--format", "json", old, new]).stdout)
        #expect(inline["changes"]?.arrayValue?.count == 4)
        #expect(try MTAScanProcess.run(["report", "--compare", old]).status != 0)
    }

    /// Issue 13 item 10: a `--phases dns` scan of a domain a full scan found
    /// broken only at the policy host is no fix; the report says what it left out.
    @Test func compareOfAFullAndADNSOnlyScanComparesOnlyDNS() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let old = directory.appendingPathComponent("full.ndjson").path
        let new = directory.appendingPathComponent("dns.ndjson").path
        let bad = String(Self.scan.split(separator: "\n")[2])
        try (bad + "\n").write(toFile: old, atomically: true, encoding: .utf8)
        let dnsOnly = #"{"schema_version":1,"domain":"bad.example","input_line":1,"input_error":null,"verdict":"valid","mode":null,"phases":["dns"],"findings":[]}"#
        try (dnsOnly + "\n").write(toFile: new, atomically: true, encoding: .utf8)

        let output = try MTAScanProcess.run(["report", "--compare", "--format", "json", old, new])
        #expect(output.status == 0, "\(output.stderr)")
        let json = try JSONParser.parse(output.stdout)
        #expect(json["tables"]?["changes"]?["rows"]?["fixed"]?["domains"] == 0)
        #expect(json["tables"]?["changes"]?["rows"]?["unchanged"]?["domains"] == 1)
        #expect(json["tables"]?["code_changes"]?["rows"]?["policy-tls"]?["lost"] == 0)
        #expect(json["tables"]?["compare_overview"]?["rows"]?["phases_differ"]?["old"] == 1)
        #expect(json["tables"]?["not_compared"]?["rows"]?["policy"]?["old_only"] == 1)
        #expect(json["tables"]?["not_compared"]?["rows"]?["mx"]?["old_only"] == 1)
        #expect(json["changes"]?.arrayValue?.isEmpty == true)
    }

    // MARK: issue 9: input that is not a scan

    @Test func aFileWithoutAnyScanRecordIsAnError() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A gzip-compressed scan, as `gzip -c scan.ndjson` writes it (header, then deflate bytes).
        let gzip = directory.appendingPathComponent("scan.ndjson.gz").path
        try Data([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xAB, 0x56, 0x4A, 0xC9, 0x0A, 0x00, 0x1B, 0x00]).write(to: URL(fileURLWithPath: gzip))
        let compressed = try MTAScanProcess.run(["report", "--format", "json", gzip])
        #expect(compressed.status == 1)
        #expect(compressed.stdout.isEmpty)
        #expect(compressed.stderr.contains("gzip"), "\(compressed.stderr)")
        #expect(compressed.stderr.contains("holds no scan record"), "\(compressed.stderr)")
        #expect(!compressed.stderr.contains("partial last line"), "\(compressed.stderr)")

        let shapes = try MTAScanProcess.run(["report", "--format", "json", "-"], stdin: "{}\n{\"domain\":\"a.example\",\"findings\":\"x\"}\n")
        #expect(shapes.status == 1)
        #expect(shapes.stderr.contains("-:1: skipped, not a scan record: \"domain\""), "\(shapes.stderr)")
        #expect(shapes.stderr.contains("-:2: skipped, not a scan record: \"findings\""), "\(shapes.stderr)")

        // An empty file is an empty scan, not an error.
        #expect(try MTAScanProcess.run(["report", "--format", "json", "-"], stdin: "").status == 0)
    }

    @Test func wrongShapesAreCountedAsMalformedBesideRealRecords() throws {
        let lines = Self.scan.split(separator: "\n").prefix(3).joined(separator: "\n") + "\n{}\n[]\n"
        let output = try MTAScanProcess.run(["report", "--format", "json", "-"], stdin: lines)
        #expect(output.status == 0, "\(output.stderr)")
        let tables = try JSONParser.parse(output.stdout)["tables"]
        #expect(tables?["overview"]?["rows"]?["scanned"]?["count"] == 3)
        #expect(tables?["overview"]?["rows"]?["malformed_lines"]?["count"] == 2)
        #expect(output.stderr.contains("-:4: skipped, not a scan record"))
    }

    @Test func aScanCutShortEndsInAPartialLastLine() throws {
        let lines = Self.scan.split(separator: "\n").prefix(3).joined(separator: "\n") + "\n" + #"{"schema_version":1,"domain":"cut.exa"#
        let output = try MTAScanProcess.run(["report", "--format", "json", "-"], stdin: lines)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stderr.contains("-:4: partial last line ignored"), "\(output.stderr)")
        #expect(!output.stderr.contains("skipped,"))
        let tables = try JSONParser.parse(output.stdout)["tables"]
        #expect(tables?["overview"]?["rows"]?["malformed_lines"]?["count"] == 1)
    }

    /// Two scans too big for a 1 MiB sort budget: the comparison spills sorted
    /// runs to disk and merges them, and says exactly what it says in memory;
    /// the runs are gone afterwards.
    @Test func compareSpillsToDiskAndSaysTheSame() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func record(_ index: Int, _ verdict: String) -> String {
            let findings = verdict == "misconfigured" ? #"[{"code":"policy-tls","severity":"error"}]"# : "[]"
            return #"{"domain":"d\#(index).example","input_line":\#(index + 1),"verdict":"\#(verdict)","phases":["dns"],"findings":\#(findings)}"#
        }
        let verdicts = ["no-mta-sts", "valid", "misconfigured"]
        let count = 60_000
        let old = (0..<count).map { record($0, verdicts[$0 % 3]) }
        // NEW: in reverse, every 50th verdict changed, every 97th gone, 300 new.
        let new = (0..<(count + 300)).reversed().compactMap { index -> String? in
            if index < count && index % 97 == 0 { return nil }
            return record(index, verdicts[(index % 3 + (index % 50 == 0 ? 1 : 0)) % 3])
        }
        let oldPath = directory.appendingPathComponent("old.ndjson").path
        let newPath = directory.appendingPathComponent("new.ndjson").path
        try (old.joined(separator: "\n") + "\n").write(toFile: oldPath, atomically: true, encoding: .utf8)
        try (new.joined(separator: "\n") + "\n").write(toFile: newPath, atomically: true, encoding: .utf8)
        let runs = directory.appendingPathComponent("runs").path
        try FileManager.default.createDirectory(atPath: runs, withIntermediateDirectories: true)

        func compare(_ flags: [String], changes: String) throws -> JSONValue? {
            let output = try MTAScanProcess.run(["report", "--compare", "--format", "json", "--changes",
                                                 directory.appendingPathComponent(changes).path] + flags + [oldPath, newPath],
                                                timeout: 300)
            #expect(output.status == 0, "\(output.stderr)")
            return try JSONParser.parse(output.stdout)["tables"]
        }
        let inMemory = try compare([], changes: "memory.ndjson")
        let onDisk = try compare(["--sort-memory", "1", "--temporary-directory", runs], changes: "disk.ndjson")
        #expect(inMemory != nil && inMemory == onDisk)
        let rows = onDisk?["changes"]?["rows"]
        #expect(rows?["disappeared"]?["domains"] == .int((0..<count).filter { $0 % 97 == 0 }.count))
        #expect(rows?["appeared"]?["domains"] == 300)
        let memoryChanges = try String(contentsOfFile: directory.appendingPathComponent("memory.ndjson").path, encoding: .utf8)
        let diskChanges = try String(contentsOfFile: directory.appendingPathComponent("disk.ndjson").path, encoding: .utf8)
        #expect(memoryChanges == diskChanges)
        // In domain order.
        let domains = diskChanges.split(separator: "\n").compactMap { try? JSONParser.parse(String($0))["domain"]?.stringValue }
        #expect(domains == domains.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        #expect(try FileManager.default.contentsOfDirectory(atPath: runs).isEmpty)
    }
}
