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
        .object(skeleton(
            domain: text, line: line, verdict: nil, phases: [],
            inputError: .object(["reason": .string(problem.reason), "message": .string(problem.message)])))
    }

    /// The record of a domain on the exclusion list: nothing was sent for it.
    public static func excluded(domain: DomainName, line: Int, rule: String) -> JSONValue {
        .object(skeleton(domain: domain.text, line: line, verdict: nil, phases: [], excluded: .object(["rule": .string(rule)])))
    }

    /// The record after the DNS phase.
    public static func dnsPhase(
        facts: DomainDNSFacts, assessment: DNSPhaseAssessment, line: Int, extraFindings: [Finding] = [],
        providers: ProviderCatalogue = .builtIn
    ) -> JSONValue {
        let dane = facts.daneLookups ? DANEAssessment.assess(facts: facts, probes: nil) : nil
        let findings = assessment.findings + extraFindings + (dane?.findings ?? [])
        let verdict = Verdict.of(stsRecordStatus: assessment.stsRecord?.status, findings: findings)
        return .object(skeleton(
            domain: facts.domain.text, line: line, verdict: verdict, phases: [.dns],
            findings: .array(findings.map(\.json)),
            stsRecord: stsRecordJSON(facts.stsTXT, assessment.stsRecord),
            tlsrpt: tlsrptJSON(facts.tlsrptTXT, assessment.tlsrptRecord),
            policyHost: policyHostJSON(facts, providers: providers),
            mx: mxJSON(facts, providers: providers),
            ns: nsJSON(facts),
            dane: dane?.json(mtaSTS: verdict) ?? .null))
    }

    /// The record after every phase that ran: `retrieval` is nil when no policy
    /// fetch was attempted, `probes` nil when the MX phase did not run for the domain.
    public static func scanned(
        facts: DomainDNSFacts, dns: DNSPhaseAssessment, assessment: DomainAssessment, retrieval: PolicyRetrieval?,
        probes: [MXProbeObservation]?, phases: [Phase], line: Int, providers: ProviderCatalogue = .builtIn,
        reportEndpoints: [ReportEndpointObservation]? = nil
    ) -> JSONValue {
        .object(skeleton(
            domain: facts.domain.text, line: line, verdict: assessment.verdict, phases: phases,
            mode: assessment.mode.map { .string($0.rawValue) } ?? .null,
            findings: .array(assessment.findings.map(\.json)),
            stsRecord: stsRecordJSON(facts.stsTXT, dns.stsRecord),
            tlsrpt: tlsrptJSON(facts.tlsrptTXT, dns.tlsrptRecord, endpoints: reportEndpoints),
            policyHost: policyHostJSON(facts, providers: providers),
            policy: retrieval.map(policyJSON) ?? .null,
            mx: mxJSON(facts, hosts: assessment.hosts, probes: probes, providers: providers),
            ns: nsJSON(facts),
            dane: assessment.dane?.json(mtaSTS: assessment.verdict) ?? .null))
    }

    /// Every top-level key, in order: the one place the order is written. What
    /// is not given is null (or an empty list): a record is built in one
    /// literal, with no key looked up and replaced afterwards.
    static func skeleton(
        domain: String, line: Int, verdict: Verdict?, phases: [Phase], inputError: JSONValue = .null,
        excluded: JSONValue = .null, mode: JSONValue = .null, findings: JSONValue = .array([]),
        stsRecord: JSONValue = .null, tlsrpt: JSONValue = .null, policyHost: JSONValue = .null,
        policy: JSONValue = .null, mx: JSONValue = .null, ns: JSONValue = .null, dane: JSONValue = .null
    ) -> JSONObject {
        [
            "schema_version": .int(schemaVersion),
            "domain": .string(domain),
            "input_line": .int(line),
            "input_error": inputError,
            "excluded": excluded,
            "verdict": verdict.map { .string($0.rawValue) } ?? .null,
            "mode": mode,
            "phases": .strings(phases.map(\.rawValue)),
            "findings": findings,
            "sts_record": stsRecord,
            "tlsrpt": tlsrpt,
            "policy_host": policyHost,
            "policy": policy,
            "mx": mx,
            "ns": ns,
            "dane": dane,
        ]
    }

    static func nsJSON(_ facts: DomainDNSFacts) -> JSONValue {
        lookupJSON(facts.ns) { .strings($0.sorted()) }
    }

    /// `{"lookup": status, "txt": [...], "status": valid|invalid|absent, ...}`.
    static func stsRecordJSON(_ lookup: LookupResult<[UInt8]>, _ evaluation: STSRecordEvaluation?) -> JSONValue {
        .object([
            "lookup": .string(lookup.status.rawValue),
            "txt": .array(lookup.values.map { .text($0) }),
            "status": evaluation.map { .string($0.status.rawValue) } ?? .null,
            "id": evaluation?.id.map { .string($0) } ?? .null,
        ])
    }

    /// `endpoints`: what phase tlsrpt found for each `rua`; null when the phase did not run.
    static func tlsrptJSON(
        _ lookup: LookupResult<[UInt8]>, _ evaluation: TLSRPTRecordEvaluation?,
        endpoints: [ReportEndpointObservation]? = nil
    ) -> JSONValue {
        .object([
            "lookup": .string(lookup.status.rawValue),
            "txt": .array(lookup.values.map { .text($0) }),
            "status": evaluation.map { .string($0.status.rawValue) } ?? .null,
            "rua": evaluation.map { .strings($0.rua) } ?? .null,
            "endpoints": endpoints.map { .array($0.map(\.json)) } ?? .null,
        ])
    }

    /// `{"lookup", "hosts": [{"preference", "host", "ipv4", "ipv6", "address_lookup"}]}` in preference order.
    static func mxJSON(_ facts: DomainDNSFacts, hosts assessments: [MXHostAssessment]? = nil,
                       probes: [MXProbeObservation]? = nil, providers: ProviderCatalogue = .builtIn) -> JSONValue {
        var hosts: [JSONValue] = []
        for record in facts.mx.values.sorted(by: { ($0.preference, $0.host) < ($1.preference, $1.host) }) {
            let addresses = facts.mxHostAddresses[record.host]
            let tlsa: JSONValue = facts.mxTLSA[record.host].map { lookup in
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
            let assessment = assessments?.first { $0.host == record.host }
            hosts.append(.object([
                "preference": .int(record.preference),
                "host": .string(record.host),
                "ipv4": addresses.map { .strings($0.ipv4.values.sorted()) } ?? .null,
                "ipv6": addresses.map { .strings($0.ipv6.values.sorted()) } ?? .null,
                "address_lookup": addresses.map {
                    .object(["a": .string($0.ipv4.status.rawValue), "aaaa": .string($0.ipv6.status.rawValue)])
                } ?? .null,
                "tlsa": tlsa,
                "provider": providers.mailProvider(mxHost: record.host).map { .string($0) } ?? .null,
                "matches_policy": assessment?.matchesPolicy.map { .bool($0) } ?? .null,
                "pattern": assessment?.pattern.map { .string($0) } ?? .null,
                "pkix_valid": assessment?.pkixValid.map { .bool($0) } ?? .null,
                "probes": probes.map { probes in .array(probes.filter { $0.host == record.host }.map(probeJSON)) } ?? .null,
            ]))
        }
        return .object([
            "lookup": .string(facts.mx.status.rawValue),
            "hosts": .array(hosts),
            // With `--dane`: the MX RRset's DNSSEC status (RFC 7672 §2.2.1); null without.
            "dnssec": facts.mx.dnssec.map { .string($0.rawValue) } ?? .null,
        ])
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
        // Room for a DNS-phase record (about 1.2 KB) without growing.
        var writer = JSONWriter(capacity: 2048)
        writer.writeLine(record)
        return writer.bytes
    }
}
