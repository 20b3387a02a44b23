import Testing
import MTAScanCore

@Suite struct TerminalTextTests {
    @Test func printableTextIsUnchanged() {
        #expect(TerminalText.escaped("example.com: a name, \\046 and all") == "example.com: a name, \\046 and all")
        #expect(TerminalText.escaped("bücher.example ∑ 日本") == "bücher.example ∑ 日本")
    }

    @Test func controlBytesAndDeleteAreHexEscapes() {
        #expect(TerminalText.escaped("\u{1B}]0;pwned\u{07}") == "\\x1b]0;pwned\\x07")
        #expect(TerminalText.escaped("a\tb\nc\rd\u{0}e\u{7F}") == "a\\x09b\\x0ac\\x0dd\\x00e\\x7f")
    }

    @Test func invisibleAndC1ScalarsAreNamed() {
        // CSI as a C1 control, a bidirectional override, a zero-width space, a line separator.
        #expect(TerminalText.escaped("a\u{9B}2Jb") == "a\\u{9b}2Jb")
        #expect(TerminalText.escaped("moc.\u{202E}example") == "moc.\\u{202e}example")
        #expect(TerminalText.escaped("a\u{200B}b\u{2028}c") == "a\\u{200b}b\\u{2028}c")
    }

    @Test func invalidUTF8IsEscapedByteByByte() {
        #expect(TerminalText.escaped(bytes: [0x61, 0xFF, 0x62]) == "a\\xffb")
        #expect(TerminalText.escaped(bytes: [0xE2, 0x82]) == "\\xe2\\x82")          // a cut-off sequence
        #expect(TerminalText.escaped(bytes: [0xC0, 0xAF, 0x41]) == "\\xc0\\xafA")    // an overlong '/'
        #expect(TerminalText.escaped(bytes: [0xED, 0xA0, 0x80]) == "\\xed\\xa0\\x80") // a surrogate
        #expect(TerminalText.escaped(bytes: [0xE2, 0x82, 0xAC, 0x1B]) == "€\\x1b")
        #expect(TerminalText.escaped(bytes: []) == "")
    }

    @Test func noOutputByteIsAControlCharacterWhateverTheInput() {
        let bytes = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ $0 >> 3) } + Array(0...255)
        let escaped = TerminalText.escaped(bytes: bytes)
        #expect(!escaped.utf8.contains { $0 < 0x20 || $0 == 0x7F })
        #expect(!escaped.unicodeScalars.contains { (0x80...0x9F).contains($0.value) })
    }
}
