import Foundation
import Synchronization
import Testing
@testable import MTAScanEngine

@Suite struct OutputSinkTests {
    private func temporaryPath() -> String {
        NSTemporaryDirectory() + "mtascan-sink-\(UInt64.random(in: 0...UInt64.max))"
    }

    private func contents(_ path: String) -> String {
        String(decoding: (try? FileDescriptor.readAll(path: path, maxBytes: 1 << 20)) ?? [], as: UTF8.self)
    }

    @Test func aFewRecordsReachTheFileWithoutAFinish() throws {
        // Far below the size threshold: only the flusher thread can write them.
        let path = temporaryPath()
        defer { unlink(path) }
        let file = try FileDescriptor.openForWriting(path)
        defer { file.close() }
        let sink = OutputSink(destination: file, flushThreshold: 1 << 20, flushInterval: .milliseconds(50))
        #expect(sink.write(line: Array("{\"a\":1}\n".utf8)))
        var waited = 0
        while contents(path).isEmpty && waited < 200 {   // bounded: 10 s at most
            Thread.sleep(forTimeInterval: 0.05)
            waited += 1
        }
        #expect(contents(path) == "{\"a\":1}\n")
        #expect(try sink.finish() == 1)
    }

    @Test func aSealedSinkRefusesRecordsAndCountsOnlyWhatItTook() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let file = try FileDescriptor.openForWriting(path)
        defer { file.close() }
        let sink = OutputSink(destination: file, flushInterval: nil)
        var accepted = 0
        #expect(sink.write(line: Array("1\n".utf8)) { accepted += 1 })
        sink.seal()
        #expect(!sink.write(line: Array("2\n".utf8)) { accepted += 1 })
        #expect(accepted == 1)
        #expect(try sink.finish() == 1)
        #expect(contents(path) == "1\n")
        #expect(!sink.write(line: Array("3\n".utf8)))
    }

    @Test func aFailedWriteIsReportedAndLaterRecordsAreRefused() throws {
        // /dev/full fails every write with ENOSPC.
        let flushes = Mutex(0)
        let sink = OutputSink(destination: try FileDescriptor.openForWriting("/dev/full", append: true),
                              flushThreshold: 1, flushInterval: nil, flushed: { flushes.withLock { $0 += 1 } })
        #expect(!sink.write(line: Array("1\n".utf8)))
        #expect(sink.hasFailed)
        #expect(!sink.write(line: Array("2\n".utf8)))
        #expect(throws: FileError.self) { try sink.finish() }
        #expect(flushes.withLock { $0 } == 0, "nothing reached the file, so nothing may count as written")
    }

    @Test func everySuccessfulWriteToTheFileIsReported() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let file = try FileDescriptor.openForWriting(path)
        defer { file.close() }
        let flushes = Mutex(0)
        let sink = OutputSink(destination: file, flushThreshold: 4, flushInterval: nil,
                              flushed: { flushes.withLock { $0 += 1 } })
        #expect(sink.write(line: Array("12\n".utf8)))      // 3 bytes: buffered
        #expect(flushes.withLock { $0 } == 0)
        #expect(sink.write(line: Array("34\n".utf8)))      // 6 bytes: over the threshold, written
        #expect(flushes.withLock { $0 } == 1)
        #expect(sink.write(line: Array("5\n".utf8)))
        #expect(try sink.finish() == 3)
        #expect(flushes.withLock { $0 } == 2)
        #expect(contents(path) == "12\n34\n5\n")
    }
}
