/// Everything the DNS phase learned about one domain.
public struct DomainDNSFacts: Sendable, Equatable {
    public var domain: DomainName
    public var mx: LookupResult<MXRecordValue>
    /// TXT records at `_mta-sts.<domain>`, each joined from its character-strings.
    public var stsTXT: LookupResult<[UInt8]>
    /// TXT records at `_smtp._tls.<domain>`.
    public var tlsrptTXT: LookupResult<[UInt8]>
    /// Addresses of `mta-sts.<domain>` (text form), with the CNAME chain that led there.
    public var policyHostIPv4: LookupResult<String>
    public var policyHostIPv6: LookupResult<String>
    public var ns: LookupResult<String>
    /// Addresses of each MX host, by host name.
    public var mxHostAddresses: [String: HostAddresses]
    /// TLSA records at `_25._tcp.<mx host>`, by host name (only with DANE lookups on).
    public var mxTLSA: [String: LookupResult<TLSARecordValue>] = [:]
    /// Whether DANE is on for this scan: the MX lookup's and the TLSA lookups'
    /// `dnssec` are then set, and the DANE assessment runs.
    public var daneLookups: Bool { mx.dnssec != nil }

    public init(
        domain: DomainName, mx: LookupResult<MXRecordValue>, stsTXT: LookupResult<[UInt8]>,
        tlsrptTXT: LookupResult<[UInt8]>, policyHostIPv4: LookupResult<String>, policyHostIPv6: LookupResult<String>,
        ns: LookupResult<String>, mxHostAddresses: [String: HostAddresses] = [:],
        mxTLSA: [String: LookupResult<TLSARecordValue>] = [:]
    ) {
        self.mxTLSA = mxTLSA
        self.domain = domain
        self.mx = mx
        self.stsTXT = stsTXT
        self.tlsrptTXT = tlsrptTXT
        self.policyHostIPv4 = policyHostIPv4
        self.policyHostIPv6 = policyHostIPv6
        self.ns = ns
        self.mxHostAddresses = mxHostAddresses
    }

    public var policyHostName: String { "mta-sts." + domain.text }

    /// MX hosts in preference order (then name), without the null MX.
    public var mxHostsByPreference: [MXRecordValue] {
        mx.values.filter { !$0.isNullMX }.sorted { ($0.preference, $0.host) < ($1.preference, $1.host) }
    }
}

/// A host's A and AAAA lookups.
public struct HostAddresses: Sendable, Equatable {
    public var ipv4: LookupResult<String>
    public var ipv6: LookupResult<String>

    public init(ipv4: LookupResult<String>, ipv6: LookupResult<String>) {
        self.ipv4 = ipv4
        self.ipv6 = ipv6
    }

    public var addresses: [String] { ipv4.values + ipv6.values }
}
