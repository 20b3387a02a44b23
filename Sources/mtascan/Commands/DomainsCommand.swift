import ArgumentParser
import MTAScanCore
import MTAScanEngine

/// `mtascan domains`: the names a scan of INPUT would cover, without scanning.
/// For previewing an input, counting a zone's delegations, or turning a zone
/// into a list to split across machines.
struct DomainsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domains",
        abstract: "Print the domains a scan of INPUT would cover, one per line (no network).",
        discussion: """
            From a zone file these are the distinct names delegated directly below its origin.
            Invalid names are reported on stderr with their line numbers (with --json, as records).
            """
    )

    @OptionGroup var input: InputOptions

    @Flag(name: .long, help: "Print only the counts of valid and invalid names.")
    var count = false

    @Flag(name: .long, help: "One JSON object per input name: {\"line\",\"domain\"} or {\"line\",\"text\",\"error\",\"message\"}.")
    var json = false

    func run() throws {
        var reader = try input.openReader()
        var output = BufferedWriter(destination: .standardOutput)
        var errors = BufferedWriter(destination: .standardError, flushThreshold: 0)
        var json = JSONWriter(capacity: 512)
        var valid = 0, invalid = 0
        do {
            while let item = try reader.next() {
                switch item.name {
                case .success(let name):
                    valid += 1
                    if count { continue }
                    if self.json {
                        json.reset()
                        json.writeLine(.object(["line": .int(item.line), "domain": .string(name.text)]))
                        try output.write(json.bytes)
                    } else {
                        try output.write(name.text + "\n")
                    }
                case .failure(let problem):
                    invalid += 1
                    if count { continue }
                    if self.json {
                        json.reset()
                        json.writeLine(.object([
                            "line": .int(item.line), "text": .string(item.text), "error": .string(problem.reason),
                            "message": .string(problem.message),
                        ]))
                        try output.write(json.bytes)
                    } else {
                        // The name as read is input: escaped before it reaches a terminal.
                        try errors.write("\(TerminalText.escaped(input.path)):\(item.line): \(problem.message): \(TerminalText.escaped(item.text))\n")
                    }
                }
            }
        } catch let error as InputError {
            try output.flush()
            throw CLIError("\(input.path):\(error.line): \(error.message)")
        }
        if count { try output.write("\(valid) valid\n\(invalid) invalid\n") }
        try output.flush()
    }
}
