#if canImport(Glibc)
import Glibc
#endif

/// Checks beyond "does not crash". A broken invariant aborts, which libFuzzer
/// records as a crash and saves the input as an artifact.
enum Invariant {
    static func require(
        _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        guard !condition() else { return }
        report("invariant broken at \(file):\(line): \(message())")
        abort()
    }

    /// Straight to fd 2 with `write`: `print` buffers stdout, and an abort
    /// right after would lose the message.
    static func report(_ message: String) {
        var text = Array((message + "\n").utf8)
        text.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = write(2, base + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
