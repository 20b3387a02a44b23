/// `--format csv` and `--format json`: the report for programs.
///
/// CSV is one tidy table, `table,row,column,value`, one line per cell, so
/// every loader reads it with one schema and a pivot gives any table back
/// (`df[df.table == "verdicts"].pivot(index="row", columns="column", values="value")`).
/// JSON keeps titles, labels and the order of everything (docs/report.md).
public enum ReportDataRenderer {
    public static func csv(_ report: Report) -> String {
        var out = "table,row,column,value\n"
        for table in report.tables {
            for row in table.rows {
                for (column, value) in zip(table.columns, row.values) {
                    out += [table.id, row.key, column.id, value.plainText].map(csvField).joined(separator: ",") + "\n"
                }
            }
        }
        return out
    }

    /// RFC 4180 quoting: a field with a comma, quote or line break is quoted,
    /// its quotes doubled.
    public static func csvField(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) else {
            return text
        }
        var out = "\""
        for character in text {
            if character == "\"" { out += "\"\"" } else { out.append(character) }
        }
        return out + "\""
    }

    /// `{facts…, "tables": {id: {"title", "population", "row_header",
    /// "columns": [ids], "rows": {key: {"label", "depth", column: value…}}}}}`.
    public static func json(_ report: Report) -> JSONValue {
        var root = report.facts
        var tables = JSONObject()
        for table in report.tables { tables[table.id] = tableJSON(table) }
        root["tables"] = .object(tables)
        return .object(root)
    }

    static func tableJSON(_ table: ReportTable) -> JSONValue {
        var rows = JSONObject()
        for row in table.rows {
            var object: JSONObject = ["label": .string(row.label), "depth": .int(row.depth)]
            for (column, value) in zip(table.columns, row.values) { object[column.id] = value.json }
            rows[row.key] = .object(object)
        }
        return .object([
            "title": .string(table.title),
            "population": .string(table.population),
            "row_header": .string(table.rowHeader),
            "columns": .strings(table.columns.map(\.id)),
            "rows": .object(rows),
        ])
    }
}
