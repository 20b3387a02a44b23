import Dispatch
import Glibc
import Testing
@testable import mtascan

/// The reporter against a pipe, as when standard error is a log file or `| tee`.
@Suite(.serialized) struct ProgressReporterTests {
    /// A pipe whose read end is drained after the writer is done.
    private struct Pipe {
        let read: Int32
        let write: Int32

        init() throws {
            var ends: [Int32] = [0, 0]
            try #require(pipe(&ends) == 0)
            read = ends[0]
            write = ends[1]
        }

        /// Closes the write end and returns everything written.
        func drain() -> String {
            close(write)
            var data: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = Glibc.read(read, &buffer, buffer.count)
                if count <= 0 { break }
                data += buffer[0..<count]
            }
            close(read)
            return String(decoding: data, as: UTF8.self)
        }
    }

    @Test func plainLinesOnAPipeCarryTheCounters() throws {
        let pipe = try Pipe()
        let reporter = ProgressReporter(total: 10, style: .lines, interval: .milliseconds(20), descriptor: pipe.write)
        reporter.didStart(4)
        reporter.didFinish(3)
        reporter.didFail()
        reporter.didEnd()
        reporter.start()
        usleep(200_000)
        reporter.didFinish(4)
        usleep(100_000)
        reporter.stop()
        let lines = pipe.drain().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)

        #expect(lines.last == "", "every report ends its line")
        let reports = lines.dropLast()
        #expect(reports.count >= 5, "\(reports)")
        for report in reports {
            #expect(report.hasPrefix("mtascan: "), "\(report)")
            #expect(!report.contains("\r") && !report.contains("\u{1B}"), "no terminal control on a pipe: \(report)")
            #expect(report.hasSuffix("  in flight 3  errors 1"), "\(report)")
        }
        let last = try #require(reports.last)
        #expect(last.hasPrefix("mtascan: 7/10 domains  "), "\(last)")
        #expect(last.contains("/s  ETA "), "\(last)")
    }

    @Test func rewritingClearsItsLineWhenStopped() throws {
        let pipe = try Pipe()
        let reporter = ProgressReporter(total: nil, style: .rewrite, interval: .milliseconds(20), descriptor: pipe.write)
        reporter.start()
        reporter.didFinish(1_234)
        usleep(120_000)
        reporter.stop()
        let output = pipe.drain()
        #expect(!output.contains("\n"))
        #expect(output.hasSuffix("\r\u{1B}[K"), "the line is cleared for the summary that follows")
        let reports = output.components(separatedBy: "\r\u{1B}[K").filter { !$0.isEmpty }
        #expect(reports.count >= 2, "\(reports)")
        #expect(reports.last?.hasPrefix("1,234 domains  ") == true, "\(reports)")
        #expect(reports.allSatisfy { !$0.contains("ETA") }, "no total, no ETA")
    }

    @Test func stopWithoutStartAndTwiceIsHarmless() throws {
        let pipe = try Pipe()
        let reporter = ProgressReporter(total: nil, style: .lines, interval: .seconds(30), descriptor: pipe.write)
        reporter.stop()
        reporter.start()
        reporter.start()
        reporter.stop()
        reporter.stop()
        // A 30 s period: stopped long before its first report, and promptly.
        #expect(pipe.drain() == "")
    }

    @Test func countersAreSafeFromManyThreads() throws {
        let pipe = try Pipe()
        let reporter = ProgressReporter(total: 8_000, style: .lines, interval: .milliseconds(5), descriptor: pipe.write)
        reporter.start()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<1_000 {
                reporter.didStart()
                reporter.didFinish()
                reporter.didEnd()
            }
        }
        usleep(50_000)
        reporter.stop()
        let last = pipe.drain().split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("mtascan: 8,000/8,000 domains  "), "\(last)")
        #expect(last.contains("ETA 0s  in flight 0  errors 0"), "\(last)")
    }
}
