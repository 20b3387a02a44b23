/// `--svg FILE`: the report's headline figures as one self-contained SVG
/// chart, written by hand (no dependencies): verdict shares as stacked bars,
/// then bars of misconfiguration components, policy retrieval errors by layer
/// and PKIX-invalid MX hosts split into self-managed and third-party, and
/// mismatch kinds. Every bar carries a `<title>` tooltip with its numbers.
public enum ReportSVGRenderer {
    private struct Segment {
        var value: Int
        var color: String
        var name: String
    }

    private struct Bar {
        var label: String
        var segments: [Segment]
        var total: Int { segments.reduce(0) { $0 + $1.value } }
    }

    private static let width = 860
    private static let labelWidth = 270
    private static let barWidth = 440
    private static let barHeight = 18
    private static let rowGap = 6

    static let verdictColors: [String: String] = [
        "no-mta-sts": "#b0b7c3", "valid": "#2e9e5b", "misconfigured": "#d64545", "unknown": "#e0a526",
    ]
    static let selfManagedColor = "#4a78c2"
    static let thirdPartyColor = "#e08a2e"

    public static func render(_ report: Report) -> String {
        var body = ""
        var y = 34
        body += text(x: 20, y: y, "mtascan report", size: 18, weight: "bold")
        y += 22
        body += text(x: 20, y: y, subtitle(report), size: 12, color: "#555555")
        y += 16

        if let verdicts = report.table("verdicts") {
            let keys = verdicts.rows.map(\.key)
            let all = Bar(label: "all scanned domains", segments: keys.map { segment(verdicts, $0) })
            let mtaSTS = Bar(label: "with an MTA-STS record", segments: keys.map { segment(verdicts, $0, column: "mta_sts") })
            body += section(title: "Verdicts (share of each bar)", bars: [all, mtaSTS], normalised: true, y: &y)
            let scanned = all.total
            body += legend(keys.map { key in
                var item = segment(verdicts, key)
                item.name += " \(item.value) (\(ReportValue.share(item.value, of: scanned).plainText)%)"
                return item
            }, y: &y)
        }
        if let table = report.table("misconfiguration") {
            let bars = table.rows.filter { $0.depth > 0 }.map { row in
                Bar(label: row.label, segments: [Segment(value: table.count(row.key, "domains"), color: "#d64545", name: "domains")])
            }
            body += section(title: "Misconfigured domains by component (not exclusive)", bars: bars, normalised: false, y: &y)
        }
        for (id, title, depthZeroOnly) in [
            ("policy_errors", "Policy retrieval errors by layer", true),
            ("mx_pkix_invalid", "PKIX-invalid MX (by most preferred failing host)", true),
        ] {
            guard let table = report.table(id) else { continue }
            let bars = table.rows.filter { !depthZeroOnly || $0.depth == 0 }.map { row in
                Bar(label: row.label, segments: [
                    Segment(value: table.count(row.key, "self_managed"), color: selfManagedColor, name: "self-managed"),
                    Segment(value: table.count(row.key, "third_party"), color: thirdPartyColor, name: "third-party"),
                ])
            }
            body += section(title: title, bars: bars, normalised: false, y: &y)
            body += legend([Segment(value: 0, color: selfManagedColor, name: "self-managed"),
                            Segment(value: 0, color: thirdPartyColor, name: "third-party")], y: &y)
        }
        if let table = report.table("mx_pattern_mismatch") {
            let bars = table.rows.filter { $0.depth > 0 }.map { row in
                Bar(label: row.label, segments: [
                    Segment(value: table.count(row.key, "all"), color: "#8e44ad", name: "all MX hosts"),
                    Segment(value: table.count(row.key, "some"), color: "#c39bd3", name: "some MX hosts"),
                ])
            }
            body += section(title: "mx-pattern-mismatch by kind", bars: bars, normalised: false, y: &y)
            body += legend([Segment(value: 0, color: "#8e44ad", name: "scope all"),
                            Segment(value: 0, color: "#c39bd3", name: "scope some")], y: &y)
        }
        let height = y + 10
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="sans-serif">
            <rect x="0" y="0" width="\(width)" height="\(height)" fill="#ffffff"/>
            \(body)</svg>

            """
    }

    private static func subtitle(_ report: Report) -> String {
        guard let overview = report.table("overview") else { return "" }
        let scanned = overview.count("scanned", "count"), withRecord = overview.count("mta_sts", "count")
        return "\(scanned) domains scanned, \(withRecord) with an MTA-STS record"
    }

    private static func segment(_ verdicts: ReportTable, _ key: String, column: String = "domains") -> Segment {
        Segment(value: verdicts.count(key, column), color: verdictColors[key] ?? "#777777", name: key)
    }

    /// A titled group of horizontal bars. `normalised`: each bar fills the
    /// width (shares); otherwise all bars share one scale, the largest total.
    private static func section(title: String, bars: [Bar], normalised: Bool, y: inout Int) -> String {
        var out = ""
        y += 26
        out += text(x: 20, y: y, title, size: 14, weight: "bold")
        y += 10
        let scale = max(1, bars.map(\.total).max() ?? 1)
        for bar in bars {
            let denominator = normalised ? max(1, bar.total) : scale
            // Labels longer than the label column would run off the left edge.
            let label = bar.label.count > 40 ? String(bar.label.prefix(39)) + "…" : bar.label
            out += text(x: 20 + labelWidth - 8, y: y + barHeight - 5, label, size: 12, anchor: "end")
            var x = Double(20 + labelWidth)
            for segment in bar.segments where segment.value > 0 {
                let w = Double(barWidth) * Double(segment.value) / Double(denominator)
                let share = ReportValue.share(segment.value, of: bar.total).plainText
                out += "<rect x=\"\(coordinate(x))\" y=\"\(y)\" width=\"\(coordinate(max(w, 0.5)))\" height=\"\(barHeight)\" fill=\"\(segment.color)\">"
                out += "<title>\(escape("\(bar.label): \(segment.name) \(segment.value) (\(share)%)"))</title></rect>\n"
                x += w
            }
            let summary = normalised ? "\(bar.total)" : bar.segments.count > 1
                ? "\(bar.total) (" + bar.segments.map { "\($0.value)" }.joined(separator: " + ") + ")" : "\(bar.total)"
            out += text(x: Int(x.rounded(.up)) + 6, y: y + barHeight - 5, summary, size: 12, color: "#333333")
            y += barHeight + rowGap
        }
        return out
    }

    /// Swatches and names in a row under the bars, wrapping before the right
    /// edge (text width estimated at 7 px a character at 11 px).
    private static func legend(_ segments: [Segment], y: inout Int) -> String {
        var out = ""
        let left = 20 + labelWidth
        var x = left
        y += 4
        for segment in segments {
            let advance = 16 + 7 * segment.name.count + 18
            if x > left && x + advance - 18 > width - 10 {
                x = left
                y += 16
            }
            out += "<rect x=\"\(x)\" y=\"\(y)\" width=\"12\" height=\"12\" fill=\"\(segment.color)\"/>\n"
            out += text(x: x + 16, y: y + 10, segment.name, size: 11)
            x += advance
        }
        y += 16
        return out
    }

    private static func text(x: Int, y: Int, _ content: String, size: Int, weight: String? = nil,
                             anchor: String? = nil, color: String = "#111111") -> String {
        var attributes = "x=\"\(x)\" y=\"\(y)\" font-size=\"\(size)\" fill=\"\(color)\""
        if let weight { attributes += " font-weight=\"\(weight)\"" }
        if let anchor { attributes += " text-anchor=\"\(anchor)\"" }
        return "<text \(attributes)>\(escape(content))</text>\n"
    }

    private static func coordinate(_ value: Double) -> String {
        ReportValue.twoDecimals(value)
    }

    /// Text for XML content and attributes: the five markup characters as
    /// entities, and characters XML 1.0 forbids (C0 controls but tab and line
    /// breaks) as U+FFFD, so a hostile provider name cannot break the file.
    public static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
