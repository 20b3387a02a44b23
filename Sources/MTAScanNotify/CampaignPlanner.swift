import MTAScanCore

/// The notices of one round of a campaign: who is written to, who is held out
/// and who is suppressed, and why (docs/notify.md, "Planning").
public enum CampaignPlanner {
    /// `knownGroups`: the group each domain got in earlier rounds (it keeps it);
    /// new domains are drawn into the control group by `ControlGroup`.
    /// `token`: a fresh random token per notice.
    /// `contacts` (plan --group-by-provider): a candidate whose provider has a
    /// contact there, not suppressed, gets that contact as its one recipient
    /// and the provider as its party (its message is grouped with the
    /// provider's other customers' at render and send time); any other is
    /// planned as a notice of its own.
    public static func notices(for candidates: [NoticeCandidate], settings: CampaignSettings,
                               knownGroups: [String: String], suppressions: [Suppression],
                               contacts: ProviderContacts? = nil,
                               token: () -> String) -> [CampaignStore.NewNotice] {
        let fresh = candidates.filter { knownGroups[$0.domain] == nil }
        let control = ControlGroup.assign(fresh.map { ($0.domain, $0.stratum) }, fraction: settings.controlFraction,
                                          seed: settings.seed)
        return candidates.map { candidate in
            let group = knownGroups[candidate.domain] ?? (control.contains(candidate.domain) ? "control" : "notify")
            // postmaster@ first: RFC 5321 §4.5.1 requires every domain to accept it.
            var recipients: [String] = []
            for address in ["postmaster@\(candidate.domain)"] + (settings.includeRUA ? candidate.ruaAddresses : [])
                where !recipients.contains(address.lowercased()) {
                recipients.append(address.lowercased())
            }
            var state = NoticeState.planned
            var detail = "selected"
            var party: String?
            if let provider = candidate.provider, let contact = contacts?[provider],
               !suppressions.contains(where: { $0.suppresses(address: contact) }) {
                party = provider
                recipients = [contact]
                detail = "selected; grouped under \(provider)"
            }
            if group == "control" {
                state = .control
                detail = "control group (seed \(settings.seed), fraction \(settings.controlFraction))"
            } else if let entry = suppressions.first(where: { $0.suppresses(domain: candidate.domain) }) {
                state = .suppressed
                detail = "suppressed: domain \(entry.value)"
            } else {
                recipients = recipients.filter { address in !suppressions.contains { $0.suppresses(address: address) } }
                if recipients.isEmpty {
                    state = .suppressed
                    detail = "suppressed: every recipient"
                }
            }
            var notice = CampaignStore.NewNotice(candidate: candidate, group: group, recipients: recipients, state: state,
                                                 detail: detail, token: token())
            notice.party = party
            return notice
        }
    }

    /// What `notify second-channel --security-txt` found for a domain: the
    /// `mailto:` contacts of its security.txt, or why there are none (then
    /// security@ is written to, as without the option).
    public struct SecurityContact: Sendable, Equatable {
        public var addresses: [String]
        /// Where the contacts come from, or why none are used.
        public var note: String

        public init(addresses: [String], note: String) {
            self.addresses = addresses
            self.note = note
        }
    }

    /// The second channel, opt-in (`notify second-channel`): for each notified
    /// domain whose postmaster@ bounced hard, a notice about the same findings
    /// to the `mailto:` contacts of its security.txt (RFC 9116) when
    /// `securityTxt` has usable ones for it, else to `security@<domain>` (RFC
    /// 2142 §4). One second-channel notice per notice whatever the channel
    /// (digest `…+security`); suppression applies as in a plan; the channel and
    /// its source are the notice's first event.
    public static func secondChannel(for bounced: [CampaignStore.StoredNotice], suppressions: [Suppression],
                                     securityTxt: [String: SecurityContact] = [:],
                                     token: () -> String) -> [CampaignStore.NewNotice] {
        eligible(bounced).map { notice in
            let domain = notice.candidate.domain
            var recipients = ["security@\(domain)"]
            var detail = "second channel: security@ (RFC 2142) after postmaster@ bounced"
            if let contact = securityTxt[domain] {
                if contact.addresses.isEmpty {
                    detail += "; security.txt: \(contact.note)"
                } else {
                    recipients = contact.addresses
                    detail = "second channel: security.txt contact (RFC 9116, \(contact.note)) after postmaster@ bounced"
                }
            }
            var state = NoticeState.planned
            if let entry = suppressions.first(where: { $0.suppresses(domain: domain) }) {
                state = .suppressed
                detail = "suppressed: \(entry.kind.rawValue) \(entry.value)"
            } else {
                recipients = recipients.filter { address in !suppressions.contains { $0.suppresses(address: address) } }
                if recipients.isEmpty {
                    state = .suppressed
                    detail = "suppressed: every recipient (\(detail))"
                }
            }
            var new = CampaignStore.NewNotice(candidate: notice.candidate, group: "notify", recipients: recipients,
                                              state: state, detail: detail, token: token())
            new.digestSuffix = "+security"
            return new
        }
    }

    /// The notices a second channel is for: notified, bounced, and written to postmaster@.
    public static func eligible(_ bounced: [CampaignStore.StoredNotice]) -> [CampaignStore.StoredNotice] {
        bounced.filter { $0.group == "notify" && $0.state == .bounced && $0.recipients.contains("postmaster@\($0.candidate.domain)") }
    }
}
