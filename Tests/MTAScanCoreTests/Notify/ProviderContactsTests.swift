import MTAScanCore
import Testing

/// The `--provider-contacts` file of grouped notices (docs/notify.md, "Grouping by provider").
@Suite struct ProviderContactsTests {
    @Test func linesCommentsAHeaderAndCRLF() throws {
        let contacts = try ProviderContacts.parse("""
            provider,address\r
            # who answers for whom\r
            google, MTA-STS-Team@Google.example   # asked for this address\r
            \r
            testnet-mailhost,mta-sts@provider-desk.test
            """)
        #expect(contacts.addresses == ["google": "mta-sts-team@google.example", "testnet-mailhost": "mta-sts@provider-desk.test"])
        #expect(contacts["google"] == "mta-sts-team@google.example")
        #expect(contacts["microsoft-365"] == nil)
        #expect(try ProviderContacts.parse("").addresses.isEmpty)
    }

    /// `#` and `,` are found even with a combining mark after them, which a
    /// `Character` would fold into one cluster with them.
    @Test func delimitersBeforeCombiningMarksStillDelimit() throws {
        let contacts = try ProviderContacts.parse("google,desk@google.example #\u{301} a comment\n")
        #expect(contacts.addresses == ["google": "desk@google.example"])
        do {
            _ = try ProviderContacts.parse("google,\u{301}desk@google.example\n")
            Issue.record("accepted an address that starts with a combining mark")
        } catch {
            #expect(error.message.contains("no usable mail address"), "\(error)")
        }
    }

    @Test func badLinesStopWithTheirNumber() {
        let cases: [(String, Int, String)] = [
            ("google\n", 1, "expected provider-id,address"),
            ("# c\ngoogle,a@b.example,extra\n", 2, "expected provider-id,address"),
            ("Google,a@b.example\n", 1, "no provider id"),
            ("goo--gle,a@b.example\n", 1, "no provider id"),
            ("-google,a@b.example\n", 1, "no provider id"),
            ("google,not-an-address\n", 1, "no usable mail address"),
            ("google,a@b.example\r\ngoogle,c@d.example\n", 2, "listed twice"),
            ("google,<a@b.example>\n", 1, "no usable mail address"),
            ("google,a b@c.example\n", 1, "no usable mail address"),
            ("x,\"a\"@b.example\n", 1, "no usable mail address"),
            // A header anywhere but first is a bad line (its "address" is no address).
            ("google,a@b.example\nprovider,address\n", 2, "no usable mail address"),
        ]
        for (text, line, message) in cases {
            do {
                _ = try ProviderContacts.parse(text)
                Issue.record("accepted \(text.debugDescription)")
            } catch {
                #expect(error.line == line, "\(text.debugDescription)")
                #expect(error.message.contains(message), "\(text.debugDescription): \(error.message)")
            }
        }
    }
}
