import Testing
@testable import MTAScanCore

@Suite struct ScanMetadataTests {
    private func line(_ metadata: ScanMetadata) -> String {
        String(decoding: metadata.fileBytes, as: UTF8.self)
    }

    @Test func writesEveryKeyInOrderWithNullsForTheUnknown() throws {
        let metadata = ScanMetadata(toolVersion: "0.1.0", startedAt: 1_767_225_600,
                                    input: .init(path: "-", format: .list), phases: [.dns], resolvers: ["127.53.0.2"])
        #expect(line(metadata) == """
            {"schema_version":1,"tool":"mtascan","tool_version":"0.1.0","state":"running","complete":false,\
            "stop_reason":null,"abandoned_in_flight":0,"resumes":[],"started_at":"2026-01-01T00:00:00Z",\
            "finished_at":null,"duration_seconds":null,"input":{"path":"-","format":"list","size_bytes":null},\
            "shard":null,"phases":["dns"],\
            "resolvers":["127.53.0.2"],"source_address":null,"source_addresses":[],"ehlo_name":null,"ehlo_confirmed":null,"ca_file":null,\
            "exclusions":0,"options":{},"counts":{"records":0,"by_verdict":{"no-mta-sts":0,"valid":0,"misconfigured":0,\
            "unknown":0},"input_errors":0,"excluded":0,"dns_timeouts":0},"dns":{}}

            """)
        // And it is one JSON object that our own parser reads back.
        let parsed = try JSONParser.parse(Array(metadata.fileBytes.dropLast()))
        #expect(parsed["tool"] == "mtascan")
    }

    @Test func aShardSaysWhichShareAndWhichLimits() throws {
        var metadata = ScanMetadata(toolVersion: "0.1.0", startedAt: 0, input: .init(path: "in", format: .list),
                                    phases: [.dns], resolvers: [])
        let limits = ShardPoliteness.Limits(ratePerIP: 2, burstPerIP: 4, connectionsPerIP: 4, queriesPerSecond: 0)
        metadata.shard = .init(shard: Shard(index: 1, count: 4)!, source: .slurm,
                               politeness: ShardPoliteness(global: limits, shards: 4))
        let json = try JSONParser.parse(Array(metadata.fileBytes.dropLast()))
        #expect(json["shard"]?["index"] == 1)
        #expect(json["shard"]?["count"] == 4)
        #expect(json["shard"]?["hash"] == "fnv1a64-high")
        #expect(json["shard"]?["source"] == "slurm")
        #expect(json["shard"]?["limits"]?["per_shard"]?["rate_per_ip"] == .double(0.5))
        #expect(ScanMetadata.shard(inPreviousFile: metadata.fileBytes) == .some(Shard(index: 1, count: 4)))
        metadata.shard = nil
        #expect(ScanMetadata.shard(inPreviousFile: metadata.fileBytes) == .some(nil))
        #expect(ScanMetadata.shard(inPreviousFile: Array("{}".utf8)) == nil)
    }

    @Test func aFinishedScanCarriesItsFacts() throws {
        var counts = ScanMetadata.Counts()
        counts.count(verdict: .valid)
        counts.count(verdict: .misconfigured)
        counts.count(verdict: .misconfigured)
        counts.count(verdict: nil, inputError: true)
        counts.count(verdict: nil, excluded: true)
        let metadata = ScanMetadata(
            toolVersion: "0.2.0", startedAt: 1_767_225_600, finishedAt: 1_767_225_725, durationSeconds: 124.98765,
            input: .init(path: "com.zone", format: .zone, sizeBytes: 4096), phases: [.dns, .policy, .mx],
            resolvers: ["127.53.0.2", "127.53.0.3"], sourceAddress: "192.0.2.10",
            sourceAddresses: [.init(address: "192.0.2.10", ehloName: "scanner.example", confirmed: true),
                              .init(address: "2001:db8::10", ehloName: "scanner6.example", confirmed: true)],
            ehloName: "scanner.example",
            ehloConfirmed: true, caFile: "/etc/ssl/certs/ca-certificates.crt", exclusions: 12,
            options: ["max_in_flight": 4096, "threads": 2, "dns_timeout_seconds": 2.5, "dane": false],
            counts: counts, dns: ["sent": 100, "retries": 3])
        let json = try JSONParser.parse(Array(metadata.fileBytes.dropLast()))
        #expect(json["finished_at"] == "2026-01-01T00:02:05Z")
        #expect(json["duration_seconds"] == .double(124.988))
        #expect(json["input"] == .object(["path": "com.zone", "format": "zone", "size_bytes": 4096]))
        #expect(json["phases"] == ["dns", "policy", "mx"])
        #expect(json["resolvers"] == ["127.53.0.2", "127.53.0.3"])
        #expect(json["source_address"] == "192.0.2.10")
        #expect(json["source_addresses"] == .array([
            .object(["address": "192.0.2.10", "ehlo_name": "scanner.example", "confirmed": true]),
            .object(["address": "2001:db8::10", "ehlo_name": "scanner6.example", "confirmed": true]),
        ]))
        #expect(json["ehlo_name"] == "scanner.example")
        #expect(json["ehlo_confirmed"] == true)
        #expect(json["ca_file"] == "/etc/ssl/certs/ca-certificates.crt")
        #expect(json["exclusions"] == 12)
        #expect(json["options"]?["dns_timeout_seconds"] == .double(2.5))
        #expect(json["options"]?["dane"] == false)
        #expect(json["counts"] == .object([
            "records": 5,
            "by_verdict": .object(["no-mta-sts": 0, "valid": 1, "misconfigured": 2, "unknown": 0]),
            "input_errors": 1, "excluded": 1, "dns_timeouts": 0,
        ]))
        #expect(json["dns"]?["retries"] == 3)
    }

    @Test func anInterruptedAndResumedScanSaysSo() throws {
        var metadata = ScanMetadata(toolVersion: "0.1.0", startedAt: 1_767_225_600,
                                    input: .init(path: "names.txt", format: .list), phases: [.dns], resolvers: [])
        metadata.state = .interrupted
        metadata.stopReason = "SIGTERM"
        metadata.abandonedInFlight = 7
        metadata.resumes = [.init(at: 1_767_225_700, recordsKept: 120, partialBytesDropped: 15)]
        let json = try JSONParser.parse(Array(metadata.fileBytes.dropLast()))
        #expect(json["state"] == "interrupted")
        #expect(json["complete"] == false)
        #expect(json["stop_reason"] == "SIGTERM")
        #expect(json["abandoned_in_flight"] == 7)
        #expect(json["resumes"] == .array([.object([
            "at": "2026-01-01T00:01:40Z", "records_kept": 120, "partial_bytes_dropped": 15,
        ])]))
        // A resume carries the earlier resumes over from the file it replaces.
        #expect(ScanMetadata.resumes(inPreviousFile: metadata.fileBytes) == metadata.resumes)
        #expect(ScanMetadata.resumes(inPreviousFile: Array("not json".utf8)).isEmpty)
        #expect(ScanMetadata.phases(inPreviousFile: metadata.fileBytes) == [.dns])
        #expect(ScanMetadata.phases(inPreviousFile: Array(#"{"phases":["dns","bogus"]}"#.utf8)) == nil)
        // Phase tlsrpt is a phase like the others: a resume must ask for it again.
        #expect(ScanMetadata.phases(inPreviousFile: Array(#"{"phases":["dns","policy","mx","tlsrpt"]}"#.utf8))
                == [.dns, .policy, .mx, .tlsrpt])
        metadata.state = .complete
        #expect(try JSONParser.parse(Array(metadata.fileBytes.dropLast()))["complete"] == true)
    }

    @Test func countsRecordsAsWritten() {
        var counts = ScanMetadata.Counts()
        let invalid = ScanRecord.invalidInput(line: 1, text: "bad..name", problem: InputProblem(reason: "empty-label", message: "x"))
        counts.count(record: invalid)
        counts.count(record: .object(["verdict": "no-mta-sts", "input_error": nil, "excluded": nil]))
        counts.count(record: .object(["verdict": nil, "input_error": nil, "excluded": .object(["rule": "example.com"])]))
        counts.count(record: .object(["verdict": "unknown", "input_error": nil, "excluded": nil,
                                      "findings": .array([.object(["code": "dns-timeout", "severity": "error"])])]))
        #expect(counts.records == 4)
        #expect(counts.dnsTimeouts == 1)
        #expect(counts.inputErrors == 1)
        #expect(counts.excluded == 1)
        #expect(counts.byVerdict == [.noMTASTS: 1, .unknown: 1])

        var total = ScanMetadata.Counts()
        total.add(counts)
        total.add(counts)
        #expect(total.records == 8 && total.byVerdict[.unknown] == 2 && total.excluded == 2)
    }

    @Test func theSideFileSitsBesideTheOutputUnlessNamed() {
        #expect(ScanMetadata.sidePath(output: "scan.ndjson", metadata: nil) == "scan.ndjson.meta.json")
        #expect(ScanMetadata.sidePath(output: "-", metadata: nil) == nil)
        #expect(ScanMetadata.sidePath(output: "-", metadata: "run.meta.json") == "run.meta.json")
        #expect(ScanMetadata.sidePath(output: "scan.ndjson", metadata: "elsewhere.json") == "elsewhere.json")
    }
}
