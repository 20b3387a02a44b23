import Testing
@testable import MTAScanCore

@Suite struct PublicSuffixListTests {
    // The PSL project's own vectors (publicsuffix/list tests/test_psl.txt, the
    // revision that matches the list Debian ships: `*.mm`, `!city.kobe.jp`):
    // `checkPublicSuffix(name, registrable domain or null)`. The `null` input
    // has no Swift counterpart.
    static let officialVectors: [(String, String?)] = [
        // Mixed case.
        ("COM", nil), ("example.COM", "example.com"), ("WwW.example.COM", "example.com"),
        // Leading dot.
        (".com", nil), (".example", nil), (".example.com", nil), (".example.example", nil),
        // Unlisted TLD.
        ("example", nil), ("example.example", "example.example"), ("b.example.example", "example.example"),
        ("a.b.example.example", "example.example"),
        // TLD with only 1 rule.
        ("biz", nil), ("domain.biz", "domain.biz"), ("b.domain.biz", "domain.biz"), ("a.b.domain.biz", "domain.biz"),
        // TLD with some 2-level rules.
        ("com", nil), ("example.com", "example.com"), ("b.example.com", "example.com"),
        ("a.b.example.com", "example.com"), ("uk.com", nil), ("example.uk.com", "example.uk.com"),
        ("b.example.uk.com", "example.uk.com"), ("a.b.example.uk.com", "example.uk.com"), ("test.ac", "test.ac"),
        // TLD with only 1 (wildcard) rule.
        ("mm", nil), ("c.mm", nil), ("b.c.mm", "b.c.mm"), ("a.b.c.mm", "b.c.mm"),
        // More complex TLD.
        ("jp", nil), ("test.jp", "test.jp"), ("www.test.jp", "test.jp"), ("ac.jp", nil),
        ("test.ac.jp", "test.ac.jp"), ("www.test.ac.jp", "test.ac.jp"), ("kyoto.jp", nil),
        ("test.kyoto.jp", "test.kyoto.jp"), ("ide.kyoto.jp", nil), ("b.ide.kyoto.jp", "b.ide.kyoto.jp"),
        ("a.b.ide.kyoto.jp", "b.ide.kyoto.jp"), ("c.kobe.jp", nil), ("b.c.kobe.jp", "b.c.kobe.jp"),
        ("a.b.c.kobe.jp", "b.c.kobe.jp"), ("city.kobe.jp", "city.kobe.jp"), ("www.city.kobe.jp", "city.kobe.jp"),
        // TLD with a wildcard rule and exceptions.
        ("ck", nil), ("test.ck", nil), ("b.test.ck", "b.test.ck"), ("a.b.test.ck", "b.test.ck"),
        ("www.ck", "www.ck"), ("www.www.ck", "www.ck"),
        // US K12.
        ("us", nil), ("test.us", "test.us"), ("www.test.us", "test.us"), ("ak.us", nil),
        ("test.ak.us", "test.ak.us"), ("www.test.ak.us", "test.ak.us"), ("k12.ak.us", nil),
        ("test.k12.ak.us", "test.k12.ak.us"), ("www.test.k12.ak.us", "test.k12.ak.us"),
        // IDN labels.
        ("食狮.com.cn", "食狮.com.cn"), ("食狮.公司.cn", "食狮.公司.cn"), ("www.食狮.公司.cn", "食狮.公司.cn"),
        ("shishi.公司.cn", "shishi.公司.cn"), ("公司.cn", nil), ("食狮.中国", "食狮.中国"),
        ("www.食狮.中国", "食狮.中国"), ("shishi.中国", "shishi.中国"), ("中国", nil),
        // Same as above, but punycoded.
        ("xn--85x722f.com.cn", "xn--85x722f.com.cn"), ("xn--85x722f.xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn"),
        ("www.xn--85x722f.xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn"),
        ("shishi.xn--55qx5d.cn", "shishi.xn--55qx5d.cn"), ("xn--55qx5d.cn", nil),
        ("xn--85x722f.xn--fiqs8s", "xn--85x722f.xn--fiqs8s"), ("www.xn--85x722f.xn--fiqs8s", "xn--85x722f.xn--fiqs8s"),
        ("shishi.xn--fiqs8s", "shishi.xn--fiqs8s"), ("xn--fiqs8s", nil),
    ]

    @Test(arguments: officialVectors)
    func officialVector(name: String, registrable: String?) throws {
        let psl = try #require(DebianPublicSuffixList.shared, "Debian package publicsuffix not installed")
        #expect(psl.registrableDomain(of: name) == registrable)
    }

    @Test func realListLoadsBothSections() throws {
        let psl = try #require(DebianPublicSuffixList.shared, "Debian package publicsuffix not installed")
        #expect(psl.ruleCount > 9_000)
        #expect(psl.lookup("mail.example.com").section == .icann)
        #expect(psl.lookup("foo.github.io") == .init(publicSuffix: "github.io", registrableDomain: "foo.github.io", section: .privateDomains))
        #expect(psl.lookup("a.b.compute.amazonaws.com").publicSuffix == "b.compute.amazonaws.com")
        #expect(psl.lookup("example.invalid-tld").section == nil)
        #expect(psl.publicSuffix(of: "mail.example.co.uk") == "co.uk")
        #expect(psl.registrableDomain(of: "mx1.mail.example.co.uk") == "example.co.uk")
    }

    // A list small enough to reason about: every rule kind and both sections.
    static let sample = """
        // Comment lines, blank lines and text after whitespace are ignored.
        // ===BEGIN ICANN DOMAINS===

        com
        uk
        co.uk     trailing words after whitespace
        *.ck
        !www.ck
        jp
        *.kobe.jp
        !city.kobe.jp
        公司.cn
        // ===END ICANN DOMAINS===
        // ===BEGIN PRIVATE DOMAINS===
        github.io
        *.compute.example.com
        // ===END PRIVATE DOMAINS===
        """

    static func sampleList() throws -> PublicSuffixList {
        try PublicSuffixList(listText: Array(sample.utf8))
    }

    @Test func countsEveryRuleKindOnce() throws {
        #expect(try Self.sampleList().ruleCount == 11)
        let doubled = try PublicSuffixList(listText: Array((Self.sample + "\ncom\n*.ck\n").utf8))
        #expect(doubled.ruleCount == 11)
    }

    @Test(arguments: [
        // Default rule `*`: an unlisted TLD is a public suffix on its own.
        ("example", "example", nil),
        ("mail.example.test", "test", "example.test"),
        // Longest match: co.uk over uk.
        ("mail.example.co.uk", "co.uk", "example.co.uk"),
        ("example.uk", "uk", "example.uk"),
        ("co.uk", "co.uk", nil),
        // Wildcard: needs a label for `*`.
        ("ck", "ck", nil),
        ("test.ck", "test.ck", nil),
        ("a.b.test.ck", "test.ck", "b.test.ck"),
        // Exceptions win over the wildcard, and count one label less.
        ("www.ck", "ck", "www.ck"),
        ("a.www.ck", "ck", "www.ck"),
        ("a.b.city.kobe.jp", "kobe.jp", "city.kobe.jp"),
        ("a.b.other.kobe.jp", "other.kobe.jp", "b.other.kobe.jp"),
        // A rule below a name that is not itself a rule (`compute.example.com`).
        ("x.y.compute.example.com", "y.compute.example.com", "x.y.compute.example.com"),
        ("compute.example.com", "com", "example.com"),
        // An IDN rule, matched through its A-label.
        ("mail.shop.xn--55qx5d.cn", "xn--55qx5d.cn", "shop.xn--55qx5d.cn"),
        ("mail.shop.公司.cn", "公司.cn", "shop.公司.cn"),
    ] as [(String, String, String?)])
    func sampleLookups(name: String, suffix: String, registrable: String?) throws {
        let psl = try Self.sampleList()
        #expect(psl.publicSuffix(of: name) == suffix)
        #expect(psl.registrableDomain(of: name) == registrable)
    }

    @Test func sectionOfThePrevailingRule() throws {
        let psl = try Self.sampleList()
        #expect(psl.lookup("a.example.co.uk").section == .icann)
        #expect(psl.lookup("a.www.ck").section == .icann)
        #expect(psl.lookup("a.user.github.io").section == .privateDomains)
        #expect(psl.lookup("x.y.compute.example.com").section == .privateDomains)
        #expect(psl.lookup("a.example.org").section == nil)
    }

    @Test func caseAndTrailingDot() throws {
        let psl = try Self.sampleList()
        #expect(psl.lookup("MX1.Example.CO.UK.") == .init(publicSuffix: "co.uk", registrableDomain: "example.co.uk", section: .icann))
        #expect(psl.registrableDomain(of: "WWW.CK") == "www.ck")
        #expect(psl.registrableDomain(of: "example.com..") == nil)  // only one dot is a root
    }

    @Test func emptyLabelsAreNoRegistrableDomain() throws {
        let psl = try Self.sampleList()
        #expect(psl.lookup("") == .init(publicSuffix: "", registrableDomain: nil, section: nil))
        #expect(psl.lookup(".") == .init(publicSuffix: "", registrableDomain: nil, section: nil))
        #expect(psl.registrableDomain(of: ".example.com") == nil)
        #expect(psl.registrableDomain(of: "a..example.com") == nil)
        #expect(psl.publicSuffix(of: "a..example.com") == "com")
        #expect(psl.registrableDomain(of: "example..com") == nil)
    }

    @Test func hostileNamesDoNotCrash() throws {
        let psl = try Self.sampleList()
        let long = String(repeating: "a.", count: 50_000) + "co.uk"
        #expect(psl.registrableDomain(of: long) == "a.co.uk")
        #expect(psl.publicSuffix(of: "\u{0}.\u{7f}") == "\u{7f}")
        #expect(psl.registrableDomain(of: "x." + String(repeating: "ü", count: 1_000) + ".cn") != nil)
        #expect(psl.publicSuffix(of: "...") == "")
    }

    @Test func windowsLineEndingsAndByteOrderMark() throws {
        let text = [0xef, 0xbb, 0xbf] + Array("// c\r\ncom\r\n*.ck\r\n!www.ck\r\n".utf8)
        let psl = try PublicSuffixList(listText: text)
        #expect(psl.ruleCount == 3)
        #expect(psl.registrableDomain(of: "www.ck") == "www.ck")
    }

    @Test(arguments: ["", "\n\n", "// ===BEGIN ICANN DOMAINS===\n// only comments\n   \n"])
    func listWithoutRulesIsAnError(text: String) {
        #expect(throws: PublicSuffixList.ParseError.noRules) {
            try PublicSuffixList(listText: Array(text.utf8))
        }
    }

    @Test(arguments: [
        ("com\nfoo..bar\n", 2),
        ("a.*.b\n", 1),
        ("!*.ck\n", 1),
        ("com\nexample.com/path\n", 2),
        ("com\n*.\n", 2),
        ("com\n!\n", 2),
        (String(repeating: "a", count: 64) + ".com\n", 1),
    ])
    func malformedRuleIsAnError(text: String, line: Int) {
        #expect(throws: PublicSuffixList.ParseError.malformedRule(line: line)) {
            try PublicSuffixList(listText: Array(text.utf8))
        }
    }

    @Test func invalidUTF8RuleIsAnError() {
        #expect(throws: PublicSuffixList.ParseError.malformedRule(line: 2)) {
            try PublicSuffixList(listText: Array("com\n".utf8) + [0xc3, 0x28, 0x0a])
        }
    }
}
