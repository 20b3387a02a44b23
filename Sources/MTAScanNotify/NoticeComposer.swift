import Foundation
import Mustache
import MTAScanCore

/// Turns a planned notice into the message its recipients get: the
/// template's text for its findings (docs/fixes.md), and headers that follow
/// the norms of automated mail (docs/notify.md, "The message"):
/// - `Auto-Submitted: auto-generated` (RFC 3834): no auto-replies, no loops;
/// - `List-Unsubscribe` with a per-message mailto, and with an HTTPS URL plus
///   `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058) when the
///   campaign has one;
/// - a unique Message-ID, and an envelope sender `bounces+TOKEN@…` (VERP), so
///   that every bounce names its notice.
public struct NoticeComposer: Sendable {
    // Internal: NoticeComposer+Group.swift writes grouped messages.
    let settings: CampaignSettings
    private let body: MustacheTemplate
    private let subject: MustacheTemplate
    let groupBody: MustacheTemplate
    let groupSubject: MustacheTemplate
    let fixTexts: [String: FixText]

    public enum Failure: Error, CustomStringConvertible {
        case template(String)
        public var description: String {
            switch self {
            case .template(let message): return "the template cannot be read: \(message)"
            }
        }
    }

    /// `template`: Mustache text of the body (nil: the built-in one).
    public init(settings: CampaignSettings, template: String? = nil, fixTexts: [String: FixText] = FixTexts.builtIn) throws {
        self.settings = settings
        self.fixTexts = fixTexts
        do {
            body = try MustacheTemplate(string: template ?? NoticeTemplate.body)
            subject = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + settings.subject)
            groupBody = try MustacheTemplate(string: NoticeTemplate.groupBody)
            groupSubject = try MustacheTemplate(string: NoticeTemplate.groupSubject)
        } catch {
            throw Failure.template("\(error)")
        }
    }

    /// The message of `notice`, dated its plan time (rendering again gives the
    /// same bytes), saying its findings were seen in the scan of its `scanDate`.
    public func message(for notice: CampaignStore.StoredNotice) -> MailMessage {
        let context = self.context(for: notice, scanDate: notice.scanDate ?? "a recent date")
        return message(for: notice, subject: Self.oneLine(subject.render(context)), body: body.render(context))
    }

    /// The message of a batch: a notice's own, or a grouped message
    /// (NoticeComposer+Group.swift) whose token is its lead notice's.
    public func message(for batch: NoticeBatch) -> MailMessage {
        batch.isGrouped ? groupMessage(for: batch) : message(for: batch.lead)
    }

    /// The headers every campaign message has, with the token of `notice`.
    func message(for notice: CampaignStore.StoredNotice, subject: String, body: String) -> MailMessage {
        var headers: [(name: String, value: String)] = [
            ("From", settings.from),
            ("To", notice.recipients.joined(separator: ", ")),
            ("Subject", subject),
            ("Date", UnixTime.rfc5322(notice.createdAt)),
            ("Message-ID", notice.messageID),
            ("Auto-Submitted", "auto-generated"),
            ("Precedence", "bulk"),
        ]
        var unsubscribe = ["<mailto:\(settings.optOutAddress(token: notice.token))?subject=unsubscribe>"]
        if let url = optOutURL(notice) { unsubscribe.append("<\(url)>") }
        headers.append(("List-Unsubscribe", unsubscribe.joined(separator: ", ")))
        if optOutURL(notice) != nil { headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")) }
        headers.append(("X-Mtascan-Campaign", settings.name))
        return MailMessage(headers: headers, body: body)
    }

    /// What the template sees (docs/notify.md lists it).
    func context(for notice: CampaignStore.StoredNotice, scanDate: String) -> [String: Any] {
        let candidate = notice.candidate
        let findings: [[String: Any]] = candidate.findings.enumerated().map { index, finding in
            let mx = finding.details["mx_host"]?.stringValue ?? candidate.mxHosts.first
            let text = (fixTexts[finding.code] ?? FixText(
                whatWeSaw: "a problem of the kind \(finding.code).", whyItMatters: "see docs/findings.md.",
                howToFix: "see docs/fixes.md.")).filled(domain: candidate.domain, mxHost: mx)
            return [
                "number": index + 1, "code": finding.code, "severity": finding.severity, "component": finding.component,
                "what_we_saw": text.whatWeSaw, "why_it_matters": text.whyItMatters, "how_to_fix": text.howToFix,
                "observed": finding.details.fields.compactMap { field -> [String: String]? in
                    guard let value = Self.shown(field.value) else { return nil }
                    return ["name": field.key, "value": value]
                },
            ]
        }
        var context: [String: Any] = [
            "domain": candidate.domain, "scan_date": scanDate, "findings": findings,
            "finding_count": findings.count, "one_finding": findings.count == 1,
            "sts_records": candidate.stsRecords, "mx_hosts": candidate.mxHosts,
            "optout_address": settings.optOutAddress(token: notice.token), "contact": settings.contact,
            "campaign": settings.name, "token": notice.token,
        ]
        if let mode = candidate.mode { context["mode"] = mode }
        if let url = candidate.policyURL { context["policy_url"] = url }
        if let base = settings.feedbackURL { context["feedback_url"] = Self.url(base, token: notice.token) }
        if let url = optOutURL(notice) { context["optout_url"] = url }
        return context
    }

    func optOutURL(_ notice: CampaignStore.StoredNotice) -> String? {
        settings.optOutURL.map { Self.url($0, token: notice.token) }
    }

    static func url(_ base: String, token: String) -> String {
        base + (base.contains("?") ? "&" : "?") + "token=" + token
    }

    /// A detail as one line of text: strings as they are (control characters
    /// shown as `\u{..}`), numbers and booleans as JSON, lists joined; objects
    /// and nulls are left out (they read badly in a mail).
    static func shown(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): return oneLine(text)
        case .int, .double, .bool: return String(decoding: ScanRecord.line(value).dropLast(), as: UTF8.self)
        case .array(let items):
            let texts = items.compactMap(shown)
            return texts.isEmpty ? nil : texts.joined(separator: ", ")
        default: return nil
        }
    }

    /// No line breaks or control characters from scanned data reach a header or a line of the body.
    static func oneLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            scalar.value < 0x20 || scalar.value == 0x7F ? " " : scalar
        })).trimmingCharacters(in: .whitespaces)
    }
}
