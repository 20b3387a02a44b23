/// One group's results in a follow-up (`notify status`).
public struct FollowUpGroup: Sendable, Equatable {
    public var name: String
    public var domains = 0
    public var results: [FollowUp.Result: Int] = [:]
    /// Domains the campaign recommended TLS-RPT to, and of them those that publish it now.
    public var recommended = 0
    public var adopted = 0

    public init(name: String) { self.name = name }

    public var known: Int { domains - (results[.unknown] ?? 0) }
    /// The share fixed among the domains whose result is known.
    public var fixed: Proportion { Proportion(results[.fixed] ?? 0, of: known) }
}

/// `notify status --svg FILE`: each group's results as a stacked bar (shares
/// of its domains), and the share fixed with its 95% interval per group, so
/// that the notified and control groups can be compared at a glance. Written
/// by hand like the report's chart (ReportSVGRenderer), self-contained.
public enum FollowUpSVG {
    static let colors: [FollowUp.Result: String] = [
        .fixed: "#2e9e5b", .partlyFixed: "#9ccc65", .stillBroken: "#d64545", .abandoned: "#8e44ad", .unknown: "#b0b7c3",
    ]

    public static func render(title: String, groups: [FollowUpGroup],
                              effect: (value: Double, lower: Double, upper: Double)?) -> String {
        let width = 860, left = 200, barWidth = 520, barHeight = 18
        var body = text(x: 20, y: 34, title, size: 18, weight: "bold")
        var y = 62
        body += text(x: 20, y: y, "Results by group (share of its domains)", size: 14, weight: "bold")
        y += 10
        for group in groups {
            body += text(x: left - 8, y: y + barHeight - 5, "\(group.name) (\(group.domains))", size: 12, anchor: "end")
            var x = Double(left)
            for result in FollowUp.Result.allCases {
                let count = group.results[result] ?? 0
                guard count > 0, group.domains > 0 else { continue }
                let w = Double(barWidth) * Double(count) / Double(group.domains)
                body += "<rect x=\"\(ReportValue.twoDecimals(x))\" y=\"\(y)\" width=\"\(ReportValue.twoDecimals(max(w, 0.5)))\" height=\"\(barHeight)\" fill=\"\(colors[result] ?? "#777777")\">"
                body += "<title>\(ReportSVGRenderer.escape("\(group.name): \(result.rawValue) \(count) (\(ReportValue.share(count, of: group.domains).plainText)%)"))</title></rect>\n"
                x += w
            }
            y += barHeight + 6
        }
        var legendX = left
        for result in FollowUp.Result.allCases {
            body += "<rect x=\"\(legendX)\" y=\"\(y + 2)\" width=\"12\" height=\"12\" fill=\"\(colors[result] ?? "#777777")\"/>\n"
            body += text(x: legendX + 16, y: y + 12, result.rawValue, size: 11)
            legendX += 16 + 7 * result.rawValue.count + 18
        }
        y += 40
        body += text(x: 20, y: y, "Share fixed, with 95% Wilson interval (unknown left out)", size: 14, weight: "bold")
        y += 10
        for group in groups {
            guard let share = group.fixed.value, let interval = group.fixed.interval else { continue }
            func at(_ value: Double) -> String { ReportValue.twoDecimals(Double(left) + Double(barWidth) * value) }
            let middle = y + barHeight / 2
            body += text(x: left - 8, y: y + barHeight - 5, group.name, size: 12, anchor: "end")
            body += "<line x1=\"\(at(interval.lower))\" y1=\"\(middle)\" x2=\"\(at(interval.upper))\" y2=\"\(middle)\" stroke=\"#333333\" stroke-width=\"2\"/>\n"
            body += "<circle cx=\"\(at(share))\" cy=\"\(middle)\" r=\"5\" fill=\"#2e9e5b\"><title>\(ReportSVGRenderer.escape("\(group.name): \(percent(share))% fixed (\(percent(interval.lower))–\(percent(interval.upper))%)"))</title></circle>\n"
            body += text(x: left + barWidth + 8, y: y + barHeight - 5,
                         "\(percent(share))% (\(percent(interval.lower))–\(percent(interval.upper)))", size: 12, color: "#333333")
            y += barHeight + 6
        }
        y += 18
        let summary = effect.map {
            "fixed, notified − control: \(signed($0.value)) points (95% interval \(signed($0.lower)) to \(signed($0.upper)); Newcombe)"
        } ?? "fixed, notified − control: no control group, or no known domain in one of them"
        body += text(x: 20, y: y, summary, size: 13, weight: "bold")
        let height = y + 20
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="sans-serif">
            <rect x="0" y="0" width="\(width)" height="\(height)" fill="#ffffff"/>
            \(body)</svg>

            """
    }

    /// `0.1234` → "12.3" (a share as a percent, one decimal).
    static func percent(_ value: Double) -> String {
        let tenths = Int((value * 1000).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }

    static func signed(_ value: Double) -> String { (value >= 0 ? "+" : "−") + percent(abs(value)) }

    private static func text(x: Int, y: Int, _ content: String, size: Int, weight: String? = nil,
                             anchor: String? = nil, color: String = "#111111") -> String {
        var attributes = "x=\"\(x)\" y=\"\(y)\" font-size=\"\(size)\" fill=\"\(color)\""
        if let weight { attributes += " font-weight=\"\(weight)\"" }
        if let anchor { attributes += " text-anchor=\"\(anchor)\"" }
        return "<text \(attributes)>\(ReportSVGRenderer.escape(content))</text>\n"
    }
}
