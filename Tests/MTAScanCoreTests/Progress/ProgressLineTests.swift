import Testing
@testable import MTAScanCore

@Suite struct ProgressLineTests {
    @Test func theLineWithATotal() {
        var line = ProgressLine()
        line.record(done: 12_345 - 8_120, at: 100)
        line.record(done: 12_345, at: 110)
        #expect(line.text(done: 12_345, total: 100_000, elapsed: 110, inFlight: 4_096, errors: 3)
            == "12,345/100,000 domains  812/s  ETA 1m48s  in flight 4,096  errors 3")
    }

    @Test func lostDNSAnswersAreShownLoudlyOnlyWhenThereAreAny() {
        var line = ProgressLine()
        line.record(done: 0, at: 0)
        line.record(done: 2_000, at: 2)
        #expect(line.text(done: 2_000, total: nil, elapsed: 2, inFlight: 12, errors: 209, dnsLost: 1_209)
            == "2,000 domains  1,000/s  in flight 12  errors 209  DNS LOST 1,209")
        #expect(!line.text(done: 2_000, total: nil, elapsed: 2, inFlight: 12, errors: 0, dnsLost: 0).contains("LOST"))
    }

    @Test func withoutATotalThereIsNoETA() {
        var line = ProgressLine()
        line.record(done: 0, at: 0)
        line.record(done: 500, at: 2)
        #expect(line.text(done: 500, total: nil, elapsed: 2, inFlight: 12, errors: 0)
            == "500 domains  250/s  in flight 12  errors 0")
    }

    @Test func theRateFollowsTheLastWindowOnly() {
        var line = ProgressLine(window: 10)
        // Fast for a minute, then slow: the average since the start would say ~900/s.
        for second in 0...60 { line.record(done: second * 1_000, at: Double(second)) }
        for second in 61...80 { line.record(done: 60_000 + (second - 60) * 100, at: Double(second)) }
        let rate = line.rate ?? -1
        #expect(abs(rate - 100) < 0.001, "\(rate)")
    }

    @Test func theWindowKeepsABaselineAtItsStart() {
        var line = ProgressLine(window: 10)
        line.record(done: 0, at: 0)
        line.record(done: 100, at: 30)  // a long gap: the only baseline is older than the window
        #expect(line.rate == 100.0 / 30)
        line.record(done: 200, at: 31)
        #expect(line.rate == 200.0 / 31)  // 0 is still the last sample at or before the window's start (21)
        line.record(done: 300, at: 45)
        #expect(line.rate == 100.0 / 14)  // the window starts at 35: 31 is now the baseline, 0 and 30 are gone
    }

    @Test func beforeTwoSamplesTheRateIsDoneOverElapsed() {
        var line = ProgressLine()
        #expect(line.rate == nil)
        #expect(line.text(done: 30, total: 90, elapsed: 10, inFlight: 1, errors: 0)
            == "30/90 domains  3.0/s  ETA 20s  in flight 1  errors 0")
        #expect(line.text(done: 0, total: 90, elapsed: 0, inFlight: 0, errors: 0) == "0/90 domains  in flight 0  errors 0")
        line.record(done: 5, at: 1)
        #expect(line.rate == nil)
    }

    @Test func aStalledScanHasNoETAAndAFinishedOneHasNone() {
        var line = ProgressLine()
        line.record(done: 10, at: 0)
        line.record(done: 10, at: 5)
        #expect(line.text(done: 10, total: 20, elapsed: 5, inFlight: 10, errors: 0) == "10/20 domains  0.0/s  in flight 10  errors 0")
        #expect(line.text(done: 20, total: 20, elapsed: 5, inFlight: 0, errors: 0) == "20/20 domains  0.0/s  ETA 0s  in flight 0  errors 0")
    }

    @Test func aClockThatGoesBackStartsOver() {
        var line = ProgressLine()
        line.record(done: 0, at: 100)
        line.record(done: 1_000, at: 101)
        line.record(done: 1_100, at: 50)
        #expect(line.rate == nil)
    }

    @Test(arguments: [(0, "0"), (7, "7"), (999, "999"), (1_000, "1,000"), (12_345, "12,345"), (1_234_567, "1,234,567"), (-4_096, "-4,096")])
    func groupsThousands(value: Int, text: String) {
        #expect(ProgressLine.grouped(value) == text)
    }

    @Test(arguments: [(0.0, "0s"), (0.2, "1s"), (52.0, "52s"), (112.0, "1m52s"), (3_599.0, "59m59s"), (3_600.0, "1h00m"),
                      (7_500.0, "2h05m"), (86_400.0, "1d00h"), (273_600.0, "3d04h"), (1e12, "99d00h"), (.infinity, "0s")])
    func formatsDurations(seconds: Double, text: String) {
        #expect(ProgressLine.duration(seconds) == text)
    }

    @Test(arguments: [(0.0, "0.0/s"), (2.54, "2.5/s"), (9.96, "10.0/s"), (10.4, "10/s"), (812.3, "812/s"), (12_345.6, "12,346/s")])
    func formatsRates(rate: Double, text: String) {
        #expect(ProgressLine.rateText(rate) == text)
    }
}
