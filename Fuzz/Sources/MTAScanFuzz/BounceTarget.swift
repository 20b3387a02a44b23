import MTAScanCore

/// `BounceParser.parse` on one message as read from a Maildir or an mbox
/// file. One control byte picks the campaign's envelope domain.
///
/// Checks (docs/notify.md, "Bounces", and the parser's doc comments): a
/// report has recipients and a documented format; each recipient's action is
/// `failed` or `delayed`, its status an RFC 3463 code (class 2, 4 or 5,
/// 1–3 digit subject and detail); **hard only with a 5.x.x status** (and, in a
/// DSN, `Action: failed`), a non-standard form hard exactly when 5.x.x; a
/// 4.x.x status is soft and never gets a permanent reason; the reasons the
/// docs tie to codes (5.1.1 no-such-user, 5.1.2/5.4.4 domain-without-mail,
/// 5.2.2/4.2.2 mailbox-full) unless the text names a block list; the
/// diagnostic is one trimmed line of at most 500 characters; every piece of
/// an address occurs in the message; a token is 32 hex digits taken from a
/// `bounces+TOKEN@domain` address or a `<TOKEN.mtascan@domain>` Message-ID
/// in the message; the same message with CRLF for LF parses the same, and
/// parsing is deterministic.
enum BounceTarget {
    static let domains = ["research.test", "example.com", ""]

    static let target = FuzzTarget(
        name: "bounce",
        summary: "bounce/DSN parser: hard only with 5.x.x, status shape, reasons by code, addresses and token from the message, CRLF = LF"
    ) { input in
        var input = input
        let domain = domains[Int(input.byte()) % domains.count]
        let message = input.rest
        let report = BounceParser.parse(message, envelopeDomain: domain)
        Invariant.require(BounceParser.parse(message, envelopeDomain: domain) == report, "parse is not deterministic")
        if let crlf = TextOracle.crlf(message) {
            Invariant.require(BounceParser.parse(crlf, envelopeDomain: domain) == report, "CRLF and LF forms parse differently")
        }
        guard let report else { return }

        // The text the parser reads: decoded (U+FFFD for bad bytes), CRLF as LF.
        var text: [UInt8] = []
        for byte in String(decoding: message, as: UTF8.self).utf8 {
            if byte == 0x0A, text.last == 0x0D { text.removeLast() }
            text.append(byte)
        }
        Invariant.require(!report.recipients.isEmpty, "a report without recipients")
        Invariant.require(["rfc3464", "qmail", "exim", "text"].contains(report.format), "format \(report.format)")
        Invariant.require(report.isHard == report.recipients.contains { $0.kind == .hard }, "isHard")
        for recipient in report.recipients {
            requireClassified(recipient, format: report.format)
            if let address = recipient.address {
                // Folded header lines are joined with a space: each piece between spaces is in the text.
                for piece in Array(address.utf8).split(separator: 0x20) {
                    Invariant.require(TextOracle.contains(text, Array(piece)), "address piece \(address.debugDescription) is not in the message")
                }
            } else {
                Invariant.require(report.format == "rfc3464", "a \(report.format) recipient without an address")
            }
        }
        if let token = report.token {
            Invariant.require(token.count == 32 && token.allSatisfy(\.isHexDigit), "token \(token.debugDescription)")
            let lower = Array(String(decoding: text, as: UTF8.self).lowercased().utf8)
            Invariant.require(TextOracle.contains(lower, Array("bounces+\(token)@\(domain)".utf8))
                              || TextOracle.contains(lower, Array("\(token).mtascan@\(domain)>".utf8)),
                              "token \(token) is in no VERP address or Message-ID of \(domain)")
        }
    }

    static func requireClassified(_ recipient: BouncedRecipient, format: String) {
        let status = recipient.status
        let parts = status.split(separator: ".", omittingEmptySubsequences: false)
        Invariant.require(parts.count == 3 && ["2", "4", "5"].contains(parts[0])
                          && parts.dropFirst().allSatisfy { (1...3).contains($0.utf8.count) && $0.utf8.allSatisfy { (0x30...0x39).contains($0) } },
                          "status \(status.debugDescription)")
        Invariant.require(["failed", "delayed"].contains(recipient.action), "action \(recipient.action)")
        let permanent = status.hasPrefix("5")
        if format == "rfc3464" {
            Invariant.require((recipient.kind == .hard) == (permanent && recipient.action == "failed"),
                              "\(recipient.kind) with status \(status) and action \(recipient.action)")
        } else {
            Invariant.require((recipient.kind == .hard) == permanent, "\(recipient.kind) with status \(status)")
            Invariant.require(recipient.action == (permanent ? "failed" : "delayed"), "action \(recipient.action) for \(status)")
        }
        let reason = recipient.reason
        if status.hasPrefix("4") {
            Invariant.require(recipient.kind == .soft, "hard with \(status)")
            let allowed: [BouncedRecipient.Reason] = status == "4.2.2" ? [.mailboxFull, .spamBlock] : [.temporary, .spamBlock]
            Invariant.require(allowed.contains(reason), "reason \(reason) for \(status)")
        } else {
            Invariant.require(reason != .temporary, "temporary with \(status)")
        }
        let byCode: [String: BouncedRecipient.Reason] = [
            "5.1.1": .noSuchUser, "5.1.2": .domainWithoutMail, "5.4.4": .domainWithoutMail, "5.2.2": .mailboxFull,
        ]
        if let expected = byCode[status] {
            Invariant.require(reason == expected || reason == .spamBlock, "reason \(reason) for \(status)")
        }
        let diagnostic = recipient.diagnostic
        Invariant.require(diagnostic.count <= 500, "diagnostic of \(diagnostic.count) characters")
        Invariant.require(!diagnostic.contains { $0.isNewline || $0 == "\t" }, "diagnostic spans lines: \(diagnostic.debugDescription)")
        Invariant.require(diagnostic.first != " " && diagnostic.last != " ", "diagnostic not trimmed: \(diagnostic.debugDescription)")
    }
}
