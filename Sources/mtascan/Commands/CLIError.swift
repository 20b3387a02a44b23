/// A failure to report as `Error: <message>` without the usage text that
/// ArgumentParser prints for flag mistakes: bad input is not a usage error.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
