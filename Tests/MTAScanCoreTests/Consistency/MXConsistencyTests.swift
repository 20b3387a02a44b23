import Testing
@testable import MTAScanCore

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

    // MARK: bounded work

    @Test func theHashIndexMatchesExactlyWhatThePatternsMatch() throws {
        let patterns = try Self.patterns(["*.example.com", "mail.example.net", "*.a.b.example.org", "x.y"])
        let hosts = [
            "mx.example.com", "MX.Example.COM.", "mx.example.com..", "example.com", ".example.com", "a.b.example.com",
            "ü.example.com", "mail.example.net", "mail.example.net.", "mail.example.net..", "c.a.b.example.org",
            "a.b.example.org", "x.y", "X.Y", "*.example.com", "", ".", "..", "mail.example.ne",
        ]
        let index = PatternIndex(patterns)
        for host in hosts {
            #expect(index.matches(host) == patterns.contains { $0.matches(host) }, "\(host)")
        }
    }

    /// The pruned search gives what comparing each pattern alone and keeping
    /// the best (first by relation, then distance, then policy order) gives.
    @Test func prunedClassificationAgreesWithThePatternByPatternAnswer() throws {
        let psl = try Self.psl()
        let patterns = try Self.patterns([
            "mail.exmaple.com", "mx.example.net", "mial.example.com", "mail.example.co.uk", "*.example.org",
            "mx.unrelated.io", "mail.exampel.com", "mta-sts.example.com", "mx1.example.com",
        ])
        let hosts = ["mail.example.com", "mx.example.com", "mx.example.org.uk", "a.b.c.d.e", "mail.exmaple.net", "xx.io"]
        let ranks: [MismatchKind] = [.mtaStsLabel, .extraLabel, .tld, .typo, .complete]
        for host in hosts {
            for count in 1...patterns.count {
                let subset = Array(patterns.prefix(count))
                var best: (rank: Int, distance: Int, pattern: String)? = nil
                for pattern in subset {
                    let alone = MXConsistency.classify(host: host, patterns: [pattern], psl: psl)
                    let rank = try #require(ranks.firstIndex(of: alone.kind))
                    let distance = EditDistance.optimalStringAlignment(
                        host, pattern.isWildcard ? "\(host.split(separator: ".")[0]).\(pattern.baseName)" : pattern.text,
                        limit: 255) ?? Int.max
                    if let current = best, (current.rank, current.distance) <= (rank, distance) { continue }
                    best = (rank, distance, pattern.text)
                }
                let together = MXConsistency.classify(host: host, patterns: subset, psl: psl)
                #expect(together.pattern?.text == best?.pattern, "\(host) against \(count) patterns")
                #expect(together.kind == best.map { ranks[$0.rank] }, "\(host) against \(count) patterns")
            }
        }
    }

    @Test func tenThousandHostsAgainstTenThousandPatterns() throws {
        let psl = try Self.psl()
        let patterns = try Self.patterns((0..<10_000).map { "mx\($0).example.com" })
        // All match: no classification at all, so no limit either.
        let matching = MXConsistency.evaluate(
            patterns: patterns, mxHosts: (0..<10_000).reversed().map { "MX\($0).example.com." }, psl: psl, limits: .default)
        #expect(matching.findings.isEmpty)
        #expect(matching.comparedPatterns == nil)
        // None match: every host still gets its finding, classified against
        // the first 1,000,000 / 198,890 bytes of host names = 5 patterns,
        // and the answer says so.
        let hosts = (0..<10_000).map { "mail\($0).example.net" }
        let unmatched = MXConsistency.evaluate(patterns: patterns, mxHosts: hosts, psl: psl, limits: .default)
        #expect(unmatched.findings.count == 10_000)
        #expect(unmatched.findings.map { $0[detail: "mx_host"] } == hosts.map { JSONValue.string($0) })
        #expect(unmatched.unmatchedHostBytes == 198_890)
        #expect(unmatched.comparedPatterns == 5)
        #expect(unmatched.patterns == 10_000)
        let compared = Set(patterns.prefix(5).map(\.text))
        #expect(unmatched.findings.allSatisfy { $0[detail: "pattern"]?.stringValue.map(compared.contains) == true })
        #expect(unmatched.findings.allSatisfy { $0[detail: "kind"] == "tld" || $0[detail: "kind"] == "complete" })
    }

    @Test func aLimitedClassificationUsesTheFirstPatternsOnly() throws {
        let psl = try Self.psl()
        let patterns = try Self.patterns(["mx.other.org", "mx.another.io", "mail.exmaple.com"])
        let hosts = ["mail.example.com", "smtp.example.com"]
        let full = MXConsistency.evaluate(patterns: patterns, mxHosts: hosts, psl: psl, limits: .default)
        #expect(full.comparedPatterns == nil)
        #expect(full.findings.first?[detail: "kind"] == "typo")
        // 32 bytes of host names: a limit of 64 compares each with 2 patterns, which miss the typo.
        let limited = MXConsistency.evaluate(patterns: patterns, mxHosts: hosts, psl: psl, limits: .init(hostBytePatterns: 95))
        #expect(limited.comparedPatterns == 2)
        #expect(limited.findings.count == 2)
        #expect(limited.findings.first?[detail: "kind"] == "complete")
        // Never below one pattern per host.
        let tiny = MXConsistency.evaluate(patterns: patterns, mxHosts: hosts, psl: psl, limits: .init(hostBytePatterns: 1))
        #expect(tiny.comparedPatterns == 1)
        #expect(tiny.findings.allSatisfy { $0[detail: "pattern"] == "mx.other.org" })
    }

    /// Long names make each comparison dear: the limit counts host bytes, so
    /// 400 names of 250 bytes against as many patterns stay within it.
    @Test func longHostileNamesAreBoundedByTheirBytes() throws {
        var state: UInt64 = 9
        func name(_ suffix: String) -> String {
            let labels = (0..<4).map { _ in
                String(decoding: (0..<60).map { _ -> UInt8 in
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    return UInt8(ascii: "a") + UInt8(truncatingIfNeeded: state >> 33) % 10
                }, as: UTF8.self)
            }
            return labels.joined(separator: ".") + suffix
        }
        let patterns = try Self.patterns((0..<400).map { _ in name(".com") })
        let hosts = (0..<400).map { _ in name(".net") }
        let evaluation = MXConsistency.evaluate(
            patterns: patterns, mxHosts: hosts, psl: try Self.psl(), limits: .init(hostBytePatterns: 100_000))
        #expect(evaluation.findings.count == 400)
        #expect(evaluation.unmatchedHostBytes == 400 * 247)
        #expect(evaluation.comparedPatterns == 1)
        #expect(evaluation.findings.allSatisfy { $0[detail: "pattern"] == .string(patterns[0].text) })
        // Over the limit with a single pattern: that one is compared, which is all of them.
        let single = MXConsistency.evaluate(
            patterns: [patterns[0]], mxHosts: hosts, psl: try Self.psl(), limits: .init(hostBytePatterns: 1_000))
        #expect(single.comparedPatterns == nil)
        #expect(single.findings.count == 400)
    }
}

