@testable import MTAScanCore

/// A discrete-event model of resolvers behind `CongestionWindow`s, for the
/// window's tests: each resolver is one FIFO server (a service rate, a queue
/// that drops beyond its limit, a fixed network round trip), with optional
/// random loss and optional SERVFAIL when its queue is long (a rate limiter
/// that answers overload with errors). The client sends whenever a window has
/// room, to the first resolver with room, like `DNSClient`.
struct ResolverModel {
    var serviceRate: Double
    var queueLimit: Int
    var networkRTT: Double
    /// Random loss, as a function of the time (seconds) the query arrives.
    var loss: (Double) -> Double = { _ in 0 }
    /// Above this many queued, queries are answered SERVFAIL at once.
    var serverFailureAboveQueue: Int?
    /// Every n-th answer is a SERVFAIL of its own (a broken domain), if set.
    var everyNthServerFailure: Int?
}

struct SimulatedResolverResult {
    var answered = 0
    var serverFailures = 0
    var dropped = 0
    var window: CongestionWindow
}

struct ResolverSimulation {
    private final class Pending {
        let resolver: Int
        let sent: Double
        let answerAt: Double?
        let serverFailure: Bool
        let ticket: CongestionWindow.Ticket
        var done = false
        var presumedLost = false

        init(resolver: Int, sent: Double, answerAt: Double?, serverFailure: Bool, ticket: CongestionWindow.Ticket) {
            self.resolver = resolver
            self.sent = sent
            self.answerAt = answerAt
            self.serverFailure = serverFailure
            self.ticket = ticket
        }
    }

    var models: [ResolverModel]
    var windows: [CongestionWindow]
    /// Queries the client has to send per second; nil for as many as the windows allow.
    var demandRate: Double?

    private var random = SplitMix64(seed: 7)

    init(_ models: [ResolverModel], settings: CongestionWindow.Settings, demandRate: Double? = nil) {
        self.models = models
        windows = models.map { _ in CongestionWindow(settings) }
        self.demandRate = demandRate
    }

    /// Runs for `duration` simulated seconds; per resolver, what it answered.
    mutating func run(for duration: Double) -> [SimulatedResolverResult] {
        var results = windows.map { SimulatedResolverResult(window: $0) }
        var lastDeparture = Array(repeating: 0.0, count: models.count)
        var departures = Array(repeating: [Double](), count: models.count)
        var departureHeads = Array(repeating: 0, count: models.count)
        var inFlight = Array(repeating: 0, count: models.count)
        var answerQueues = Array(repeating: [Pending](), count: models.count)
        var answerHeads = Array(repeating: 0, count: models.count)
        var sendOrder: [Pending] = []
        var sendHead = 0
        var servedCount = Array(repeating: 0, count: models.count)
        var now = 0.0
        var nextDemand = 0.0
        var preferred = 0

        func queueLength(_ index: Int, at time: Double) -> Int {
            while departureHeads[index] < departures[index].count, departures[index][departureHeads[index]] <= time {
                departureHeads[index] += 1
            }
            return departures[index].count - departureHeads[index]
        }

        while now < duration {
            // Send while a window has room (and, if demand is limited, a query is due).
            while demandRate.map({ _ in nextDemand <= now }) ?? true {
                guard let index = (0..<models.count).map({ (preferred + $0) % models.count })
                    .first(where: { inFlight[$0] < windows[$0].capacity }) else { break }
                preferred = (preferred + 1) % models.count
                let model = models[index]
                let queued = queueLength(index, at: now)
                var answerAt: Double?
                var serverFailure = false
                if let limit = model.serverFailureAboveQueue, queued > limit {
                    answerAt = now + model.networkRTT
                    serverFailure = true
                } else if queued < model.queueLimit, random.unit() >= model.loss(now) {
                    let departure = max(now, lastDeparture[index]) + 1 / model.serviceRate
                    lastDeparture[index] = departure
                    departures[index].append(departure)
                    answerAt = departure + model.networkRTT
                    servedCount[index] += 1
                    if let nth = model.everyNthServerFailure, servedCount[index] % nth == 0 { serverFailure = true }
                } else {
                    results[index].dropped += 1
                }
                inFlight[index] += 1
                let ticket = windows[index].sent(inFlight: inFlight[index], now: now)
                let pending = Pending(resolver: index, sent: now, answerAt: answerAt, serverFailure: serverFailure, ticket: ticket)
                sendOrder.append(pending)
                if answerAt != nil { answerQueues[index].append(pending) }
                if let rate = demandRate { nextDemand += 1 / rate }
            }

            // The next event: an answer, a loss presumption, or the next demanded query.
            var next = duration
            for index in models.indices where answerHeads[index] < answerQueues[index].count {
                next = min(next, answerQueues[index][answerHeads[index]].answerAt ?? duration)
            }
            while sendHead < sendOrder.count, sendOrder[sendHead].done { sendHead += 1 }
            if sendHead < sendOrder.count {
                let oldest = sendOrder[sendHead]
                next = min(next, oldest.sent + windows[oldest.resolver].lossDelay)
            }
            if demandRate != nil, nextDemand > now { next = min(next, nextDemand) }
            now = max(now, next)

            for index in models.indices {
                while answerHeads[index] < answerQueues[index].count,
                      let at = answerQueues[index][answerHeads[index]].answerAt, at <= now {
                    let pending = answerQueues[index][answerHeads[index]]
                    answerHeads[index] += 1
                    if pending.presumedLost {
                        windows[index].answeredLate(rtt: at - pending.sent)
                        continue
                    }
                    pending.done = true
                    inFlight[index] -= 1
                    results[index].answered += 1
                    if pending.serverFailure { results[index].serverFailures += 1 }
                    windows[index].answered(pending.ticket, rtt: at - pending.sent, serverFailure: pending.serverFailure, now: at)
                }
            }
            // Presume lost, oldest first, what has waited past its resolver's loss delay.
            var scan = sendHead
            while scan < sendOrder.count {
                let pending = sendOrder[scan]
                scan += 1
                if pending.done { continue }
                guard pending.sent + windows[pending.resolver].lossDelay <= now else { break }
                pending.done = true
                pending.presumedLost = true
                inFlight[pending.resolver] -= 1
                windows[pending.resolver].lost(pending.ticket, now: now)
            }
        }
        for index in windows.indices {
            windows[index].settle(now: now)
            results[index].window = windows[index]
        }
        return results
    }

}

extension SplitMix64 {
    mutating func unit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }
}
