/// The outcome of one DNS lookup, as the core sees it: the engine turns wire
/// responses into these, the classifier turns these into findings.
public enum LookupStatus: String, Sendable, Hashable, CaseIterable {
    case answer
    case nxdomain
    case nodata
    case servfail
    case refused
    case timeout
    /// FORMERR, NOTIMP, an unknown rcode or a malformed response.
    case error
    /// Not asked: the lookup could not matter for this domain (e.g. the policy
    /// host of a domain without an MTA-STS record).
    case notQueried = "not-queried"
    /// The answer held a CNAME chain that loops (served whole, in one answer):
    /// the owner's zone is broken, as every resolver that follows it finds.
    case cnameLoop = "cname-loop"
    /// The answer held a CNAME chain longer than mtascan follows (8 links;
    /// resolvers give up on such chains too): the owner's misconfiguration.
    case cnameChainTooLong = "cname-chain-too-long"

    /// The lookup says nothing about the name: the verdict cannot rest on it.
    public var isFailure: Bool {
        switch self {
        case .answer, .nxdomain, .nodata, .notQueried, .cnameLoop, .cnameChainTooLong: return false
        case .servfail, .refused, .timeout, .error: return true
        }
    }

    /// The answer's CNAME chain was cut: it loops or is too long.
    public var isCutCNAMEChain: Bool { self == .cnameLoop || self == .cnameChainTooLong }

    /// The `dns-*` finding for a failed lookup. FORMERR and friends count as
    /// SERVFAIL: both mean the resolver could not answer.
    public var failureCode: FindingCode? {
        switch self {
        case .answer, .nxdomain, .nodata, .notQueried, .cnameLoop, .cnameChainTooLong: return nil
        case .servfail, .error: return .dnsServfail
        case .refused: return .dnsRefused
        case .timeout: return .dnsTimeout
        }
    }
}

public struct LookupResult<Value: Sendable & Equatable>: Sendable, Equatable {
    public var status: LookupStatus
    /// The answer RRset (of the type asked, at the end of any CNAME chain).
    public var values: [Value]
    /// CNAME targets followed from the queried name, in order. For a cut chain
    /// (`cname-loop`, `cname-chain-too-long`) at most `CNAMEChainCut.maxReported`
    /// names, ending, for a loop, with the name that repeats.
    public var cnameChain: [String]
    /// For a cut chain: the CNAME links the answer held, up to the first repeat
    /// for a loop; nil otherwise.
    public var cnameLength: Int?
    /// What DNSSEC says of the answer, for lookups made with validation asked
    /// (`scan --dane`); nil otherwise.
    public var dnssec: DNSSECStatus?

    public init(status: LookupStatus, values: [Value] = [], cnameChain: [String] = [], cnameLength: Int? = nil) {
        self.status = status
        self.values = status == .answer ? values : []
        self.cnameChain = cnameChain
        self.cnameLength = cnameLength
    }

    /// A lookup whose answer's CNAME chain had to be cut: `chain` as served from
    /// the queried `name`, followed until it repeats a name or ends.
    public static func cutCNAMEChain(name: String, chain: [String]) -> LookupResult {
        let cut = CNAMEChainCut(name: name, chain: chain)
        return LookupResult(status: cut.status, cnameChain: Array(chain.prefix(CNAMEChainCut.maxReported)),
                            cnameLength: chain.count)
    }

    public static func answer(_ values: [Value], cnameChain: [String] = []) -> LookupResult {
        LookupResult(status: values.isEmpty ? .nodata : .answer, values: values, cnameChain: cnameChain)
    }

    public static var nxdomain: LookupResult { LookupResult(status: .nxdomain) }
    public static var notQueried: LookupResult { LookupResult(status: .notQueried) }
    public static var nodata: LookupResult { LookupResult(status: .nodata) }
}

/// What a validating resolver said of an answer (RFC 4035 §4.3).
public enum DNSSECStatus: String, Sendable, Hashable, CaseIterable {
    /// Validated: the AD bit was set.
    case secure
    /// Not validated (no chain of trust, or a resolver that does not validate).
    case insecure
    /// Validation failed: the resolver answered SERVFAIL, and answered with
    /// checking disabled (CD), so the data exist but their signatures do not hold.
    case bogus
}

/// An MX record's data.
public struct MXRecordValue: Sendable, Equatable, Hashable {
    public var preference: Int
    /// Lower-case, no trailing dot; "" for the null MX `.` of RFC 7505.
    public var host: String

    public init(preference: Int, host: String) {
        self.preference = preference
        self.host = host
    }

    public var isNullMX: Bool { host.isEmpty }
}

/// A TLSA record's data (RFC 6698 §2.1), for DANE beside MTA-STS.
public struct TLSARecordValue: Sendable, Equatable, Hashable {
    public var usage: Int
    public var selector: Int
    public var matchingType: Int
    /// The certificate association data, lower-case hex.
    public var data: String

    public init(usage: Int, selector: Int, matchingType: Int, data: String) {
        self.usage = usage
        self.selector = selector
        self.matchingType = matchingType
        self.data = data
    }
}
