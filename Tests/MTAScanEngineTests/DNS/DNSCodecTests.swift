import MTAScanCore
import Testing

@testable import MTAScanEngine

@Suite struct DNSCodecTests {
    private func parsed(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> DNSMessage? {
        switch DNSMessage.parse(bytes) {
        case .success(let message): return message
        case .failure(let error):
            Issue.record("parse failed: \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    private func failure(_ bytes: [UInt8]) -> DNSParseError? {
        if case .failure(let error) = DNSMessage.parse(bytes) { return error }
        return nil
    }

    /// A response to `name`/`type` with the given answers.
    private func response(
        _ name: String = "example.com", type: UInt16 = 16, flags: UInt16 = 0x8180, answers: Int = 1,
        _ build: (inout DNSWireBuilder) -> Void
    ) -> [UInt8] {
        var wire = DNSWireBuilder(.init(flags: flags, answers: UInt16(answers)))
        wire.question(name, type: type)
        build(&wire)
        return wire.bytes
    }

    // MARK: queries

    @Test func queryBytesAreExactlyRFC1035() throws {
        let name = try #require(DomainName("Example.COM"))
        let bytes = DNSQuery.wire(id: 0xBEEF, name: name, type: .txt, ednsBufferSize: nil)
        #expect(
            bytes == [
                0xBE, 0xEF, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                7, 0x65, 0x78, 0x61, 0x6D, 0x70, 0x6C, 0x65, 3, 0x63, 0x6F, 0x6D, 0,
                0x00, 0x10, 0x00, 0x01,
            ])
    }

    @Test func queryWithEDNSCarriesAnOPTRecord() throws {
        let name = try #require(DomainName("example.com"))
        let bytes = DNSQuery.wire(id: 1, name: name, type: .a, recursionDesired: false, ednsBufferSize: 1232)
        #expect(bytes[2] == 0x00)  // RD clear
        #expect(bytes[11] == 1)  // ARCOUNT
        #expect(Array(bytes.suffix(11)) == [0, 0x00, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0])
    }

    @Test(arguments: [
        ("example.com", DNSRecordType.txt), ("_mta-sts.example.com", .txt), ("_smtp._tls.example.com", .txt),
        ("mta-sts.example.com", .a), ("mail.example.com", .aaaa), ("example.com", .mx),
        ("_25._tcp.mail.example.com", .tlsa), ("1.2.0.192.in-addr.arpa", .ptr), ("com", .soa),
    ])
    func queryRoundTrip(text: String, type: DNSRecordType) throws {
        let name = try #require(DomainName(text))
        for edns in [nil, UInt16(1232)] {
            let message = try #require(
                parsed(DNSQuery.wire(id: 0x4242, name: name, type: type, ednsBufferSize: edns)))
            #expect(message.id == 0x4242)
            #expect(message.opcode == 0)
            #expect(message.rcode == .noError)
            #expect(message.flags == DNSHeaderFlags(rd: true))
            #expect(message.question == DNSQuestion(name: text, type: type, recordClass: 1))
            #expect(message.answer.isEmpty && message.authority.isEmpty && message.additional.isEmpty)
            #expect(message.edns == edns.map { DNSMessage.EDNS(udpPayloadSize: $0) })
        }
    }

    @Test func longestNameRoundTrips() throws {
        let text = Array(repeating: String(repeating: "a", count: 61), count: 4).joined(separator: ".") + ".ab"
        #expect(text.utf8.count == 250)
        let name = try #require(DomainName(text))
        let message = try #require(parsed(DNSQuery.wire(id: 7, name: name, type: .a, ednsBufferSize: nil)))
        #expect(message.question?.name == text)
    }

    // MARK: typed rdata

    @Test func aAndAAAA() throws {
        let bytes = response("Mail.Example.COM", type: 1, answers: 3) { wire in
            wire.record("MAIL.example.com", type: 1, ttl: 3600) { $0.raw([192, 0, 2, 1]) }
            wire.record("mail.example.com", type: 28) {
                $0.raw([0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
            }
            wire.record("mail.example.com", type: 28) {
                $0.raw([0x20, 0x01, 0x0D, 0xB8, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1])
            }
        }
        let message = try #require(parsed(bytes))
        #expect(message.question?.name == "mail.example.com")
        #expect(message.answer.count == 3)
        let a = message.answer[0]
        #expect(a.name == "mail.example.com" && a.type == .a && a.ttl == 3600)
        guard case .a(let v4) = a.rdata else {
            Issue.record("not A: \(a.rdata)")
            return
        }
        #expect(v4.bytes == [192, 0, 2, 1])
        #expect(v4.text == "192.0.2.1")
        guard case .aaaa(let v6) = message.answer[1].rdata, case .aaaa(let other) = message.answer[2].rdata else {
            Issue.record("not AAAA")
            return
        }
        #expect(v6.text == "2001:db8::1")
        #expect(v6.bytes.count == 16)
        #expect(other.text == "2001:db8:1:0:1::1")  // RFC 5952 §4.2.3: the longer run is shortened
    }

    @Test func ipv6TextFollowsRFC5952() throws {
        func text(_ bytes: [UInt8]) throws -> String { try #require(IPv6Address(bytes: bytes)).text }
        #expect(try text(Array(repeating: 0, count: 16)) == "::")
        #expect(try text(Array(repeating: 0, count: 15) + [1]) == "::1")
        #expect(try text([0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 12)) == "2001:db8::")
        #expect(try text([0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]) == "2001:db8:0:1:1:1:1:1")
        #expect(try text([0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]) == "2001:0:0:1::1")
        #expect(IPv6Address(bytes: [1, 2, 3]) == nil)
        #expect(IPv4Address(bytes: [1, 2, 3]) == nil)
    }

    @Test func nameTargets() throws {
        let bytes = response("_mta-sts.example.com", answers: 3) { wire in
            wire.record("_mta-sts.example.com", type: 5) { $0.name("_MTA-STS.Provider.example.NET") }
            wire.record("example.com", type: 2) { $0.name("ns1.example.com") }
            wire.record("1.2.0.192.in-addr.arpa", type: 12) { $0.name("mail.example.com") }
        }
        let message = try #require(parsed(bytes))
        #expect(
            message.answer.map(\.rdata) == [
                .cname("_mta-sts.provider.example.net"), .ns("ns1.example.com"), .ptr("mail.example.com"),
            ])
        #expect(message.answer.map(\.type) == [.cname, .ns, .ptr])
    }

    @Test func mx() throws {
        let bytes = response(type: 15, answers: 2) { wire in
            wire.record("example.com", type: 15) {
                $0.u16(10)
                $0.name("mx1.example.com")
            }
            wire.compress = false
            wire.record("example.com", type: 15) {
                $0.u16(65535)
                $0.name("MX2.Example.NET.")
            }
        }
        let message = try #require(parsed(bytes))
        #expect(
            message.answer.map(\.rdata) == [
                .mx(preference: 10, exchange: "mx1.example.com"), .mx(preference: 65535, exchange: "mx2.example.net"),
            ])
    }

    @Test func nullMX() throws {
        // RFC 7505: preference 0 and the root as exchange.
        let bytes = response(type: 15) { wire in
            wire.record("example.com", type: 15) {
                $0.u16(0)
                $0.u8(0)
            }
        }
        #expect(try #require(parsed(bytes)).answer.first?.rdata == .mx(preference: 0, exchange: "."))
    }

    @Test func txtKeepsStringsAndJoinsThem() throws {
        let bytes = response("_mta-sts.example.com", answers: 3) { wire in
            wire.record("_mta-sts.example.com", type: 16) {
                $0.string("v=STSv1;")
                $0.string(" id=20240101")
            }
            wire.record("_mta-sts.example.com", type: 16) { $0.string("") }
            wire.record("_mta-sts.example.com", type: 16) {
                $0.u8(4)
                $0.raw([0x00, 0xFF, 0x0D, 0x0A])
            }
        }
        let message = try #require(parsed(bytes))
        guard case .txt(let first) = message.answer[0].rdata, case .txt(let empty) = message.answer[1].rdata,
            case .txt(let binary) = message.answer[2].rdata
        else {
            Issue.record("not TXT")
            return
        }
        #expect(first.strings == [Array("v=STSv1;".utf8), Array(" id=20240101".utf8)])
        #expect(first.joined == Array("v=STSv1; id=20240101".utf8))
        #expect(empty.strings == [[]])
        #expect(empty.joined.isEmpty)
        #expect(binary.strings == [[0x00, 0xFF, 0x0D, 0x0A]])
    }

    @Test func txtOf255ByteStrings() throws {
        let long = String(repeating: "x", count: 255)
        let bytes = response { wire in
            wire.record("example.com", type: 16) {
                for _ in 0..<8 { $0.string(long) }
            }
        }
        guard case .txt(let txt) = try #require(parsed(bytes)).answer.first?.rdata else {
            Issue.record("not TXT")
            return
        }
        #expect(txt.strings.count == 8)
        #expect(txt.joined.count == 8 * 255)
    }

    @Test func soaInAuthorityOfNXDOMAIN() throws {
        var wire = DNSWireBuilder(.init(flags: 0x8183, answers: 0, authorities: 2))
        wire.question("nope.example.com", type: 16)
        wire.record("example.com", type: 6, ttl: 900) {
            $0.name("ns1.example.com")
            $0.name("hostmaster.example.com")
            $0.u32(2_024_010_101)
            $0.u32(7200)
            $0.u32(3600)
            $0.u32(1_209_600)
            $0.u32(300)
        }
        wire.record(".", type: 6) {
            $0.name("a.root-servers.net")
            $0.name("nstld.verisign-grs.com")
            $0.u32(1)
            $0.u32(2)
            $0.u32(3)
            $0.u32(4)
            $0.u32(86400)
        }
        let message = try #require(parsed(wire.bytes))
        #expect(message.rcode == .nxDomain)
        #expect(message.answer.isEmpty)
        #expect(
            message.authority.first?.rdata
                == .soa(
                    DNSSOAData(
                        mname: "ns1.example.com", rname: "hostmaster.example.com", serial: 2_024_010_101,
                        refresh: 7200, retry: 3600, expire: 1_209_600, minimum: 300)))
        #expect(message.authority.first?.ttl == 900)
        #expect(message.authority.last?.name == ".")
    }

    @Test func tlsa() throws {
        let digest = (0..<32).map { UInt8($0 * 7 & 0xFF) }
        let bytes = response("_25._tcp.mx1.example.com", type: 52, answers: 2) { wire in
            wire.record("_25._tcp.mx1.example.com", type: 52) {
                $0.raw([3, 1, 1])
                $0.raw(digest)
            }
            wire.record("_25._tcp.mx1.example.com", type: 52) { $0.raw([2, 0, 0]) }
        }
        let message = try #require(parsed(bytes))
        #expect(
            message.answer.map(\.rdata) == [
                .tlsa(DNSTLSAData(usage: 3, selector: 1, matchingType: 1, data: digest)),
                .tlsa(DNSTLSAData(usage: 2, selector: 0, matchingType: 0, data: [])),
            ])
    }

    @Test func otherTypesKeepTheirBytes() throws {
        let bytes = response(answers: 2) { wire in
            wire.record("example.com", type: 65280) { $0.raw([1, 2, 3, 0xC0, 0x0C]) }
            // SRV (RFC 2782): ldns knows it and decompresses its target name.
            wire.record("_sip._tcp.example.com", type: 33) {
                $0.u16(1)
                $0.u16(2)
                $0.u16(5060)
                $0.name("example.com")
            }
        }
        let message = try #require(parsed(bytes))
        #expect(message.answer[0].rdata == .other(type: 65280, bytes: [1, 2, 3, 0xC0, 0x0C]))
        #expect(message.answer[0].type.description == "TYPE65280")
        let target: [UInt8] = [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0]
        #expect(message.answer[1].rdata == .other(type: 33, bytes: [0, 1, 0, 2, 0x13, 0xC4] + target))
    }

    @Test func hostileLabelsAreEscaped() throws {
        let bytes = response(answers: 1) { wire in
            wire.raw([5, 0x61, 0x2E, 0x62, 0x0A, 0x5C, 3, 0x43, 0x4F, 0x4D, 0])  // "a.b\n\" . "COM"
            wire.u16(1)
            wire.u16(1)
            wire.u32(1)
            wire.u16(4)
            wire.raw([127, 0, 0, 1])
        }
        let message = try #require(parsed(bytes))
        #expect(message.answer.first?.name == #"a\.b\010\\.com"#)
    }

    // MARK: header

    @Test(
        arguments: [
            (0, DNSResponseCode.noError), (1, .formErr), (2, .servFail), (3, .nxDomain), (4, .notImp), (5, .refused),
            (9, .other(9)), (15, .other(15)),
        ] as [(UInt16, DNSResponseCode)])
    func rcodes(code: UInt16, expected: DNSResponseCode) throws {
        let bytes = response(flags: 0x8180 | code, answers: 0) { _ in }
        let message = try #require(parsed(bytes))
        #expect(message.rcode == expected)
        #expect(message.rcode.rawValue == code)
    }

    @Test func rcodeLabels() {
        #expect(DNSResponseCode.nxDomain.description == "NXDOMAIN")
        #expect(DNSResponseCode.servFail.description == "SERVFAIL")
        #expect(DNSResponseCode(rawValue: 16).description == "RCODE16")
    }

    @Test func extendedRcodeFromEDNS() throws {
        var wire = DNSWireBuilder(.init(flags: 0x8180, additionals: 1))
        wire.question("example.com", type: 16)
        wire.opt(payloadSize: 1232, extendedRcode: 1)
        let message = try #require(parsed(wire.bytes))
        #expect(message.rcode == .other(16))  // BADVERS, RFC 6891 §9
    }

    @Test func flags() throws {
        // QR AA TC RD RA AD CD all set.
        let message = try #require(parsed(response(flags: 0x87B0, answers: 0) { _ in }))
        #expect(message.flags == DNSHeaderFlags(qr: true, aa: true, tc: true, rd: true, ra: true, ad: true, cd: true))
        let truncated = try #require(parsed(response(flags: 0x8200, answers: 0) { _ in }))
        #expect(truncated.flags == DNSHeaderFlags(qr: true, tc: true))
    }

    @Test func ednsIsTakenOutOfTheAdditionalSection() throws {
        var wire = DNSWireBuilder(.init(answers: 1, additionals: 2))
        wire.question("example.com", type: 15)
        wire.record("example.com", type: 15) {
            $0.u16(10)
            $0.name("mx.example.com")
        }
        wire.opt(payloadSize: 4096, dnssecOK: true)
        wire.record("mx.example.com", type: 1) { $0.raw([198, 51, 100, 7]) }
        let message = try #require(parsed(wire.bytes))
        #expect(message.edns == DNSMessage.EDNS(udpPayloadSize: 4096, version: 0, dnssecOK: true))
        #expect(message.additional.count == 1)
        #expect(message.additional.first?.type == .a)
    }

    @Test func responseWithoutQuestion() throws {
        var wire = DNSWireBuilder(.init(flags: 0x8001, questions: 0))
        wire.raw([])
        let message = try #require(parsed(wire.bytes))
        #expect(message.question == nil)
        #expect(message.rcode == .formErr)
    }

    // MARK: malformed messages

    @Test func tooShortForAHeader() {
        #expect(failure([]) == .incompleteHeader)
        #expect(failure(Array(repeating: 0, count: 11)) == .incompleteHeader)
    }

    @Test func everyTruncationFails() throws {
        let bytes = response(answers: 2) { wire in
            wire.record("example.com", type: 16) { $0.string("v=STSv1; id=1") }
            wire.record("example.com", type: 1) { $0.raw([1, 2, 3, 4]) }
        }
        _ = try #require(parsed(bytes))
        for length in 0..<bytes.count {
            #expect(failure(Array(bytes.prefix(length))) != nil, "prefix \(length)")
        }
    }

    @Test func compressionLoopsFail() {
        var wire = DNSWireBuilder(.init(answers: 0))
        wire.u16(0xC000 | 12)  // the question name points at itself
        wire.u16(1)
        wire.u16(1)
        guard case .ldns = failure(wire.bytes) else {
            Issue.record("loop accepted")
            return
        }

        var twoStep = DNSWireBuilder(.init(answers: 1))
        twoStep.question("example.com", type: 1)
        let first = twoStep.bytes.count
        twoStep.u16(0xC000 | UInt16(first + 2))  // owner → next pointer → back
        twoStep.u16(0xC000 | UInt16(first))
        twoStep.u16(1)
        twoStep.u16(1)
        twoStep.u32(1)
        twoStep.u16(4)
        twoStep.raw([1, 2, 3, 4])
        #expect(failure(twoStep.bytes) != nil)
    }

    @Test func pointerOutsideTheMessageFails() {
        var wire = DNSWireBuilder(.init(answers: 0))
        wire.u16(0xC000 | 0x3FFF)
        wire.u16(1)
        wire.u16(1)
        guard case .ldns = failure(wire.bytes) else {
            Issue.record("wild pointer accepted")
            return
        }
    }

    @Test func nameOver255OctetsThroughPointersFails() {
        // Two 200-octet runs joined by a pointer: each fits, together they do not.
        var wire = DNSWireBuilder(.init(answers: 1))
        wire.compress = false
        let labels = Array(repeating: String(repeating: "a", count: 49), count: 4).joined(separator: ".")
        wire.question(labels, type: 1)
        wire.raw(Array(repeating: 0, count: 0))
        for _ in 0..<4 {
            wire.u8(49)
            wire.raw(Array(repeating: 0x62, count: 49))
        }
        wire.u16(0xC000 | 12)
        wire.u16(1)
        wire.u16(1)
        wire.u32(1)
        wire.u16(4)
        wire.raw([1, 2, 3, 4])
        #expect(failure(wire.bytes) != nil)
    }

    @Test(
        arguments: [
            (UInt16(1), [UInt8]([1, 2, 3, 4, 5])),
            (1, [1, 2, 3]),
            (1, []),
            (28, [1, 2, 3, 4]),
            (16, []),
            (16, [5, 0x61]),
            (52, [3, 1]),
            (15, [0, 10]),
        ] as [(UInt16, [UInt8])])
    func rdataOfTheWrongShapeFails(type: UInt16, rdata: [UInt8]) {
        let bytes = response(answers: 2) { wire in
            wire.record("example.com", type: type) { $0.raw(rdata) }
            wire.record("example.com", type: 1) { $0.raw([9, 9, 9, 9]) }
        }
        #expect(failure(bytes) == .badRData(section: .answer, type: DNSRecordType(type)), "type \(type) \(rdata)")
    }

    @Test func nameRunningPastItsRdataFails() {
        // RDLENGTH says 5, the CNAME target needs 13: ldns alone would read on into the next record.
        let bytes = response(answers: 2) { wire in
            wire.compress = false
            wire.record("example.com", type: 5, rdataLength: 5) { $0.name("example.com") }
            wire.record("example.com", type: 1) { $0.raw([9, 9, 9, 9]) }
        }
        #expect(failure(bytes) != nil)
        let soa = response(answers: 1) { wire in
            wire.record("example.com", type: 6) {
                $0.name("ns.example.com")
                $0.name("host.example.com")
                $0.u32(1)
            }
        }
        #expect(failure(soa) == .badRData(section: .answer, type: .soa))
    }

    @Test func reservedLabelTypesFail() {
        var wire = DNSWireBuilder(.init(answers: 0))
        wire.raw([0x41, 0x61, 0])
        wire.u16(1)
        wire.u16(1)
        #expect(failure(wire.bytes) == .badName(section: .question))
    }

    @Test func uncompressedNameOver255OctetsFails() {
        var wire = DNSWireBuilder(.init(answers: 0))
        for _ in 0..<5 {
            wire.u8(60)
            wire.raw(Array(repeating: 0x61, count: 60))
        }
        wire.u8(0)
        wire.u16(1)
        wire.u16(1)
        #expect(failure(wire.bytes) == .badName(section: .question))
    }

    @Test func misplacedOrRepeatedOPTFails() {
        var twice = DNSWireBuilder(.init(additionals: 2))
        twice.question("example.com", type: 1)
        twice.opt(payloadSize: 1232)
        twice.opt(payloadSize: 1232)
        #expect(failure(twice.bytes) == .badOPT)

        var inAnswer = DNSWireBuilder(.init(answers: 1))
        inAnswer.question("example.com", type: 1)
        inAnswer.opt(payloadSize: 1232)
        #expect(failure(inAnswer.bytes) == .badOPT)

        var namedOPT = DNSWireBuilder(.init(additionals: 1))
        namedOPT.question("example.com", type: 1)
        namedOPT.record("example.com", type: 41) { _ in }
        #expect(failure(namedOPT.bytes) == .badOPT)
    }

    @Test func countsLargerThanTheMessageFail() {
        var wire = DNSWireBuilder(.init(questions: 0xFFFF, answers: 0xFFFF, authorities: 0xFFFF, additionals: 0xFFFF))
        wire.question("example.com", type: 1)
        #expect(failure(wire.bytes) == .truncated(section: .question))
    }

    @Test func trailingBytesAreIgnored() throws {
        let bytes = response(answers: 1) { wire in
            wire.record("example.com", type: 1) { $0.raw([1, 2, 3, 4]) }
        }
        let message = try #require(parsed(bytes + [0xDE, 0xAD]))
        #expect(message.answer.count == 1)
    }

    // MARK: fuzz-ish

    private var seeds: [[UInt8]] {
        var withEverything = DNSWireBuilder(.init(answers: 6, authorities: 1, additionals: 2))
        withEverything.question("_mta-sts.example.com", type: 16)
        withEverything.record("_mta-sts.example.com", type: 5) { $0.name("sts.example.net") }
        withEverything.record("sts.example.net", type: 16) {
            $0.string("v=STSv1;")
            $0.string("id=1")
        }
        withEverything.record("example.com", type: 15) {
            $0.u16(10)
            $0.name("mx.example.com")
        }
        withEverything.record("mx.example.com", type: 1) { $0.raw([192, 0, 2, 25]) }
        withEverything.record("mx.example.com", type: 28) { $0.raw(Array(repeating: 0x20, count: 16)) }
        withEverything.record("_25._tcp.mx.example.com", type: 52) { $0.raw([3, 1, 1, 0xAB, 0xCD]) }
        withEverything.record("example.com", type: 6) {
            $0.name("ns.example.com")
            $0.name("host.example.com")
            for value in [UInt32](repeating: 1, count: 5) { $0.u32(value) }
        }
        withEverything.opt(payloadSize: 1232)
        withEverything.record("ns.example.com", type: 2) { $0.name("ns.example.com") }
        let query = DNSQuery.wire(
            id: 9, name: DomainName("_smtp._tls.example.com")!, type: .txt, ednsBufferSize: 1232)
        return [withEverything.bytes, query]
    }

    /// Whatever parses must be printable: names never carry raw control bytes.
    private func checkInvariants(_ result: Result<DNSMessage, DNSParseError>) {
        guard case .success(let message) = result else { return }
        let names =
            [message.question?.name].compactMap { $0 }
            + (message.answer + message.authority + message.additional).map(\.name)
        for name in names {
            #expect(!name.isEmpty)
            #expect(name.utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }, "\(name)")
        }
    }

    @Test func thousandsOfMutatedPacketsNeverCrash() throws {
        var random = SplitMix64(state: 0x6D74_6173_6361_6E)
        for seed in seeds {
            _ = try #require(parsed(seed))
            for _ in 0..<2_500 {
                var bytes = seed
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    switch Int.random(in: 0..<5, using: &random) {
                    case 0:
                        let index = Int.random(in: 0..<bytes.count, using: &random)
                        bytes[index] = UInt8.random(in: 0...255, using: &random)
                    case 1:
                        let index = Int.random(in: 0..<bytes.count, using: &random)
                        bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &random)
                    case 2:
                        bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
                    case 3:
                        let index = Int.random(in: 0...bytes.count, using: &random)
                        bytes.insert(contentsOf: [0xC0, UInt8.random(in: 0...255, using: &random)], at: index)
                    default:
                        // Make a count lie.
                        if bytes.count >= 12 { bytes[5 + 2 * Int.random(in: 0..<4, using: &random)] &+= 1 }
                    }
                    if bytes.isEmpty { break }
                }
                checkInvariants(DNSMessage.parse(bytes))
            }
        }
    }

    @Test func thousandsOfRandomPacketsNeverCrash() {
        var random = SplitMix64(state: 42)
        var failures = 0
        for _ in 0..<3_000 {
            let length = Int.random(in: 0...600, using: &random)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            let result = DNSMessage.parse(bytes)
            if case .failure = result { failures += 1 }
            checkInvariants(result)
        }
        // Random bytes are almost never a DNS message.
        #expect(failures > 2_900)
    }

    @Test func randomPacketsWithSmallCountsNeverCrash() {
        // Plausible headers make the parser go deep into random sections.
        var random = SplitMix64(state: 7)
        for _ in 0..<3_000 {
            var bytes = (0..<Int.random(in: 12...300, using: &random)).map { _ in
                UInt8.random(in: 0...255, using: &random)
            }
            for offset in stride(from: 4, to: 12, by: 2) {
                bytes[offset] = 0
                bytes[offset + 1] = UInt8.random(in: 0...3, using: &random)
            }
            checkInvariants(DNSMessage.parse(bytes))
        }
    }

    @Test func sixtyFourKilobytesOfRandomBytes() {
        var random = SplitMix64(state: 65535)
        for _ in 0..<8 {
            var bytes = (0..<65_535).map { _ in UInt8.random(in: 0...255, using: &random) }
            checkInvariants(DNSMessage.parse(bytes))
            bytes[4] = 0
            bytes[5] = 1
            checkInvariants(DNSMessage.parse(bytes))
        }
    }

    /// `--dane` queries: DO in the OPT record, AD in the header (RFC 6840 §5.7);
    /// the bogus check adds CD.
    @Test func dnssecQueriesSetDOAndADAndCDWhenAsked() throws {
        let name = try #require(DomainName("_25._tcp.mx.example.com"))
        let plain = DNSQuery.wire(id: 1, name: name, type: .tlsa, ednsBufferSize: 1232)
        let validate = DNSQuery.wire(id: 1, name: name, type: .tlsa, ednsBufferSize: 1232, dnssec: .validate)
        let unchecked = DNSQuery.wire(id: 1, name: name, type: .tlsa, ednsBufferSize: 1232, dnssec: .checkingDisabled)
        #expect(plain[3] == 0x00 && validate[3] == 0x20 && unchecked[3] == 0x30)
        // The OPT record's TTL holds the flags: its last 4 bytes before RDLENGTH.
        #expect(Array(plain.suffix(4).prefix(2)) == [0x00, 0x00])
        #expect(Array(validate.suffix(4).prefix(2)) == [0x80, 0x00])
        #expect(Array(unchecked.suffix(4).prefix(2)) == [0x80, 0x00])
        #expect(plain.count == validate.count)
    }
}
