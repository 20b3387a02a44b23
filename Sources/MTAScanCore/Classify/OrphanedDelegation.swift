/// `policy-orphaned-delegation`: `mta-sts.<domain>` is a CNAME into a known
/// policy-hosting provider (docs/providers.md), and the provider's answer
/// shows it no longer serves the domain — the customer left, or never
/// finished setting up, and the delegation stayed. The IMC'25 study found
/// these by hand among the third-party-hosted failures; here the evidence is
/// read off what the scan saw:
///
/// - `nxdomain`: the CNAME target does not exist (`policy-dns` `dangling-cname`).
///   A dangling CNAME into a provider that lets customers claim names is a
///   takeover risk: whoever registers that name there serves this domain's policy.
/// - `http-404`: the provider answers 404 or 410 for the policy URL.
/// - `empty-body`: it answers 200 with nothing (`policy-syntax` `rule: empty`).
/// - `certificate-name-mismatch`: it presents a certificate without
///   `mta-sts.<domain>` — its default one.
/// - `mode-none`: it serves a valid `mode: none` policy, the placeholder some
///   providers leave behind.
///
/// The underlying finding carries the error; this one names the cause, so it
/// is a warning. Pure.
enum OrphanedDelegation {
    static func finding(facts: DomainDNSFacts, dnsFindings: [Finding], retrieval: PolicyRetrieval?,
                        providers: ProviderCatalogue) -> Finding? {
        let chain = facts.policyHostIPv4.cnameChain.isEmpty ? facts.policyHostIPv6.cnameChain : facts.policyHostIPv4.cnameChain
        guard let target = chain.first,
              let provider = providers.policyHostProvider(name: facts.policyHostName, cnameChain: chain),
              let evidence = evidence(dnsFindings: dnsFindings, retrieval: retrieval)
        else { return nil }
        return Finding(.policyOrphanedDelegation, severity: .warning, [
            "provider": .string(provider), "evidence": .string(evidence), "cname_target": .string(target),
            "takeover_risk": .bool(evidence == "nxdomain"),
        ])
    }

    static func evidence(dnsFindings: [Finding], retrieval: PolicyRetrieval?) -> String? {
        if dnsFindings.contains(where: { $0.code == .policyDNS && $0[detail: "reason"] == "dangling-cname" }) {
            return "nxdomain"
        }
        guard let retrieval else { return nil }
        let findings = retrieval.findings
        if findings.contains(where: { $0.code == .policyTLS && $0[detail: "reason"] == "name-mismatch" }) {
            return "certificate-name-mismatch"
        }
        if retrieval.httpStatus == 404 || retrieval.httpStatus == 410 { return "http-404" }
        if retrieval.httpStatus == 200, findings.contains(where: { $0.code == .policySyntax && $0[detail: "rule"] == "empty" }) {
            return "empty-body"
        }
        if retrieval.policy?.mode == PolicyMode.none { return "mode-none" }
        return nil
    }
}
