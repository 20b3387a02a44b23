import ArgumentParser
import MTAScanCore
import MTAScanEngine

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check MTA-STS and TLS-RPT records, policies and names before publishing them.",
        discussion: """
            Exit status: 0 valid (or match), 1 invalid (or no match), 2 usage or I/O error.

            Batch mode reads one JSON request per line on standard input and writes exactly
            one JSON verdict per line, in order; a malformed line gets {"error": "..."}.
              echo '{"kind":"sts-record","input":["v=STSv1; id=20240101"]}' | mtascan lint --batch
            Kinds: sts-record, tlsrpt-record, policy, mx-match, cert-name, mx-consistency (docs/lint.md).
            """,
        subcommands: [
            LintSTSRecord.self, LintTLSRPTRecord.self, LintPolicy.self, LintMXMatch.self, LintCertName.self,
            LintMXConsistency.self,
        ]
    )

    @Flag(name: .long, help: "Read NDJSON requests on stdin, write one NDJSON verdict per request on stdout.")
    var batch = false

    @OptionGroup var psl: PublicSuffixListOption

    func run() throws {
        guard batch else {
            throw CleanExit.helpRequest(self)
        }
        let linter = Linter(publicSuffixList: psl.loader())
        try BatchLinter(linter: linter).run(input: .standardInput, output: .standardOutput)
    }
}

/// `--psl PATH`: the Public Suffix List, loaded once and only when needed.
struct PublicSuffixListOption: ParsableArguments {
    @Option(name: .customLong("psl"), help: ArgumentHelp("Public Suffix List file.", valueName: "path"))
    var path: String = PublicSuffixList.debianPath

    func loader() -> @Sendable () -> Result<PublicSuffixList, Linter.RequestError> {
        let path = self.path
        let loaded = Lazy { () -> Result<PublicSuffixList, Linter.RequestError> in
            do {
                let bytes = try FileDescriptor.readAll(path: path, maxBytes: 16 << 20)
                return .success(try PublicSuffixList(listText: bytes))
            } catch {
                return .failure(Linter.RequestError(
                    "cannot load the Public Suffix List (\(error)); install Debian's publicsuffix package or pass --psl PATH"))
            }
        }
        return { loaded.value }
    }
}

/// Options every human-form lint command shares.
struct LintOutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the verdict as JSON (the batch form's verdict).")
    var json = false
}

struct LintSTSRecord: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sts-record",
        abstract: "Check the TXT records at _mta-sts.<domain> (RFC 8461 §3.1).",
        discussion: "Give every TXT record found at the name, one argument each, as they would be joined from their strings."
    )
    @Argument(help: ArgumentHelp("TXT record text.", valueName: "record")) var records: [String]
    @OptionGroup var output: LintOutputOptions

    func run() throws {
        let evaluation = STSRecord.evaluate(records)
        let summary = evaluation.isValid ? "valid, id \(evaluation.id ?? "")" : (evaluation.status == .absent ? "no MTA-STS record" : "invalid")
        try LintReport.finish(valid: evaluation.isValid, summary: summary, findings: evaluation.findings,
                              verdict: Linter.stsRecordVerdict(evaluation), json: output.json)
    }
}

struct LintTLSRPTRecord: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tlsrpt-record",
        abstract: "Check the TXT records at _smtp._tls.<domain> (RFC 8460 §3)."
    )
    @Argument(help: ArgumentHelp("TXT record text.", valueName: "record")) var records: [String]
    @OptionGroup var output: LintOutputOptions

    func run() throws {
        let evaluation = TLSRPTRecord.evaluate(records)
        let summary = evaluation.isValid ? "valid, rua \(evaluation.rua.joined(separator: ", "))" : (evaluation.status == .absent ? "no TLS-RPT record" : "invalid")
        try LintReport.finish(valid: evaluation.isValid, summary: summary, findings: evaluation.findings,
                              verdict: Linter.tlsrptRecordVerdict(evaluation), json: output.json)
    }
}

struct LintPolicy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Check an MTA-STS policy file (RFC 8461 §3.2); '-' reads standard input."
    )
    @Argument(help: ArgumentHelp("Policy file.", valueName: "file")) var file: String
    @OptionGroup var output: LintOutputOptions

    func run() throws {
        // One byte past the cap: an oversized file is reported as too large, not truncated.
        let bytes = try FileDescriptor.readPrefix(path: file, maxBytes: PolicyParser.maxBodyBytes + 1)
        let evaluation = PolicyParser.parse(bytes)
        var summary = "invalid"
        if let policy = evaluation.policy {
            summary = "valid, mode \(policy.mode.rawValue), max_age \(policy.maxAge), mx \(policy.mx.map(\.text).joined(separator: " "))"
        } else if let policy = evaluation.lenientPolicy {
            summary = "invalid (strict senders reject it; lenient ones read mode \(policy.mode.rawValue), max_age \(policy.maxAge), mx \(policy.mx.map(\.text).joined(separator: " ")))"
        }
        try LintReport.finish(valid: evaluation.isValid, summary: "\(file): \(summary)", findings: evaluation.findings,
                              verdict: Linter.policyVerdict(evaluation), json: output.json)
    }
}

struct LintMXMatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mx-match",
        abstract: "Does an MX host name match a policy mx pattern (RFC 8461 §4.1)?"
    )
    @Argument(help: ArgumentHelp("mx pattern, e.g. *.example.com.", valueName: "pattern")) var pattern: String
    @Argument(help: ArgumentHelp("MX host name.", valueName: "host")) var host: String
    @OptionGroup var output: LintOutputOptions

    func run() throws {
        // An invalid pattern is a "no match" with the finding that says why, not a usage error.
        try Self.finish(Linter.mxMatchVerdict(pattern: pattern, host: host), json: output.json)
    }

    /// Shared with `cert-name`: exit 0 on a match, 1 otherwise, findings listed.
    static func finish(_ verdict: JSONValue, json: Bool) throws {
        let match = verdict["match"]?.boolValue ?? false
        try LintReport.finish(valid: match, summary: match ? "match" : "no match",
                              findingsJSON: verdict["findings"]?.arrayValue ?? [], verdict: verdict, json: json)
    }
}

struct LintCertName: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert-name",
        abstract: "Is a certificate with these DNS names valid for a host (RFC 8461 §4.1, RFC 6125)?"
    )
    @Argument(help: ArgumentHelp("Host name the certificate must be valid for.", valueName: "host")) var host: String
    @Argument(help: ArgumentHelp("The certificate's subjectAltName DNS names.", valueName: "name")) var names: [String]
    @OptionGroup var output: LintOutputOptions

    func run() throws {
        try LintMXMatch.finish(Linter.certNameVerdict(names: names, host: host), json: output.json)
    }
}

struct LintMXConsistency: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mx-consistency",
        abstract: "Check MX host names against a policy's mx patterns and classify each mismatch."
    )
    @Option(name: .customLong("pattern"), help: ArgumentHelp("A policy mx pattern (repeatable).", valueName: "pattern"))
    var patterns: [String] = []
    @Option(name: .customLong("mx"), help: ArgumentHelp("An MX host name (repeatable).", valueName: "host"))
    var hosts: [String] = []
    @OptionGroup var psl: PublicSuffixListOption
    @OptionGroup var output: LintOutputOptions

    func run() throws {
        let linter = Linter(publicSuffixList: psl.loader())
        let verdict: JSONValue
        do {
            verdict = try linter.verdict(for: .object(["kind": "mx-consistency", "patterns": .strings(patterns), "hosts": .strings(hosts)]))
        } catch {
            throw ValidationError(error.message)
        }
        let findings = verdict["findings"]?.arrayValue ?? []
        var summary = findings.isEmpty ? "consistent" : "inconsistent"
        // A bounded classification says so here as in the JSON verdict.
        if let compared = verdict["limits"]?["compared_patterns"]?.intValue, let all = verdict["limits"]?["patterns"]?.intValue {
            summary += " (kinds from the first \(compared) of \(all) patterns; docs/lint.md)"
        }
        try LintReport.finish(valid: findings.isEmpty, summary: summary,
                              findingsJSON: findings, verdict: verdict, json: output.json)
    }
}
