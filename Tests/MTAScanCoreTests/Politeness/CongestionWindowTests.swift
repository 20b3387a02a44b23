import Testing
@testable import MTAScanCore

/// The window against modelled resolvers (`ResolverSimulation`): each test is
/// one kind of server the issue names, and what a scan needs from it: the
/// server's capacity used, nothing dropped by our own overload, no latching low.
@Suite struct CongestionWindowTests {
    static let settings = CongestionWindow.Settings(ceiling: 8192, timeout: 2)

    private func run(_ model: ResolverModel, seconds: Double, demandRate: Double? = nil) -> SimulatedResolverResult {
        var simulation = ResolverSimulation([model], settings: Self.settings, demandRate: demandRate)
        return simulation.run(for: seconds)[0]
    }

    @Test func anAuthoritativeServerIsUsedFullyWithoutLoss() {
        // NSD on loopback: fast, a deep socket buffer.
        let result = run(ResolverModel(serviceRate: 100_000, queueLimit: 9000, networkRTT: 0.0001), seconds: 5)
        #expect(Double(result.answered) >= 0.95 * 100_000 * 5)
        #expect(result.dropped == 0)
        #expect(result.window.statistics.presumedLost == 0)
        // The queue is kept near the delay target (5 ms ≈ 500 queries), far from the drop point.
        #expect(result.window.statistics.peak < 2048)
        #expect(result.window.statistics.mean > 16)
    }

    @Test func aShallowBufferCostsAlmostNothing() {
        // The same server with a default-sized socket buffer: drops start at 200 queued,
        // below the delay target, so the loss signal must catch it.
        let result = run(ResolverModel(serviceRate: 100_000, queueLimit: 200, networkRTT: 0.0001), seconds: 5)
        #expect(Double(result.answered) >= 0.9 * 100_000 * 5)
        #expect(Double(result.dropped) < 0.002 * Double(result.answered))
        #expect(result.window.statistics.lossEvents >= 1)
    }

    @Test func aStockRecursiveResolverIsNotOverrun() {
        // One unbound thread: about 7,000 answers a second, 1,024 queries in its request list.
        let result = run(ResolverModel(serviceRate: 7000, queueLimit: 1024, networkRTT: 0.0005), seconds: 10)
        #expect(Double(result.answered) >= 0.95 * 7000 * 10)
        #expect(result.dropped == 0)
        #expect(result.window.statistics.mean < 256)
    }

    @Test func aSlowScanNeitherGrowsNorShrinksTheWindow() {
        let result = run(ResolverModel(serviceRate: 100_000, queueLimit: 9000, networkRTT: 0.001), seconds: 5, demandRate: 500)
        #expect(result.answered >= 2400)
        #expect(result.window.capacity == Self.settings.initial)
        #expect(result.window.statistics.cuts.isEmpty)
    }

    @Test func randomLossIsLearntAsNoiseNotCongestion() {
        // Half the queries vanish whatever the load: halving the window cannot help,
        // so after learning that the window grows back instead of sitting at the floor.
        var model = ResolverModel(serviceRate: 50_000, queueLimit: 9000, networkRTT: 0.001)
        model.loss = { _ in 0.5 }
        let result = run(model, seconds: 10)
        #expect(result.window.statistics.noiseLoss > 0.3)
        #expect(result.window.capacity > 64)
        #expect(result.answered > 20_000)
    }

    @Test func aResolverThatStartsDroppingHalfMidScanKeepsServing() {
        var model = ResolverModel(serviceRate: 50_000, queueLimit: 9000, networkRTT: 0.001)
        model.loss = { $0 >= 3 ? 0.5 : 0 }
        let result = run(model, seconds: 10)
        #expect(result.window.statistics.lossEvents >= 1)
        #expect(result.window.statistics.noiseLoss > 0.3)
        #expect(result.window.capacity > 64)
    }

    @Test func theWindowRecoversAfterAnOutage() {
        // Everything lost for two seconds (a restart), then healthy again: the
        // window must not latch at the floor.
        var model = ResolverModel(serviceRate: 20_000, queueLimit: 9000, networkRTT: 0.002)
        model.loss = { $0 >= 2 && $0 < 4 ? 1 : 0 }
        var simulation = ResolverSimulation([model], settings: Self.settings)
        let result = simulation.run(for: 10)[0]
        #expect(result.window.statistics.lossEvents >= 1)
        #expect(result.window.capacity >= 32)
        // Most of the healthy time's capacity was used: 6 s after the outage at 20,000/s.
        #expect(result.answered >= Int(0.8 * 20_000 * 8))
    }

    @Test func serverFailureStormsAreCongestion() {
        // A rate limiter that answers overload with SERVFAIL, not with silence.
        var model = ResolverModel(serviceRate: 10_000, queueLimit: 9000, networkRTT: 0.001)
        model.serverFailureAboveQueue = 40
        let result = run(model, seconds: 5)
        #expect(result.window.statistics.cuts[.serverFailures, default: 0] >= 1)
        #expect(Double(result.serverFailures) < 0.05 * Double(result.answered))
        #expect(Double(result.answered) >= 0.9 * 10_000 * 5)
    }

    @Test func scatteredServerFailuresAreAnswers() {
        // One domain in ten is broken: its SERVFAIL says nothing about load.
        var model = ResolverModel(serviceRate: 50_000, queueLimit: 9000, networkRTT: 0.001)
        model.everyNthServerFailure = 10
        let result = run(model, seconds: 5)
        #expect(result.window.statistics.cuts[.serverFailures, default: 0] == 0)
        #expect(Double(result.answered) >= 0.95 * 50_000 * 5)
    }

    @Test func theFasterResolverGetsMore() {
        let fast = ResolverModel(serviceRate: 40_000, queueLimit: 9000, networkRTT: 0.0005)
        let slow = ResolverModel(serviceRate: 4000, queueLimit: 9000, networkRTT: 0.0005)
        var simulation = ResolverSimulation([fast, slow], settings: Self.settings)
        let results = simulation.run(for: 5)
        #expect(results[0].answered > 5 * results[1].answered)
        #expect(Double(results[1].answered) >= 0.9 * 4000 * 5)
        #expect(results[0].dropped + results[1].dropped == 0)
    }

    @Test func theWindowStaysWithinItsBounds() {
        var settings = CongestionWindow.Settings(ceiling: 100, timeout: 2)
        settings.initial = 500
        var simulation = ResolverSimulation([ResolverModel(serviceRate: 1_000_000, queueLimit: 100_000, networkRTT: 0.01)], settings: settings)
        let grown = simulation.run(for: 2)[0]
        #expect(grown.window.capacity == 100)
        #expect(grown.window.statistics.initial == 100)
        #expect(grown.window.statistics.peak == 100)

        var lossy = ResolverModel(serviceRate: 50_000, queueLimit: 9000, networkRTT: 0.001)
        lossy.loss = { _ in 1 }
        let starved = run(lossy, seconds: 5)
        #expect(starved.window.capacity >= Self.settings.floor)
        #expect(starved.answered == 0)
    }

    @Test func lateAnswersWidenTheLossDelay() {
        var window = CongestionWindow(Self.settings)
        var ticket = window.sent(inFlight: 1, now: 0)
        window.answered(ticket, rtt: 0.001, serverFailure: false, now: 0.001)
        let before = window.lossDelay
        ticket = window.sent(inFlight: 1, now: 1)
        window.lost(ticket, now: 1.03)
        window.answeredLate(rtt: 0.05)
        #expect(window.lossDelay > before)
        #expect(window.statistics.lateAnswers == 1)
        #expect(window.statistics.presumedLost == 1)
        #expect(window.lossDelay <= Self.settings.timeout)
    }
}
