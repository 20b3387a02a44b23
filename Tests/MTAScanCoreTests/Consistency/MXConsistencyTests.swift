import Testing
import MTAScanCore

@Suite struct MXConsistencyTests {
    private static func psl() throws -> PublicSuffixList {
        try #require(DebianPublicSuffixList.shared, "Debian package publicsuffix not installed")
    }

    private static func patterns(_ texts: [String]) throws -> [MXPattern] {
        try texts.map { try #require(MXPattern($0), "bad pattern \($0)") }
    }

    private static func classify(_ host: String, _ patterns: [String]) throws -> (MismatchKind, String?, Int?) {
        let result = MXConsistency.classify(host: host, patterns: try Self.patterns(patterns), psl: try psl())
        return (result.kind, result.pattern?.text, result.distance)
    }

    // MARK: the lint contract

    @Test func lintContractTypo() throws {
        let findings = MXConsistency.evaluate(
            patterns: try Self.patterns(["mail.exmaple.com"]), mxHosts: ["mail.example.com"], psl: try Self.psl())
        try #require(findings.count == 1)
        let finding = findings[0]
        #expect(finding.code == .mxPatternMismatch)
        #expect(finding.component == .consistency)
        #expect(finding.severity == .error)
        #expect(finding.details.keys == ["kind", "scope", "mx_host", "pattern", "distance"])
        #expect(finding[detail: "kind"] == "typo")
        #expect(finding[detail: "scope"] == "all")
        #expect(finding[detail: "mx_host"] == "mail.example.com")
        #expect(finding[detail: "pattern"] == "mail.exmaple.com")
        #expect(finding[detail: "distance"] == 1)
    }

    // MARK: each kind

    @Test(arguments: [
        ("mx.example.com", ["mta-sts.example.com"]),             // policy host pasted as the pattern
        ("example.com", ["mta-sts.example.com"]),                // MX at the apex
        ("mx1.mail.example.com", ["mta-sts.example.com"]),       // and more labels besides
        ("mx1.example.com", ["*.mta-sts.example.com"]),
        ("mail.example.co.uk", ["mta-sts.example.co.uk"]),
        ("mx.example.com", ["mx.example.net", "mta-sts.example.com"]),  // comes before tld
    ])
    func mtaStsLabel(host: String, patterns: [String]) throws {
        let (kind, pattern, distance) = try Self.classify(host, patterns)
        #expect(kind == .mtaStsLabel)
        #expect(pattern?.contains("mta-sts.") == true)
        #expect(distance == nil)
    }

    /// The vocabulary: "the pattern carries the mta-sts. label", whoever runs the MX.
    @Test func mtaStsLabelWhateverTheMXHost() throws {
        #expect(try Self.classify("aspmx.l.google.com", ["mta-sts.example.com"]).0 == .mtaStsLabel)
        #expect(try Self.classify("mx.example.net", ["mta-sts.example.com"]).0 == .mtaStsLabel)
        // Only a whole `mta-sts` label counts.
        #expect(try Self.classify("mx.example.com", ["mta-sts-mx.example.com"]).0 == .extraLabel)
    }

    @Test(arguments: [
        ("mx1.mail.example.com", "*.example.com"),    // extra label under a wildcard
        ("mx1.mail.example.com", "mail.example.com"), // extra label
        ("mx.example.com", "*.mx.example.com"),       // missing label
        ("mx.example.com", "example.com"),
        ("mail.example.co.uk", "mx.example.co.uk"),   // different third label, 3-label eTLD+1
        ("mx.sub.example.com", "mx.other.example.com"),
        ("mial.example.com", "mail.example.com"),     // a typo left of the registrable domain
    ])
    func extraLabel(host: String, pattern: String) throws {
        #expect(try Self.classify(host, [pattern]) == (.extraLabel, pattern, nil))
    }

    @Test(arguments: [
        ("mail.example.net", "mail.example.com"),
        ("mx.example.com", "*.example.co.uk"),
        ("mx.example.de", "mx.example.com"),
        ("mail.example.com", "mail.example.cm"),      // a typo in the TLD is still tld
        ("mx1.example.com.au", "*.example.com"),
        ("mx.example.com", "mx.example.github.io"),   // private-section suffix
    ])
    func tld(host: String, pattern: String) throws {
        #expect(try Self.classify(host, [pattern]) == (.tld, pattern, nil))
    }

    @Test func tldNeedsARealRegistrableLabel() throws {
        // `*.co.uk` has no registrable label to agree with `example`.
        #expect(try Self.classify("example.com", ["*.co.uk"]).0 == .complete)
    }

    @Test(arguments: [
        ("mail.example.com", "mail.exmaple.com", 1),
        ("mx1.example.com", "*.exmaple.com", 1),          // `*` takes the host's `mx1`
        ("mx.examplemail.com", "mx.example-mail.com", 1),
        ("mail.example.co.uk", "mail.exampel.co.uk", 1),
        ("mail.abcdefgh.com", "mail.abcxyzgh.com", 3),    // the limit itself
        ("mx.protection.outlook.com", "mx.protecton.outlok.com", 2),
    ])
    func typo(host: String, pattern: String, expected: Int) throws {
        #expect(try Self.classify(host, [pattern]) == (.typo, pattern, expected))
    }

    @Test func typoStopsAtTheLimitAndNeedsTheSamePublicSuffix() throws {
        #expect(try Self.classify("mail.abcdefgh.com", ["mail.abwxyzgh.com"]) == (.complete, "mail.abwxyzgh.com", nil))
        // Close in edit distance but across suffixes: no typo.
        #expect(try Self.classify("mail.example.com", ["mail.exampl.co"]).0 == .complete)
    }

    @Test func completeReportsTheNearestPattern() throws {
        #expect(try Self.classify("aspmx.l.google.com", ["mail.example.com"]) == (.complete, "mail.example.com", nil))
        #expect(try Self.classify("mx.foo.org", ["mail.some-long-name.net", "mx.bar.net"]) == (.complete, "mx.bar.net", nil))
        // A tie goes to the pattern written first.
        #expect(try Self.classify("mx.foo.org", ["mx.bar.net", "mx.baz.net"]) == (.complete, "mx.bar.net", nil))
    }

    @Test func theMostSpecificRelationWinsOverEditDistance() throws {
        // `mail.example.org` is nearer in edits, but shares nothing but the letters.
        let result = try Self.classify("mx1.mail.example.com", ["mail.example.org", "*.example.com"])
        #expect(result == (.extraLabel, "*.example.com", nil))
        // Within one kind the nearer pattern is reported.
        #expect(try Self.classify("mx1.example.net", ["smtp.example.com", "mx1.example.com"]) == (.tld, "mx1.example.com", nil))
        #expect(try Self.classify("mail.example.com", ["mail.exampel.com", "mail.exmaple.com"]).0 == .typo)
    }

    @Test func classifyWithoutUsablePatterns() throws {
        #expect(try Self.classify("mx.example.com", []) == (.complete, nil, nil))
        // A pattern the host matches is not what it mismatches.
        #expect(try Self.classify("mx.example.com", ["*.example.com"]) == (.complete, nil, nil))
        #expect(try Self.classify("MX.Example.COM.", ["*.example.com", "mx.example.net"]) == (.tld, "mx.example.net", nil))
    }

    // MARK: evaluate

    @Test func allHostsMatchingGiveNoFindings() throws {
        let findings = MXConsistency.evaluate(
            patterns: try Self.patterns(["*.example.com", "mx.backup.net"]),
            mxHosts: ["MX1.Example.COM.", "mx2.example.com", "mx.backup.net."], psl: try Self.psl())
        #expect(findings.isEmpty)
    }

    @Test func scopeSomeWhenAnotherHostMatches() throws {
        let findings = MXConsistency.evaluate(
            patterns: try Self.patterns(["*.example.com"]),
            mxHosts: ["mx1.example.com", "MX.Example.NET."], psl: try Self.psl())
        try #require(findings.count == 1)
        #expect(findings[0].details == [
            "kind": "tld", "scope": "some", "mx_host": "mx.example.net", "pattern": "*.example.com",
        ])
    }

    @Test func scopeAllAndOneFindingPerHostInOrder() throws {
        let findings = MXConsistency.evaluate(
            patterns: try Self.patterns(["mta-sts.example.com"]),
            mxHosts: ["mx2.example.com", "aspmx.l.google.com", "mx2.example.com."], psl: try Self.psl())
        #expect(findings.map { $0[detail: "mx_host"] } == ["mx2.example.com", "aspmx.l.google.com"])
        #expect(findings.map { $0[detail: "kind"] } == ["mta-sts-label", "mta-sts-label"])
        #expect(findings.allSatisfy { $0[detail: "scope"] == "all" && $0[detail: "distance"] == nil })
    }

    @Test func noHostsOrNoPatternsAreOtherComponentsFindings() throws {
        let psl = try Self.psl()
        let patterns = try Self.patterns(["mail.example.com"])
        #expect(MXConsistency.evaluate(patterns: patterns, mxHosts: [], psl: psl).isEmpty)        // mx-none
        #expect(MXConsistency.evaluate(patterns: [], mxHosts: ["mx.example.com"], psl: psl).isEmpty)  // policy-syntax
        // Null MX (RFC 7505) names no server.
        #expect(MXConsistency.evaluate(patterns: patterns, mxHosts: ["."], psl: psl).isEmpty)
        let withNull = MXConsistency.evaluate(patterns: patterns, mxHosts: [".", "mx.other.org"], psl: psl)
        #expect(withNull.map { $0[detail: "scope"] } == ["all"])
    }

    @Test func hostileHostsDoNotCrash() throws {
        let patterns = try Self.patterns(["*.example.com", "mail.example.net"])
        let hosts = ["..", "\u{0}", String(repeating: "a.", count: 10_000) + "example.com", "ü.example.com", "*.example.com"]
        let findings = MXConsistency.evaluate(patterns: patterns, mxHosts: hosts, psl: try Self.psl())
        // The last two match `*.example.com` byte for byte: a label is a label.
        #expect(findings.count == 3)
        #expect(findings[2][detail: "kind"] == "extra-label")
    }
}
