import Foundation
import MTAScanCore

/// The local sendmail interface (`notify send --sendmail PATH`): the message
/// on standard input of `PATH [ARGS] -f ENVELOPE -i -- RECIPIENT...`, as every
/// MTA's sendmail takes it. Exit status 0 means queued; EX_TEMPFAIL (75) a
/// temporary failure; anything else a refusal. Bounded: the message is
/// written, the process waited for at most `timeout`, and killed after.
enum SendmailHandOff {
    enum Outcome: Equatable {
        case queued
        case temporary(String)
        case refused(String)
        /// Killed at the time limit after the whole message was written: it may be queued.
        case uncertain(String)
    }

    static func submit(_ message: [UInt8], envelopeFrom: String, recipients: [String], path: String,
                       arguments: [String], timeout: TimeInterval) -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments + ["-f", envelopeFrom, "-i", "--"] + recipients
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do {
            try process.run()
        } catch {
            return .temporary("cannot run \(path): \(error)")
        }
        // sendmail reads all of standard input before it exits. One that exits
        // early (a usage error, a refusal) breaks the pipe: its status says why.
        var tookEverything = true
        do {
            try input.fileHandleForWriting.write(contentsOf: message)
        } catch {
            tookEverything = false
        }
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return tookEverything ? .uncertain("\(path) did not exit within \(Int(timeout)) s after taking the message")
                : .temporary("\(path) neither read the message nor exited within \(Int(timeout)) s")
        }
        if process.terminationReason == .uncaughtSignal {
            // A terminal's Ctrl-C reaches the whole process group, sendmail too:
            // killed after taking the message, it may have queued it.
            return tookEverything ? .uncertain("\(path) was killed by signal \(process.terminationStatus) after taking the message")
                : .temporary("\(path) was killed by signal \(process.terminationStatus)")
        }
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile().prefix(2048), as: UTF8.self)
            .split(whereSeparator: \.isNewline).joined(separator: " ")
        switch process.terminationStatus {
        case 0 where !tookEverything: return .temporary("\(path) exit 0 without reading the whole message")
        case 0: return .queued
        case 75: return .temporary("\(path) exit 75 (temporary failure) \(text)")
        default: return .refused("\(path) exit \(process.terminationStatus) \(text)")
        }
    }
}
