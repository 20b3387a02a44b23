import Foundation
import Testing
@testable import MTAScanEngine

@Suite struct FileDescriptorTests {
    private func temporaryPath() -> String {
        NSTemporaryDirectory() + "mtascan-fd-\(UInt64.random(in: 0...UInt64.max))"
    }

    @Test func writesAndReadsBack() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        var writer = BufferedWriter(destination: try FileDescriptor.openForWriting(path), flushThreshold: 16)
        for i in 0..<100 { try writer.write("line \(i)\n") }
        try writer.flush()
        writer.destination.close()
        let bytes = try FileDescriptor.readAll(path: path, maxBytes: 1 << 20)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.split(separator: "\n").count == 100)
        #expect(text.hasPrefix("line 0\nline 1\n"))
    }

    @Test func refusesFilesOverTheLimit() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x41, count: 100_000)))
        #expect(throws: FileError.self) { try FileDescriptor.readAll(path: path, maxBytes: 99_999) }
        #expect(try FileDescriptor.readAll(path: path, maxBytes: 100_000).count == 100_000)
    }

    @Test func reportsMissingFilesWithPathAndReason() {
        do {
            _ = try FileDescriptor.readAll(path: "/nonexistent/mtascan", maxBytes: 10)
            Issue.record("no error")
        } catch {
            #expect(error.description.contains("/nonexistent/mtascan"))
            #expect(error.description.contains("No such file"))
        }
    }
}
