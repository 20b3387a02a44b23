import Testing

@testable import MTAScanEngine

/// Messages the `dns-message` fuzz target (Fuzz/, docs/reliability.md) found,
/// kept as tests once fixed.
@Suite struct DNSFuzzRegressionTests {
    /// A whole TXT record hidden in the tail of an SRV record's rdata: ldns
    /// reads the SRV's four fields, stops short of RDLENGTH and reads the
    /// tail as the next answer, a record that is not in the message.
    @Test func recordHiddenInTheRdataOfATypeMtascanDoesNotReadFails() {
        var wire = DNSWireBuilder(.init(answers: 2))
        wire.question("example.com", type: 33)
        wire.record("example.com", type: 33) { rdata in
            rdata.u16(10)
            rdata.u16(5)
            rdata.u16(25)
            rdata.name("mx.example.com")
            // The forged record: root owner, TXT, IN, TTL 0, "forged".
            rdata.raw([0, 0, 16, 0, 1, 0, 0, 0, 0, 0, 7, 6])
            rdata.raw(Array("forged".utf8))
        }
        wire.record("example.com", type: 1) { $0.raw([192, 0, 2, 1]) }
        #expect(DNSMessage.parse(wire.bytes) == .failure(.badRData(section: .answer, type: DNSRecordType(33))))
    }

    /// The same type, well formed, still parses, kept as its uncompressed rdata.
    @Test func wellFormedRecordOfATypeMtascanDoesNotReadParses() throws {
        var wire = DNSWireBuilder(.init(answers: 2))
        wire.compress = false
        wire.question("example.com", type: 33)
        wire.record("example.com", type: 33) { rdata in
            rdata.u16(10)
            rdata.u16(5)
            rdata.u16(25)
            rdata.name("mx.example.com")
        }
        wire.record("example.com", type: 1) { $0.raw([192, 0, 2, 1]) }
        let message = try DNSMessage.parse(wire.bytes).get()
        #expect(message.answer.count == 2)
        #expect(message.answer.first?.rdata == .other(type: 33, bytes: [0, 10, 0, 5, 0, 25, 2, 109, 120, 7, 101, 120, 97, 109, 112, 108, 101, 3, 99, 111, 109, 0]))
    }
}

/// TSIG placement (RFC 8945 §5.1), found by the same target: ldns meeting a
/// TSIG before the end of the additional section stopped reading one record
/// early, losing the record after it.
@Suite struct DNSTSIGPlacementTests {
    private func message(additional types: [UInt16], answers: [UInt16] = []) -> [UInt8] {
        var wire = DNSWireBuilder(.init(answers: UInt16(answers.count), additionals: UInt16(types.count)))
        wire.question("example.com", type: 1)
        for type in answers + types {
            wire.record(".", type: type, ttl: 0) { _ in }
        }
        return wire.bytes
    }

    @Test func tsigBeforeAnotherAdditionalRecordFails() {
        #expect(DNSMessage.parse(message(additional: [1536, 250, 0])) == .failure(.badTSIG))
    }

    @Test func tsigOutsideTheAdditionalSectionFails() {
        #expect(DNSMessage.parse(message(additional: [], answers: [250])) == .failure(.badTSIG))
    }

    @Test func tsigLastIsTakenOutOfTheAdditionalSection() throws {
        let parsed = try DNSMessage.parse(message(additional: [1536, 250])).get()
        #expect(parsed.additional.map(\.type.rawValue) == [1536])
    }
}
