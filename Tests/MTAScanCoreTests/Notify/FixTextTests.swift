import Foundation
import MTAScanCore
import Testing

/// The fix texts a message quotes are docs/fixes.md's, embedded in the binary.
@Suite struct FixTextTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func theEmbeddedTextIsDocsFixesMd() throws {
        let text = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("docs/fixes.md"), encoding: .utf8)
        #expect(FixTexts.markdown + "\n" == text, "run tools/gen-fix-texts.sh after editing docs/fixes.md")
    }

    @Test func everyCodeAndTheTLSRPTRecommendationHaveAllThreeParagraphs() {
        let codes = Set(FindingCode.allCases.map(\.rawValue)).union([NoticeFinding.tlsrptRecommendedCode])
        #expect(Set(FixTexts.builtIn.keys) == codes)
        for (code, text) in FixTexts.builtIn {
            #expect(!text.whatWeSaw.isEmpty && !text.whyItMatters.isEmpty && !text.howToFix.isEmpty, "\(code)")
            #expect(!text.howToFix.contains("**"), "\(code): a paragraph ran into the next heading")
        }
    }

    @Test func paragraphsMayRunOverSeveralLinesAndPlaceholdersAreFilled() {
        let texts = FixTexts.parse("""
            # Fixes

            ## `mx-tls`
            **What we saw:** the certificate of <mx>
            does not name it.
            **Why it matters:** senders to <domain> defer mail.
            **How to fix:** renew it.

            ## `broken`
            **What we saw:** only this.
            """)
        #expect(texts.count == 1)
        let filled = texts["mx-tls"]?.filled(domain: "example.com", mxHost: "mx.example.com")
        #expect(filled?.whatWeSaw == "the certificate of mx.example.com does not name it.")
        #expect(filled?.whyItMatters == "senders to example.com defer mail.")
        #expect(filled?.howToFix == "renew it.")
    }
}

/// Messages as mail servers and clients read them.
@Suite struct MailMessageTests {
    private func text(_ message: MailMessage) -> String { String(decoding: message.bytes, as: UTF8.self) }

    @Test func anASCIIBodyGoesAsItIsWithCRLF() {
        let message = MailMessage(headers: [("From", "a@example.org"), ("Subject", "Hello")], body: "line one\nline two\n")
        let bytes = text(message)
        #expect(bytes.contains("Content-Transfer-Encoding: 7bit\r\n"))
        #expect(bytes.hasSuffix("\r\n\r\nline one\r\nline two\r\n"))
        #expect(!bytes.replacing("\r\n", with: "").contains("\n"))
    }

    @Test func otherBytesAndLongLinesAreQuotedPrintable() {
        let body = "Grüße = " + String(repeating: "x", count: 1200) + " \n"
        let encoded = text(MailMessage(headers: [], body: body))
        #expect(encoded.contains("Content-Transfer-Encoding: quoted-printable"))
        #expect(encoded.contains("Gr=C3=BC=C3=9Fe =3D "))
        let bodyLines = encoded.components(separatedBy: "\r\n\r\n").dropFirst().joined().components(separatedBy: "\r\n")
        #expect(bodyLines.allSatisfy { $0.count <= 76 })
        #expect(encoded.contains("x=20\r\n") || encoded.contains("=20\r\n"))
    }

    @Test func nonASCIISubjectsAreEncodedWordsAndLongHeadersFold() {
        let message = MailMessage(headers: [("Subject", "Problème de configuration pour exemple.fr"),
                                            ("To", (1...8).map { "postmaster@domain-number-\($0).example" }.joined(separator: ", "))],
                                  body: "x")
        let headerText = text(message).components(separatedBy: "\r\n\r\n")[0]
        #expect(headerText.contains("Subject: =?utf-8?q?Probl=C3=A8me_de_configuration_pour_exemple=2Efr?="))
        #expect(headerText.components(separatedBy: "\r\n").allSatisfy { $0.count <= 78 })
        #expect(headerText.contains("\r\n postmaster@domain-number-"))
    }

    @Test func datesAreRFC5322() {
        #expect(UnixTime.rfc5322(0) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(UnixTime.rfc5322(1_796_401_826) == "Fri, 04 Dec 2026 16:30:26 +0000")
    }
}
