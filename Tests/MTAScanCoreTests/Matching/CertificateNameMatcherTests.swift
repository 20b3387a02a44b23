import Testing
@testable import MTAScanCore

/// RFC 8461 §3.3/§4.2 certificate name matching over RFC 6125 §6.4.
@Suite struct CertificateNameMatcherTests {
    private func matches(_ name: String, _ host: String) -> Bool {
        CertificateNameMatcher.matches(dnsNames: [name], host: host)
    }

    @Test func lintContractExample() {
        #expect(CertificateNameMatcher.matches(dnsNames: ["*.example.com"], host: "mx.example.com"))
        #expect(CertificateNameMatcher.firstMatch(dnsNames: ["*.example.com"], host: "mx.example.com") == "*.example.com")
    }

    @Test func exactNamesAreCaseInsensitive() {
        #expect(matches("mx.example.com", "mx.example.com"))
        #expect(matches("MX.Example.COM", "mx.example.com"))
        #expect(matches("mx.example.com", "MX.EXAMPLE.com"))
        #expect(matches("mta-sts.example.com", "mta-sts.example.com"))
        #expect(matches("xn--bcher-kva.example", "XN--BCHER-KVA.example"))
        #expect(!matches("mx.example.com", "mx.example.org"))
        #expect(!matches("mx.example.com", "mx1.example.com"))
        #expect(!matches("mx.example.com", "x.example.com"))
        #expect(!matches("example.com", "mx.example.com"))
        #expect(!matches("mx.example.com", "example.com"))
    }

    @Test func oneTrailingDotOnTheHostIsIgnoredButNotOnTheCertificate() {
        #expect(matches("mx.example.com", "mx.example.com."))
        #expect(matches("*.example.com", "mx.example.com."))
        #expect(!matches("mx.example.com", "mx.example.com.."))
        #expect(!matches("mx.example.com.", "mx.example.com"))
        #expect(!matches("mx.example.com.", "mx.example.com."))
        #expect(!matches("*.example.com.", "mx.example.com"))
    }

    /// RFC 8461 §4.1's own example applies to certificates too (§3.3).
    @Test func wildcardMatchesExactlyOneLeftMostLabel() {
        #expect(matches("*.example.com", "mail.example.com"))
        #expect(matches("*.EXAMPLE.com", "MX1.example.COM"))
        #expect(matches("*.example.com", "_tcp-x.example.com"))
        #expect(!matches("*.example.com", "_25._tcp.example.com"))
        #expect(!matches("*.example.com", "example.com"))
        #expect(!matches("*.example.com", "foo.bar.example.com"))
        #expect(!matches("*.example.com", ".example.com"))
        #expect(!matches("*.example.com", "mail.example.com.evil"))
        #expect(!matches("*.example.com", "mailexample.com"))
        #expect(!matches("*.example.com", "mail.xexample.com"))
    }

    @Test(arguments: ["m*.example.com", "*x.example.com", "mx*.example.com", "*mx*.example.com", "m*x.example.com",
                      "*mx.example.com", "xn--*.example.com"])
    func partialWildcardsNeverMatch(name: String) {
        #expect(!matches(name, "mx.example.com"))
        #expect(!matches(name, "mmx.example.com"))
        #expect(!matches(name, "xn--mx.example.com"))
    }

    @Test(arguments: ["mx.*.com", "mx.example.*", "*.*.example.com", "mx.*.example.com", "*", "*.", "**.example.com",
                      ".*.example.com"])
    func wildcardsNotLeftMostOrMalformedNeverMatch(name: String) {
        for host in ["mx.example.com", "mx.a.example.com", "a.b.example.com", "com", "mx.example.example"] {
            #expect(!matches(name, host), "\(name) vs \(host)")
        }
    }

    /// RFC 6125 §7.2: no wildcard over a single label (`*.com`). Without a public
    /// suffix list, two labels are accepted, as OpenSSL's X509_check_host does.
    @Test func wildcardNeedsTwoLabelsAfterIt() {
        #expect(!matches("*.com", "example.com"))
        #expect(!matches("*.example", "mx.example"))
        #expect(matches("*.co.uk", "mail.co.uk"))
    }

    @Test func hostsThatArePatternsNeverMatch() {
        #expect(!matches("*.example.com", "*.example.com"))
        #expect(!matches("mx.example.com", "*.example.com"))
    }

    @Test func embeddedNULNeverMatches() {
        #expect(!matches("mx.example.com\0.evil.example", "mx.example.com"))
        #expect(!matches("mx.example.com\0", "mx.example.com"))
        #expect(!matches("*.example.com\0", "mx.example.com"))
        #expect(!matches("mx.example.com", "mx.example.com\0"))
        #expect(!matches("mx.example.com\0.evil.example", "mx.example.com\0.evil.example"))
    }

    @Test func nonASCIINeverMatches() {
        #expect(!matches("mx.bücher.example", "mx.bücher.example"))
        #expect(!matches("*.bücher.example", "mx.bücher.example"))
        #expect(!matches("mx.example.com", "mx.exämple.com"))
        // Fullwidth or look-alike characters are not folded to ASCII.
        #expect(!matches("ｍx.example.com", "mx.example.com"))
        #expect(!matches("\u{212A}.example.com", "k.example.com"))   // KELVIN SIGN
        // IDNs match in A-label form.
        #expect(matches("*.xn--bcher-kva.example", "mx.xn--bcher-kva.example"))
    }

    @Test func malformedNamesNeverMatch() {
        #expect(!matches("", "mx.example.com"))
        #expect(!matches("mx.example.com", ""))
        #expect(!matches(".", "."))
        #expect(!matches("mx..example.com", "mx..example.com"))
        #expect(!matches(".mx.example.com", ".mx.example.com"))
        #expect(!matches("mx example.com", "mx example.com"))
        #expect(!matches("mx.example.com ", "mx.example.com"))
        #expect(!matches("user@mx.example.com", "user@mx.example.com"))
        let label63 = String(repeating: "a", count: 63)
        #expect(matches(label63 + ".example.com", label63 + ".example.com"))
        #expect(matches("*.example.com", label63 + ".example.com"))
        let label64 = label63 + "a"
        #expect(!matches(label64 + ".example.com", label64 + ".example.com"))
        #expect(!matches("*.example.com", label64 + ".example.com"))
        let long = Array(repeating: "abcdefghi", count: 26).joined(separator: ".")   // 259 octets
        #expect(!matches(long, long))
    }

    @Test func firstMatchReturnsTheNameAsPresented() {
        let names = ["mta-sts.example.com", "Example.com", "*.Example.COM", "mx.example.com"]
        #expect(CertificateNameMatcher.firstMatch(dnsNames: names, host: "mx.example.com") == "*.Example.COM")
        #expect(CertificateNameMatcher.firstMatch(dnsNames: names, host: "example.com.") == "Example.com")
        #expect(CertificateNameMatcher.firstMatch(dnsNames: names, host: "mx.example.org") == nil)
        #expect(CertificateNameMatcher.firstMatch(dnsNames: [], host: "mx.example.com") == nil)
        #expect(!CertificateNameMatcher.matches(dnsNames: [], host: "mx.example.com"))
        #expect(CertificateNameMatcher.matches(dnsNames: ["bad\0", "", "*", "mx.example.com"], host: "mx.example.com"))
    }

    /// Whatever the bytes, the matcher answers and never matches garbage.
    @Test func randomNamesNeverCrash() {
        var generator = SplitMix64(seed: 8461)
        let alphabet = Array("ab.*-_\0é.".unicodeScalars)
        for _ in 0..<2000 {
            let length = Int(generator.next() % 12)
            var name = String.UnicodeScalarView()
            for _ in 0..<length { name.append(alphabet[Int(generator.next() % UInt64(alphabet.count))]) }
            let text = String(name)
            let result = matches(text, "ab.ab.ab")
            if result {
                #expect(text.lowercased() == "ab.ab.ab" || text == "*.ab.ab", "\(text.debugDescription)")
            }
        }
    }
}

/// Issue 13, item 2: an IP-literal reference identifier never matches a DNS wildcard.
@Suite struct CertificateNameMatcherIPLiteralTests {
    @Test func anIPAddressNeverMatchesAWildcard() {
        #expect(!CertificateNameMatcher.matches(dnsNames: ["*.2.3.4"], host: "1.2.3.4"))
        #expect(!CertificateNameMatcher.matches(dnsNames: ["*.0.2.1"], host: "192.0.2.1."))
        #expect(!CertificateNameMatcher.matches(dnsNames: ["*.example.10"], host: "mx.example.10"))
        // A name whose last label is not all digits still matches as before.
        #expect(CertificateNameMatcher.matches(dnsNames: ["*.2.3.example"], host: "1.2.3.example"))
        #expect(CertificateNameMatcher.matches(dnsNames: ["*.example.com"], host: "1.example.com"))
    }

    @Test func presentedNameProblems() {
        #expect(CertificateNameMatcher.problem(presented: "*.example.com") == nil)
        #expect(CertificateNameMatcher.problem(presented: "mx.example.com") == nil)
        #expect(CertificateNameMatcher.problem(presented: "m*.example.com") == .partialWildcard)
        #expect(CertificateNameMatcher.problem(presented: "*x.example.com") == .partialWildcard)
        #expect(CertificateNameMatcher.problem(presented: "*.*.com") == .misplacedWildcard)
        #expect(CertificateNameMatcher.problem(presented: "*") == .wildcardTooBroad)
        #expect(CertificateNameMatcher.problem(presented: "*.com") == .wildcardTooBroad)
        #expect(CertificateNameMatcher.problem(presented: "") == .empty)
        #expect(CertificateNameMatcher.problem(presented: ".example.com") == .invalidName)
        #expect(CertificateNameMatcher.problem(presented: "*.example.com.") == .trailingDot)
        #expect(CertificateNameMatcher.problem(presented: "bücher.example") == .invalidName)
    }
}
