public import MTAScanCore

/// One resolver's share of a scan: what it was sent, what it answered, and
/// how its congestion window moved.
public struct DNSResolverStatistics: Sendable, Equatable {
    public var address: SocketAddress
    public var sent: Int
    public var answered: Int
    public var window: CongestionWindow.Statistics

    public init(address: SocketAddress, sent: Int, answered: Int, window: CongestionWindow.Statistics) {
        self.address = address
        self.sent = sent
        self.answered = answered
        self.window = window
    }

    /// Adds another loop's client of the same resolver: the loops' windows
    /// side by side make the scan's window, so sizes add up (the peak is the
    /// sum of each loop's peak: an upper bound, the peaks need not coincide).
    public mutating func add(_ other: DNSResolverStatistics) {
        sent += other.sent
        answered += other.answered
        window.initial += other.window.initial
        window.peak += other.window.peak
        // Means add when the loops ran for the same time; weight by time otherwise.
        let mean = window.mean + other.window.mean
        window.seconds = max(window.seconds, other.window.seconds)
        window.windowSeconds = mean * window.seconds
        window.rounds += other.window.rounds
        for (signal, count) in other.window.cuts { window.cuts[signal, default: 0] += count }
        window.presumedLost += other.window.presumedLost
        window.lateAnswers += other.window.lateAnswers
        window.noiseLoss = max(window.noiseLoss, other.window.noiseLoss)
    }

    public var json: JSONObject {
        var cuts = JSONObject()
        for signal in CongestionWindow.Signal.allCases { cuts[signal.rawValue] = .int(window.cuts[signal, default: 0]) }
        return [
            "address": .string(address.description), "sent": .int(sent), "answered": .int(answered),
            "window": .object([
                "initial": .int(window.initial), "peak": .int(window.peak),
                "mean": .double((window.mean * 10).rounded() / 10),
            ]),
            "congestion_events": .object(cuts),
            "presumed_lost": .int(window.presumedLost), "late_answers": .int(window.lateAnswers),
            "noise_loss": .double((window.noiseLoss * 1000).rounded() / 1000),
        ]
    }
}
