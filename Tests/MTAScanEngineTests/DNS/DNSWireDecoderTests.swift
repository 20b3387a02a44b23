import MTAScanCore
import Testing

@testable import MTAScanEngine

/// The Swift decoder against ldns, the reference: whatever the Swift decoder
/// decodes must be exactly what ldns decodes, and `DNSMessage.parse` must
/// give ldns's result for every input, decoded or left to ldns.
@Suite struct DNSWireDecoderTests {
    /// The answers a scan gets: each must take the Swift path.
    private var typicalAnswers: [(String, [UInt8])] {
        var answers: [(String, [UInt8])] = []

        var mx = DNSWireBuilder(.init(answers: 2, additionals: 1))
        mx.question("Example.COM", type: 15)
        mx.record("example.com", type: 15) {
            $0.u16(10)
            $0.name("mx1.example.com")
        }
        mx.record("example.com", type: 15, ttl: 3600) {
            $0.u16(20)
            $0.name("mx2.mail.example.net")
        }
        mx.opt(payloadSize: 1232)
        answers.append(("MX, compressed, EDNS", mx.bytes))

        var nxdomain = DNSWireBuilder(.init(flags: 0x8183, authorities: 1, additionals: 1))
        nxdomain.question("_mta-sts.example.com", type: 16)
        nxdomain.record("example.com", type: 6) {
            $0.name("ns1.example.com")
            $0.name("hostmaster.example.com")
            for value: UInt32 in [2026120401, 7200, 3600, 1_209_600, 300] { $0.u32(value) }
        }
        nxdomain.opt(payloadSize: 1232, extendedRcode: 0, dnssecOK: true)
        answers.append(("NXDOMAIN with SOA", nxdomain.bytes))

        var txt = DNSWireBuilder(.init(answers: 2))
        txt.question("_mta-sts.example.com", type: 16)
        txt.record("_mta-sts.example.com", type: 16) {
            $0.string("v=STSv1; ")
            $0.string("id=20261204;")
            $0.string("")
        }
        txt.record("_mta-sts.example.com", type: 16) { $0.raw([3, 0xFF, 0x00, 0x7F]) }
        answers.append(("TXT, several strings, raw bytes", txt.bytes))

        var addresses = DNSWireBuilder(.init(answers: 4))
        addresses.question("mta-sts.example.com", type: 1)
        addresses.record("mta-sts.example.com", type: 5) { $0.name("policy.host.example.org") }
        addresses.record("policy.host.example.org", type: 1) { $0.raw([192, 0, 2, 1]) }
        addresses.record("policy.host.example.org", type: 28) { $0.raw([0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [1]) }
        addresses.record("example.org", type: 2) { $0.name("ns.example.org") }
        answers.append(("CNAME chain to A and AAAA, NS", addresses.bytes))

        var tlsa = DNSWireBuilder(.init(flags: 0x81A0, answers: 2, additionals: 1))
        tlsa.question("_25._tcp.mx.example.com", type: 52)
        tlsa.record("_25._tcp.mx.example.com", type: 52) { $0.raw([3, 1, 1] + [UInt8](repeating: 0xAB, count: 32)) }
        tlsa.record("_25._tcp.mx.example.com", type: 52) { $0.raw([3, 1, 1]) }
        tlsa.opt(payloadSize: 4096, extendedRcode: 1, version: 0, dnssecOK: true)
        answers.append(("TLSA with AD, extended rcode", tlsa.bytes))

        var ptr = DNSWireBuilder(.init(answers: 1))
        ptr.question("1.2.0.192.in-addr.arpa", type: 12)
        ptr.record("1.2.0.192.in-addr.arpa", type: 12) { $0.name("Scanner.Example.NET") }
        answers.append(("PTR", ptr.bytes))

        var hostile = DNSWireBuilder(.init(answers: 1))
        hostile.compress = false
        hostile.question("example.com", type: 15)
        hostile.record("example.com", type: 15) {
            $0.u16(0)
            $0.raw([5, 0x61, 0x2E, 0x5C, 0x00, 0x1B, 3, 0x63, 0x6F, 0x6D, 0])
        }
        answers.append(("labels with dot, backslash, NUL and ESC", hostile.bytes))

        var root = DNSWireBuilder(.init(answers: 1))
        root.question(".", type: 2)
        root.record(".", type: 2) { $0.name("a.root-servers.net") }
        answers.append(("the root", root.bytes))

        answers.append(("a query", DNSQuery.wire(id: 7, name: DomainName("example.com")!, type: .mx, ednsBufferSize: 1232)))
        return answers
    }

    @Test func typicalAnswersAreDecodedInSwiftExactlyAsLDNSDecodesThem() throws {
        for (label, bytes) in typicalAnswers {
            let swift = try #require(DNSMessage.parseWithoutLDNS(bytes), "\(label): left to ldns")
            let ldns = try DNSMessage.parseWithLDNS(bytes).get()
            #expect(swift == ldns, "\(label)")
            #expect(try DNSMessage.parse(bytes).get() == ldns, "\(label)")
        }
    }

    @Test func whatTheSwiftDecoderDoesNotReadIsLeftToLDNS() throws {
        // SRV (33): a type ldns reads by its descriptor.
        var srv = DNSWireBuilder(.init(answers: 1))
        srv.question("_submission._tcp.example.com", type: 33)
        srv.record("_submission._tcp.example.com", type: 33) {
            $0.u16(0)
            $0.u16(5)
            $0.u16(587)
            $0.name("mail.example.com")
        }
        #expect(DNSMessage.parseWithoutLDNS(srv.bytes) == nil)
        let viaLDNS = try DNSMessage.parse(srv.bytes).get()
        #expect(viaLDNS == (try DNSMessage.parseWithLDNS(srv.bytes).get()))
        #expect(viaLDNS.answer.first?.type == DNSRecordType(33))

        // A chain of more pointers than the Swift decoder follows, which ldns accepts.
        var chain = DNSWireBuilder(.init(answers: 1))
        chain.question("example.com", type: 5)
        chain.record("example.com", type: 5) {
            let first = UInt16(12)  // the question's name
            $0.u16(0xC000 | first)
        }
        var bytes = chain.bytes
        // Append pointers that point back one to another, then point the CNAME at the last.
        var previous = 12
        for _ in 0..<(DNSWireDecoder.maximumPointers + 4) {
            let here = bytes.count
            bytes += [0xC0 | UInt8(previous >> 8), UInt8(previous & 0xFF)]
            previous = here
        }
        let rdataOffset = chain.bytes.count - 2
        bytes[rdataOffset] = 0xC0 | UInt8(previous >> 8)
        bytes[rdataOffset + 1] = UInt8(previous & 0xFF)
        #expect(DNSMessage.parseWithoutLDNS(bytes) == nil)
        let long = try DNSMessage.parse(bytes).get()
        #expect(long == (try DNSMessage.parseWithLDNS(bytes).get()))
        #expect(long.answer.first?.rdata == .cname("example.com"))

        // A pointer loop, and a pointer to offset 0: ldns's refusal, with ldns's error.
        for target: UInt8 in [0, 41] {  // 41: the rdata itself
            var loop = DNSWireBuilder(.init(answers: 1))
            loop.question("example.com", type: 5)
            loop.record("example.com", type: 5) { $0.raw([0xC0, target]) }
            #expect(DNSMessage.parseWithoutLDNS(loop.bytes) == nil)
            let failure = DNSMessage.parse(loop.bytes)
            #expect(failure == DNSMessage.parseWithLDNS(loop.bytes))
            guard case .failure(.ldns) = failure else {
                Issue.record("a pointer to \(target) parsed: \(failure)")
                continue
            }
        }
    }

    /// Mutations of typical answers: every result of `parse` is ldns's, and
    /// the Swift decoder never decodes what ldns would decode otherwise.
    @Test func mutatedAnswersDecodeAsLDNSDecodesThem() {
        var random = SplitMix64(state: 0x5749_5245)
        var decodedInSwift = 0
        var total = 0
        for (_, seed) in typicalAnswers {
            for _ in 0..<3_000 {
                var bytes = seed
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    guard !bytes.isEmpty else { break }
                    let index = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0..<4, using: &random) {
                    case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                    case 1: bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &random)
                    case 2: bytes[index] = [0, 0x3F, 0x40, 0xBF, 0xC0, 0xFF][Int.random(in: 0..<6, using: &random)]
                    default: bytes.insert(contentsOf: [0xC0, UInt8.random(in: 0...40, using: &random)], at: index)
                    }
                }
                total += 1
                let reference = DNSMessage.parseWithLDNS(bytes)
                #expect(DNSMessage.parse(bytes) == reference, "\(bytes)")
                if let swift = DNSMessage.parseWithoutLDNS(bytes) {
                    decodedInSwift += 1
                    #expect(reference == .success(swift), "\(bytes)")
                }
            }
        }
        // The mutations must leave many messages decodable, or this proves little.
        #expect(decodedInSwift > total / 10, "\(decodedInSwift) of \(total)")
    }

    /// A client's parse reads the header, question, answer and OPT only: on
    /// every message the full parse accepts it gives the same message without
    /// the authority and additional records, and it refuses every message
    /// whose framing is broken, with the same error. (Where only ldns refused
    /// a name in those sections it may accept: no lookup reads them.)
    @Test func aLookupsParseIsTheFullParseWithoutTheOtherSections() {
        func lookupParse(_ bytes: [UInt8]) -> Result<DNSMessage, DNSParseError> {
            var names = DNSNameCache()
            return DNSMessage.parseForLookup(bytes.span, names: &names)
        }
        var random = SplitMix64(state: 0x4C4F_4F4B)
        var compared = 0
        var withOtherRecords = 0
        for (_, seed) in typicalAnswers {
            for round in 0..<2_000 {
                var bytes = seed
                for _ in 0..<(round == 0 ? 0 : Int.random(in: 1...3, using: &random)) {
                    guard !bytes.isEmpty else { break }
                    let index = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                    case 1: bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &random)
                    default: bytes[index] = [0, 0x3F, 0x40, 0xC0, 0xFF][Int.random(in: 0..<5, using: &random)]
                    }
                }
                let lookup = lookupParse(bytes)
                switch DNSMessage.parse(bytes) {
                case .success(var full):
                    if !full.authority.isEmpty || full.additional.contains(where: { $0.type != .opt }) { withOtherRecords += 1 }
                    full.authority = []
                    full.additional = []
                    #expect(lookup == .success(full), "\(bytes)")
                    compared += 1
                case .failure(let error):
                    if let framing = DNSWireFraming.problem(bytes) {
                        #expect(lookup == .failure(framing), "\(bytes)")
                        #expect(error == framing)
                    }
                }
            }
        }
        #expect(compared > 1_000 && withOtherRecords > 100, "\(compared) compared, \(withOtherRecords) with other records")
    }
}
