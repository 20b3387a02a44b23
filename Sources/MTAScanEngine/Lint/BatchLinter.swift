import MTAScanCore

/// `mtascan lint --batch`: every input line gets exactly one output line, in
/// order, so a pipeline can pair requests and verdicts by line number.
public struct BatchLinter {
    /// A request longer than this is answered with an error instead of being
    /// buffered: policies are capped far below it.
    public static let maxRequestBytes = 4 << 20

    public let linter: Linter

    public init(linter: Linter) {
        self.linter = linter
    }

    public func run(input: FileDescriptor, output: FileDescriptor) throws {
        var writer = BufferedWriter(destination: output)
        var json = JSONWriter()
        var line: [UInt8] = []
        var overlong = false
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)

        func answer() throws {
            json.reset()
            if overlong {
                json.writeLine(linter.errorVerdict("request longer than \(Self.maxRequestBytes) bytes"))
            } else {
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                json.writeLine(linter.verdict(forRequestLine: line))
            }
            try writer.write(json.bytes)
            line.removeAll(keepingCapacity: true)
            overlong = false
        }

        while true {
            let count = try chunk.withUnsafeMutableBytes { try input.read(into: $0) }
            if count == 0 { break }
            var start = 0
            for index in 0..<count where chunk[index] == UInt8(ascii: "\n") {
                append(chunk[start..<index], to: &line, overlong: &overlong)
                try answer()
                start = index + 1
            }
            append(chunk[start..<count], to: &line, overlong: &overlong)
            // Flush before the next (possibly blocking) read, so a co-process
            // that waits for each verdict is never left hanging.
            try writer.flush()
        }
        if !line.isEmpty || overlong { try answer() }
        try writer.flush()
    }

    private func append(_ bytes: ArraySlice<UInt8>, to line: inout [UInt8], overlong: inout Bool) {
        guard !overlong else { return }
        if line.count + bytes.count > Self.maxRequestBytes {
            overlong = true
            line.removeAll()
        } else {
            line.append(contentsOf: bytes)
        }
    }
}
