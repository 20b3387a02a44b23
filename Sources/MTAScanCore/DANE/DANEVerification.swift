/// What a STARTTLS probe's DANE check found (RFC 7672 §3): the chain the
/// server presented, matched against the MX host's usable, DNSSEC-secure TLSA
/// records by OpenSSL's DANE verifier. Kept beside the PKIX outcome: a DANE
/// sender and an MTA-STS sender judge the same handshake differently.
public struct DANEVerification: Sendable, Equatable {
    public enum Result: String, Sendable {
        /// A TLSA record matched (and, for DANE-TA, the chain and the name held).
        case verified
        /// No usable TLSA record matched: a DANE sender defers the mail.
        case mismatch
    }

    public var result: Result
    /// The record that matched.
    public var matched: TLSARecordValue?
    /// Where in the chain it matched: 0 the leaf (DANE-EE), more for a trust anchor.
    public var depth: Int?
    /// OpenSSL's verify error for a mismatch (e.g. 65, "No matching DANE TLSA records").
    public var verifyError: Int?
    public var message: String?

    public init(result: Result, matched: TLSARecordValue? = nil, depth: Int? = nil, verifyError: Int? = nil,
                message: String? = nil) {
        self.result = result
        self.matched = matched
        self.depth = depth
        self.verifyError = verifyError
        self.message = message
    }

    public var json: JSONValue {
        .object([
            "result": .string(result.rawValue),
            "matched": matched.map { TLSAUsability.json($0) } ?? .null,
            "depth": depth.map { .int($0) } ?? .null,
            "verify_error": verifyError.map { .int($0) } ?? .null,
            "message": message.map { .string($0) } ?? .null,
        ])
    }
}

/// Which TLSA records DANE for SMTP can use (RFC 7672 §3.1): usages
/// DANE-TA(2) and DANE-EE(3) only — PKIX-TA(0) and PKIX-EE(1) are unusable
/// for SMTP, since a sender has no agreed set of trust anchors — with selector
/// Cert(0) or SPKI(1) and matching type Full(0), SHA2-256(1) or SHA2-512(2),
/// whose data has the digest's length.
public enum TLSAUsability {
    public static func isUsable(_ record: TLSARecordValue) -> Bool {
        reasonUnusable(record) == nil
    }

    /// Why a record cannot be used; nil when it can.
    public static func reasonUnusable(_ record: TLSARecordValue) -> String? {
        switch record.usage {
        case 0, 1: return "pkix-usage"
        case 2, 3: break
        default: return "unknown-usage"
        }
        guard record.selector == 0 || record.selector == 1 else { return "unknown-selector" }
        let bytes = record.data.utf8.count / 2
        switch record.matchingType {
        case 0: return bytes > 0 ? nil : "empty-data"
        case 1: return bytes == 32 ? nil : "digest-length"
        case 2: return bytes == 64 ? nil : "digest-length"
        default: return "unknown-matching-type"
        }
    }

    static func json(_ record: TLSARecordValue) -> JSONValue {
        .object(["usage": .int(record.usage), "selector": .int(record.selector),
                 "matching_type": .int(record.matchingType), "data": .string(record.data)])
    }
}
