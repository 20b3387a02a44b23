import MTAScanCore

extension DNSLookup {
    /// The core's view of this lookup: its status and the values `extract`
    /// takes from the answer records (nil skips a record of another shape).
    func coreResult<Value>(_ extract: (DNSRData) -> Value?) -> LookupResult<Value> {
        switch outcome {
        case .answer(let records, let chain):
            return .answer(records.compactMap { extract($0.rdata) }, cnameChain: chain)
        case .nxdomain(let chain): return LookupResult(status: .nxdomain, cnameChain: chain)
        case .nodata(let chain): return LookupResult(status: .nodata, cnameChain: chain)
        case .servfail: return LookupResult(status: .servfail)
        case .refused: return LookupResult(status: .refused)
        case .timeout: return LookupResult(status: .timeout)
        case .formerr, .otherRcode: return LookupResult(status: .error)
        // A loop or an over-long chain served whole in one answer is the zone
        // owner's doing (`cname-loop`, `cname-chain-too-long`), not resolver
        // trouble; only a resolver's own SERVFAIL for it stays `servfail`.
        case .cnameLoop(let chain): return .cutCNAMEChain(name: name.text, chain: chain)
        }
    }
}
