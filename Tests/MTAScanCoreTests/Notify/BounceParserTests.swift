@testable import MTAScanCore
import Testing

/// Bounces as MTAs write them, mapped back to their notice and classified.
@Suite struct BounceParserTests {
    private let token = "0123456789abcdef0123456789abcdef"

    /// A DSN as Postfix writes it (bounce(8)): multipart/report with a
    /// message/delivery-status part and the returned headers.
    private func postfixDSN(status: String, action: String, diagnostic: String, to recipient: String = "postmaster@broken.test") -> [UInt8] {
        Array("""
            Return-Path: <>
            Delivered-To: bounces+\(token)@research.test
            From: MAILER-DAEMON@relay.research.test (Mail Delivery System)
            Subject: Undelivered Mail Returned to Sender
            To: bounces+\(token)@research.test
            Auto-Submitted: auto-replied
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status;
            \tboundary="4BFC2E0123.1733330000/relay.research.test"
            Message-Id: <20261204163000.4BFC2E0123@relay.research.test>

            This is a MIME-encapsulated message.

            --4BFC2E0123.1733330000/relay.research.test
            Content-Description: Notification
            Content-Type: text/plain; charset=us-ascii

            I'm sorry to have to inform you that your message could not
            be delivered to one or more recipients.

            --4BFC2E0123.1733330000/relay.research.test
            Content-Description: Delivery report
            Content-Type: message/delivery-status

            Reporting-MTA: dns; relay.research.test
            X-Postfix-Queue-ID: 4BFC2E0123
            X-Postfix-Sender: rfc822; bounces+\(token)@research.test
            Arrival-Date: Fri,  4 Dec 2026 16:29:59 +0000 (UTC)

            Final-Recipient: rfc822; \(recipient)
            Original-Recipient: rfc822;\(recipient)
            Action: \(action)
            Status: \(status)
            Remote-MTA: dns; mx.broken.test
            Diagnostic-Code: smtp; \(diagnostic)

            --4BFC2E0123.1733330000/relay.research.test
            Content-Description: Undelivered Message Headers
            Content-Type: text/rfc822-headers

            From: Scan team <scan@research.test>
            Message-ID: <\(token).mtascan@research.test>

            --4BFC2E0123.1733330000/relay.research.test--
            """.replacing("\n", with: "\r\n").utf8)
    }

    @Test(arguments: [
        ("5.1.1", "failed", "550 5.1.1 <postmaster@broken.test>: Recipient address rejected: User unknown", BouncedRecipient.Kind.hard, BouncedRecipient.Reason.noSuchUser),
        ("5.4.4", "failed", "Host or domain name not found. Name service error for name=broken.test type=MX", .hard, .domainWithoutMail),
        ("5.7.1", "failed", "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org", .hard, .spamBlock),
        ("5.7.1", "failed", "550 5.7.1 Relaying denied", .hard, .policyRejection),
        ("5.2.2", "failed", "552 5.2.2 Mailbox full", .hard, .mailboxFull),
        ("4.2.0", "delayed", "450 4.2.0 <postmaster@broken.test>: Recipient address rejected: Greylisted", .soft, .temporary),
        ("4.2.2", "delayed", "452 4.2.2 Over quota", .soft, .mailboxFull),
    ] as [(String, String, String, BouncedRecipient.Kind, BouncedRecipient.Reason)])
    func postfixDSNsAreReadAndClassified(status: String, action: String, diagnostic: String,
                                         kind: BouncedRecipient.Kind, reason: BouncedRecipient.Reason) throws {
        let report = try #require(BounceParser.parse(postfixDSN(status: status, action: action, diagnostic: diagnostic),
                                                     envelopeDomain: "research.test"))
        #expect(report.format == "rfc3464")
        #expect(report.token == token)
        let recipient = try #require(report.recipients.first)
        #expect(recipient.address == "postmaster@broken.test")
        #expect(recipient.status == status)
        #expect(recipient.kind == kind)
        #expect(recipient.reason == reason)
        #expect(recipient.diagnostic == diagnostic)
        #expect(report.isHard == (kind == .hard))
    }

    @Test func theTokenComesFromTheReturnedMessageIDWhenTheAddressIsGone() throws {
        var text = String(decoding: postfixDSN(status: "5.1.1", action: "failed", diagnostic: "550 unknown"), as: UTF8.self)
        text = text.replacing("bounces+\(token)@research.test", with: "campaign@research.test")
        let report = try #require(BounceParser.parse(Array(text.utf8), envelopeDomain: "research.test"))
        #expect(report.token == token)
        // Another campaign's domain: no token.
        #expect(BounceParser.parse(Array(text.utf8), envelopeDomain: "other.test")?.token == nil)
    }

    /// A token is 32 ASCII hex digits: fullwidth digits (which `isHexDigit`
    /// also takes) make no token.
    @Test func fullwidthHexDigitsAreNoToken() throws {
        let fullwidth = String(String.UnicodeScalarView(token.unicodeScalars.map { scalar in
            scalar.properties.numericType != nil ? Unicode.Scalar(scalar.value + 0xFEE0) ?? scalar : scalar
        }))
        #expect(fullwidth != token)
        let text = String(decoding: postfixDSN(status: "5.1.1", action: "failed", diagnostic: "550 unknown"), as: UTF8.self)
            .replacing("bounces+\(token)@research.test", with: "bounces+\(fullwidth)@research.test")
            .replacing("<\(token).mtascan@", with: "<\(fullwidth).mtascan@")
        let report = try #require(BounceParser.parse(Array(text.utf8), envelopeDomain: "research.test"))
        #expect(report.token == nil)
    }

    @Test func aDeliveredReportIsNoBounce() {
        #expect(BounceParser.parse(postfixDSN(status: "2.0.0", action: "delivered", diagnostic: "250 ok"),
                                   envelopeDomain: "research.test") == nil)
    }

    @Test func qmailBounces() throws {
        let message = """
            Delivered-To: bounces+\(token)@research.test
            From: MAILER-DAEMON@mail.old.test
            Subject: failure notice

            Hi. This is the qmail-send program at mail.old.test.
            I'm afraid I wasn't able to deliver your message to the following addresses.
            This is a permanent error; I've given up. Sorry it didn't work out.

            <postmaster@old.test>:
            Sorry, no mailbox here by that name. (#5.1.1)

            --- Below this line is a copy of the message.
            """
        let report = try #require(BounceParser.parse(Array(message.utf8), envelopeDomain: "research.test"))
        #expect(report.format == "qmail")
        #expect(report.token == token)
        #expect(report.recipients == [BouncedRecipient(address: "postmaster@old.test", status: "5.1.1", action: "failed",
                                                       diagnostic: "Sorry, no mailbox here by that name. (#5.1.1)",
                                                       kind: .hard, reason: .noSuchUser)])
    }

    @Test func eximBouncesWithoutADSNPart() throws {
        let message = """
            To: bounces+\(token)@research.test
            Subject: Mail delivery failed: returning message to sender

            This message was created automatically by mail delivery software.

            A message that you sent could not be delivered to one or more of its
            recipients. This is a permanent error. The following address(es) failed:

              postmaster@gone.test
                SMTP error from remote mail server after RCPT TO:<postmaster@gone.test>:
                550 No such user here

            ------ This is a copy of the message, including all the headers. ------
            """
        let report = try #require(BounceParser.parse(Array(message.utf8), envelopeDomain: "research.test"))
        #expect(report.format == "exim")
        #expect(report.recipients.first?.address == "postmaster@gone.test")
        #expect(report.recipients.first?.status == "5.0.0")
        #expect(report.recipients.first?.reason == .noSuchUser)
        #expect(report.isHard)
    }

    /// A hostile message of address-like lines and no blank line: each
    /// recipient's text stops after `maxTextLines` lines, and the report after
    /// `maxRecipients` (unbounded, every text ran to the end: n² work).
    @Test func eximRecipientsAndTheirTextAreBounded() throws {
        let lines = (0..<40_000).flatMap { ["r\($0)@gone.test", "550 error"] }
        let message = "Subject: x\n\nThis message was created automatically by mail delivery software.\n"
            + lines.joined(separator: "\n")
        let report = try #require(BounceParser.parse(Array(message.utf8), envelopeDomain: "research.test"))
        #expect(report.format == "exim")
        #expect(report.recipients.count == BounceParser.maxRecipients)
        #expect(report.recipients.first?.diagnostic == lines[1...BounceParser.maxTextLines].joined(separator: " "))
        #expect(report.recipients.last?.address == "r\(BounceParser.maxRecipients - 1)@gone.test")
    }

    @Test func qmailRecipientsAreBounded() throws {
        let message = "Subject: x\n\nHi. This is the qmail-send program at mail.old.test.\n"
            + String(repeating: "<postmaster@old.test>:\nSorry, no mailbox here by that name. (#5.1.1)\n", count: 5000)
        let report = try #require(BounceParser.parse(Array(message.utf8), envelopeDomain: "research.test"))
        #expect(report.format == "qmail")
        #expect(report.recipients.count == BounceParser.maxRecipients)
        #expect(report.recipients.allSatisfy { $0.diagnostic == "Sorry, no mailbox here by that name. (#5.1.1)" })
    }

    @Test(arguments: ["", "hello", "Subject: x\n\nno bounce here", String(repeating: "Content-Type: multipart/report; boundary=\n", count: 1000)])
    func otherMailIsNoBounce(text: String) {
        #expect(BounceParser.parse(Array(text.utf8), envelopeDomain: "research.test") == nil)
    }

    @Test(arguments: [("550 5.1.1 user unknown", "5.1.1"), ("smtp; 4.7.0 try later", "4.7.0"), ("version 1.5.2.3", nil),
                      ("12.5.1.1", nil), ("5.1.10 x", "5.1.10"), ("no code", nil)] as [(String, String?)])
    func enhancedStatusCodes(text: String, code: String?) {
        #expect(BounceParser.enhancedCode(text) == code)
    }
}
