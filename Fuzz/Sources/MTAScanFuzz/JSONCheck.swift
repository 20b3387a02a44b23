import MTAScanCore

/// What every JSON value mtascan writes must satisfy, checked on values
/// built from hostile input (verdicts, findings, re-written records).
enum JSONCheck {
    /// `value` written as an NDJSON line is one line of valid UTF-8 that
    /// parses back to the same value (numbers compared by value: the writer
    /// prints an integral double as an integer). Returns the written line.
    @discardableResult
    static func requireRoundTrip(_ value: JSONValue, _ what: @autoclosure () -> String) -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writer.writeLine(value)
        let line = writer.bytes
        Invariant.require(line.last == 0x0A, "\(what()): NDJSON line without its LF")
        let text = line.dropLast()
        Invariant.require(!text.contains(0x0A) && !text.contains(0x0D), "\(what()): a raw line break inside a line")
        Invariant.require(String(validating: text, as: UTF8.self) != nil, "\(what()): written JSON is not UTF-8")
        do {
            let again = try JSONParser.parse(Array(text))
            Invariant.require(sameValue(again, value), "\(what()): reparsed JSON differs\n\(value)\n\(again)")
        } catch {
            Invariant.require(false, "\(what()): written JSON does not parse (\(error)): \(String(decoding: text, as: UTF8.self))")
        }
        return Array(text)
    }

    /// Equality with integers and doubles compared as numbers.
    static func sameValue(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return Double(a) == b
        case (.double(let a), .double(let b)): return a == b
        case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy(sameValue)
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a.fields, b.fields).allSatisfy { $0.key == $1.key && sameValue($0.value, $1.value) }
        default: return lhs == rhs
        }
    }
}
