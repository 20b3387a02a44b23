/// The NDJSON record of one input domain: the contract with everyone who loads
/// a scan into DuckDB, ClickHouse or pandas (docs/output.md).
///
/// Every record has the same top-level keys in the same order, whatever
/// happened: a key that does not apply is `null`, never missing, so columnar
/// loaders infer one schema. Lists are in a deterministic order.
public enum ScanRecord {
    public static let schemaVersion = 1

    /// Which parts of the pipeline ran for a record.
    public enum Phase: String, Sendable, CaseIterable {
        case dns
        case policy
        case mx
        /// TLS-RPT report endpoints: can each `rua` receive? Opt-in (`--phases ...,tlsrpt`).
        case tlsrpt

        /// What `scan` runs without `--phases`: tlsrpt adds lookups and connections
        /// to third parties (report providers), so it is asked for, not assumed.
        public static let defaults: [Phase] = [.dns, .policy, .mx]
    }

    /// A record as written: its NDJSON line, with what the scan counts of it.
    public struct Line: Sendable {
        public var bytes: [UInt8]
        public var verdict: Verdict?
        /// A `dns-timeout` finding: an answer lost, which the metadata counts.
        public var dnsTimeout: Bool
    }

    /// The record of an input line that is not a usable domain name.
    public static func invalidInput(line: Int, text: String, problem: InputProblem) -> JSONValue {
        tree(invalidInputLine(line: line, text: text, problem: problem))
    }

    public static func invalidInputLine(line: Int, text: String, problem: InputProblem) -> Line {
        written(verdict: nil, findings: []) { writer in
            writeRecord(&writer, domain: text, line: line, verdict: nil, phases: [],
                        inputError: .object(["reason": .string(problem.reason), "message": .string(problem.message)]))
        }
    }

    /// The record of a domain on the exclusion list: nothing was sent for it.
    public static func excluded(domain: DomainName, line: Int, rule: String) -> JSONValue {
        tree(excludedLine(domain: domain, line: line, rule: rule))
    }

    public static func excludedLine(domain: DomainName, line: Int, rule: String) -> Line {
        written(verdict: nil, findings: []) { writer in
            writeRecord(&writer, domain: domain.text, line: line, verdict: nil, phases: [],
                        excluded: .object(["rule": .string(rule)]))
        }
    }

    /// The record after the DNS phase.
    public static func dnsPhase(
        facts: DomainDNSFacts, assessment: DNSPhaseAssessment, line: Int, extraFindings: [Finding] = [],
        providers: ProviderCatalogue = .builtIn
    ) -> JSONValue {
        tree(dnsPhaseLine(facts: facts, assessment: assessment, line: line, extraFindings: extraFindings, providers: providers))
    }

    public static func dnsPhaseLine(
        facts: DomainDNSFacts, assessment: DNSPhaseAssessment, line: Int, extraFindings: [Finding] = [],
        providers: ProviderCatalogue = .builtIn
    ) -> Line {
        let dane = facts.daneLookups ? DANEAssessment.assess(facts: facts, probes: nil) : nil
        let findings = assessment.findings + extraFindings + (dane?.findings ?? [])
        let verdict = Verdict.of(stsRecordStatus: assessment.stsRecord?.status, findings: findings)
        return written(verdict: verdict, findings: findings) { writer in
            writeRecord(&writer, domain: facts.domain.text, line: line, verdict: verdict, phases: [.dns], findings: findings) {
                writeDomainParts(&$0, facts: facts, dns: assessment, providers: providers,
                                 dane: dane?.json(mtaSTS: verdict) ?? .null)
            }
        }
    }

    /// The record after every phase that ran: `retrieval` is nil when no policy
    /// fetch was attempted, `probes` nil when the MX phase did not run for the domain.
    public static func scanned(
        facts: DomainDNSFacts, dns: DNSPhaseAssessment, assessment: DomainAssessment, retrieval: PolicyRetrieval?,
        probes: [MXProbeObservation]?, phases: [Phase], line: Int, providers: ProviderCatalogue = .builtIn,
        reportEndpoints: [ReportEndpointObservation]? = nil
    ) -> JSONValue {
        tree(scannedLine(facts: facts, dns: dns, assessment: assessment, retrieval: retrieval, probes: probes,
                         phases: phases, line: line, providers: providers, reportEndpoints: reportEndpoints))
    }

    public static func scannedLine(
        facts: DomainDNSFacts, dns: DNSPhaseAssessment, assessment: DomainAssessment, retrieval: PolicyRetrieval?,
        probes: [MXProbeObservation]?, phases: [Phase], line: Int, providers: ProviderCatalogue = .builtIn,
        reportEndpoints: [ReportEndpointObservation]? = nil
    ) -> Line {
        written(verdict: assessment.verdict, findings: assessment.findings) { writer in
            writeRecord(&writer, domain: facts.domain.text, line: line, verdict: assessment.verdict, phases: phases,
                        mode: assessment.mode?.rawValue, findings: assessment.findings) {
                writeDomainParts(&$0, facts: facts, dns: dns, providers: providers,
                                 dane: assessment.dane?.json(mtaSTS: assessment.verdict) ?? .null,
                                 retrieval: retrieval, hosts: assessment.hosts, probes: probes,
                                 reportEndpoints: reportEndpoints)
            }
        }
    }

    /// A record's line: written straight from the scan's values, with no
    /// `JSONValue` tree in between (a tree per domain cost a sweep more than
    /// its DNS client: docs/performance.md).
    private static func written(verdict: Verdict?, findings: [Finding], _ write: (inout JSONWriter) -> Void) -> Line {
        // Room for a DNS-phase record (about 1.2 KB) without growing.
        var writer = JSONWriter(capacity: 2048)
        write(&writer)
        writer.endLine()
        return Line(bytes: writer.bytes, verdict: verdict,
                    dnsTimeout: findings.contains { $0.code == .dnsTimeout })
    }

    /// The record as a tree (tests, and code that reads a record back): the
    /// line parsed, so the tree and the line cannot differ.
    private static func tree(_ line: Line) -> JSONValue {
        do {
            return try JSONParser.parse(line.bytes)
        } catch {
            preconditionFailure("a record this writer wrote does not parse: \(error)")
        }
    }

    /// Every top-level key, in order: the one place the order is written. What
    /// is not given is null (or an empty list); `parts` writes the keys from
    /// `sts_record` on.
    static func writeRecord(
        _ writer: inout JSONWriter, domain: String, line: Int, verdict: Verdict?, phases: [Phase],
        inputError: JSONValue = .null, excluded: JSONValue = .null, mode: String? = nil, findings: [Finding] = [],
        parts: ((inout JSONWriter) -> Void)? = nil
    ) {
        writer.beginObject()
        writer.key("schema_version")
        writer.int(schemaVersion)
        writer.key("domain")
        writer.string(domain)
        writer.key("input_line")
        writer.int(line)
        writer.key("input_error")
        writer.value(inputError)
        writer.key("excluded")
        writer.value(excluded)
        writer.key("verdict")
        writer.string(verdict?.rawValue)
        writer.key("mode")
        writer.string(mode)
        writer.key("phases")
        writer.beginArray()
        for phase in phases { writer.string(phase.rawValue) }
        writer.endArray()
        writer.key("findings")
        writer.beginArray()
        for finding in findings { writer.value(finding.json) }
        writer.endArray()
        if let parts {
            parts(&writer)
        } else {
            for key: StaticString in ["sts_record", "tlsrpt", "policy_host", "policy", "mx", "ns", "dane"] {
                writer.key(key)
                writer.null()
            }
        }
        writer.endObject()
    }

    /// The keys from `sts_record` to `dane`, in order.
    static func writeDomainParts(
        _ writer: inout JSONWriter, facts: DomainDNSFacts, dns: DNSPhaseAssessment, providers: ProviderCatalogue,
        dane: JSONValue, retrieval: PolicyRetrieval? = nil, hosts: [MXHostAssessment]? = nil,
        probes: [MXProbeObservation]? = nil, reportEndpoints: [ReportEndpointObservation]? = nil
    ) {
        writer.key("sts_record")
        writeSTSRecord(&writer, facts.stsTXT, dns.stsRecord)
        writer.key("tlsrpt")
        writeTLSRPT(&writer, facts.tlsrptTXT, dns.tlsrptRecord, endpoints: reportEndpoints)
        writer.key("policy_host")
        writer.value(policyHostJSON(facts, providers: providers))
        writer.key("policy")
        writer.value(retrieval.map(policyJSON) ?? .null)
        writer.key("mx")
        writeMX(&writer, facts, hosts: hosts, probes: probes, providers: providers)
        writer.key("ns")
        writeLookup(&writer, facts.ns) { writer, names in writer.strings(names.sorted()) }
        writer.key("dane")
        writer.value(dane)
    }

    /// `{"lookup": status, "txt": [...], "status": valid|invalid|absent, ...}`.
    static func writeSTSRecord(_ writer: inout JSONWriter, _ lookup: LookupResult<[UInt8]>, _ evaluation: STSRecordEvaluation?) {
        writer.beginObject()
        writeTXTLookup(&writer, lookup)
        writer.key("status")
        writer.string(evaluation?.status.rawValue)
        writer.key("id")
        writer.string(evaluation?.id)
        writer.endObject()
    }

    /// The `lookup` and `txt` keys both TXT records' objects begin with.
    private static func writeTXTLookup(_ writer: inout JSONWriter, _ lookup: LookupResult<[UInt8]>) {
        writer.key("lookup")
        writer.string(lookup.status.rawValue)
        writer.key("txt")
        writer.beginArray()
        for txt in lookup.values { writer.text(txt) }
        writer.endArray()
    }

    /// `endpoints`: what phase tlsrpt found for each `rua`; null when the phase did not run.
    static func writeTLSRPT(
        _ writer: inout JSONWriter, _ lookup: LookupResult<[UInt8]>, _ evaluation: TLSRPTRecordEvaluation?,
        endpoints: [ReportEndpointObservation]? = nil
    ) {
        writer.beginObject()
        writeTXTLookup(&writer, lookup)
        writer.key("status")
        writer.string(evaluation?.status.rawValue)
        writer.key("rua")
        if let evaluation { writer.strings(evaluation.rua) } else { writer.null() }
        writer.key("endpoints")
        if let endpoints {
            writer.beginArray()
            for endpoint in endpoints { writer.value(endpoint.json) }
            writer.endArray()
        } else {
            writer.null()
        }
        writer.endObject()
    }

    /// `{"lookup", "hosts": [{"preference", "host", "ipv4", "ipv6", "address_lookup", ...}], "dnssec"}` in preference order.
    static func writeMX(_ writer: inout JSONWriter, _ facts: DomainDNSFacts, hosts assessments: [MXHostAssessment]? = nil,
                        probes: [MXProbeObservation]? = nil, providers: ProviderCatalogue = .builtIn) {
        writer.beginObject()
        writer.key("lookup")
        writer.string(facts.mx.status.rawValue)
        writer.key("hosts")
        writer.beginArray()
        for record in facts.mx.values.sorted(by: { ($0.preference, $0.host) < ($1.preference, $1.host) }) {
            let addresses = facts.mxHostAddresses[record.host]
            let assessment = assessments?.first { $0.host == record.host }
            writer.beginObject()
            writer.key("preference")
            writer.int(record.preference)
            writer.key("host")
            writer.string(record.host)
            writer.key("ipv4")
            if let addresses { writer.strings(addresses.ipv4.values.sorted()) } else { writer.null() }
            writer.key("ipv6")
            if let addresses { writer.strings(addresses.ipv6.values.sorted()) } else { writer.null() }
            writer.key("address_lookup")
            if let addresses {
                writer.beginObject()
                writer.key("a")
                writer.string(addresses.ipv4.status.rawValue)
                writer.key("aaaa")
                writer.string(addresses.ipv6.status.rawValue)
                writer.endObject()
            } else {
                writer.null()
            }
            writer.key("tlsa")
            if let lookup = facts.mxTLSA[record.host] {
                writer.beginObject()
                writer.key("lookup")
                writer.string(lookup.status.rawValue)
                writer.key("dnssec")
                writer.string(lookup.dnssec?.rawValue)
                writer.key("records")
                writer.beginArray()
                for tlsa in lookup.values {
                    writer.beginObject()
                    writer.key("usage")
                    writer.int(tlsa.usage)
                    writer.key("selector")
                    writer.int(tlsa.selector)
                    writer.key("matching_type")
                    writer.int(tlsa.matchingType)
                    writer.key("data")
                    writer.string(tlsa.data)
                    writer.key("usable")
                    writer.bool(TLSAUsability.isUsable(tlsa))
                    writer.endObject()
                }
                writer.endArray()
                writer.endObject()
            } else {
                writer.null()
            }
            writer.key("provider")
            writer.string(providers.mailProvider(mxHost: record.host))
            writer.key("matches_policy")
            writer.bool(assessment?.matchesPolicy)
            writer.key("pattern")
            writer.string(assessment?.pattern)
            writer.key("pkix_valid")
            writer.bool(assessment?.pkixValid)
            writer.key("probes")
            if let probes {
                writer.beginArray()
                for probe in probes where probe.host == record.host { writer.value(probeJSON(probe)) }
                writer.endArray()
            } else {
                writer.null()
            }
            writer.endObject()
        }
        writer.endArray()
        // With `--dane`: the MX RRset's DNSSEC status (RFC 7672 §2.2.1); null without.
        writer.key("dnssec")
        writer.string(facts.mx.dnssec?.rawValue)
        writer.endObject()
    }

    /// `mta-sts.<domain>`: who serves the policy, as far as DNS shows.
    static func policyHostJSON(_ facts: DomainDNSFacts, providers: ProviderCatalogue = .builtIn) -> JSONValue {
        if facts.policyHostIPv4.status == .notQueried && facts.policyHostIPv6.status == .notQueried { return .null }
        let chain = facts.policyHostIPv4.cnameChain.isEmpty ? facts.policyHostIPv6.cnameChain : facts.policyHostIPv4.cnameChain
        return .object([
            "name": .string(facts.policyHostName),
            "cname_chain": .strings(chain),
            "cname_target": chain.last.map { .string($0) } ?? .null,
            "ipv4": .strings(facts.policyHostIPv4.values.sorted()),
            "ipv6": .strings(facts.policyHostIPv6.values.sorted()),
            "lookup": .object([
                "a": .string(facts.policyHostIPv4.status.rawValue), "aaaa": .string(facts.policyHostIPv6.status.rawValue),
            ]),
            "provider": providers.policyHostProvider(name: facts.policyHostName, cnameChain: chain).map { .string($0) } ?? .null,
        ])
    }

    /// The `policy` object (docs/output.md).
    static func policyJSON(_ retrieval: PolicyRetrieval) -> JSONValue {
        // Also when only blank lines make the body invalid: what lenient senders apply.
        let parsed = retrieval.evaluation?.parsedPolicy
        return .object([
            "url": .string(retrieval.url),
            "address": retrieval.address.map { .string($0) } ?? .null,
            "excluded": .bool(retrieval.excluded),
            "tcp_failures": .array(retrieval.tcpFailures.map {
                .object(["address": .string($0.address), "reason": .string($0.reason)])
            }),
            "tls": retrieval.tls?.json ?? .null,
            "http_status": retrieval.httpStatus.map { .int($0) } ?? .null,
            "content_type": retrieval.contentType.map { .string($0) } ?? .null,
            "valid": .bool(retrieval.policy != nil),
            "version": parsed.map { _ in .string("STSv1") } ?? .null,
            "mode": parsed.map { .string($0.mode.rawValue) } ?? .null,
            "max_age": parsed.map { .int($0.maxAge) } ?? .null,
            "mx": parsed.map { .strings($0.mx.map(\.text)) } ?? .null,
        ])
    }

    /// One entry of `mx.hosts[].probes`.
    static func probeJSON(_ probe: MXProbeObservation) -> JSONValue {
        let smtp = probe.smtp
        let greeting: JSONValue
        if let smtp, smtp.capabilities != nil || smtp.usedHELO {
            greeting = .string(smtp.usedHELO ? "helo" : "ehlo")
        } else {
            greeting = .null
        }
        return .object([
            "address": .string(probe.address),
            "source_address": probe.source.map { .string($0) } ?? .null,
            "excluded": .bool(probe.excluded),
            "result": .string(probe.result),
            "banner": smtp?.banner.map { .string($0) } ?? .null,
            "greeting": greeting,
            "starttls": smtp.map { .bool($0.startTLSAdvertised) } ?? .null,
            "tls": probe.tls?.json ?? .null,
            "dane": probe.tls?.dane?.json ?? .null,
            "shared_from": probe.sharedFrom?.json ?? .null,
        ])
    }

    /// `{"lookup": status, "values": ...}`.
    static func writeLookup<Value>(_ writer: inout JSONWriter, _ lookup: LookupResult<Value>,
                                   values: (inout JSONWriter, [Value]) -> Void) {
        writer.beginObject()
        writer.key("lookup")
        writer.string(lookup.status.rawValue)
        writer.key("values")
        values(&writer, lookup.values)
        writer.endObject()
    }
}

extension ScanRecord {
    /// One NDJSON line: the record's compact JSON and a newline.
    public static func line(_ record: JSONValue) -> [UInt8] {
        var writer = JSONWriter(capacity: 2048)
        writer.writeLine(record)
        return writer.bytes
    }
}
