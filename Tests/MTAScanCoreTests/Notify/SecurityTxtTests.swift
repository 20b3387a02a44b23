import MTAScanCore
import Testing

/// security.txt (RFC 9116) as the second channel reads it.
@Suite struct SecurityTxtTests {
    static let now = UnixTime.seconds(year: 2026, month: 12, day: 4, hour: 12, minute: 0, second: 0)

    @Test func theRFCsExample() throws {
        // RFC 9116 §2.5 and §4 (Contact, Expires, Encryption, Preferred-Languages, Policy), CRLF.
        let text = """
            # Our security address\r
            Contact: mailto:security@example.com\r
            Contact: tel:+1-201-555-0123\r
            Contact: https://example.com/security-contact.html\r
            Expires: 2027-12-31T18:37:07.000Z\r
            Encryption: https://example.com/pgp-key.txt\r
            Preferred-Languages: en, es\r
            Policy: https://example.com/disclosure.html\r

            """
        let file = try SecurityTxt.parse(Array(text.utf8))
        #expect(file.contacts == ["mailto:security@example.com", "tel:+1-201-555-0123", "https://example.com/security-contact.html"])
        #expect(file.expires == "2027-12-31T18:37:07.000Z")
        #expect(file.expiresAt == UnixTime.seconds(year: 2027, month: 12, day: 31, hour: 18, minute: 37, second: 7))
        #expect(!file.signed)
        let (addresses, problem) = file.mailRecipients(at: Self.now)
        #expect(addresses == ["security@example.com"] && problem == nil)
    }

    @Test func expiredMissingOrRepeatedExpiresMeansNotUsed() throws {
        let expired = try SecurityTxt.parse(Array("Contact: mailto:a@example.com\nExpires: 2026-12-04T11:59:59Z\n".utf8))
        #expect(expired.mailRecipients(at: Self.now).addresses.isEmpty)
        #expect(expired.mailRecipients(at: Self.now).problem?.contains("expired 2026-12-04T11:59:59Z") == true)
        let offset = try SecurityTxt.parse(Array("Contact: mailto:a@example.com\nexpires: 2026-12-04T13:30:00+02:00\n".utf8))
        #expect(offset.expiresAt == Self.now - 1800, "field names are case-insensitive, offsets count")
        let missing = try SecurityTxt.parse(Array("Contact: mailto:a@example.com\n".utf8))
        #expect(missing.mailRecipients(at: Self.now).problem?.contains("no Expires field") == true)
        let twice = try SecurityTxt.parse(Array("Contact: mailto:a@example.com\nExpires: 2030-01-01T00:00:00Z\nExpires: 2031-01-01T00:00:00Z\n".utf8))
        #expect(twice.mailRecipients(at: Self.now).problem?.contains("more than once") == true)
        let garbage = try SecurityTxt.parse(Array("Contact: mailto:a@example.com\nExpires: next tuesday\n".utf8))
        #expect(garbage.mailRecipients(at: Self.now).problem?.contains("no RFC 3339") == true)
        for text in ["2030-01-01 00:00:00Z", "2030-13-01T00:00:00Z", "2030-01-01T00:00:00", "2030-01-01T00:00:00.Z",
                     "2030-01-01T00:00:00+0100", "2030-01-01T00:00:00Zjunk"] {
            #expect(UnixTime.parseDateTime(text) == nil, "\(text)")
        }
        #expect(UnixTime.parseDateTime("2030-01-01t00:00:00z") == UnixTime.seconds(year: 2030, month: 1, day: 1, hour: 0, minute: 0, second: 0))
    }

    @Test func aSignedFileIsReadWithoutVerifying() throws {
        let text = """
            -----BEGIN PGP SIGNED MESSAGE-----
            Hash: SHA256

            # Canonical: https://example.com/.well-known/security.txt
            Contact: mailto:psirt@example.com
            - Contact: mailto:dash-escaped@example.com
            Expires: 2030-01-01T00:00:00Z
            -----BEGIN PGP SIGNATURE-----

            iHUEARYKAB0WIQQ+
            Contact: mailto:inside-the-signature@example.com
            -----END PGP SIGNATURE-----
            """
        let file = try SecurityTxt.parse(Array(text.utf8))
        #expect(file.signed)
        #expect(file.mailRecipients(at: Self.now).addresses == ["psirt@example.com", "dash-escaped@example.com"])
        #expect(throws: SecurityTxt.Failure.badSignatureWrapper) {
            try SecurityTxt.parse(Array("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nContact: mailto:a@b.example\n".utf8))
        }
    }

    @Test func noMailtoOnlyAFormOrUnusableAddresses() throws {
        let form = try SecurityTxt.parse(Array("Contact: https://example.com/report\nExpires: 2030-01-01T00:00:00Z\n".utf8))
        #expect(form.contacts == ["https://example.com/report"])
        let (addresses, problem) = form.mailRecipients(at: Self.now)
        #expect(addresses.isEmpty && problem?.contains("no mailto: Contact (only https://example.com/report)") == true)
        // Escapes other than %40, header fields, several addresses: skipped (as rua addresses are).
        let odd = try SecurityTxt.parse(Array("""
            Contact: mailto:a%20b@example.com
            Contact: mailto:sec@example.com?subject=hi
            Contact: mailto:x@example.com,y@example.com
            Contact: mailto:Sec%40Example.com
            Contact: mailto:sec@example.com
            Expires: 2030-01-01T00:00:00Z
            """.utf8))
        #expect(odd.mailRecipients(at: Self.now).addresses == ["sec@example.com"])
    }

    @Test func hugeOrGarbageIsRefusedWhole() {
        #expect(throws: SecurityTxt.Failure.tooLarge) {
            try SecurityTxt.parse(Array(repeating: UInt8(ascii: "#"), count: SecurityTxt.maxBytes + 1))
        }
        #expect(throws: SecurityTxt.Failure.tooManyLines) {
            try SecurityTxt.parse(Array(String(repeating: "#\n", count: SecurityTxt.maxLines + 1).utf8))
        }
        #expect(throws: SecurityTxt.Failure.lineTooLong) {
            try SecurityTxt.parse(Array(("Contact: mailto:" + String(repeating: "a", count: SecurityTxt.maxLineBytes) + "@x.example").utf8))
        }
        // Exactly maxBytes (long comment lines) is read; one byte more is not.
        var full = Array("Contact: mailto:sec@example.com\nExpires: 2030-01-01T00:00:00Z\n".utf8)
        while full.count < SecurityTxt.maxBytes {
            full += Array("#".utf8) + Array(repeating: UInt8(ascii: "x"), count: min(1998, max(0, SecurityTxt.maxBytes - full.count - 2))) + [0x0A]
        }
        #expect(full.count == SecurityTxt.maxBytes)
        #expect((try? SecurityTxt.parse(full))?.contacts == ["mailto:sec@example.com"])
        #expect(throws: SecurityTxt.Failure.tooLarge) { try SecurityTxt.parse(full + [0x0A]) }
        #expect(throws: SecurityTxt.Failure.notUTF8) { try SecurityTxt.parse([0x43, 0x3A, 0xFF, 0xFE, 0x0A]) }
        // An HTML page served as security.txt: no fields, nothing to mail.
        let html = try? SecurityTxt.parse(Array("<html><body>Not found</body></html>\n".utf8))
        #expect(html?.contacts == [] && html?.mailRecipients(at: Self.now).addresses == [])
    }
}
