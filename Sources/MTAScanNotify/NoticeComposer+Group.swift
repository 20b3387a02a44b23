import MTAScanCore

/// A grouped message (docs/notify.md, "Grouping by provider"): one message to
/// a provider's contact about all of its customers' notices waiting now.
/// Each problem is explained once (its fix text, with `<domain>` left for the
/// reader to fill in), then the domains: the first `listedInFull` with what was
/// observed, the rest one line each (domain: codes), so that a message about
/// 3,000 customers stays readable and every domain is still named in it.
extension NoticeComposer {
    /// Domains shown with their details; the others get one line each.
    public static let listedInFull = 25

    func groupMessage(for batch: NoticeBatch) -> MailMessage {
        let context = groupContext(for: batch)
        return message(for: batch.lead, subject: Self.oneLine(groupSubject.render(context)), body: groupBody.render(context))
    }

    /// What the grouped template sees (docs/notify.md lists it).
    func groupContext(for batch: NoticeBatch) -> [String: Any] {
        let lead = batch.lead
        var problems: [(code: String, count: Int)] = []
        for notice in batch.members {
            for code in Set(notice.candidate.findings.map(\.code)) {
                if let index = problems.firstIndex(where: { $0.code == code }) {
                    problems[index].count += 1
                } else {
                    problems.append((code, 1))
                }
            }
        }
        // In the order of first appearance, but stable whatever Set's order: by code within a notice.
        problems.sort { ($0.count, $1.code) > ($1.count, $0.code) }
        let explained: [[String: Any]] = problems.map { problem in
            let text = fixTexts[problem.code] ?? FixText(
                whatWeSaw: "a problem of the kind \(problem.code).", whyItMatters: "see docs/findings.md.",
                howToFix: "see docs/fixes.md.")
            return ["code": problem.code, "count": problem.count, "one": problem.count == 1,
                    "what_we_saw": text.whatWeSaw, "why_it_matters": text.whyItMatters, "how_to_fix": text.howToFix]
        }
        let full = batch.members.prefix(Self.listedInFull).map { notice -> [String: Any] in
            let candidate = notice.candidate
            var entry: [String: Any] = [
                "domain": candidate.domain, "sts_records": candidate.stsRecords, "mx_hosts": candidate.mxHosts,
                "findings": candidate.findings.map { finding -> [String: Any] in
                    ["code": finding.code,
                     "observed": finding.details.fields.compactMap { field -> [String: String]? in
                         guard let value = Self.shown(field.value) else { return nil }
                         return ["name": field.key, "value": value]
                     }]
                },
            ]
            if let mode = candidate.mode { entry["mode"] = mode }
            if let url = candidate.policyURL { entry["policy_url"] = url }
            return entry
        }
        let rest = batch.members.dropFirst(Self.listedInFull).map { notice -> [String: String] in
            ["domain": notice.candidate.domain, "codes": notice.candidate.findings.map(\.code).joined(separator: ", ")]
        }
        let scanDate = batch.members.compactMap(\.scanDate).max() ?? "a recent date"
        var context: [String: Any] = [
            "party": batch.party ?? "", "domain_count": batch.members.count, "one_domain": batch.members.count == 1,
            "scan_date": scanDate, "problems": explained, "domains": full,
            "listed_count": full.count, "has_more": !rest.isEmpty, "more_count": rest.count, "more": rest,
            "optout_address": settings.optOutAddress(token: lead.token), "contact": settings.contact,
            "campaign": settings.name, "token": lead.token,
        ]
        if let base = settings.feedbackURL { context["feedback_url"] = Self.url(base, token: lead.token) }
        if let url = optOutURL(lead) { context["optout_url"] = url }
        return context
    }
}
