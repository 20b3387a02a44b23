import ArgumentParser
import MTAScanCore
import MTAScanEngine

@main
struct MTAScan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mtascan",
        abstract: "Measure how domains deploy MTA-STS (RFC 8461) and TLS-RPT (RFC 8460).",
        discussion: """
            Examples:
              mtascan lint policy mta-sts.txt                 check a policy before publishing it
              mtascan lint sts-record 'v=STSv1; id=20240101'  check a _mta-sts TXT record
              mtascan lint --batch < requests.ndjson           one JSON verdict per request line
              zcat com.zone.gz | mtascan domains --count      count a zone's delegations
              mtascan report scan.ndjson                      the paper's tables from a scan
              mtascan scan --shard auto --resume -o part.ndjson com.zone   one share of a sharded scan
              mtascan verify com.zone part-*.ndjson           exactly one record per input line?
              mtascan merge -o com.ndjson part-*.ndjson       the parts as one file
              mtascan notify plan scan.ndjson --campaign c.sqlite --from ... --envelope-domain ...
                                                              a notification campaign (docs/notify.md)

            Findings and their fixes: docs/findings.md. Output formats: docs/.
            """,
        version: MTAScanVersion.string,
        subcommands: [ScanCommand.self, ReportCommand.self, VerifyCommand.self, MergeCommand.self, NotifyCommand.self, DomainsCommand.self, LintCommand.self, FCrDNSCommand.self, VersionCommand.self]
    )

    /// A write to a peer that went away must be an error on that connection, never
    /// the end of a scan by SIGPIPE: ignore the signal before any subcommand runs
    /// (see `BrokenPipe`), then dispatch as ArgumentParser's `main` does, except that
    /// a reader of our output that left still ends us quietly (`ReaderGone`).
    static func main() {
        BrokenPipe.ignoreSignal()
        OpenSSLProcess.initialize()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            ReaderGone.endIfBrokenPipe(error)
            exit(withError: error)
        }
    }
}

enum MTAScanVersion {
    static let string = "0.1.0"
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print mtascan's version and the versions of the C libraries it runs on."
    )

    func run() {
        print("mtascan \(MTAScanVersion.string)")
        print("libuv \(LibraryVersions.libuv)")
        print("ldns \(LibraryVersions.ldns)")
        print(LibraryVersions.openssl)
        // OpenSSL 3.0: which path RSA and EC keys take (Sources/CMTAScanShims/legacy_keys.c).
        print("openssl keys \(OpenSSLProcess.usesBuiltinKeyMethods ? "builtin" : "provider")")
    }
}
