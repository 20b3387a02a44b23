/// `--format table` and `--format markdown`: the report for people, as an
/// aligned terminal table or as Markdown a paper draft or an issue can paste.
public enum ReportTextRenderer {
    public static func terminal(_ report: Report) -> String {
        var out = "mtascan report\n"
        for (key, value) in report.facts.fields { out += "  \(key): \(factText(value))\n" }
        for table in report.tables {
            out += "\n\(table.title)\n\(table.population)\n"
            let header = [table.rowHeader] + table.columns.map(\.header)
            let body = table.rows.map { row in
                [String(repeating: "  ", count: row.depth) + row.label] + row.values.map(\.plainText)
            }
            let numeric = [false] + table.columns.indices.map { index in
                !table.rows.contains { row in index < row.values.count && isText(row.values[index]) }
            }
            var widths = header.map(\.count)
            for line in body {
                for (index, cell) in line.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
            }
            for line in [header] + body {
                let cells = line.enumerated().map { index, cell in
                    pad(cell, to: widths[min(index, widths.count - 1)], right: numeric[min(index, numeric.count - 1)])
                }
                out += trimmingTrailingSpaces(cells.joined(separator: "  ")) + "\n"
            }
        }
        return out
    }

    public static func markdown(_ report: Report) -> String {
        var out = "# mtascan report\n\n"
        for (key, value) in report.facts.fields { out += "- \(cell(key)): \(cell(factText(value)))\n" }
        for table in report.tables {
            out += "\n## \(cell(table.title))\n\n\(cell(table.population))\n\n"
            out += "| " + ([table.rowHeader] + table.columns.map(\.header)).map(cell).joined(separator: " | ") + " |\n"
            let alignments = table.columns.indices.map { index in
                table.rows.contains { row in index < row.values.count && isText(row.values[index]) } ? "---" : "---:"
            }
            out += "|" + (["---"] + alignments).joined(separator: "|") + "|\n"
            for row in table.rows {
                let label = (row.depth > 0 ? "↳ " : "") + row.label
                out += "| " + ([label] + row.values.map(\.plainText)).map(cell).joined(separator: " | ") + " |\n"
            }
        }
        return out
    }

    static func factText(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return s
        case .int(let n): return String(n)
        case .array(let items): return items.map(factText).joined(separator: ", ")
        case .bool(let b): return b ? "true" : "false"
        case .double(let d): return String(d)
        case .null: return "null"
        case .object: return "{…}"
        }
    }

    /// A Markdown table cell: `|` escaped, line breaks as spaces.
    static func cell(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "|": out += "\\|"
            case "\n", "\r", "\r\n": out += " "
            default: out.append(character)
            }
        }
        return out
    }

    private static func isText(_ value: ReportValue) -> Bool {
        if case .text = value { return true }
        return false
    }

    private static func pad(_ text: String, to width: Int, right: Bool) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return right ? padding + text : text + padding
    }

    private static func trimmingTrailingSpaces(_ text: String) -> String {
        var text = text
        while text.last == " " { text.removeLast() }
        return text
    }
}
