import Testing
@testable import MTAScanCore

@Suite struct JSONParserTests {
    @Test func parsesTheLintRequestShapes() throws {
        let value = try JSONParser.parse(#"{"kind":"sts-record","input":["v=STSv1; id=20240101"],"n":-12,"x":1.5e2,"ok":true,"none":null}"#)
        #expect(value["kind"] == "sts-record")
        #expect(value["input"] == ["v=STSv1; id=20240101"])
        #expect(value["n"] == .int(-12))
        #expect(value["x"] == .double(150))
        #expect(value["ok"] == true)
        #expect(value["none"] == .null)
        #expect(value.objectValue?.keys == ["kind", "input", "n", "x", "ok", "none"])
    }

    @Test func roundTripsThroughTheWriter() throws {
        let original: JSONValue = .object(["s": "a\"\\\n\u{1}\u{2028}é😀", "a": [1, 2.5, false, nil, .object([:])]])
        #expect(try JSONParser.parse(original.jsonText) == original)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        #expect(try JSONParser.parse(#""\u00e9\ud83d\ude00\/\b\f""#) == .string("é😀/\u{8}\u{C}"))
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "+1", "1e", "NaN", "tru", "nul",
        "\"abc", "\"\\x\"", "\"\u{1}\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "{a:1}", "[1 2]",
        "1 2", "{\"a\" 1}", "'x'", "[1]]", "1e999",
    ])
    func rejectsMalformedInput(text: String) {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsInvalidUTF8InStrings() {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
    }

    @Test func boundsNestingDepth() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { try JSONParser.parse(fine) }
    }

    @Test func survivesRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let length = Int.random(in: 0..<64, using: &generator)
            let alphabet = Array(#"{}[]",:0123456789.eE-+truefalsnl\u" "#.utf8) + [0xFF, 0x00, 0xC3]
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator) ?? 0 }
            _ = try? JSONParser.parse(bytes)
        }
    }

    @Test func largeIntegersBecomeDoubles() throws {
        #expect(try JSONParser.parse("9223372036854775807") == .int(Int.max))
        #expect(try JSONParser.parse("9223372036854775808") == .double(9223372036854775808))
    }

    @Test func integersAtAndBeyondTheEdgesOfInt() throws {
        #expect(try JSONParser.parse("9223372036854775807") == .int(Int.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(Int.min))
        #expect(try JSONParser.parse("-0") == .int(0))
        #expect(try JSONParser.parse("[0,-17,42]") == .array([.int(0), .int(-17), .int(42)]))
        // One past either edge is still a number, read as a Double.
        #expect(try JSONParser.parse("9223372036854775808") == .double(9223372036854775808.0))
        #expect(try JSONParser.parse("-9223372036854775809") == .double(-9223372036854775809.0))
    }

    @Test func stringsWithAndWithoutEscapesReadAlike() throws {
        #expect(try JSONParser.parse(#""plain""#) == .string("plain"))
        #expect(try JSONParser.parse(#""a\"b\u00e9c""#) == .string("a\"bé" + "c"))
        #expect(try JSONParser.parse(#""é, then \n""#) == .string("é, then \n"))
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }   // invalid UTF-8, no escape
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse([0x22, 0x61, 0x09, 0x22]) }   // a raw tab
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(#""unterminated"#) }
    }
}
