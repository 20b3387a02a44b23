import MTAScanEngine

/// `DNSMessage.parse` (the framing walk, then the Swift decoder or ldns's
/// `ldns_wire2pkt`, and the typed rdata checks) on arbitrary bytes, the whole
/// input being one message.
///
/// Always: `parse` gives what ldns alone gives (`parseWithLDNS`), and what the
/// Swift decoder decodes on its own (`parseWithoutLDNS`) is exactly ldns's
/// message.
///
/// When a message parses:
/// - it matches an independent walk of its records (`DNSRecordWalk`): the
///   same number per section, each with the type and TTL at that place in
///   the bytes. This is how a desynchronised ldns read shows (ldns bounds a
///   field by the message end, not by RDLENGTH: records "not in the message").
/// - it survives a round trip: written again without compression
///   (`DNSMessageWriter`) and parsed, it gives an equal `DNSMessage`.
/// - a lookup's parse (`parseForLookup`, what the DNS client uses) gives the
///   same message without its authority and additional records; a message
///   a lookup's parse refuses, the full parse refuses too.
enum DNSMessageTarget {
    static let target = FuzzTarget(
        name: "dns-message",
        summary: "DNS message decoder (framing, Swift or ldns): Swift == ldns, record walk agrees, write → reparse equals"
    ) { input in
        let wire = input.rest
        let parsed = DNSMessage.parse(wire)
        let reference = DNSMessage.parseWithLDNS(wire)
        Invariant.require(parsed == reference, "parse differs from ldns:\n\(parsed)\n\(reference)")
        if let swift = DNSMessage.parseWithoutLDNS(wire) {
            Invariant.require(reference == .success(swift), "the Swift decoder differs from ldns:\n\(swift)\n\(reference)")
        }
        let lookup = DNSMessage.parseForLookup(wire)
        if case .success(var full) = parsed {
            full.authority = []
            full.additional = []
            Invariant.require(lookup == .success(full), "a lookup's parse differs:\n\(lookup)\n\(full)")
        } else if case .failure = lookup {
            Invariant.require(parsed == lookup, "a lookup's parse fails otherwise:\n\(lookup)\n\(parsed)")
        }
        guard case .success(let message) = parsed else { return }
        if let walk = DNSRecordWalk(wire) { check(message, against: walk) } else {
            Invariant.require(false, "parsed, but the independent record walk fails")
        }
        guard let rewritten = DNSMessageWriter.wire(of: message) else { return }
        switch DNSMessage.parse(rewritten) {
        case .success(let again):
            Invariant.require(again == message, "round trip differs:\n\(message)\n\(again)")
        case .failure(let error):
            Invariant.require(false, "round trip does not parse: \(error)\n\(message)")
        }
    }

    private static func check(_ message: DNSMessage, against walk: DNSRecordWalk) {
        Invariant.require((message.question != nil) == (walk.questionTypes.count > 0), "question presence")
        if let question = message.question, let type = walk.questionTypes.first {
            Invariant.require(question.type.rawValue == type, "question type \(question.type) vs \(type)")
        }
        let sections = [(message.answer, walk.answer), (message.authority, walk.authority)]
        for (records, walked) in sections { compare(records, walked) }
        // ldns lifts OPT (into `edns`) and TSIG out of the additional section.
        let additional = walk.additional.filter { $0.type != 41 && $0.type != 250 }
        compare(message.additional, additional)
        Invariant.require(
            (message.edns != nil) == walk.additional.contains { $0.type == 41 }, "EDNS present iff an OPT record")
    }

    private static func compare(_ records: [DNSRecord], _ walked: [DNSRecordWalk.Record]) {
        Invariant.require(records.count == walked.count, "\(records.count) records decoded, \(walked.count) in the bytes")
        for (record, place) in zip(records, walked) {
            Invariant.require(
                record.type.rawValue == place.type && record.ttl == place.ttl,
                "decoded \(record.type) ttl \(record.ttl), bytes say type \(place.type) ttl \(place.ttl)")
        }
    }
}
