/// How many queries one resolver may have unanswered at once, learnt from how
/// it answers, as TCP learns a path's capacity.
///
/// A fixed concurrency is a guess the user cannot make: too small wastes a
/// fast server, too large overruns a slow one, which then drops queries, and
/// every drop costs a timeout and a retry, or a lost answer. The window starts
/// small, doubles per round while answers come back on time (slow start), then
/// grows by a tenth per round, and shrinks on three signals:
///
/// - **Delay.** The tenth-percentile round-trip time of a round, minus the
///   resolver's base (the smallest such value of the last 10–20 s), is the
///   queue the window has built at the resolver (and in this client). Above
///   `targetDelay` the window shrinks before anything is dropped. The low
///   percentile, not the mean, because a recursive resolver's slow answers are
///   recursion, not queueing, while its cache hits queue like everything else.
/// - **Loss.** A query unanswered after `lossDelay` (a few smoothed RTTs, at
///   most the query timeout) is presumed lost: its slot is freed, so a lossy
///   resolver does not stall on timeouts, and a round with loss halves the
///   window. Loss that does not fall when the window is halved is the path's,
///   not congestion (a resolver that drops at random): it is learnt as the
///   noise level and only loss above it counts from then on.
/// - **Server failures.** A round where SERVFAIL and REFUSED are at least half
///   the answers is a resolver turning overload into errors (unbound's
///   `ratelimit`). NXDOMAIN, NODATA and a SERVFAIL now and then are answers.
///
/// Growth needs a full window: a scan that is slow for other reasons (input,
/// probes) neither grows it nor shrinks it. Rounds end on answers, not on a
/// timer, so a slowed scan recovers at its own pace (blastdns latched low
/// when recovery needed more samples per tick than its scan produced).
/// Only one cut per round, and only for queries sent after the last cut: the
/// queries of a larger window that are still out say nothing about the
/// smaller one.
///
/// Pure: the caller passes times in seconds from any fixed origin.
public struct CongestionWindow: Sendable {
    public struct Settings: Sendable, Equatable {
        public var initial: Int = 32
        public var floor: Int = 4
        public var ceiling: Int
        /// Queueing delay the window may build above the resolver's base round trip.
        public var targetDelay: Double = 0.02
        /// The query timeout: no query is presumed lost later than this.
        public var timeout: Double
        /// No query is presumed lost sooner than this (the caller's timer ticks coarser).
        public var minimumLossDelay: Double = 0.02

        public init(ceiling: Int, timeout: Double) {
            self.ceiling = max(1, ceiling)
            self.timeout = timeout
        }
    }

    public enum Signal: String, Sendable, CaseIterable {
        case loss, delay
        case serverFailures = "server_failures"
    }

    /// What a scan's metadata reports about the window.
    public struct Statistics: Sendable, Equatable {
        public var initial = 0
        public var peak = 0
        /// Window × seconds, for the time-weighted mean.
        public var windowSeconds = 0.0
        public var seconds = 0.0
        public var rounds = 0
        public var cuts: [Signal: Int] = [:]
        public var presumedLost = 0
        /// Answers to queries already presumed lost: slow, not lost.
        public var lateAnswers = 0
        /// The loss level learnt as the resolver's own, not congestion (0 if none).
        public var noiseLoss = 0.0

        public init() {}

        public var mean: Double { seconds > 0 ? windowSeconds / seconds : Double(initial) }
        public var lossEvents: Int { cuts[.loss, default: 0] }
    }

    /// A send's ticket: which round it belongs to. Pass it back with its answer or loss.
    public struct Ticket: Sendable, Equatable {
        let round: Int
    }

    public let settings: Settings
    public private(set) var statistics = Statistics()
    private var window: Double
    private var slowStart = true

    // Round state.
    private var round = 0
    /// Events of queries sent before this round do not steer the window.
    private var firstCountedRound = 0
    private var roundStarted: Double?
    private var answers = 0
    private var losses = 0
    private var serverFailures = 0
    private var peakInFlight = 0
    private var samples: [Double] = []
    private static let maximumSamples = 512

    // Round-trip estimates (RFC 6298), seconds.
    /// The smoothed round trip of this resolver's answers, once there is one.
    public private(set) var smoothedRTT: Double?
    private var rttVariation = 0.0
    private var lossDelayFactor = 1.0

    // The base: smallest round tenth-percentile over two 10-second epochs.
    private var base = WindowedMinimum()

    /// Set by a round with loss, until a round without: the window and loss
    /// rate it began with, and the loss over all its rounds.
    private struct LossEpoch {
        var window: Double
        var rate: Double
        var losses: Int
        var events: Int
    }
    private var lossEpoch: LossEpoch?
    /// Half the queueing delay at which the resolver last dropped, while below `targetDelay`.
    private var learnedTarget: Double?
    private static let minimumTarget = 0.0005
    private var lastChange: Double?
    private var lastGrowth = -Double.infinity
    /// The usual share of SERVFAIL and REFUSED answers (broken domains): the
    /// smallest of recent rounds, over two 10-second epochs.
    private var failureFloor = WindowedMinimum()
    /// Just below the window of the last SERVFAIL storm; rises slowly.
    private var stormCeiling: Double?

    public init(_ settings: Settings) {
        self.settings = settings
        window = Double(min(max(settings.initial, settings.floor), settings.ceiling))
        statistics.initial = Int(window)
        statistics.peak = Int(window)
    }

    /// Queries this resolver may have unanswered (presumed-lost ones not counted).
    public var capacity: Int { max(1, Int(window)) }

    /// How long an unanswered query may wait before its slot is freed and it
    /// counts as lost: the RFC 6298 timeout over this resolver's answers,
    /// widened after late answers, within [minimumLossDelay, timeout].
    public var lossDelay: Double {
        guard let smoothedRTT else { return settings.timeout }
        let estimate = (smoothedRTT + 4 * rttVariation) * lossDelayFactor
        return min(settings.timeout, max(settings.minimumLossDelay, estimate))
    }

    /// The base round trip, once learnt.
    public var baseRTT: Double? {
        base.value
    }

    /// A query went out; `inFlight` counts this resolver's unanswered queries, it included.
    public mutating func sent(inFlight: Int, now: Double) -> Ticket {
        if roundStarted == nil { roundStarted = now }
        if lastChange == nil { lastChange = now }
        peakInFlight = max(peakInFlight, inFlight)
        return Ticket(round: round)
    }

    /// An answer came; `serverFailure` for SERVFAIL or REFUSED.
    public mutating func answered(_ ticket: Ticket, rtt: Double, serverFailure: Bool, now: Double) {
        updateRTT(rtt)
        guard ticket.round >= firstCountedRound else { return endRoundIfDue(now: now) }
        answers += 1
        if serverFailure {
            // An error answered at once says nothing about the queue.
            serverFailures += 1
        } else if samples.count < Self.maximumSamples {
            samples.append(rtt)
        }
        endRoundIfDue(now: now)
    }

    /// A query was presumed lost (unanswered after `lossDelay`).
    public mutating func lost(_ ticket: Ticket, now: Double) {
        statistics.presumedLost += 1
        guard ticket.round >= firstCountedRound else { return endRoundIfDue(now: now) }
        losses += 1
        endRoundIfDue(now: now)
    }

    /// An answer to a query presumed lost: the resolver is slower than the
    /// estimate, so wait longer before presuming the next one lost.
    public mutating func answeredLate(rtt: Double) {
        statistics.lateAnswers += 1
        updateRTT(rtt)
        lossDelayFactor = min(lossDelayFactor * 1.5, 64)
    }

    /// Brings the time-weighted mean up to `now` (call before reading `statistics` at the end).
    public mutating func settle(now: Double) {
        account(now: now)
    }

    // MARK: rounds

    private mutating func updateRTT(_ rtt: Double) {
        guard rtt >= 0 else { return }
        if let smoothed = smoothedRTT {
            rttVariation = 0.75 * rttVariation + 0.25 * abs(smoothed - rtt)
            smoothedRTT = 0.875 * smoothed + 0.125 * rtt
        } else {
            smoothedRTT = rtt
            rttVariation = rtt / 2
        }
    }

    private mutating func endRoundIfDue(now: Double) {
        let events = answers + losses
        let needed = max(capacity, 8)
        let elapsed = roundStarted.map { now - $0 } ?? 0
        // A round is a window's worth of answers, or a second of at least 8 (a
        // large window on a slow scan must still be steered).
        guard events >= needed || (events >= 8 && elapsed >= 1) else { return }
        decide(now: now)
        round += 1
        roundStarted = now
        answers = 0
        losses = 0
        serverFailures = 0
        peakInFlight = 0
        samples.removeAll(keepingCapacity: true)
    }

    private mutating func decide(now: Double) {
        statistics.rounds += 1
        let events = answers + losses
        let lossRate = events > 0 ? Double(losses) / Double(events) : 0
        let queueing = roundQueueingDelay(now: now)
        let utilized = Double(peakInFlight) >= 0.75 * window.rounded(.down)
        if lossDelayFactor > 1 { lossDelayFactor = max(1, lossDelayFactor * 0.98) }
        let failures = failureLevel(answers: answers, failures: serverFailures, now: now)
        if failures == .storm {
            // Errors come back at once, so an overshoot is costly: grow back
            // to just below where the storm began, and past it only slowly.
            stormCeiling = window * 0.9
            return cut(to: 0.7, .serverFailures, now: now)
        }
        if failures == .elevated {
            // The first errors of overload: step back before they become a storm.
            return cut(to: 0.9, .serverFailures, now: now)
        }
        if let ceiling = stormCeiling { stormCeiling = ceiling * 1.005 }
        let significantLoss = lossIsSignificant(losses: losses, events: events)
        // Noise follows the loss of every round (excluding the lossy ones would
        // bias it low), so a resolver that recovers sheds it.
        if statistics.noiseLoss > 0 {
            statistics.noiseLoss += (lossRate - statistics.noiseLoss) / 16
            if statistics.noiseLoss < 0.005 { statistics.noiseLoss = 0 }
        }
        if significantLoss {
            guard var epoch = lossEpoch else {
                lossEpoch = LossEpoch(window: window, rate: lossRate, losses: losses, events: events)
                // The queue at which the resolver drops, in time: keep below half of it.
                if let queueing { learnedTarget = max(Self.minimumTarget, queueing / 2) }
                return cut(to: 0.5, .loss, now: now)
            }
            epoch.losses += losses
            epoch.events += events
            lossEpoch = epoch
            let epochRate = Double(epoch.losses) / Double(epoch.events)
            if window <= max(Double(settings.floor), epoch.window / 8), lossRate >= epoch.rate / 2, epochRate <= 0.8 {
                // An eighth of the window loses as much: the loss is the
                // resolver's own (or its path's), not our load. Learn it as
                // noise and give back half of what the cuts took. Total loss
                // is a resolver that is down, never noise.
                statistics.noiseLoss = max(statistics.noiseLoss, epochRate)
                learnedTarget = nil
                lossEpoch = nil
                account(now: now)
                window = min(Double(settings.ceiling), max(window, epoch.window / 2))
                return
            }
            return cut(to: 0.5, .loss, now: now)
        }
        if losses == 0 { lossEpoch = nil }
        if let learned = learnedTarget {
            learnedTarget = learned * 1.002 < settings.targetDelay ? learned * 1.002 : nil
        }
        let target = learnedTarget ?? max(settings.targetDelay, (baseRTT ?? 0) / 2)
        if let queueing, queueing > target {
            cut(to: max(0.5, min(0.9, target / queueing)), .delay, now: now)
        } else if utilized, failures == .usual, queueing.map({ $0 < target / 2 }) ?? true, now - lastGrowth >= lossDelay {
            // At most one step per loss delay: loss is seen no sooner, so a
            // faster climb would overshoot by more than one step before it is.
            grow(now: now)
        }
    }

    /// Many more SERVFAIL and REFUSED answers than usual: ten points above the
    /// usual share, beyond three standard deviations of it. The usual share is
    /// the smallest of rounds of at least 32 answers over the last 10–20 s, as
    /// the base RTT is: a storm raises it never, broken domains set it, and a
    /// share that creeps up with the window is still seen as the storm it is.
    /// `.elevated`: more than two points above the usual share (beyond two
    /// standard deviations): not a storm yet, but a small step back.
    private enum FailureLevel { case usual, elevated, storm }

    private mutating func failureLevel(answers: Int, failures: Int, now: Double) -> FailureLevel {
        guard answers > 0 else { return .usual }
        let rate = Double(failures) / Double(answers)
        if answers >= 32 { failureFloor.add(rate, now: now) }
        guard let baseline = failureFloor.value else { return .usual }
        let spread = max(baseline, 0.02)
        let deviation = (Double(answers) * spread * (1 - spread)).squareRoot()
        if failures >= 8, Double(failures) > Double(answers) * (baseline + 0.1) + 3 * deviation { return .storm }
        if failures >= 4, Double(failures) > Double(answers) * (baseline + 0.02) + 2 * deviation { return .elevated }
        return .usual
    }

    /// More loss than the learnt noise explains: with noise, five points above
    /// it and beyond three standard deviations (a round is a small sample);
    /// without, two losses and more than 0.2%.
    private func lossIsSignificant(losses: Int, events: Int) -> Bool {
        guard losses >= 2, events > 0 else { return false }
        let noise = statistics.noiseLoss
        guard noise > 0 else { return Double(losses) > 0.002 * Double(events) }
        let expected = noise * Double(events)
        return Double(losses) > expected + 0.05 * Double(events) + 3 * (expected * (1 - noise)).squareRoot() + 1
    }

    /// The round's tenth-percentile RTT above the base, updating the base.
    private mutating func roundQueueingDelay(now: Double) -> Double? {
        guard samples.count >= 4 else { return nil }
        samples.sort()
        let low = samples[samples.count / 10]
        base.add(low, now: now)
        guard let base = baseRTT else { return nil }
        return max(0, low - base)
    }

    private mutating func cut(to factor: Double, _ signal: Signal, now: Double) {
        account(now: now)
        statistics.cuts[signal, default: 0] += 1
        slowStart = false
        window = max(Double(settings.floor), window * factor)
        firstCountedRound = round + 1
    }

    private mutating func grow(now: Double) {
        account(now: now)
        let grown = slowStart ? window * 2 : window + max(1, window / 10)
        window = max(window, min(Double(settings.ceiling), stormCeiling.map { min($0, grown) } ?? grown))
        lastGrowth = now
        statistics.peak = max(statistics.peak, Int(window))
    }

    private mutating func account(now: Double) {
        if let last = lastChange, now > last {
            statistics.windowSeconds += window * (now - last)
            statistics.seconds += now - last
        }
        lastChange = now
    }
}

/// The smallest value seen over the last one to two epochs of 10 s: it falls
/// at once and rises only as old epochs expire, so a lasting change (a longer
/// path, more broken domains) is learnt within 20 s and a passing one never.
struct WindowedMinimum: Sendable {
    private static let epoch = 10.0
    private var current = Double.infinity
    private var previous = Double.infinity
    private var epochStarted: Double?

    var value: Double? {
        let minimum = min(current, previous)
        return minimum.isFinite ? minimum : nil
    }

    mutating func add(_ sample: Double, now: Double) {
        if let started = epochStarted, now - started < Self.epoch {
            current = min(current, sample)
        } else {
            previous = epochStarted == nil ? sample : current
            current = sample
            epochStarted = now
        }
    }
}
