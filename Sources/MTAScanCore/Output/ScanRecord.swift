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

    /// The record of an input line that is not a usable domain name.
    public static func invalidInput(line: Int, text: String, problem: InputProblem) -> JSONValue {
        var record = skeleton(domain: text, line: line, verdict: nil, phases: [])
        record["input_error"] = .object(["reason": .string(problem.reason), "message": .string(problem.message)])
        return .object(record)
    }

    /// The record of a domain on the exclusion list: nothing was sent for it.
    public static func excluded(domain: DomainName, line: Int, rule: String) -> JSONValue {
        var record = skeleton(domain: domain.text, line: line, verdict: nil, phases: [])
        record["excluded"] = .object(["rule": .string(rule)])
        return .object(record)
    }

    /// The record after the DNS phase.
    public static func dnsPhase(
        facts: DomainDNSFacts, assessment: DNSPhaseAssessment, line: Int, extraFindings: [Finding] = [],
        providers: ProviderCatalogue = .builtIn
    ) -> JSONValue {
        let dane = facts.daneLookups ? DANEAssessment.assess(facts: facts, probes: nil) : nil
        let findings = assessment.findings + extraFindings + (dane?.findings ?? [])
        let verdict = Verdict.of(stsRecordStatus: assessment.stsRecord?.status, findings: findings)
        var record = skeleton(domain: facts.domain.text, line: line, verdict: verdict, phases: [.dns])
        record["findings"] = .array(findings.map(\.json))
        record["dane"] = dane?.json(mtaSTS: verdict) ?? .null
        fillDNS(&record, facts: facts, assessment: assessment, hosts: nil, probes: nil, providers: providers)
        return .object(record)
    }

    /// The record after every phase that ran: `retrieval` is nil when no policy
    /// fetch was attempted, `probes` nil when the MX phase did not run for the domain.
    public static func scanned(
        facts: DomainDNSFacts, dns: DNSPhaseAssessment, assessment: DomainAssessment, retrieval: PolicyRetrieval?,
        probes: [MXProbeObservation]?, phases: [Phase], line: Int, providers: ProviderCatalogue = .builtIn,
        reportEndpoints: [ReportEndpointObservation]? = nil
    ) -> JSONValue {
        var record = skeleton(domain: facts.domain.text, line: line, verdict: assessment.verdict, phases: phases)
        record["mode"] = assessment.mode.map { .string($0.rawValue) } ?? .null
        record["findings"] = .array(assessment.findings.map(\.json))
        fillDNS(&record, facts: facts, assessment: dns, hosts: assessment.hosts, probes: probes, providers: providers)
        if var tlsrpt = record["tlsrpt"]?.objectValue, let reportEndpoints {
            tlsrpt["endpoints"] = .array(reportEndpoints.map(\.json))
            record["tlsrpt"] = .object(tlsrpt)
        }
        record["policy"] = retrieval.map(policyJSON) ?? .null
        record["dane"] = assessment.dane?.json(mtaSTS: assessment.verdict) ?? .null
        return .object(record)
    }

    private static func fillDNS(
        _ record: inout JSONObject, facts: DomainDNSFacts, assessment: DNSPhaseAssessment,
        hosts: [MXHostAssessment]?, probes: [MXProbeObservation]?, providers: ProviderCatalogue
    ) {
        record["sts_record"] = stsRecordJSON(facts.stsTXT, assessment.stsRecord)
        record["tlsrpt"] = tlsrptJSON(facts.tlsrptTXT, assessment.tlsrptRecord)
        record["mx"] = mxJSON(facts, hosts: hosts, probes: probes, providers: providers)
        record["policy_host"] = policyHostJSON(facts, providers: providers)
        record["ns"] = lookupJSON(facts.ns) { .strings($0.sorted()) }
    }

    /// Every top-level key, in order, with nulls where nothing is known yet.
    static func skeleton(domain: String, line: Int, verdict: Verdict?, phases: [Phase]) -> JSONObject {
        [
            "schema_version": .int(schemaVersion),
            "domain": .string(domain),
            "input_line": .int(line),
            "input_error": .null,
            "excluded": .null,
            "verdict": verdict.map { .string($0.rawValue) } ?? .null,
            "mode": .null,
            "phases": .strings(phases.map(\.rawValue)),
            "findings": .array([]),
            "sts_record": .null,
            "tlsrpt": .null,
            "policy_host": .null,
            "policy": .null,
            "mx": .null,
            "ns": .null,
            "dane": .null,
        ]
    }

    /// `{"lookup": status, "txt": [...], "status": valid|invalid|absent, ...}`.
    static func stsRecordJSON(_ lookup: LookupResult<[UInt8]>, _ evaluation: STSRecordEvaluation?) -> JSONValue {
        var object: JSONObject = ["lookup": .string(lookup.status.rawValue), "txt": .array(lookup.values.map { .text($0) })]
        object["status"] = evaluation.map { .string($0.status.rawValue) } ?? .null
        object["id"] = evaluation?.id.map { .string($0) } ?? .null
        return .object(object)
    }

    static func tlsrptJSON(_ lookup: LookupResult<[UInt8]>, _ evaluation: TLSRPTRecordEvaluation?) -> JSONValue {
        var object: JSONObject = ["lookup": .string(lookup.status.rawValue), "txt": .array(lookup.values.map { .text($0) })]
        object["status"] = evaluation.map { .string($0.status.rawValue) } ?? .null
        object["rua"] = evaluation.map { .strings($0.rua) } ?? .null
        // Phase tlsrpt fills it in (`scanned`); null when the phase did not run.
        object["endpoints"] = .null
        return .object(object)
    }

    /// `{"lookup", "hosts": [{"preference", "host", "ipv4", "ipv6", "address_lookup"}]}` in preference order.
    static func mxJSON(_ facts: DomainDNSFacts, hosts assessments: [MXHostAssessment]? = nil,
                       probes: [MXProbeObservation]? = nil, providers: ProviderCatalogue = .builtIn) -> JSONValue {
        var hosts: [JSONValue] = []
        for record in facts.mx.values.sorted(by: { ($0.preference, $0.host) < ($1.preference, $1.host) }) {
            var host: JSONObject = ["preference": .int(record.preference), "host": .string(record.host)]
            if let addresses = facts.mxHostAddresses[record.host] {
                host["ipv4"] = .strings(addresses.ipv4.values.sorted())
                host["ipv6"] = .strings(addresses.ipv6.values.sorted())
                host["address_lookup"] = .object([
                    "a": .string(addresses.ipv4.status.rawValue), "aaaa": .string(addresses.ipv6.status.rawValue),
                ])
            } else {
                host["ipv4"] = .null
                host["ipv6"] = .null
                host["address_lookup"] = .null
            }
            host["tlsa"] = facts.mxTLSA[record.host].map { lookup in
                .object([
                    "lookup": .string(lookup.status.rawValue),
                    "dnssec": lookup.dnssec.map { .string($0.rawValue) } ?? .null,
                    "records": .array(lookup.values.map {
                        .object(["usage": .int($0.usage), "selector": .int($0.selector),
                                 "matching_type": .int($0.matchingType), "data": .string($0.data),
                                 "usable": .bool(TLSAUsability.isUsable($0))])
                    }),
                ])
            } ?? .null
            host["provider"] = providers.mailProvider(mxHost: record.host).map { .string($0) } ?? .null
            let assessment = assessments?.first { $0.host == record.host }
            host["matches_policy"] = assessment?.matchesPolicy.map { .bool($0) } ?? .null
            host["pattern"] = assessment?.pattern.map { .string($0) } ?? .null
            host["pkix_valid"] = assessment?.pkixValid.map { .bool($0) } ?? .null
            host["probes"] = probes.map { probes in
                .array(probes.filter { $0.host == record.host }.map(probeJSON))
            } ?? .null
            hosts.append(.object(host))
        }
        var object: JSONObject = ["lookup": .string(facts.mx.status.rawValue), "hosts": .array(hosts)]
        // With `--dane`: the MX RRset's DNSSEC status (RFC 7672 §2.2.1); null without.
        object["dnssec"] = facts.mx.dnssec.map { .string($0.rawValue) } ?? .null
        return .object(object)
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

    static func lookupJSON<Value>(_ lookup: LookupResult<Value>, values: ([Value]) -> JSONValue) -> JSONValue {
        .object(["lookup": .string(lookup.status.rawValue), "values": values(lookup.values)])
    }
}

extension ScanRecord {
    /// One NDJSON line: the record's compact JSON and a newline.
    public static func line(_ record: JSONValue) -> [UInt8] {
        var writer = JSONWriter(capacity: 1024)
        writer.writeLine(record)
        return writer.bytes
    }
}
