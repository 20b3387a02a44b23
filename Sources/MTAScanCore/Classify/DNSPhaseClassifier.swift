/// What the DNS lookups alone say about a domain.
public struct DNSPhaseAssessment: Sendable, Equatable {
    /// Nil when the `_mta-sts` lookup itself failed.
    public var stsRecord: STSRecordEvaluation?
    /// Nil when the `_smtp._tls` lookup failed.
    public var tlsrptRecord: TLSRPTRecordEvaluation?
    public var findings: [Finding]

    /// The domain publishes something meant as an MTA-STS record, so its
    /// policy host and MX hosts matter.
    public var hasMTASTSRecord: Bool {
        guard let stsRecord else { return false }
        return stsRecord.status != .absent
    }
}

/// Turns the DNS facts of one domain into the DNS-phase findings:
/// `sts-record-*`, `tlsrpt-*`, `dns-*`, `mx-none`, `mx-dns`, `policy-dns`.
///
/// Policy-host and MX findings arise only for a domain with an MTA-STS record:
/// without one they say nothing about MTA-STS. A lookup failure (SERVFAIL,
/// REFUSED, timeout) on a name the verdict depends on is a `dns-*` error, not
/// `policy-dns`/`mx-dns`: through a recursive resolver it is not the owner's
/// configuration that is known to be wrong. A failed TLS-RPT lookup is a
/// `dns-*` warning, since TLS-RPT never decides the verdict. A CNAME chain
/// served whole that loops or is too long is known to be the owner's, so it
/// is `policy-dns`/`mx-dns` (reason `cname-loop`, `cname-chain-too-long`),
/// even when the other address type's lookup failed.
public enum DNSPhaseClassifier {
    public static func assess(_ facts: DomainDNSFacts) -> DNSPhaseAssessment {
        var findings: [Finding] = []
        let domain = facts.domain.text

        let stsRecord = evaluateTXT(facts.stsTXT, name: "_mta-sts." + domain, severity: .error, into: &findings) {
            STSRecord.evaluate($0)
        }
        let tlsrptRecord = evaluateTXT(facts.tlsrptTXT, name: "_smtp._tls." + domain, severity: .warning, into: &findings) {
            TLSRPTRecord.evaluate($0)
        }
        findings.append(contentsOf: stsRecord?.findings ?? [])
        findings.append(contentsOf: tlsrptRecord?.findings ?? [])

        let assessment = DNSPhaseAssessment(stsRecord: stsRecord, tlsrptRecord: tlsrptRecord, findings: [])
        if assessment.hasMTASTSRecord {
            assessPolicyHost(facts, into: &findings)
            assessMX(facts, into: &findings)
        }
        return DNSPhaseAssessment(stsRecord: stsRecord, tlsrptRecord: tlsrptRecord, findings: findings)
    }

    private static func evaluateTXT<Evaluation>(
        _ lookup: LookupResult<[UInt8]>, name: String, severity: Severity, into findings: inout [Finding],
        evaluate: ([[UInt8]]) -> Evaluation
    ) -> Evaluation? {
        if let code = lookup.status.failureCode {
            findings.append(lookupFailure(code, name: name, type: "TXT", severity: severity))
            return nil
        }
        return evaluate(lookup.values)
    }

    /// `policy-dns` when `mta-sts.<domain>` has no address at all.
    private static func assessPolicyHost(_ facts: DomainDNSFacts, into findings: inout [Finding]) {
        let lookups = [("A", facts.policyHostIPv4), ("AAAA", facts.policyHostIPv6)]
        if lookups.contains(where: { $0.1.status == .answer }) { return }
        if let cut = lookups.first(where: { $0.1.status.isCutCNAMEChain }) {
            findings.append(Finding(.policyDNS, details: cutChainDetails(["host": .string(facts.policyHostName)], cut.1)))
            return
        }
        if let failed = lookups.first(where: { $0.1.status.isFailure }), let code = failed.1.status.failureCode {
            findings.append(lookupFailure(code, name: facts.policyHostName, type: failed.0, severity: .error))
            return
        }
        let chain = facts.policyHostIPv4.cnameChain.isEmpty ? facts.policyHostIPv6.cnameChain : facts.policyHostIPv4.cnameChain
        var details: JSONObject = [
            "host": .string(facts.policyHostName),
            "reason": .string(policyHostReason(facts, chain: chain)),
        ]
        if !chain.isEmpty { details["cname_chain"] = .strings(chain) }
        findings.append(Finding(.policyDNS, details: details))
    }

    private static func policyHostReason(_ facts: DomainDNSFacts, chain: [String]) -> String {
        if !chain.isEmpty { return "dangling-cname" }
        return facts.policyHostIPv4.status == .nxdomain && facts.policyHostIPv6.status == .nxdomain ? "nxdomain" : "nodata"
    }

    /// `mx-none` without usable MX records; `mx-dns` per MX host with no address.
    private static func assessMX(_ facts: DomainDNSFacts, into findings: inout [Finding]) {
        let domain = facts.domain.text
        if let code = facts.mx.status.failureCode {
            findings.append(lookupFailure(code, name: domain, type: "MX", severity: .error))
            return
        }
        let hosts = facts.mxHostsByPreference
        if hosts.isEmpty {
            let nullMX = facts.mx.values.contains(where: \.isNullMX)
            findings.append(Finding(.mxNone, ["reason": .string(nullMX ? "null-mx" : facts.mx.status.rawValue)]))
            return
        }
        var seen = Set<String>()
        for record in hosts where seen.insert(record.host).inserted {
            guard let addresses = facts.mxHostAddresses[record.host] else { continue }
            let lookups = [("A", addresses.ipv4), ("AAAA", addresses.ipv6)]
            if lookups.contains(where: { $0.1.status == .answer }) { continue }
            if let cut = lookups.first(where: { $0.1.status.isCutCNAMEChain }) {
                findings.append(Finding(.mxDNS, details: cutChainDetails(["mx_host": .string(record.host)], cut.1)))
            } else if let failed = lookups.first(where: { $0.1.status.isFailure }), let code = failed.1.status.failureCode {
                findings.append(lookupFailure(code, name: record.host, type: failed.0, severity: .error))
            } else {
                findings.append(Finding(.mxDNS, ["mx_host": .string(record.host), "reason": .string(
                    addresses.ipv4.status == .nxdomain && addresses.ipv6.status == .nxdomain ? "nxdomain" : "nodata")]))
            }
        }
    }

    /// `reason` (`cname-loop`, `cname-chain-too-long`), `cname_length` (links
    /// the answer held, to the first repeat for a loop), `cname_chain` (the
    /// names followed, ending at the cut) and `cname_chain_cut: true`.
    private static func cutChainDetails(_ start: JSONObject, _ lookup: LookupResult<String>) -> JSONObject {
        var details = start
        details["reason"] = .string(lookup.status.rawValue)
        details["cname_length"] = .int(lookup.cnameLength ?? lookup.cnameChain.count)
        details["cname_chain"] = .strings(lookup.cnameChain)
        details["cname_chain_cut"] = .bool(true)
        return details
    }

    static func lookupFailure(_ code: FindingCode, name: String, type: String, severity: Severity) -> Finding {
        Finding(code, severity: severity, ["name": .string(name), "type": .string(type)])
    }
}
