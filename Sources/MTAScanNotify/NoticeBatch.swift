import MTAScanCore

/// What one message carries: a notice of its own, or every notice grouped
/// under one provider for one contact (docs/notify.md, "Grouping by
/// provider"). Notices stay the unit of state; a batch is made afresh at each
/// render and send from the notices waiting then, so a grouped message
/// lists exactly the (domain, digest) pairs not yet handed off, and a notice
/// is never carried twice.
public struct NoticeBatch: Sendable {
    /// Ordered by notice id; never empty. The first is the lead: its token,
    /// Message-ID and envelope sender are the message's.
    public let members: [CampaignStore.StoredNotice]

    public var lead: CampaignStore.StoredNotice { members[0] }
    /// The provider of a grouped message; nil for a notice of its own.
    public var party: String? { lead.party }
    public var isGrouped: Bool { party != nil }
    /// Every member has the same recipients (they are part of the batch's key).
    public var recipients: [String] { lead.recipients }

    /// The recipient domain the rate limits count: the notice's domain, or
    /// for a grouped message the contact's.
    public var rateDomain: String {
        guard isGrouped else { return lead.candidate.domain }
        return recipients.first.flatMap(MailPath.init)?.domain ?? lead.candidate.domain
    }

    /// The provider the rate limits count: the party, or as for any notice.
    public var rateProvider: String { party ?? SendPacing.provider(of: lead.candidate) }

    /// For output: the domain, or `party NAME (N domains)`.
    public var label: String {
        guard let party else { return lead.candidate.domain }
        return "party \(party) (\(members.count) domain\(members.count == 1 ? "" : "s"))"
    }

    /// Notices with a party are joined by (party, recipients); the others stay
    /// alone. In the order of each batch's first notice in `notices`.
    public static func batches(_ notices: [CampaignStore.StoredNotice]) -> [NoticeBatch] {
        var grouped: [String: [CampaignStore.StoredNotice]] = [:]
        var single: [NoticeBatch] = []
        var sequence: [(isGroup: Bool, index: Int, key: String)] = []
        for notice in notices {
            guard let party = notice.party else {
                sequence.append((false, single.count, ""))
                single.append(NoticeBatch(members: [notice]))
                continue
            }
            let key = party + "\u{0}" + notice.recipients.joined(separator: ",")
            if grouped[key] == nil { sequence.append((true, 0, key)) }
            grouped[key, default: []].append(notice)
        }
        return sequence.map { entry in
            entry.isGroup ? NoticeBatch(members: (grouped[entry.key] ?? []).sorted { $0.id < $1.id }) : single[entry.index]
        }
    }
}
