import Foundation

/// tools/validate-schema.py, run as CI and researchers run it: NDJSON on
/// standard input, docs/scan-record.schema.json, exit 1 on any invalid line.
enum SchemaValidator {
    struct Result {
        let status: Int32
        /// `<stdin>:LINE: $.path: message` lines.
        let report: String
        let summary: String
    }

    static let script = TestInternet.repositoryRoot.appendingPathComponent("tools/validate-schema.py")

    /// python3 with the jsonschema module (Debian's python3-jsonschema, which
    /// `tools/setup.sh testnet` installs).
    static let isAvailable: Bool = {
        guard let result = try? run(["-c", "import jsonschema"], stdin: "") else { return false }
        return result.status == 0
    }()

    static func validate(_ ndjson: String) throws -> Result {
        try run([script.path, "--max-errors", "50", "-"], stdin: ndjson)
    }

    private static func run(_ arguments: [String], stdin: String) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let input = Pipe(), output = Pipe(), error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Feed standard input from another thread: a large scan would fill the pipe.
        let writer = Thread {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let errorData = ErrorBox()
        let reader = Thread { errorData.set(error.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let report = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.isSet { Thread.sleep(forTimeInterval: 0.01) }
        return Result(status: process.terminationStatus, report: String(decoding: report, as: UTF8.self),
                      summary: String(decoding: errorData.get(), as: UTF8.self))
    }
}

private final class ErrorBox: @unchecked Sendable {
    // Guarded by `lock`: written once by the reader thread, read after it finished.
    private var data: Data?
    private let lock = NSLock()
    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return data != nil }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data ?? Data() }
}
