import Testing
import MTAScanCore

/// Inputs the `http-response` fuzz target (Fuzz/, docs/reliability.md) found,
/// kept as tests once fixed.
@Suite struct HTTPResponseParserFuzzRegressionTests {
    /// Noise longer than the header cap, with no line break: whole, it used
    /// to fail as `header-too-large`; cut in pieces, as `malformed-status-line`.
    /// The reason must not depend on the cuts.
    @Test func overlongGarbageIsAMalformedStatusLineHoweverItIsCut() {
        let limits = HTTPParserLimits(maxHeaderBytes: 48)
        let noise = [UInt8](repeating: 0x09, count: 43) + [UInt8](repeating: 0, count: 6)
        var whole = HTTPResponseParser(maxBodyBytes: 4, limits: limits)
        var cut = HTTPResponseParser(maxBodyBytes: 4, limits: limits)
        let wholeProgress = whole.feed(noise)
        var cutProgress = HTTPParseProgress.needMore
        for index in stride(from: 0, to: noise.count, by: 5) where cutProgress == .needMore {
            cutProgress = cut.feed(noise[index..<min(noise.count, index + 5)])
        }
        #expect(wholeProgress == .failed(HTTPParseFailure(.malformedStatusLine)))
        #expect(cutProgress == wholeProgress)
    }
}
