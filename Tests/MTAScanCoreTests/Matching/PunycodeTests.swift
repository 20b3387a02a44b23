import Testing
@testable import MTAScanCore

@Suite struct PunycodeTests {
    private static func encoded(_ label: String) -> String? {
        Punycode.encode(label.unicodeScalars).map { String(decoding: $0, as: UTF8.self) }
    }

    // RFC 3492 §7.1 sample strings (A), (B), (C), (L), (M).
    @Test(arguments: [
        ("\u{644}\u{64A}\u{647}\u{645}\u{627}\u{628}\u{62A}\u{643}\u{644}\u{645}\u{648}\u{634}\u{639}\u{631}\u{628}\u{64A}\u{61F}",
         "egbpdaj6bu4bxfgehfvwxn"),
        ("他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"),
        ("他們爲什麽不說中文", "ihqwctvzc91f659drss3x8bo0yb"),
        ("3年b組金八先生", "3b-ww4c5e180e575a65lsy2b"),
        ("安室奈美恵-with-super-monkeys", "-with-super-monkeys-pc58ag80a8qai00g7n9n"),
    ])
    func rfc3492Samples(label: String, expected: String) {
        #expect(Self.encoded(label) == expected)
    }

    @Test func publicSuffixListLabels() {
        #expect(Self.encoded("食狮") == "85x722f")
        #expect(Self.encoded("公司") == "55qx5d")
        #expect(Self.encoded("中国") == "fiqs8s")
        #expect(Self.encoded("bücher") == "bcher-kva")
        #expect(Self.encoded("ü") == "tda")
    }

    @Test func asciiIsLowerCasedAndCopied() {
        // The basic code points come first whatever their case; the rest of the
        // encoding does not depend on them, so (L) keeps its tail.
        #expect(Self.encoded("3年B組金八先生") == "3b-ww4c5e180e575a65lsy2b")
        #expect(Self.encoded("abc") == "abc-")
        #expect(Self.encoded("") == "")
    }

    @Test func overlongLabelIsRefused() {
        #expect(Self.encoded(String(repeating: "ü", count: Punycode.maxCodePoints + 1)) == nil)
        #expect(Self.encoded(String(repeating: "\u{10FFFF}", count: Punycode.maxCodePoints)) != nil)
    }

    @Test func aLabelNames() {
        func name(_ text: String) -> String? {
            Punycode.aLabelName(utf8: Array(text.utf8)).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(name("WWW.食狮.公司.CN") == "www.xn--85x722f.xn--55qx5d.cn")
        #expect(name("bücher.de") == "xn--bcher-kva.de")
        #expect(name("a..b") == "a..b")
        #expect(Punycode.aLabelName(utf8: [0x61, 0xff, 0x2e, 0x64, 0x65]) == nil)  // invalid UTF-8
    }
}
