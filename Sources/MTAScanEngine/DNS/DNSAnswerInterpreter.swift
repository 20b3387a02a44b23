/// Turns an accepted response into a `DNSLookupOutcome`: the rcode, and for
/// NOERROR the CNAME chain from the asked name followed through the answer
/// section (a recursive resolver sends the whole chain) to the asked type.
///
/// A chain longer than `maxChain` links, or one that comes back to a name
/// already followed, is cut: `.cnameLoop` with the chain as the answer served
/// it, followed on past the bound until it repeats a name or ends (each step
/// takes a distinct answer record, so this is bounded by the answer), so the
/// core can tell a loop (the last name repeats) from a chain too long, and
/// say how long it was (`LookupResult.cutCNAMEChain`).
enum DNSAnswerInterpreter {
    enum Verdict: Equatable {
        case done(DNSLookupOutcome)
        /// SERVFAIL or REFUSED: another resolver may do better.
        case tryAnotherResolver(DNSLookupOutcome)
    }

    static func interpret(_ message: DNSMessage, name: String, type: DNSRecordType, maxChain: Int) -> Verdict {
        switch message.rcode {
        case .servFail: return .tryAnotherResolver(.servfail)
        case .refused: return .tryAnotherResolver(.refused)
        case .formErr: return .done(.formerr)
        case .notImp: return .done(.otherRcode(4))
        case .other(let code): return .done(.otherRcode(code))
        case .noError, .nxDomain: break
        }
        var current = name
        var chain: [String] = []
        // Filled at the first CNAME: most answers have none, and this runs for every one.
        var seen: Set<String> = []
        while type != .cname,
              let target = message.answer.first(where: { $0.type == .cname && $0.name == current }).flatMap(cnameTarget)
        {
            if seen.isEmpty { seen.insert(name) }
            chain.append(target)
            guard seen.insert(target).inserted else { return .done(.cnameLoop(cnameChain: chain)) }
            current = target
        }
        if chain.count > maxChain { return .done(.cnameLoop(cnameChain: chain)) }
        if message.rcode == .nxDomain { return .done(.nxdomain(cnameChain: chain)) }
        let records = message.answer.filter { $0.type == type && $0.name == current }
        return .done(records.isEmpty ? .nodata(cnameChain: chain) : .answer(records: records, cnameChain: chain))
    }

    private static func cnameTarget(_ record: DNSRecord) -> String? {
        if case .cname(let target) = record.rdata { return target }
        return nil
    }
}
