import MTAScanCore

/// `JSONParser` on arbitrary bytes, with the default nesting cap or a small
/// one a control byte chooses.
///
/// Checks, when the bytes parse: the value written by `JSONWriter` is one
/// NDJSON line that parses back to the same value (`JSONCheck`), and writing
/// that again gives the same bytes (the writer's output is a fixed point); a
/// `String` holding the same valid UTF-8 parses the same.
enum JSONTarget {
    static let target = FuzzTarget(
        name: "json",
        summary: "JSON parser/writer: parse → write → reparse equals, writer fixed point, String = bytes"
    ) { input in
        var input = input
        let depth = input.byte()
        let maxDepth = depth == 0 ? JSONParser.defaultMaxDepth : Int(depth % 16)
        let bytes = input.rest
        let value: JSONValue
        do throws(JSONParser.Error) {
            value = try JSONParser.parse(bytes, maxDepth: maxDepth)
        } catch {
            Invariant.require(error.offset >= 0 && error.offset <= bytes.count, "error offset \(error.offset)")
            return
        }
        if let text = String(validating: bytes, as: UTF8.self) {
            Invariant.require(
                (try? JSONParser.parse(text, maxDepth: maxDepth)) == value, "String and byte parses differ")
        }
        let first = JSONCheck.requireRoundTrip(value, "parsed value")
        do {
            let second = JSONCheck.requireRoundTrip(try JSONParser.parse(first), "rewritten value")
            Invariant.require(first == second, "writing is not a fixed point")
        } catch {
            Invariant.require(false, "written JSON does not parse: \(error)")
        }
    }
}
