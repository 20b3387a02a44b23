import ArgumentParser
import MTAScanCore
import MTAScanEngine
internal import Glibc

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

            Findings and their fixes: docs/findings.md. Output formats: docs/.
            """,
        version: MTAScanVersion.string,
        subcommands: [ScanCommand.self, ReportCommand.self, DomainsCommand.self, LintCommand.self, FCrDNSCommand.self, VersionCommand.self]
    )

    /// A write to a peer (or a stdout reader) that went away must be an error on that
    /// write, never the end of a scan by SIGPIPE: ignore the signal before any
    /// subcommand runs (see `BrokenPipe`), then dispatch as ArgumentParser would.
    ///
    /// A reader of standard output that goes away (`mtascan domains com.zone | head`)
    /// ends the command quietly with 141, as the signal would have, instead of an
    /// error message about a pipe the user closed on purpose. `scan` handles its own
    /// output failures (its metadata records them).
    static func main() {
        BrokenPipe.ignoreSignal()
        do {
            var command = try parseAsRoot(nil)
            try command.run()
        } catch let error as FileError where error.errno == EPIPE && error.path == FileDescriptor.standardOutput.path {
            Self.exit(withError: ExitCode(141))
        } catch {
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
    }
}
