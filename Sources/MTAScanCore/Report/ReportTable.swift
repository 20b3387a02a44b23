/// The table model every `mtascan report` output is rendered from: the
/// aggregation builds it once, and each format (terminal, Markdown, CSV, JSON,
/// SVG) is a pure function of it, so the formats cannot disagree.
public struct Report: Sendable, Equatable {
    /// What the report covers, printed above the tables and kept in JSON
    /// (`inputs`, `third_party_threshold`, …), in order.
    public var facts: JSONObject
    public var tables: [ReportTable]

    public init(facts: JSONObject, tables: [ReportTable]) {
        self.facts = facts
        self.tables = tables
    }

    public func table(_ id: String) -> ReportTable? {
        tables.first { $0.id == id }
    }
}

/// One table: rows of one kind of thing (verdicts, error layers…), columns of
/// counts or shares. `id`s of tables, rows and columns are stable machine keys
/// (docs/report.md); titles and labels are for people.
public struct ReportTable: Sendable, Equatable {
    public var id: String
    public var title: String
    /// Which records the table counts and what its unit is, in a sentence.
    public var population: String
    /// Header of the label column ("verdict", "layer"…).
    public var rowHeader: String
    public var columns: [ReportColumn]
    public var rows: [ReportRow]

    public init(id: String, title: String, population: String, rowHeader: String, columns: [ReportColumn], rows: [ReportRow]) {
        self.id = id
        self.title = title
        self.population = population
        self.rowHeader = rowHeader
        self.columns = columns
        self.rows = rows
    }

    public func row(_ key: String) -> ReportRow? {
        rows.first { $0.key == key }
    }

    /// The value of row `row`, column `column`; nil when either is absent.
    public func value(_ row: String, _ column: String) -> ReportValue? {
        guard let index = columns.firstIndex(where: { $0.id == column }), let found = self.row(row),
              index < found.values.count else { return nil }
        return found.values[index]
    }

    /// The count at row `row`, column `column`; 0 for an absent row (tables
    /// with open-ended rows list only what occurred).
    public func count(_ row: String, _ column: String) -> Int {
        if case .count(let n) = value(row, column) { return n }
        return 0
    }
}

public struct ReportColumn: Sendable, Equatable {
    public var id: String
    public var header: String

    public init(_ id: String, _ header: String? = nil) {
        self.id = id
        self.header = header ?? id
    }
}

public struct ReportRow: Sendable, Equatable {
    public var key: String
    public var label: String
    /// 0 for a row, 1 for a breakdown of the row above (e.g. a `policy-tls` reason).
    public var depth: Int
    public var values: [ReportValue]

    public init(key: String, label: String? = nil, depth: Int = 0, values: [ReportValue]) {
        self.key = key
        self.label = label ?? key
        self.depth = depth
        self.values = values
    }
}

public enum ReportValue: Sendable, Equatable {
    case count(Int)
    /// Percent (0–100) rounded to two decimals; nil when the denominator is 0.
    case percent(Double?)
    case text(String)

    /// `part` of `whole` in percent, rounded to two decimals.
    public static func share(_ part: Int, of whole: Int) -> ReportValue {
        guard whole > 0 else { return .percent(nil) }
        return .percent((Double(part) * 10_000 / Double(whole)).rounded() / 100)
    }

    /// Plain text as the terminal, Markdown and CSV formats show it: counts as
    /// digits, percents with two decimals (no `%` sign), a missing share empty.
    public var plainText: String {
        switch self {
        case .count(let n): return String(n)
        case .percent(let p): return p.map(ReportValue.twoDecimals) ?? ""
        case .text(let s): return s
        }
    }

    public var json: JSONValue {
        switch self {
        case .count(let n): return .int(n)
        case .percent(let p): return p.map { .double($0) } ?? .null
        case .text(let s): return .string(s)
        }
    }

    /// `12.5` → "12.50": fixed two decimals without Foundation's formatters.
    static func twoDecimals(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = abs(hundredths)
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
