import Testing
@testable import MTAScanCore

/// Issue 13, item 1: a reference identifier in Unicode is matched as A-labels.
@Suite struct IDNATests {
    private func ascii(_ name: String) -> String? {
        guard case .success(let converted) = IDNA.toASCII(name) else { return nil }
        return converted
    }

    private func problem(_ name: String) -> IDNA.Problem? {
        guard case .failure(let problem) = IDNA.toASCII(name) else { return nil }
        return problem
    }

    @Test func uLabelsBecomeALabels() {
        #expect(ascii("mail.bücher.example") == "mail.xn--bcher-kva.example")
        #expect(ascii("例え.テスト") == "xn--r8jz45g.xn--zckzah")
        #expect(ascii("mx.münchen.de.") == "mx.xn--mnchen-3ya.de.")
        // RFC 3492 §7.1 (L), a label holding ASCII and non-ASCII.
        #expect(ascii("3年b組金八先生.example") == "xn--3b-ww4c5e180e575a65lsy2b.example")
    }

    @Test func asciiIsOnlyLowerCased() {
        #expect(ascii("MX1.Example.COM") == "mx1.example.com")
        #expect(ascii("xn--bcher-kva.example") == "xn--bcher-kva.example")
        #expect(IDNA.needsConversion("mx.example.com".utf8) == false)
        #expect(IDNA.needsConversion("mx.bücher.example".utf8))
    }

    @Test func mappingLowerCasesNormalisesAndWidensSeparators() {
        #expect(ascii("MAIL.BÜCHER.EXAMPLE") == "mail.xn--bcher-kva.example")
        // u + combining diaeresis is the same name as ü once in NFC.
        #expect(ascii("b\u{75}\u{308}cher.example") == "xn--bcher-kva.example")
        // Ideographic and fullwidth full stops separate labels; fullwidth letters are ASCII.
        #expect(ascii("mail\u{3002}bücher\u{FF0E}example") == "mail.xn--bcher-kva.example")
        #expect(ascii("\u{FF4D}\u{FF58}.bücher.example") == "mx.xn--bcher-kva.example")
    }

    @Test func rfc5891RulesRefuseWhatIsNoULabel() {
        #expect(problem("-bücher.example") == .hyphenPosition)
        #expect(problem("bücher-.example") == .hyphenPosition)
        #expect(problem("büc--her.example") == nil)
        #expect(problem("ab--ü.example") == .hyphenPosition)
        #expect(problem("\u{308}bc.example") == .leadingCombiningMark)
        #expect(problem("bü cher.example") == .disallowedCharacter)
        #expect(problem("bü☃.example") == .disallowedCharacter)
        #expect(problem("a\u{200D}ü.example") == .disallowedCharacter)
        #expect(problem("bücher..example") == .emptyLabel)
        #expect(problem(String(repeating: "ü", count: 60) + ".example") == .labelTooLong)
        #expect(problem(String(repeating: "ü.", count: 60) + "example") == .tooLong)
    }

    @Test func patternsAndCertificateNamesMatchUnicodeHosts() throws {
        let pattern = try MXPattern.parse("*.xn--bcher-kva.example").get()
        #expect(pattern.matches("mail.bücher.example"))
        #expect(pattern.matches("Mail.Bücher.Example."))
        #expect(!pattern.matches("mail.bucher.example"))
        #expect(!pattern.matches("mail.bü cher.example"))
        let exact = try MXPattern.parse("xn--mller-kva.example").get()
        #expect(exact.matches("müller.example"))
        #expect(CertificateNameMatcher.matches(dnsNames: ["*.xn--bcher-kva.example"], host: "mail.bücher.example"))
        #expect(CertificateNameMatcher.firstMatch(dnsNames: ["other.example", "mail.xn--bcher-kva.example"],
                                                  host: "mail.bücher.example") == "mail.xn--bcher-kva.example")
        // A certificate name in Unicode stays invalid: certificates carry A-labels.
        #expect(!CertificateNameMatcher.matches(dnsNames: ["mail.bücher.example"], host: "mail.bücher.example"))
    }

    @Test func consistencyComparesUnicodeHostsAsALabels() {
        #expect(MXConsistency.normalised("Mail.Bücher.Example.") == "mail.xn--bcher-kva.example")
    }
}
