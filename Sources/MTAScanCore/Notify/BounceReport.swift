/// What a bounce says: which notice it is about, and for each recipient
/// whether delivery failed for good (hard) or for now (soft), with the status
/// code and a reason class a campaign can count (docs/notify.md, "Bounces").
public struct BounceReport: Sendable, Equatable {
    /// The notice's token: from the VERP address the bounce was sent to
    /// (`bounces+TOKEN@`), else from the returned Message-ID (`<TOKEN.mtascan@`).
    public var token: String?
    public var recipients: [BouncedRecipient]
    /// `rfc3464` (a delivery status notification), or the non-standard form
    /// recognised (`qmail`, `exim`, `text`).
    public var format: String

    public var isHard: Bool { recipients.contains { $0.kind == .hard } }
}

public struct BouncedRecipient: Sendable, Equatable {
    public enum Kind: String, Sendable { case hard, soft }

    public enum Reason: String, Sendable, CaseIterable {
        case noSuchUser = "no-such-user"
        case domainWithoutMail = "domain-without-mail"
        case mailboxFull = "mailbox-full"
        case spamBlock = "spam-block"
        case policyRejection = "policy-rejection"
        case temporary
        case other
    }

    public var address: String?
    /// RFC 3463 enhanced status code (`5.1.1`), or the basic code's class (`5.0.0`) when only that is known.
    public var status: String
    public var action: String
    public var diagnostic: String
    public var kind: Kind
    public var reason: Reason

    public init(address: String?, status: String, action: String, diagnostic: String, kind: Kind, reason: Reason) {
        self.address = address
        self.status = status
        self.action = action
        self.diagnostic = diagnostic
        self.kind = kind
        self.reason = reason
    }
}

/// Reads delivery status notifications (RFC 3464, as Postfix, Exim, Exchange
/// and most MTAs send them) and the common non-standard forms (qmail's
/// "Hi. This is the qmail-send program", Exim's "SMTP error from remote mail
/// server"), as tools like sisimai or flufl.bounce do. Input: one message's
/// bytes, bounded by the caller; anything it cannot read is nil, never a crash.
public enum BounceParser {
    public static func parse(_ bytes: [UInt8], envelopeDomain: String) -> BounceReport? {
        let text = String(decoding: bytes.prefix(4 * 1024 * 1024), as: UTF8.self).replacing("\r\n", with: "\n")
        let (headers, body) = splitHeaders(text[...])
        let token = token(headers: headers, body: body, envelopeDomain: envelopeDomain)
        if let status = deliveryStatusPart(headers: headers, body: body) {
            let recipients = Array(recipientGroups(status).lazy.compactMap(recipient).prefix(maxRecipients))
            if !recipients.isEmpty { return BounceReport(token: token, recipients: recipients, format: "rfc3464") }
        }
        if let recipients = qmail(body) { return BounceReport(token: token, recipients: recipients, format: "qmail") }
        if let recipients = exim(body) { return BounceReport(token: token, recipients: recipients, format: "exim") }
        return nil
    }

    // MARK: RFC 3464

    /// The `message/delivery-status` part of a `multipart/report`, as text.
    static func deliveryStatusPart(headers: [(String, String)], body: Substring) -> Substring? {
        guard let type = value(headers, "content-type"), type.lowercased().hasPrefix("multipart/"),
              let boundary = parameter(type, "boundary") else { return nil }
        for part in body.split(separator: "--" + boundary, omittingEmptySubsequences: true) {
            let (partHeaders, partBody) = splitHeaders(part.drop(while: { $0 == "\n" }))
            if value(partHeaders, "content-type")?.lowercased().hasPrefix("message/delivery-status") == true {
                return partBody
            }
        }
        return nil
    }

    /// The per-recipient field groups: blocks separated by blank lines, after the per-message one.
    static func recipientGroups(_ status: Substring) -> [[(String, String)]] {
        var groups: [[(String, String)]] = []
        var current: [Substring] = []
        let lines: [Substring] = status.split(separator: "\n", omittingEmptySubsequences: false) + [""]
        for line in lines {
            if line.allSatisfy({ $0.isWhitespace }) {
                if !current.isEmpty { groups.append(fields(current.joined(separator: "\n")[...])) }
                current = []
            } else {
                current.append(line)
            }
        }
        return groups.filter { group in group.contains { $0.0 == "final-recipient" || $0.0 == "action" } }
    }

    static func recipient(_ group: [(String, String)]) -> BouncedRecipient? {
        guard let action = value(group, "action")?.lowercased() else { return nil }
        guard action == "failed" || action == "delayed" else { return nil }  // delivered, relayed, expanded: no bounce
        let address = (value(group, "final-recipient") ?? value(group, "original-recipient")).map(addressPart)
        let diagnostic = value(group, "diagnostic-code").map(addressPart) ?? ""
        let status = value(group, "status").flatMap(enhancedCode) ?? enhancedCode(diagnostic) ?? (action == "failed" ? "5.0.0" : "4.0.0")
        let kind: BouncedRecipient.Kind = action == "failed" && status.hasPrefix("5") ? .hard : .soft
        return BouncedRecipient(address: address, status: status, action: action, diagnostic: oneLine(diagnostic),
                                kind: kind, reason: reason(status: status, text: diagnostic))
    }

    // MARK: Non-standard forms

    /// A non-standard recipient's remote text is the lines after its address,
    /// up to a blank line: at most this many. Without the bound, a message of
    /// n address-like lines and no blank one costs n² (the text of every
    /// recipient runs to the end).
    static let maxTextLines = 20
    /// Recipients read from one message, in every form. A real bounce names a
    /// handful; the bound keeps a hostile one's report (and its work) small.
    static let maxRecipients = 1000

    /// qmail: "Hi. This is the qmail-send program ..." then `<address>:` and the remote text.
    static func qmail(_ body: Substring) -> [BouncedRecipient]? {
        guard body.contains("This is the qmail-send program") else { return nil }
        var recipients: [BouncedRecipient] = []
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() where line.hasPrefix("<") && line.hasSuffix(">:") {
            guard recipients.count < maxRecipients else { break }
            let address = String(line.dropFirst().dropLast(2))
            let text = lines[(index + 1)...].prefix(maxTextLines)
                .prefix { !$0.isEmpty && !$0.hasPrefix("<") && !$0.hasPrefix("---") }
                .joined(separator: " ")
            recipients.append(classified(address: address, text: text, permanent: true))  // qmail-send bounces only when it gave up
        }
        return recipients.isEmpty ? nil : recipients
    }

    /// Exim without a DSN part: "SMTP error from remote mail server after RCPT TO:<a>: 550 ...".
    static func exim(_ body: Substring) -> [BouncedRecipient]? {
        guard body.contains("This message was created automatically by mail delivery software") else { return nil }
        let permanent = !body.contains("has not yet been delivered")
        var recipients: [BouncedRecipient] = []
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            guard recipients.count < maxRecipients else { break }
            let trimmed = line.drop(while: { $0 == " " })
            guard trimmed.contains("@"), !trimmed.contains(" "), index + 1 < lines.count else { continue }
            let text = lines[(index + 1)...].prefix(maxTextLines).prefix { !$0.allSatisfy(\.isWhitespace) }
                .joined(separator: " ")
            guard text.contains("error") || text.contains("rejected") || text.contains("Unrouteable") else { continue }
            recipients.append(classified(address: String(trimmed), text: text, permanent: permanent))
        }
        return recipients.isEmpty ? nil : recipients
    }

    static func classified(address: String, text: String, permanent: Bool) -> BouncedRecipient {
        let status = enhancedCode(text) ?? basicCode(text).map { "\($0.prefix(1)).0.0" } ?? (permanent ? "5.0.0" : "4.0.0")
        let kind: BouncedRecipient.Kind = status.hasPrefix("5") ? .hard : .soft
        return BouncedRecipient(address: address, status: status, action: kind == .hard ? "failed" : "delayed",
                                diagnostic: oneLine(text), kind: kind, reason: reason(status: status, text: text))
    }

    // MARK: Classification

    /// The reason class from the enhanced status code (RFC 3463) and the text.
    static func reason(status: String, text: String) -> BouncedRecipient.Reason {
        let lower = text.lowercased()
        if ["spam", "blocklist", "blacklist", "block list", "spamhaus", "reputation", "rbl"].contains(where: lower.contains) {
            return .spamBlock
        }
        if status.hasPrefix("4") { return status == "4.2.2" ? .mailboxFull : .temporary }
        switch status {
        case "5.1.1", "5.1.0", "5.1.6": return .noSuchUser
        case "5.1.2", "5.4.4", "5.1.10", "5.4.0": return .domainWithoutMail
        case "5.2.2", "5.2.3": return .mailboxFull
        default: break
        }
        if ["user unknown", "no such user", "unknown user", "does not exist", "mailbox unavailable", "not found"]
            .contains(where: lower.contains) && !lower.contains("host") && !lower.contains("domain") {
            return .noSuchUser
        }
        if ["host or domain name not found", "no mx", "null mx", "domain not found", "unrouteable", "nxdomain"]
            .contains(where: lower.contains) { return .domainWithoutMail }
        if ["quota", "mailbox full", "over quota"].contains(where: lower.contains) { return .mailboxFull }
        if status.hasPrefix("5.7") || lower.contains("policy") || lower.contains("denied") { return .policyRejection }
        return .other
    }

    /// The first RFC 3463 code (`class.subject.detail`, class 2, 4 or 5) in `text`.
    static func enhancedCode(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let startsWord = index == 0 || !isDigitOrDot(bytes[index - 1])
            if startsWord, byte == UInt8(ascii: "2") || byte == UInt8(ascii: "4") || byte == UInt8(ascii: "5"),
               index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ".") {
                var end = index + 2
                let subjectStart = end
                while end < bytes.count, isDigit(bytes[end]), end - subjectStart < 3 { end += 1 }
                if end > subjectStart, end < bytes.count, bytes[end] == UInt8(ascii: ".") {
                    let detailStart = end + 1
                    var detailEnd = detailStart
                    while detailEnd < bytes.count, isDigit(bytes[detailEnd]), detailEnd - detailStart < 3 { detailEnd += 1 }
                    if detailEnd > detailStart, detailEnd == bytes.count || !isDigitOrDot(bytes[detailEnd]) {
                        return String(decoding: bytes[index..<detailEnd], as: UTF8.self)
                    }
                }
            }
            index += 1
        }
        return nil
    }

    /// The first SMTP reply code (`550`) in `text`.
    static func basicCode(_ text: String) -> String? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == ":" })
        return words.first { word in word.count == 3 && word.allSatisfy(\.isNumber) && "45".contains(word.first ?? "x") }
            .map(String.init)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    private static func isDigitOrDot(_ byte: UInt8) -> Bool { isDigit(byte) || byte == UInt8(ascii: ".") }

    // MARK: The notice's token

    static func token(headers: [(String, String)], body: Substring, envelopeDomain: String) -> String? {
        let domain = envelopeDomain.lowercased()
        for name in ["delivered-to", "x-original-to", "to", "envelope-to"] {
            for (field, value) in headers where field == name {
                if let token = verpToken(value.lowercased(), domain: domain) { return token }
            }
        }
        // The returned headers of the original message: its Message-ID.
        let lower = body.lowercased()
        if let range = lower.firstRange(of: ".mtascan@\(domain)>") {
            let before = lower[..<range.lowerBound]
            let token = before.reversed().prefix { $0.isASCII && $0.isHexDigit }
            if token.count == 32 { return String(token.reversed()) }
        }
        return nil
    }

    static func verpToken(_ address: String, domain: String) -> String? {
        guard let range = address.firstRange(of: "bounces+") else { return nil }
        let rest = address[range.upperBound...]
        // ASCII only: `isHexDigit` also takes fullwidth digits, which no token has.
        let token = rest.prefix { $0.isASCII && $0.isHexDigit }
        guard token.count == 32, rest.dropFirst(token.count).hasPrefix("@" + domain) else { return nil }
        return String(token)
    }

    // MARK: Message syntax

    /// Header fields (names lower-cased, values unfolded) and the body.
    static func splitHeaders(_ text: Substring) -> ([(String, String)], Substring) {
        let end = text.firstRange(of: "\n\n")
        let head = end.map { text[..<$0.lowerBound] } ?? text
        let body = end.map { text[$0.upperBound...] } ?? ""
        return (fields(head), body)
    }


    static func fields(_ head: Substring) -> [(String, String)] {
        var fields: [(String, String)] = []
        for line in head.split(separator: "\n") {
            if line.first == " " || line.first == "\t", !fields.isEmpty {
                fields[fields.count - 1].1 += " " + line.drop(while: { $0 == " " || $0 == "\t" })
            } else if let colon = line.firstIndex(of: ":") {
                fields.append((line[..<colon].lowercased().trimmed, String(line[line.index(after: colon)...]).trimmed))
            }
        }
        return fields
    }

    static func value(_ fields: [(String, String)], _ name: String) -> String? {
        fields.first { $0.0 == name }?.1
    }

    /// `boundary="abc"` of a Content-Type value.
    static func parameter(_ value: String, _ name: String) -> String? {
        for part in value.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].lowercased().trimmed == name else { continue }
            var text = String(pair[1]).trimmed
            if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
            return text.isEmpty ? nil : text
        }
        return nil
    }

    /// `rfc822; postmaster@example.com` → `postmaster@example.com`; `smtp; 550 ...` → `550 ...`.
    static func addressPart(_ value: String) -> String {
        guard let semicolon = value.firstIndex(of: ";") else { return value.trimmed }
        return String(value[value.index(after: semicolon)...]).trimmed
    }

    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 }.prefix(500)).trimmed
    }
}

extension StringProtocol {
    fileprivate var trimmed: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
