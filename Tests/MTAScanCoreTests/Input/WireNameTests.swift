import Testing
@testable import MTAScanCore

@Suite struct WireNameTests {
    let com = WireName(DomainName("com")!)

    func decode(_ text: String, origin: WireName?) -> (WireName.Decoding, WireName) {
        var name = WireName()
        let bytes = Array(text.utf8)
        let decoding = bytes.withUnsafeBufferPointer { WireName.decode($0, origin: origin, into: &name) }
        return (decoding, name)
    }

    func wire(_ labels: String...) -> [UInt8] {
        labels.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
    }

    @Test func relativeNamesTakeTheOrigin() {
        let (decoding, name) = decode("Example", origin: com)
        #expect(decoding == .decoded(badEscape: false))
        #expect(Array(name.bytes) == wire("example", "com"))
        #expect(name.labelCount == 2)
        #expect(Array(decode("www.example", origin: com).1.bytes) == wire("www", "example", "com"))
    }

    @Test func absoluteNamesIgnoreTheOrigin() {
        #expect(Array(decode("EXAMPLE.ORG.", origin: com).1.bytes) == wire("example", "org"))
        #expect(decode("example.org.", origin: nil).0 == .decoded(badEscape: false))
    }

    @Test func atIsTheOriginAndADotIsTheRoot() {
        #expect(decode("@", origin: com).1 == com)
        let (decoding, root) = decode(".", origin: nil)
        #expect(decoding == .decoded(badEscape: false) && root.isRoot)
    }

    @Test func relativeNamesNeedAnOrigin() {
        #expect(decode("example", origin: nil).0 == .needsOrigin)
        #expect(decode("@", origin: nil).0 == .needsOrigin)
    }

    @Test func decodesEscapes() {
        // RFC 1035 §5.1: \X quotes X, \DDD is the octet DDD.
        #expect(Array(decode("\\065b\\C", origin: com).1.bytes) == wire("abc", "com"))
        #expect(Array(decode("a\\.b", origin: com).1.bytes) == wire("a.b", "com"))
        #expect(Array(decode("a\\032b.", origin: nil).1.bytes) == wire("a b"))
        #expect(Array(decode("a\\255.", origin: nil).1.bytes) == [2, 0x61, 0xFF])
    }

    @Test func flagsBadEscapes() {
        for text in ["\\256x", "\\12", "\\1a2", "a\\"] {
            #expect(decode(text, origin: com).0 == .decoded(badEscape: true), "\(text)")
        }
    }

    @Test func keepsTheShapeOfBadNames() {
        let (_, name) = decode("a..b.", origin: nil)
        #expect(Array(name.bytes) == wire("a", "", "b"))
        #expect(decode(String(repeating: "x", count: 64) + ".", origin: nil).1.isWellFormed == false)
        #expect(decode(String(repeating: "x", count: 63) + ".", origin: nil).1.isWellFormed)
        #expect(decode(String(repeating: "x", count: 256), origin: com).0 == .overlong)
    }

    @Test func childrenAreExactlyOneLabelBelow() {
        #expect(decode("example", origin: com).1.isChild(of: com))
        #expect(!decode("@", origin: com).1.isChild(of: com))
        #expect(!decode("a.example", origin: com).1.isChild(of: com))
        #expect(!decode("example.net.", origin: nil).1.isChild(of: com))
        #expect(!decode("example.xcom.", origin: nil).1.isChild(of: com))
        #expect(decode("com.", origin: nil).1.isChild(of: WireName()))
    }

    @Test func presentsLabelsForErrorRecords() {
        #expect(WireName.presentation(of: Array("a b.c\\\u{7F}".utf8)) == Array("a\\032b\\.c\\\\\\127".utf8))
        #expect(decode("a\\.b.c.", origin: nil).1.presentation == Array("a\\.b.c.".utf8))
        #expect(WireName().presentation == Array(".".utf8))
    }
}
