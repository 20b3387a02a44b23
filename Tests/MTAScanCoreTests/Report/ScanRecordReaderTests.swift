import Testing
@testable import MTAScanCore

@Suite struct ScanRecordReaderTests {
    enum Read: Equatable {
        case record(line: Int, domain: String)
        case malformed(line: Int, message: String)
        case partial(line: Int)
    }

    private func read(_ bytes: [UInt8], chunkSize: Int = 7) throws -> [Read] {
        var reader = ScanRecordReader(source: MemoryByteSource(bytes, chunkSize: chunkSize), chunkSize: chunkSize)
        var items: [Read] = []
        while let item = try reader.next() {
            switch item {
            case .record(let value, let line): items.append(.record(line: line, domain: value["domain"]?.stringValue ?? "?"))
            case .malformed(let line, let message): items.append(.malformed(line: line, message: message))
            case .partialLastLine(let line): items.append(.partial(line: line))
            }
        }
        return items
    }

    private func read(_ text: String) throws -> [Read] { try read(Array(text.utf8)) }

    private let good = #"{"domain":"a.example","verdict":"valid","findings":[{"code":"policy-tls","severity":"error"}],"mx":{"hosts":[]},"sts_record":{"status":"valid"}}"#

    @Test func recordsOfTheWrongShapeAreMalformed() throws {
        let cases: [(String, String)] = [
            ("{}", "\"domain\" is missing"),
            (#"{"domain":1,"findings":[]}"#, "\"domain\" is missing or not a string"),
            (#"{"domain":"a.example"}"#, "\"findings\" is missing"),
            (#"{"domain":"a.example","findings":"x"}"#, "\"findings\" is missing or not an array"),
            (#"{"domain":"a.example","findings":[1]}"#, "a finding is not an object"),
            (#"{"domain":"a.example","findings":[{"code":7}]}"#, "a finding is not an object"),
            (#"{"domain":"a.example","findings":[],"verdict":3}"#, "\"verdict\" is not a string or null"),
            (#"{"domain":"a.example","findings":[],"policy":[]}"#, "\"policy\" is not an object or null"),
            (#"{"domain":"a.example","findings":[],"sts_record":{"status":true}}"#, "\"sts_record.status\""),
            (#"{"domain":"a.example","findings":[],"mx":{"hosts":{}}}"#, "\"mx.hosts\""),
            ("[1]", "not a JSON object"),
        ]
        for (line, expected) in cases {
            let items = try read(line + "\n")
            guard case .malformed(1, let message)? = items.first, items.count == 1 else {
                Issue.record("\(line): \(items)")
                continue
            }
            #expect(message.contains(expected), "\(line): \(message)")
        }
        // Nulls and missing keys are what older scans have: records.
        #expect(try read(good + "\n") == [.record(line: 1, domain: "a.example")])
        let old = #"{"domain":"a.example","findings":[],"verdict":null,"mode":null,"policy":null,"mx":null,"input_error":null}"#
        #expect(try read(old + "\n") == [.record(line: 1, domain: "a.example")])
    }

    @Test func aTornLastLineIsAPartialLastLine() throws {
        let torn = good + "\n" + #"{"domain":"b.exa"#
        #expect(try read(torn) == [.record(line: 1, domain: "a.example"), .partial(line: 2)])
        // The same half line followed by a LF is an ordinary malformed line.
        let items = try read(torn + "\n")
        #expect(items.count == 2)
        if case .malformed(2, _)? = items.last {} else { Issue.record("\(items)") }
        // A whole record without its final LF is a record.
        #expect(try read(good + "\n" + good) == [.record(line: 1, domain: "a.example"), .record(line: 2, domain: "a.example")])
        // A last line of the wrong shape, unterminated, was cut short too.
        #expect(try read(#"{"domain":"a.example","findings":[]"#) == [.partial(line: 1)])
        #expect(try read(#"{"domain":"a.example"}"#) == [.partial(line: 1)])
    }

    @Test func binaryInputSaysSo() throws {
        let gzip: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x0A, 0x4B, 0x4C, 0x00, 0x0A]
        let items = try read(gzip)
        guard case .malformed(1, let message)? = items.first else { Issue.record("\(items)"); return }
        #expect(message.contains("gzip"))
        #expect(items.allSatisfy { if case .record = $0 { false } else { true } })
        // The unterminated tail of a binary file is no torn record.
        if case .partial? = items.last { Issue.record("\(items)") }
        let zeros = try read([0x7B, 0x00, 0x7D, 0x0A])
        #expect(zeros == [.malformed(line: 1, message: "binary data, not NDJSON")])
        let text = try read("not json either")
        if case .malformed(1, _)? = text.first {} else { Issue.record("\(text)") }
    }
}
