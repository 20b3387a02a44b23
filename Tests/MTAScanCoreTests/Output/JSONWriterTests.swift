import Testing
@testable import MTAScanCore

@Suite struct JSONWriterTests {
    @Test func keepsKeyOrder() {
        let value: JSONValue = .object(["b": 1, "a": [true, nil], "c": "x"])
        #expect(value.jsonText == #"{"b":1,"a":[true,null],"c":"x"}"#)
    }

    @Test func escapesControlsQuotesAndLineSeparators() {
        let value = JSONValue.string("a\"b\\c\n\r\t\u{0}\u{1F}\u{7F}\u{2028}\u{2029}é")
        #expect(value.jsonText == #""a\"b\\c\n\r\t\u0000\u001f\u007f\u2028\u2029é""#)
    }

    @Test func invalidUTF8FromTheNetworkBecomesReplacementCharacters() {
        let value = JSONValue.text([0x61, 0xFF, 0xC3, 0x62] as [UInt8])
        #expect(value.jsonText == "\"a\u{FFFD}\u{FFFD}b\"")
    }

    @Test func integersAreWrittenInFull() {
        #expect(JSONValue.array([.int(0), .int(7), .int(-42), .int(1_000_000), .int(.max), .int(.min)]).jsonText
            == "[0,7,-42,1000000,9223372036854775807,-9223372036854775808]")
    }

    @Test func escapesBetweenLongRunsAndAtTheEdges() {
        // The writer copies runs that need no escape at once: escapes at the
        // start, the end, side by side, and an E2 that is not U+2028/9.
        let value = JSONValue.string("\"" + String(repeating: "x", count: 300) + "\u{2028}\u{2029}—\u{20AC}\n\\")
        #expect(value.jsonText == "\"\\\"" + String(repeating: "x", count: 300) + "\\u2028\\u2029—€\\n\\\\\"")
        #expect(JSONValue.string("").jsonText == "\"\"")
        #expect(JSONValue.string("\u{E2}").jsonText == "\"\u{E2}\"")
    }

    @Test func nonFiniteDoublesAreNull() {
        #expect(JSONValue.array([.double(.nan), .double(.infinity), .double(2.5), .double(3)]).jsonText == "[null,null,2.5,3]")
    }

    @Test func settingAnExistingKeyReplacesInPlace() {
        var object: JSONObject = ["a": 1, "b": 2]
        object["a"] = 3
        object["c"] = 4
        object["b"] = nil
        #expect(JSONValue.object(object).jsonText == #"{"a":3,"c":4}"#)
    }

    @Test func writeLineEndsWithNewlineAndHasNoOtherNewline() {
        var writer = JSONWriter()
        writer.writeLine(.object(["text": "line1\nline2"]))
        #expect(writer.bytes.last == 0x0A)
        #expect(writer.bytes.filter { $0 == 0x0A }.count == 1)
    }

    @Test func findingSerialisesCodeDetailsSeverityComponent() {
        let finding = Finding(.mxPatternMismatch, ["kind": "typo", "distance": 1])
        #expect(finding.json.jsonText == #"{"code":"mx-pattern-mismatch","kind":"typo","distance":1,"severity":"error","component":"consistency"}"#)
    }

    /// The writer looks for bytes to escape eight at a time: every character
    /// that needs an escape (and some that look close to one), at every
    /// position of strings of 1 to 24 characters, is escaped exactly as a
    /// plain character-by-character escaper does it.
    @Test func everyEscapeAtEveryPositionOfAWord() {
        func reference(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case "\u{2028}": out += "\\u2028"
                case "\u{2029}": out += "\\u2029"
                default:
                    if scalar.value < 0x20 || scalar.value == 0x7F {
                        let hex = String(scalar.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
            return out + "\""
        }
        var specials: [Unicode.Scalar] = (0..<0x20).compactMap(Unicode.Scalar.init)
        specials += ["\"", "\\", "\u{7F}", "\u{2028}", "\u{2029}", "\u{20AC}", "\u{E2}", "!", "#", "[", "]", "~", "\u{80}", "\u{FF}"]
        for length in 1...24 {
            for position in 0..<length {
                for special in specials {
                    var scalars = String.UnicodeScalarView()
                    for index in 0..<length { scalars.append(index == position ? special : "a") }
                    let text = String(scalars)
                    #expect(JSONValue.string(text).jsonText == reference(text), "\(length) \(position) \(special.value)")
                }
            }
        }
    }

    /// The stream writes what the tree writer writes for the same value:
    /// commas between keys and elements, none after an opening bracket or a
    /// key, at every depth, with trees inside it and nulls for nils.
    @Test func streamingWritesWhatTheTreeWrites() {
        let embedded: JSONValue = .object(["k": [1, "two", nil], "e": .object([:]), "a": []])
        let tree: JSONValue = .object([
            "s": "a\"b", "n": nil, "i": -42, "t": true, "f": false, "nb": nil, "ni": nil,
            "list": [[], .object([:]), "x", 7, embedded, ["y"]],
            "text": .text([0x61, 0xFF] as [UInt8]), "tree": embedded, "empty": .object([:]),
        ])
        var stream = JSONWriter()
        stream.beginObject()
        stream.key("s"); stream.string("a\"b")
        stream.key("n"); stream.string(nil)
        stream.key("i"); stream.int(-42)
        stream.key("t"); stream.bool(true)
        stream.key("f"); stream.bool(false)
        stream.key("nb"); stream.bool(nil)
        stream.key("ni"); stream.int(nil)
        stream.key("list")
        stream.beginArray()
        stream.beginArray(); stream.endArray()
        stream.beginObject(); stream.endObject()
        stream.string("x")
        stream.int(7)
        stream.value(embedded)
        stream.strings(["y"])
        stream.endArray()
        stream.key("text"); stream.text([0x61, 0xFF] as [UInt8])
        stream.key("tree"); stream.value(embedded)
        stream.key("empty"); stream.beginObject(); stream.endObject()
        stream.endObject()
        stream.endLine()
        var expected = JSONWriter()
        expected.writeLine(tree)
        #expect(String(decoding: stream.bytes, as: UTF8.self) == String(decoding: expected.bytes, as: UTF8.self))
        // A reset writer starts a new line without a comma.
        stream.reset()
        stream.null()
        #expect(stream.bytes == Array("null".utf8))
    }
}
