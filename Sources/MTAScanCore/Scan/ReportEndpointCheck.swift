/// Can a TLS-RPT report endpoint receive (`scan --phases ...,tlsrpt`)? The
/// decisions, pure; the engine makes the lookups and the connection.
///
/// Only what shows that a report can never arrive is `unreachable`; a failed
/// lookup or an odd HTTP answer is `unknown`, since a measurement must not
/// call an endpoint dead on a transient (docs/findings.md, `tlsrpt-rua-unreachable`).
public enum ReportEndpointStatus: String, Sendable, Hashable, CaseIterable {
    case reachable
    case unreachable
    /// A lookup failed (SERVFAIL, timeout...) or the HTTP answer had no status: not conclusive.
    case unknown
    /// The endpoint's name or address is on the exclusion list: nothing was sent.
    case excluded
    /// Not checked: nothing to look up (an address literal) or past the per-record cap.
    case notChecked = "not-checked"
}

/// Why an endpoint is unreachable (or, for `unknown`, what failed): stable labels.
public enum ReportEndpointReason: String, Sendable, Hashable, CaseIterable {
    /// RFC 7505: the mail domain says it accepts no mail.
    case nullMX = "null-mx"
    /// The mail domain or the https host does not exist.
    case nxdomain
    /// RFC 5321 §5.1: no MX and no A/AAAA to fall back on.
    case noMXNoAddress = "no-mx-no-address"
    /// The https host exists but has no A/AAAA record.
    case noAddress = "no-address"
    /// No TCP connection: refused, timed out, unreachable.
    case tcp
    /// The TLS handshake failed or the certificate is not valid for the host.
    case tls
    /// The endpoint answered HEAD with a 5xx status.
    case http5xx = "http-5xx"
    // `unknown` only:
    /// A lookup failed (SERVFAIL, REFUSED, timeout).
    case dnsFailure = "dns-failure"
    /// TLS held, but no HTTP status came back (timeout, malformed answer).
    case http
    /// Past `ReportEndpointCheck.maxPerRecord`, or nothing to look up.
    case limit
    case unsupported
}

/// The outcome for one endpoint (a `ReportEndpointTarget.key`), shared by
/// every URI and domain that names it.
public struct ReportEndpointResult: Sendable, Equatable {
    public var status: ReportEndpointStatus
    public var reason: ReportEndpointReason?
    /// `mailto:`: `mx`, `a`, `aaaa` lookup statuses; `https:`: `a`, `aaaa`.
    public var lookups: [(String, LookupStatus)]
    /// `https:`: the address last connected to.
    public var address: String?
    public var httpStatus: Int?
    /// The failure's own reason (`refused`, `expired`, `timeout`...), when there is one.
    public var error: String?
    /// `tls`: the OpenSSL verification error number, when the certificate failed.
    public var verifyError: Int?

    public init(status: ReportEndpointStatus, reason: ReportEndpointReason? = nil,
                lookups: [(String, LookupStatus)] = [], address: String? = nil, httpStatus: Int? = nil,
                error: String? = nil, verifyError: Int? = nil) {
        self.status = status
        self.reason = reason
        self.lookups = lookups
        self.address = address
        self.httpStatus = httpStatus
        self.error = error
        self.verifyError = verifyError
    }

    public static func == (lhs: ReportEndpointResult, rhs: ReportEndpointResult) -> Bool {
        lhs.status == rhs.status && lhs.reason == rhs.reason && lhs.address == rhs.address
            && lhs.httpStatus == rhs.httpStatus && lhs.error == rhs.error && lhs.verifyError == rhs.verifyError
            && lhs.lookups.map(\.0) == rhs.lookups.map(\.0) && lhs.lookups.map(\.1) == rhs.lookups.map(\.1)
    }
}

/// How a connection to an https endpoint ended, as the engine saw it.
public enum ReportEndpointConnection: Sendable, Equatable {
    case tcpFailed(reason: String)
    /// `reason` is the TLS failure's (`expired`, `untrusted`, `alert`, `protocol`...).
    case tlsFailed(reason: String, verifyError: Int?)
    case answered(status: Int)
    /// TLS held but no status line came (timeout, malformed response).
    case noStatus(reason: String)
}

public enum ReportEndpointCheck {
    /// Endpoints checked per record: real records name one or two; a hostile
    /// one with hundreds must not turn one domain into hundreds of lookups.
    public static let maxPerRecord = 8

    /// `mailto:`: RFC 5321 §5.1. MX hosts, then the implicit MX (the domain's
    /// own A/AAAA) when there is no MX RRset; RFC 7505's null MX (one MX of
    /// host `.`) says no mail at all. `addresses` is nil when not looked up
    /// (the MX answer settled it).
    public static func mailto(mx: LookupResult<MXRecordValue>, addresses: HostAddresses?) -> ReportEndpointResult {
        var lookups: [(String, LookupStatus)] = [("mx", mx.status)]
        switch mx.status {
        case .nxdomain:
            return ReportEndpointResult(status: .unreachable, reason: .nxdomain, lookups: lookups)
        case .answer where !mx.values.isEmpty:
            // RFC 7505 §3: a null MX is the only MX; beside real hosts it is an
            // error senders skip, and the real hosts still take mail.
            if mx.values.allSatisfy(\.isNullMX) {
                return ReportEndpointResult(status: .unreachable, reason: .nullMX, lookups: lookups)
            }
            return ReportEndpointResult(status: .reachable, lookups: lookups)
        case .answer, .nodata, .cnameLoop, .cnameChainTooLong, .notQueried:
            break
        case .servfail, .refused, .timeout, .error:
            return ReportEndpointResult(status: .unknown, reason: .dnsFailure, lookups: lookups)
        }
        guard let addresses else { return ReportEndpointResult(status: .unknown, reason: .dnsFailure, lookups: lookups) }
        lookups += [("a", addresses.ipv4.status), ("aaaa", addresses.ipv6.status)]
        return addressOutcome(addresses, lookups: lookups, none: .noMXNoAddress)
    }

    /// Whether the MX answer alone settles a `mailto:` endpoint (no A/AAAA lookup needed).
    public static func mailtoNeedsAddresses(_ mx: LookupResult<MXRecordValue>) -> Bool {
        switch mx.status {
        case .nodata, .cnameLoop, .cnameChainTooLong: return true
        case .answer: return mx.values.isEmpty
        default: return false
        }
    }

    /// `https:` before any connection: the host's addresses. Nil when there are
    /// addresses to connect to.
    public static func httpsAddresses(_ addresses: HostAddresses) -> ReportEndpointResult? {
        guard addresses.addresses.isEmpty else { return nil }
        let lookups = [("a", addresses.ipv4.status), ("aaaa", addresses.ipv6.status)]
        return addressOutcome(addresses, lookups: lookups, none: .noAddress)
    }

    /// `https:` after the connection. Any status below 500 is reachable: most
    /// report endpoints take only POST and answer HEAD with 404 or 405, and a
    /// redirect (not followed, RFC 8460 §3 says nothing of them) still shows a
    /// live server. mtascan never POSTs a report to find out more.
    public static func https(addresses: HostAddresses, address: String, connection: ReportEndpointConnection)
        -> ReportEndpointResult
    {
        let lookups = [("a", addresses.ipv4.status), ("aaaa", addresses.ipv6.status)]
        var result = ReportEndpointResult(status: .unreachable, lookups: lookups, address: address)
        switch connection {
        case .tcpFailed(let reason):
            result.reason = .tcp
            result.error = reason
        case .tlsFailed(let reason, let verifyError):
            result.reason = .tls
            result.error = reason
            result.verifyError = verifyError
        case .answered(let status):
            result.httpStatus = status
            if (500...599).contains(status) {
                result.reason = .http5xx
            } else {
                result.status = .reachable
            }
        case .noStatus(let reason):
            result.status = .unknown
            result.reason = .http
            result.error = reason
        }
        return result
    }

    /// No address: NXDOMAIN on either lookup, or NODATA on both, is conclusive;
    /// a failed lookup with no answer elsewhere is not.
    private static func addressOutcome(_ addresses: HostAddresses, lookups: [(String, LookupStatus)],
                                       none: ReportEndpointReason) -> ReportEndpointResult {
        if !addresses.addresses.isEmpty { return ReportEndpointResult(status: .reachable, lookups: lookups) }
        let statuses = [addresses.ipv4.status, addresses.ipv6.status]
        if statuses.contains(where: \.isFailure) {
            return ReportEndpointResult(status: .unknown, reason: .dnsFailure, lookups: lookups)
        }
        if statuses.contains(.nxdomain) {
            return ReportEndpointResult(status: .unreachable, reason: none == .noAddress ? .nxdomain : none,
                                        lookups: lookups)
        }
        return ReportEndpointResult(status: .unreachable, reason: none, lookups: lookups)
    }
}

/// One `rua` URI of a domain's TLS-RPT record and what its endpoint showed.
public struct ReportEndpointObservation: Sendable, Equatable {
    public var uri: String
    public var target: ReportEndpointTarget?
    public var result: ReportEndpointResult

    public init(uri: String, target: ReportEndpointTarget?, result: ReportEndpointResult) {
        self.uri = uri
        self.target = target
        self.result = result
    }

    /// `tlsrpt-rua-unreachable` for a conclusive failure; nothing otherwise.
    public var finding: Finding? {
        guard result.status == .unreachable, let reason = result.reason else { return nil }
        var details: JSONObject = ["uri": .string(uri), "reason": .string(reason.rawValue)]
        if let target {
            details["scheme"] = .string(target.scheme.rawValue)
            details[target.scheme == .mailto ? "domain" : "host"] = .string(target.host.text)
        }
        if let address = result.address { details["address"] = .string(address) }
        if let status = result.httpStatus { details["status"] = .int(status) }
        if let error = result.error { details["error"] = .string(error) }
        if let verifyError = result.verifyError { details["verify_error"] = .int(verifyError) }
        return Finding(.tlsrptRUAUnreachable, details: details)
    }

    /// One entry of `tlsrpt.endpoints` (docs/output.md).
    public var json: JSONValue {
        var lookup = JSONObject()
        for (name, status) in result.lookups { lookup[name] = .string(status.rawValue) }
        return .object([
            "uri": .string(uri),
            "scheme": target.map { .string($0.scheme.rawValue) } ?? .null,
            "target": target.map { .string($0.host.text) } ?? .null,
            "status": .string(result.status.rawValue),
            "reason": result.reason.map { .string($0.rawValue) } ?? .null,
            "lookup": result.lookups.isEmpty ? .null : .object(lookup),
            "address": result.address.map { .string($0) } ?? .null,
            "http_status": result.httpStatus.map { .int($0) } ?? .null,
            "error": result.error.map { .string($0) } ?? .null,
        ])
    }
}
