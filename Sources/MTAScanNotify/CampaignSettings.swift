import Foundation
import MTAScanCore

/// What a campaign says and where it sends from, fixed when it is created
/// (`notify plan` the first time) and kept in its database, so that every
/// later step renders the same messages.
public struct CampaignSettings: Sendable, Equatable {
    public var name: String
    /// The From header: `Name <address>` or a bare address.
    public var from: String
    /// The domain of the envelope sender and of the per-message addresses:
    /// bounces go to `bounces+TOKEN@<domain>` (VERP, so a bounce names its
    /// notice), opt-outs to `optout+TOKEN@<domain>`, and Message-IDs end in it.
    public var envelopeDomain: String
    /// Mustache template of the Subject; `{{domain}}` is the domain.
    public var subject: String
    /// Base URL of the feedback form; each message links `BASE?token=TOKEN`.
    public var feedbackURL: String?
    /// Base URL of one-click unsubscription (RFC 8058): `BASE?token=TOKEN`,
    /// POSTed to by mail clients; without it, opting out is by mail only.
    public var optOutURL: String?
    /// Who the recipient can write to, signed under the message.
    public var contact: String
    public var criteria: JSONValue
    /// Also write to the TLS-RPT `rua` mailto addresses of the domain.
    public var includeRUA: Bool
    public var controlFraction: Double
    public var seed: UInt64
    public var createdAt: Int64

    public init(name: String, from: String, envelopeDomain: String, subject: String, feedbackURL: String?,
                optOutURL: String?, contact: String, criteria: JSONValue, includeRUA: Bool, controlFraction: Double,
                seed: UInt64, createdAt: Int64) {
        self.name = name
        self.from = from
        self.envelopeDomain = envelopeDomain
        self.subject = subject
        self.feedbackURL = feedbackURL
        self.optOutURL = optOutURL
        self.contact = contact
        self.criteria = criteria
        self.includeRUA = includeRUA
        self.controlFraction = controlFraction
        self.seed = seed
        self.createdAt = createdAt
    }

    public static let defaultSubject = "MTA-STS configuration problem for {{domain}}"

    func envelopeSender(token: String) -> String { "bounces+\(token)@\(envelopeDomain)" }
    func optOutAddress(token: String) -> String { "optout+\(token)@\(envelopeDomain)" }
    func messageID(token: String) -> String { "<\(token).mtascan@\(envelopeDomain)>" }
}

/// Where a notice is (table `notice`, column `state`; docs/notify.md). Every
/// change is also a row of `notice_event`.
public enum NoticeState: String, Sendable, CaseIterable {
    /// To be written to: selected, not suppressed, not in the control group.
    case planned
    /// On the suppression list (the domain, or every recipient): never written to.
    case suppressed
    /// Held out as the control group: never written to, measured all the same.
    case control
    /// Rendered for review (`notify render`); still to be sent.
    case rendered
    /// `notify send` is handing it to the relay: written before the hand-off,
    /// replaced by `sent` (or the failure) after. Found at the start of a run,
    /// it means the last run died mid-hand-off: it becomes `uncertain`.
    case sending
    /// A hand-off whose outcome is unknown: the run died, or the connection
    /// broke after the message's final `.`. Never sent again automatically
    /// (`notify send --retry-uncertain` does; docs/notify.md, "Sending").
    case uncertain
    /// The relay refused it for good (5yz to MAIL, RCPT or the message).
    case failed
    /// The relay took it (250 to the end of DATA, queue ID in the send log).
    case sent
    case deferred
    case bounced
    case fixed
    case feedback
}

/// One entry of the suppression list: a domain (and its subdomains) or an address.
public struct Suppression: Sendable, Equatable, Hashable {
    public enum Kind: String, Sendable { case domain, address }
    public var kind: Kind
    public var value: String

    public init(kind: Kind, value: String) {
        self.kind = kind
        self.value = value.lowercased()
    }

    /// A list file: one entry per line, an address when it has an `@`, else a
    /// domain; `#` starts a comment.
    public static func parse(_ text: String) -> [Suppression] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let entry = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?
                .trimmingCharacters(in: .whitespaces) ?? ""
            guard !entry.isEmpty else { return nil }
            return Suppression(kind: entry.contains("@") ? .address : .domain, value: entry)
        }
    }

    func suppresses(domain: String) -> Bool {
        let domain = domain.lowercased()
        return kind == .domain && (domain == value || domain.hasSuffix("." + value))
    }

    func suppresses(address: String) -> Bool {
        kind == .address && address.lowercased() == value
    }
}
