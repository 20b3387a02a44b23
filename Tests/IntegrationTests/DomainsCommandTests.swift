import Foundation
import MTAScanCore
import Testing

/// `mtascan domains`: the input side of a scan, on the real binary.
@Suite struct DomainsCommandTests {
    @Test func zoneFromStdinGivesDistinctDelegationsBelowTheOrigin() throws {
        let zone = """
            $ORIGIN COM.
            $TTL 172800
            @ IN SOA a.gtld-servers.net. nstld.verisign-grs.com. ( 1 1800 900 604800 86400 )
            @ NS A.GTLD-SERVERS.NET.
            EXAMPLE NS NS1.EXAMPLE
            EXAMPLE NS NS2.EXAMPLE
            NS1.EXAMPLE A 192.0.2.1
            Other.COM. 3600 IN NS ns.example.net.
            deep.sub NS ns.example.net.
            example DS 12345 13 2 ABCDEF

            """
        let output = try MTAScanProcess.run(["domains", "--input-format", "zone"], stdin: zone)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdoutLines == ["example.com", "other.com"])
    }

    @Test func listReportsInvalidNamesWithLineNumbersAndKeepsGoing() throws {
        let output = try MTAScanProcess.run(["domains"], stdin: "Example.COM.\n# comment\n\nbad..name\nok.example  # note\n")
        #expect(output.stdoutLines == ["example.com", "ok.example"])
        #expect(output.stderr.contains("-:4:"))
        let json = try MTAScanProcess.run(["domains", "--json"], stdin: "a.example\nbad..name\n")
        let records = try json.stdoutLines.map { try JSONParser.parse($0) }
        #expect(records == [
            .object(["line": 1, "domain": "a.example"]),
            .object(["line": 2, "text": "bad..name", "error": "empty-label", "message": "the name has an empty label"]),
        ])
    }

    @Test func trancoCSVAndCounts() throws {
        let output = try MTAScanProcess.run(["domains", "--input-format", "csv", "--count"], stdin: "1,google.com\r\n2,\"Example.org\"\r\n3,-bad-\u{1}\r\n")
        #expect(output.stdoutLines == ["2 valid", "1 invalid"])
    }

    @Test func refusedDirectivesFailWithTheLine() throws {
        let output = try MTAScanProcess.run(["domains", "--input-format", "zone"], stdin: "$ORIGIN test.\na NS b\n$INCLUDE /etc/passwd\n")
        #expect(output.status == 1)
        #expect(output.stderr.contains("-:3:"))
        #expect(output.stderr.contains("$INCLUDE"))
    }

    // MARK: issue 9: hostile and decorated input

    private static func hasControlBytes(_ text: String) -> Bool {
        text.utf8.contains { ($0 < 0x20 && $0 != 0x0A) || $0 == 0x7F }
    }

    @Test func aZoneWithAByteOrderMarkIsRead() throws {
        let zone = "\u{FEFF}$ORIGIN com.\n@ SOA a. b. 1 2 3 4 5\nexample NS ns1.example.net.\n"
        let output = try MTAScanProcess.run(["domains", "--input-format", "zone"], stdin: zone)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdoutLines == ["example.com"])
    }

    @Test func inputNeverWritesEscapeSequencesToTheTerminal() throws {
        let zone = try MTAScanProcess.run(["domains", "--input-format", "zone"], stdin: "$ORIGIN \u{1B}]0;pwned\u{07}\n")
        #expect(zone.status == 1)
        #expect(zone.stderr.contains("\\x1b]0"), "\(zone.stderr)")
        #expect(!Self.hasControlBytes(zone.stderr))

        let list = try MTAScanProcess.run(["domains"], stdin: "\u{1B}]0;pwned\u{07}.example\nok.example\n")
        #expect(list.stdoutLines == ["ok.example"])
        #expect(list.stderr.contains("\\x1b]0;pwned\\x07.example"), "\(list.stderr)")
        #expect(!Self.hasControlBytes(list.stderr))

        let lint = try MTAScanProcess.run(["lint", "mx-consistency", "--pattern", "mx.example.com", "--mx", "\u{1B}[2J.example.com"])
        #expect(lint.status == 1)
        #expect(lint.stdout.contains("\\x1b[2j"), "\(lint.stdout)")
        #expect(!Self.hasControlBytes(lint.stdout + lint.stderr))
    }

    @Test func aCSVHeaderIsSkippedOnlyWhenItIsOneAndThenNamed() throws {
        let header = try MTAScanProcess.run(["domains", "--input-format", "csv"], stdin: "Domain,Rank\r\nexample.com,1\r\nexample.org,2\r\n")
        #expect(header.status == 0)
        #expect(header.stdoutLines == ["example.com", "example.org"])
        #expect(header.stderr.contains("-:1: skipped as a CSV header: Domain,Rank"), "\(header.stderr)")

        // `example.com,1` is data, in domain,rank order: nothing skipped.
        let data = try MTAScanProcess.run(["domains", "--input-format", "csv"], stdin: "example.com,1\nexample.org,2\n")
        #expect(data.stdoutLines == ["example.com", "example.org"])
        #expect(!data.stderr.contains("header"))
    }

    @Test func namesThatCannotBeRegisteredDomainsAreReported() throws {
        let output = try MTAScanProcess.run(["domains", "--input-format", "csv", "--json"],
                                            stdin: "1,example.com\n2,2\n3,1.2.3.4\n4,localhost\n")
        let records = try output.stdoutLines.map { try JSONParser.parse($0) }
        #expect(records.map { $0["error"]?.stringValue ?? "ok" } == ["ok", "numeric-tld", "ip-address", "single-label"])
        let list = try MTAScanProcess.run(["domains", "--count"], stdin: "example.com\nlocalhost\n10.0.0.1\n")
        #expect(list.stdoutLines == ["1 valid", "2 invalid"])
    }

    /// `mtascan domains big.txt | head -1`: once the reader leaves, mtascan ends quietly
    /// by SIGPIPE as any filter does, not with "Error: write failed: Broken pipe",
    /// although it ignores SIGPIPE for its sockets' sake.
    @Test func aReaderThatLeavesEndsItQuietlyBySIGPIPE() throws {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("mtascan-names-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: input) }
        // Far more than a pipe buffer (64 KiB) of output.
        try Data((0..<200_000).map { "name\($0).test\n" }.joined().utf8).write(to: input)
        let child = try ChildProcess(executable: MTAScanProcess.executable.path, arguments: ["domains", input.path])
        child.closeStdin()
        let stderr = child.collect(stdout: false)
        child.closeStdout()
        let termination = child.wait(timeout: 60)
        if termination == nil { child.killAndReap() }
        #expect(termination == .signalled(SIGPIPE))
        #expect(stderr.wait(timeout: 30).map { String(decoding: $0, as: UTF8.self) } == "")
    }
}

