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
