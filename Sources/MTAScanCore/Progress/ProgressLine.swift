/// The progress line of a long scan:
/// `12,345/100,000 domains  812/s  ETA 1m52s  in flight 4,096  errors 3`.
///
/// Pure: the reporter feeds it `(seconds, done)` samples and asks for text.
/// The rate is a moving average over the last `window` seconds, so it follows
/// the scan's current speed (a slow resolver, a burst of timeouts) instead of
/// the average since the start, which hides both.
public struct ProgressLine: Sendable {
    public let window: Double
    /// Oldest first; the first sample is the baseline just outside the window.
    private var samples: [(seconds: Double, done: Int)] = []

    public init(window: Double = 10) {
        self.window = window
    }

    /// A reading of the done counter at `seconds` (any monotonic origin).
    public mutating func record(done: Int, at seconds: Double) {
        if let last = samples.last, seconds < last.seconds { samples.removeAll() }  // a clock that went back: start over
        samples.append((seconds, done))
        // Keep one sample at or before the window's start as the baseline, so the
        // average spans the whole window rather than a shrinking part of it.
        while samples.count > 2, samples[1].seconds <= seconds - window { samples.removeFirst() }
    }

    /// Domains per second over the window; nil before two samples span any time.
    public var rate: Double? {
        guard let first = samples.first, let last = samples.last, last.seconds > first.seconds else { return nil }
        return Double(max(0, last.done - first.done)) / (last.seconds - first.seconds)
    }

    /// The line. Before the window has two samples the rate is `done / elapsed`.
    /// `total` is known only for regular input files; without it there is no ETA.
    /// `dnsLost`: records with a lookup no resolver answered; shown, loudly,
    /// only when there are any, since each is a verdict the scan could not reach.
    public func text(done: Int, total: Int?, elapsed: Double, inFlight: Int, errors: Int, dnsLost: Int = 0) -> String {
        var parts: [String] = []
        parts.append((total.map { Self.grouped(done) + "/" + Self.grouped($0) } ?? Self.grouped(done)) + " domains")
        let rate = self.rate ?? (elapsed > 0 ? Double(done) / elapsed : nil)
        if let rate { parts.append(Self.rateText(rate)) }
        if let total {
            if done >= total {
                parts.append("ETA 0s")
            } else if let rate, rate > 0 {
                parts.append("ETA " + Self.duration(Double(total - done) / rate))
            }
        }
        parts.append("in flight " + Self.grouped(inFlight))
        parts.append("errors " + Self.grouped(errors))
        if dnsLost > 0 { parts.append("DNS LOST " + Self.grouped(dnsLost)) }
        return parts.joined(separator: "  ")
    }

    /// `1,234,567`: counts on a terminal are read at a glance.
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }

    /// `812/s`; below 10/s one decimal (`2.5/s`), since a slow phase is still moving.
    static func rateText(_ rate: Double) -> String {
        guard rate.isFinite, rate >= 0 else { return "0.0/s" }
        if rate < 10 {
            let tenths = Int((rate * 10).rounded())
            return "\(tenths / 10).\(tenths % 10)/s"
        }
        return grouped(Int(rate.rounded())) + "/s"
    }

    /// `52s`, `1m52s`, `2h05m`, `3d04h`: two units at most.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds > 0 else { return "0s" }
        let total = Int(min(seconds.rounded(.up), 99 * 86_400))
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        if total < 60 { return "\(total)s" }
        if total < 3_600 { return "\(total / 60)m\(two(total % 60))s" }
        if total < 86_400 { return "\(total / 3_600)h\(two(total / 60 % 60))m" }
        return "\(total / 86_400)d\(two(total / 3_600 % 24))h"
    }
}
