import Testing
@testable import MTAScanCore

@Suite struct ZoneFileReaderTests {
    func read(
        _ text: String, origin: String? = nil, maxWordLength: Int = 4096, recentWindow: Int = 65_536,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> ReadOutcome {
        let origin = origin.flatMap { DomainName($0) }
        return readAcrossBoundaries(text, sourceLocation: sourceLocation) { source, chunk in
            ZoneFileReader(
                source: source, origin: origin, chunkSize: chunk, maxWordLength: maxWordLength, recentWindow: recentWindow
            )
        }
    }

    let soa = "@ IN SOA a.gtld-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400"

    @Test func readsTheDelegationsOfAComStyleZone() {
        let outcome = read("""
        ; a .com-style zone
        $ORIGIN COM.
        $TTL 900
        @ IN SOA A.GTLD-SERVERS.NET. NSTLD.VERISIGN-GRS.COM. (
            1700000000 ; serial
            1800 900 604800 86400 )
        @ NS A.GTLD-SERVERS.NET.
          NS B.GTLD-SERVERS.NET.
        EXAMPLE NS NS1.EXAMPLE
        EXAMPLE NS NS2.EXAMPLE
        EXAMPLE DS 370 13 2 BE74359954660069D5C63D200C39F5603827D7DD02B56F120EE9F3A86764247C
        NS1.EXAMPLE A 192.0.2.1
        NS2.EXAMPLE AAAA 2001:DB8::1
        GOOGLE NS NS1.GOOGLE
        GOOGLE NS NS2.GOOGLE
        NS1.GOOGLE A 192.0.2.2
        XN--BCHER-KVA NS NS1.EXAMPLE.NET.
        """)
        #expect(outcome.summary == ["9:example.com", "14:google.com", "17:xn--bcher-kva.com"])
        #expect(outcome.error == nil)
    }

    @Test func resolvesEveryOwnerForm() {
        let outcome = read("""
        $ORIGIN example.
        \(soa)
        a NS ns1.a
        b.example. 3600 IN NS ns1.b      ; absolute, TTL then class
        c IN 3600 NS ns1.c               ; class then TTL
        d A 192.0.2.1
          NS ns.d                        ; a blank owner continues d
        e 300 TXT "x"
        \tIN NS ns.e
        f CLASS1 TYPE2 ns.f.
        g ns ns.g
        h In 1h30m Ns ns.h
        """)
        #expect(outcome.summary == [
            "3:a.example", "4:b.example", "5:c.example", "7:d.example", "9:e.example",
            "10:f.example", "11:g.example", "12:h.example",
        ])
    }

    @Test func takesOnlyNamesOneLabelBelowTheOrigin() {
        let outcome = read("""
        $ORIGIN com.
        \(soa)
        @ NS a.gtld-servers.net.
        com. NS b.gtld-servers.net.
        a.b NS ns.a.b
        example.net. NS ns.example.net.
        ns1.x A 192.0.2.1
        x MX 10 mail.x
        x NS ns1.x
        """)
        #expect(outcome.summary == ["9:x.com"])
    }

    @Test func laterOriginsChangeRelativeNamesNotTheZone() {
        let outcome = read("""
        $ORIGIN com.
        \(soa)
        a NS ns
        $ORIGIN a.com.
        www A 192.0.2.1
        sub NS ns
        $ORIGIN com.
        b NS ns
        $ORIGIN x
        c NS ns
        """)
        #expect(outcome.summary == ["3:a.com", "8:b.com"])
    }

    @Test func theSameOwnerWordUnderANewOriginIsANewName() {
        #expect(read("$ORIGIN com.\na NS ns\n$ORIGIN net.\na NS ns\n", origin: "net").summary == ["4:a.net"])
        #expect(read("$ORIGIN net.\n\(soa)\na NS ns\n\"a\" NS ns\n").summary == ["3:a.net", "4:!invalid-character:a"])
    }

    @Test func reportsEachNameOnceAtItsFirstNSRecord() {
        let zone = """
        $ORIGIN com.
        \(soa)
        a NS ns1
        A NS ns2
          NS ns3
        b NS ns1
        a NS ns4
        c NS ns
        a NS ns5
        """
        #expect(read(zone).summary == ["3:a.com", "6:b.com", "8:c.com"])
        #expect(read(zone, recentWindow: 2).summary == ["3:a.com", "6:b.com", "8:c.com"])
        // A window of one remembers `a` through one other name (b), not two (b, c).
        #expect(read(zone, recentWindow: 1).summary == ["3:a.com", "6:b.com", "8:c.com", "9:a.com"])
    }

    @Test func takesTheOriginFromTheSOAOfACZDSStyleFile() {
        let outcome = read("""
        com.\t900\tin\tsoa\ta.gtld-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400
        com.\t172800\tin\tns\ta.gtld-servers.net.
        example.com.\t172800\tin\tns\tns1.example.com.
        example.com.\t172800\tin\tns\tns2.example.com.
        example.com.\t86400\tin\tds\t370 13 2 BE7435
        ns1.example.com.\t172800\tin\ta\t192.0.2.1
        test.com.\t172800\tin\tns\tns1.example.com.
        """)
        #expect(outcome.summary == ["3:example.com", "7:test.com"])
    }

    @Test func takesTheOriginFromTheSOAOfABINDDump() {
        let outcome = read("""
        $ORIGIN .
        $TTL 3600
        com IN SOA a.gtld-servers.net. nstld.verisign-grs.com. ( 1 1800 900
                604800 86400 )
            NS a.gtld-servers.net.
        $ORIGIN com.
        example NS ns1.example
        """)
        #expect(outcome.summary == ["7:example.com"])
    }

    @Test func aGivenOriginIsTheZone() {
        #expect(read("example NS ns1\nEXAMPLE2. NS ns\n", origin: "com").summary == ["1:example.com"])
        // $ORIGIN completes relative names but does not move the zone away from the given origin.
        #expect(read("$ORIGIN net.\na NS ns\nb.com. NS ns\n", origin: "com").summary == ["3:b.com"])
    }

    @Test func refusesToGuessAnOrigin() {
        #expect(read("example NS ns1\n").error?.reason == "no-origin")
        #expect(read("@ SOA a b 1 2 3 4 5\n").error?.reason == "no-origin")
        let notSOA = read("$TTL 3600\nexample.com. NS ns1.example.com.\n")
        #expect(notSOA.error == InputError(
            line: 2, reason: "no-origin",
            message: "the first record, which is not an SOA record, needs an origin, but no origin was given and no $ORIGIN precedes it"
        ))
        #expect(read("$ORIGIN sub\n").error?.line == 1)
    }

    @Test func readsTheRootZone() {
        let outcome = read("""
        .\t86400\tIN\tSOA\ta.root-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400
        .\t518400\tIN\tNS\ta.root-servers.net.
        com.\t172800\tIN\tNS\ta.gtld-servers.net.
        COM.\t172800\tIN\tNS\tb.gtld-servers.net.
        a.root-servers.net.\t518400\tIN\tA\t198.41.0.4
        net.\t172800\tIN\tNS\ta.gtld-servers.net.
        """)
        #expect(outcome.summary == ["3:com", "6:net"])
    }

    @Test func refusesIncludeAndGenerateNamingTheLine() {
        let include = read("$ORIGIN com.\n\(soa)\na NS ns\n$INCLUDE /etc/passwd\nb NS ns\n")
        #expect(include.summary == ["3:a.com"])
        #expect(include.error?.reason == "include-refused")
        #expect(include.error?.line == 4)
        #expect(include.error?.description.hasPrefix("line 4: $INCLUDE is refused") == true)

        let generate = read("$ORIGIN com.\n\(soa)\n$generate 1-10 host$ NS ns\n")
        #expect(generate.error?.reason == "generate-refused")
        #expect(generate.error?.line == 3)
    }

    @Test func rejectsUnreadableDirectives() {
        let cases: [(String, String)] = [
            ("$ORIGIN\n", "bad-directive"),
            ("$ORIGIN com. net.\n", "bad-directive"),
            ("$ORIGIN \"com.\"\n", "bad-directive"),
            ("$ORIGIN bad\\999.\n", "bad-origin"),
            ("$ORIGIN \(String(repeating: "a", count: 64)).\n", "bad-origin"),
            ("$TTL\n", "bad-directive"),
            ("$TTL one-hour\n", "bad-directive"),
            ("$FOO bar\n", "unknown-directive"),
        ]
        for (zone, reason) in cases {
            let outcome = read("; header\n" + zone)
            #expect(outcome.error?.reason == reason, "\(zone)")
            #expect(outcome.error?.line == 2, "\(zone)")
        }
        #expect(read("$ORIGIN com. ; a comment\n$ttl 1d\n$origin COM.\n").error == nil)
    }

    @Test func rejectsAnOriginThatIsNotADomainName() {
        #expect(read("$ORIGIN ex\\ ample.\n\(soa)\n").error?.reason == "bad-origin")
        #expect(read("ex\\.ample. SOA a b 1 2 3 4 5\n").error?.reason == "bad-origin")
    }

    @Test func parenthesesSpanLinesAnywhereInARecord() {
        let outcome = read("""
        $ORIGIN com.
        \(soa)
        a ( NS
            ns1.a )
        b (
           3600
           IN
           NS ns.b )
        c NS ns.c
        """)
        #expect(outcome.summary == ["3:a.com", "5:b.com", "9:c.com"])
    }

    @Test func quotedStringsHideCommentsParenthesesAndLineBreaks() {
        let outcome = read("""
        $ORIGIN com.
        \(soa)
        c TXT "v=spf1 ; ( not a comment" "a\\"b)"
        c NS ns.c
        d TXT "two
        lines ) ;"
        d NS ns.d
        e NS ns.e
        """)
        #expect(outcome.summary == ["4:c.com", "7:d.com", "8:e.com"])
    }

    @Test func decodesEscapesInOwnerNames() {
        let outcome = read("""
        $ORIGIN com.
        \(soa)
        \\069xample NS ns
        ex\\.ample NS ns
        ex\\ ample NS ns
        ex\\ ample A 192.0.2.1
        bad\\999 NS ns
        * NS ns
        \\200x NS ns
        \(String(repeating: "x", count: 64)) NS ns
        """)
        #expect(outcome.summary == [
            "3:example.com",
            "4:!invalid-character:ex\\.ample.com",
            "5:!invalid-character:ex\\032ample.com",
            "7:!bad-escape:bad999.com",
            "8:!invalid-character:*.com",
            "9:!non-ascii:\\200x.com",
            "10:!label-too-long:\(String(repeating: "x", count: 64)).com",
        ])
    }

    @Test func badOwnersOfOtherRecordsAreNotReported() {
        #expect(read("$ORIGIN com.\n\(soa)\nex\\ ample A 192.0.2.1\n*.x NS ns\n").items.isEmpty)
    }

    @Test func ownersThatCannotBePlacedAreReportedOnce() {
        let outcome = read("""
        $ORIGIN com.
        \(soa)
        "quoted" NS ns
          NS ns2
        \(String(repeating: "y", count: 40)) NS ns
          NS ns2
        z NS ns
        """, maxWordLength: 16)
        #expect(outcome.summary == [
            "3:!invalid-character:quoted",
            "5:!too-long:\(String(repeating: "y", count: 16))",
            "7:z.com",
        ])
    }

    @Test func brokenEndsOfFileThrowWithTheirLine() {
        let quote = read("$ORIGIN com.\n\(soa)\na NS ns\nb TXT \"open\nc NS ns\n")
        #expect(quote.summary == ["3:a.com"])
        #expect(quote.error?.reason == "unterminated-quote")
        #expect(quote.error?.line == 4)

        let parenthesis = read("$ORIGIN com.\n\(soa)\na NS ns\nb SOA ( 1 2\n3\n")
        #expect(parenthesis.error?.reason == "unterminated-parenthesis")
        #expect(parenthesis.error?.line == 4)

        let stray = read("$ORIGIN com.\n\(soa)\na NS ns )\n")
        #expect(stray.error?.reason == "unbalanced-parenthesis")
        #expect(stray.error?.line == 3)
    }

    @Test func readsCRLFFiles() {
        #expect(read("$ORIGIN com.\r\n\(soa)\r\nexample NS ns\r\n\r\n  NS ns2\r\nb NS ns\r\n").summary == ["3:example.com", "6:b.com"])
    }

    @Test func emptyAndRecordlessInputsYieldNothing() {
        for zone in ["", "\n", "; only a comment", "$ORIGIN com.\n$TTL 60\n", "   \n\t; x\n"] {
            let outcome = read(zone)
            #expect(outcome.items.isEmpty && outcome.error == nil, "\(zone)")
        }
    }

    @Test func entriesWithoutATypeAreSkipped() {
        #expect(read("$ORIGIN com.\n\(soa)\na\nb 3600\nc IN 60\n  NS ns\n").summary == ["6:c.com"])
    }

    @Test func readsAGeneratedZone() {
        let outcome = read(generatedZone(delegations: 1_000))
        #expect(outcome.error == nil)
        #expect(outcome.names.count == 1_000)
        #expect(Set(outcome.names).count == 1_000)
        #expect(outcome.names.first == "domain0.com")
        #expect(outcome.names.last == "domain999.com")
    }

    @Test(arguments: [3, 4, 5])
    func binaryGarbageEndsCleanly(seed: UInt64) {
        let outcome = readAcrossBoundaries(pseudoRandomBytes(count: 20_000, seed: seed)) { source, chunk in
            ZoneFileReader(source: source, origin: DomainName("com"), chunkSize: chunk)
        }
        #expect(outcome.items.allSatisfy { $0.text.utf8.count <= InputItem.maxTextLength })
    }

    @Test(arguments: [6, 7, 8, 9, 10, 11])
    func zoneShapedGarbageEndsCleanly(seed: UInt64) {
        let vocabulary = ["a", "B.", "NS", "ns", "IN", "3600", "(", ")", "\"", ";", "\n", "\n", "\n", " ", " ", "\t",
                          "\\", "\\0", "@", ".", "$ORIGIN", "$TTL", "SOA", "\r\n", "x\\.y", "*"]
        let picks = pseudoRandomBytes(count: 3_000, seed: seed)
        let zone = picks.map { vocabulary[Int($0) % vocabulary.count] }.joined()
        let outcome = read(zone, origin: "com")
        #expect(outcome.items.allSatisfy { $0.line >= 1 })
    }

    // MARK: issue 9: hostile and decorated input

    @Test func aByteOrderMarkBeforeTheFirstLineIsDropped() {
        let zone = "\u{FEFF}$ORIGIN com.\n\(soa)\nexample NS ns1.example.net.\n"
        let outcome = read(zone)
        #expect(outcome.error == nil)
        #expect(outcome.summary == ["3:example.com"])
        // Before an owner name too.
        let owner = read("\u{FEFF}example NS ns1.example.net.\n", origin: "com")
        #expect(owner.summary == ["1:example.com"])
    }

    @Test func onlyAWholeByteOrderMarkIsDropped() {
        // `EF BB` then a name: not a mark, so the owner is reported as read.
        let outcome = readAcrossBoundaries([0xEF, 0xBB] + Array("example NS ns1.example.net.\n".utf8)) { source, chunk in
            ZoneFileReader(source: source, origin: DomainName("com"), chunkSize: chunk)
        }
        #expect(outcome.summary.count == 1)
        #expect(outcome.summary.first?.hasPrefix("1:") == true)
        #expect(!outcome.summary.contains("1:example.com"))
        // A second mark is not at the start: it stays and is reported.
        let second = read("\u{FEFF}\u{FEFF}example NS ns1.example.net.\n", origin: "com")
        #expect(second.summary != ["1:example.com"])
    }

    @Test func errorMessagesCarryNoTerminalEscapes() {
        // `;` starts a comment, so the name is `ESC ]0`: a relative $ORIGIN.
        let outcome = read("$ORIGIN \u{1B}]0;pwned\u{07}\n\(soa)\n")
        #expect(outcome.error?.reason == "no-origin")
        #expect(outcome.error?.message.contains("'\\x1b]0'") == true)
        #expect(outcome.error.map { !$0.message.utf8.contains { $0 < 0x20 } } == true)
        let absolute = read("$ORIGIN \u{1B}]2\u{07}pwned.\n\(soa)\n")
        #expect(absolute.error?.reason == "bad-origin")
        // A decoded name is shown in presentation form, `\DDD` for such bytes.
        #expect(absolute.error?.message.contains("\\027]2\\007pwned.") == true, "\(absolute.error?.message ?? "")")
        #expect(absolute.error.map { !$0.message.utf8.contains { $0 < 0x20 } } == true)
        let directive = read("$\u{1B}[2J\u{9B}31m\n", origin: "com")
        #expect(directive.error?.reason == "unknown-directive")
        #expect(directive.error.map { !$0.message.utf8.contains { $0 < 0x20 } } == true)
        #expect(directive.error?.message.contains("\\u{9b}") == true)
        let invalid = readAcrossBoundaries(Array("\u{1B}P\u{FF}x NS a.\n".utf8) + [0xFF]) { source, chunk in
            ZoneFileReader(source: source, chunkSize: chunk)
        }
        #expect(invalid.error?.reason == "no-origin")
        #expect(invalid.error.map { !$0.message.utf8.contains { $0 < 0x20 } } == true)
    }
}

