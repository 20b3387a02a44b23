import Testing
@testable import MTAScanCore

/// The five output formats, each read back: CSV by an RFC 4180 reader, JSON by
/// the parser, Markdown and SVG by their structure.
@Suite struct ReportRendererTests {
    /// A report whose provider name and mismatch kind carry every character
    /// the formats must escape.
    static func sampleReport() throws -> Report {
        let records: [FixtureRecord] = [
            .mtaSTS("a.example", verdict: "misconfigured", findings: [
                fixtureFinding("mx-pattern-mismatch", ["kind": "<evil & \"kind\">", "scope": "all"]),
                fixtureFinding("policy-tls", ["reason": "name-mismatch"]),
            ], cname: "x.hoster.example", provider: "Acme, \"Policy\" | Co\nLtd"),
            .mtaSTS("b.example"),
            FixtureRecord(domain: "c.example"),
        ]
        return try aggregate(ndjson(records)).report(inputs: ["scan, 1.ndjson"])
    }

    @Test func csvFieldsAreQuotedPerRFC4180() {
        #expect(ReportDataRenderer.csvField("plain") == "plain")
        #expect(ReportDataRenderer.csvField("a,b") == "\"a,b\"")
        #expect(ReportDataRenderer.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(ReportDataRenderer.csvField("two\nlines") == "\"two\nlines\"")
        #expect(ReportDataRenderer.csvField("") == "")
    }

    @Test func csvIsOneTidyTableThatReadsBack() throws {
        let report = try Self.sampleReport()
        let rows = parseCSV(ReportDataRenderer.csv(report))
        #expect(rows.first == ["table", "row", "column", "value"])
        #expect(rows.dropFirst().allSatisfy { $0.count == 4 })
        let cells = report.tables.reduce(0) { $0 + $1.rows.count * $1.columns.count }
        #expect(rows.count == cells + 1)
        #expect(rows.contains(["verdicts", "valid", "domains", "1"]))
        #expect(rows.contains(["verdicts", "misconfigured", "percent", "33.33"]))
        #expect(rows.contains(["policy_providers", "Acme, \"Policy\" | Co\nLtd", "domains", "1"]))
        #expect(rows.contains(["mx_pkix_invalid", "mx-pkix-invalid-all", "domains", "0"]))
    }

    @Test func jsonKeepsIdsAndNumbers() throws {
        let report = try Self.sampleReport()
        var writer = JSONWriter()
        writer.write(ReportDataRenderer.json(report))
        let json = try JSONParser.parse(writer.bytes)
        #expect(json["report_version"] == 1)
        #expect(json["inputs"] == ["scan, 1.ndjson"])
        #expect(json["third_party_threshold"] == 50)
        let verdicts = json["tables"]?["verdicts"]
        #expect(verdicts?["columns"] == ["domains", "percent", "mta_sts", "percent_mta_sts"])
        #expect(verdicts?["rows"]?["valid"]?["domains"] == 1)
        #expect(verdicts?["rows"]?["valid"]?["percent"] == .double(33.33))
        #expect(verdicts?["rows"]?["no-mta-sts"]?["percent_mta_sts"] == .int(0))
        #expect(json["tables"]?["risk"]?["rows"]?["delivery-degraded"]?["enforce"] == 0)
        #expect(json["tables"]?["policy_errors"]?["rows"]?["policy-tls/name-mismatch"]?["depth"] == 1)
        #expect(json["tables"]?.objectValue?.keys == report.tables.map(\.id))
        // A share of nothing is null, not 0 or NaN.
        let empty = ReportAggregator().report(inputs: [])
        #expect(ReportDataRenderer.json(empty)["tables"]?["verdicts"]?["rows"]?["valid"]?["percent"] == .null)
    }

    @Test func markdownTablesHaveOneCellPerColumnAndEscapedPipes() throws {
        let markdown = ReportTextRenderer.markdown(try Self.sampleReport())
        var header: Int? = nil
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("|") else {
                header = nil
                continue
            }
            let cells = unescapedPipes(String(line)) - 1
            if let header { #expect(cells == header, "\(line)") } else { header = cells }
        }
        #expect(markdown.contains("| Acme, \"Policy\" \\| Co Ltd | 1 | 50.00 |"))
        #expect(markdown.contains("|---|---:|---:|---:|---:|"))
        #expect(markdown.contains("| ↳ reason name-mismatch | 1 | 0 | 1 |"))
    }

    @Test func terminalTablesAreAligned() throws {
        let text = ReportTextRenderer.terminal(try Self.sampleReport())
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex(of: "Overview")) + 2
        let block = lines[start..<(start + 7)]
        #expect(Set(block.map(\.count)).count == 1, "\(block)")
        #expect(block.last?.hasSuffix(" 0") == true)
        #expect(text.contains("\n  record (sts-record)"))
    }

    @Test func svgIsBalancedAndEscaped() throws {
        let svg = ReportSVGRenderer.render(try Self.sampleReport())
        #expect(svg.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "))
        #expect(balancedTags(svg))
        #expect(svg.contains("&lt;evil &amp; &quot;kind&quot;&gt;"))
        #expect(!svg.contains("<evil"))
        #expect(svg.contains("3 domains scanned, 2 with an MTA-STS record"))
        #expect(ReportSVGRenderer.escape("a'b\u{1}c") == "a&apos;b\u{FFFD}c")
        // An empty report still draws a well-formed chart.
        #expect(balancedTags(ReportSVGRenderer.render(ReportAggregator().report(inputs: []))))
    }

    @Test func percentsHaveTwoDecimals() {
        #expect(ReportValue.share(1, of: 3) == .percent(33.33))
        #expect(ReportValue.share(2, of: 3).plainText == "66.67")
        #expect(ReportValue.share(1, of: 1).plainText == "100.00")
        #expect(ReportValue.share(0, of: 0).plainText == "")
        #expect(ReportValue.twoDecimals(0.05) == "0.05")
    }
}

/// RFC 4180: quoted fields may hold commas, doubled quotes and line breaks.
func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = [], row: [String] = [], field = ""
    var quoted = false, iterator = Array(text).makeIterator(), pending: Character? = nil
    while let character = pending ?? iterator.next() {
        pending = nil
        if quoted {
            if character == "\"" {
                let next = iterator.next()
                if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
            } else {
                field.append(character)
            }
        } else if character == "\"" {
            quoted = true
        } else if character == "," {
            row.append(field)
            field = ""
        } else if character == "\n" {
            row.append(field)
            rows.append(row)
            row = []
            field = ""
        } else {
            field.append(character)
        }
    }
    return rows
}

private func unescapedPipes(_ line: String) -> Int {
    var count = 0, previous: Character? = nil
    for character in line {
        if character == "|" && previous != "\\" { count += 1 }
        previous = character
    }
    return count
}

/// Every start tag closed in order, self-closing tags and the XML declaration
/// apart; no `<` or `&` outside markup and entities.
func balancedTags(_ xml: String) -> Bool {
    var stack: [Substring] = []
    var rest = Substring(xml)
    while let open = rest.firstIndex(of: "<") {
        let text = rest[..<open]
        if text.contains(">") { return false }
        var ampersand = text.firstIndex(of: "&")
        while let index = ampersand {
            let tail = text[index...]
            guard ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains(where: { tail.hasPrefix($0) }) else { return false }
            ampersand = text[text.index(after: index)...].firstIndex(of: "&")
        }
        guard let close = rest[open...].firstIndex(of: ">") else { return false }
        let tag = rest[rest.index(after: open)..<close]
        rest = rest[rest.index(after: close)...]
        if tag.hasPrefix("?") { continue }
        if tag.hasPrefix("/") {
            guard let last = stack.popLast(), last == tag.dropFirst() else { return false }
        } else if !tag.hasSuffix("/") {
            stack.append(tag.prefix { $0 != " " })
        }
    }
    return stack.isEmpty && !rest.contains(">")
}
