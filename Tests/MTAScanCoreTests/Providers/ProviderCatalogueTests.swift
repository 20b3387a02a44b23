import Foundation
import Testing
@testable import MTAScanCore

@Suite struct ProviderCatalogueTests {
    private func catalogue(_ rows: [(ProviderKind, String, String)]) throws -> ProviderCatalogue {
        ProviderCatalogue(try rows.map { try #require(ProviderEntry(kind: $0.0, suffix: $0.1, provider: $0.2)) })
    }

    @Test func matchesOnLabelBoundariesOnly() throws {
        let providers = try catalogue([(.mail, "google.com", "google")])
        #expect(providers.mailProvider(mxHost: "aspmx.l.google.com") == "google")
        #expect(providers.mailProvider(mxHost: "google.com") == "google")
        #expect(providers.mailProvider(mxHost: "notgoogle.com") == nil)
        #expect(providers.mailProvider(mxHost: "google.com.evil.example") == nil)
        #expect(providers.mailProvider(mxHost: "com") == nil)
        #expect(providers.mailProvider(mxHost: "") == nil)
    }

    @Test func ignoresCaseAndOneTrailingDot() throws {
        let providers = try catalogue([(.mail, "Mail.Protection.Outlook.COM.", "microsoft-365")])
        #expect(providers.mailProvider(mxHost: "EXAMPLE-COM.mail.protection.outlook.com.") == "microsoft-365")
        #expect(providers.mailProvider(mxHost: "example-com.MAIL.PROTECTION.OUTLOOK.COM") == "microsoft-365")
    }

    @Test func theLongestSuffixWins() throws {
        let providers = try catalogue([
            (.mail, "example.net", "broad"), (.mail, "mx.example.net", "specific"), (.mail, "a.mx.example.net", "most-specific"),
        ])
        #expect(providers.mailProvider(mxHost: "x.a.mx.example.net") == "most-specific")
        #expect(providers.mailProvider(mxHost: "b.mx.example.net") == "specific")
        #expect(providers.mailProvider(mxHost: "other.example.net") == "broad")
    }

    /// Lookups skip suffixes deeper than the deepest entry: every host of
    /// many depths, against a plain walk over all its suffixes, longest first.
    @Test func deepHostsFindTheSameProviderAsAWalkOverEverySuffix() throws {
        let rows: [(ProviderKind, String, String)] = [
            (.mail, "net", "tld"), (.mail, "example.net", "broad"), (.mail, "a.mx.example.net", "deep"),
            (.mail, "b.c.d.example.org", "deeper"),
        ]
        let providers = try catalogue(rows)
        func walk(_ host: String) -> String? {
            let labels = host.split(separator: ".", omittingEmptySubsequences: false)
            for start in labels.indices {
                let suffix = labels[start...].joined(separator: ".")
                if let row = rows.first(where: { $0.1 == suffix }) { return row.2 }
            }
            return nil
        }
        let parts = ["a", "b", "c", "d", "mx", "example", "net", "org", "x"]
        var random = SplitMix64(seed: 0x5052_4F56)
        for _ in 0..<2_000 {
            let host = (0..<Int.random(in: 1...8, using: &random)).map { _ in parts.randomElement(using: &random)! }
                .joined(separator: ".")
            #expect(providers.mailProvider(mxHost: host) == walk(host), "\(host)")
        }
    }

    @Test func kindsAreSeparate() throws {
        let providers = try catalogue([(.policyHost, "hosting.example", "hoster"), (.mail, "mail.example", "mailer")])
        #expect(providers.provider(of: "a.hosting.example", kind: .policyHost) == "hoster")
        #expect(providers.provider(of: "a.hosting.example", kind: .mail) == nil)
        #expect(providers.mailProvider(mxHost: "mx.mail.example") == "mailer")
        #expect(providers.policyHostProvider(name: "mx.mail.example", cnameChain: []) == nil)
    }

    @Test func policyHostPrefersTheFirstKnownCNAMETargetThenTheName() throws {
        let providers = try catalogue([(.policyHost, "sts-hoster.example", "sts-hoster"), (.policyHost, "cdn.example", "cdn")])
        #expect(providers.policyHostProvider(name: "mta-sts.customer.test",
                                             cnameChain: ["customer.sts-hoster.example", "edge.cdn.example"]) == "sts-hoster")
        #expect(providers.policyHostProvider(name: "mta-sts.customer.test",
                                             cnameChain: ["alias.customer.test", "edge.cdn.example"]) == "cdn")
        #expect(providers.policyHostProvider(name: "mta-sts.customer.test", cnameChain: ["alias.customer.test"]) == nil)
        // No CNAME: the provider's own zone, e.g. a provider that publishes policy hosts as A records.
        #expect(providers.policyHostProvider(name: "mta-sts.sts-hoster.example", cnameChain: []) == "sts-hoster")
    }

    @Test func laterEntriesReplaceEarlierOnes() throws {
        let base = try catalogue([(.mail, "mx.example", "old"), (.mail, "other.example", "kept")])
        let extra = try #require(ProviderEntry(kind: .mail, suffix: "mx.example", provider: "new"))
        let merged = base.adding([extra])
        #expect(merged.mailProvider(mxHost: "a.mx.example") == "new")
        #expect(merged.mailProvider(mxHost: "a.other.example") == "kept")
        #expect(base.mailProvider(mxHost: "a.mx.example") == "old")
        #expect(merged.count == 2)
    }

    @Test(arguments: ["google", "microsoft-365", "a1", "x-y-z"])
    func acceptsKebabCaseIDs(id: String) {
        #expect(ProviderEntry.isValidID(id))
    }

    @Test(arguments: ["", "Google", "-google", "google-", "a--b", "a_b", "a b", "é", String(repeating: "a", count: 64)])
    func rejectsOtherIDs(id: String) {
        #expect(!ProviderEntry.isValidID(id))
    }

    // MARK: the built-in list

    @Test func builtInNamesTheBigProviders() {
        let providers = ProviderCatalogue.builtIn
        #expect(providers.mailProvider(mxHost: "aspmx.l.google.com.") == "google")
        #expect(providers.mailProvider(mxHost: "alt4.aspmx.l.google.com") == "google")
        #expect(providers.mailProvider(mxHost: "smtp.google.com") == "google")
        #expect(providers.mailProvider(mxHost: "contoso-com.mail.protection.outlook.com") == "microsoft-365")
        #expect(providers.mailProvider(mxHost: "contoso-com.r-v1.mx.microsoft") == "microsoft-365")
        #expect(providers.mailProvider(mxHost: "mx0a-001234.pphosted.com") == "proofpoint")
        #expect(providers.mailProvider(mxHost: "in1-smtp.messagingengine.com") == "fastmail")
        #expect(providers.mailProvider(mxHost: "esa1.example.iphmx.com") == "cisco-secure-email")
        #expect(providers.mailProvider(mxHost: "inbound-smtp.eu-west-1.amazonaws.com") == "amazon-ses")
        #expect(providers.mailProvider(mxHost: "ec2-1-2-3-4.compute.amazonaws.com") == nil)
        #expect(providers.mailProvider(mxHost: "mail.example.com") == nil)
        #expect(providers.policyHostProvider(name: "mta-sts.acme.example",
                                             cnameChain: ["acme.example.mta-sts.mailhardener.com"]) == "mailhardener")
        #expect(providers.policyHostProvider(name: "mta-sts.acme.example",
                                             cnameChain: ["acme_example_mta_sts.easydmarc.pro", "mta.easydmarc.com"]) == "easydmarc")
        #expect(providers.policyHostProvider(name: "mta-sts.acme.example", cnameChain: ["acme.github.io"]) == "github-pages")
    }

    @Test func everyBuiltInRowIsValidAndUnique() {
        // compactMap in the table would drop a mistyped row silently: the count proves none was.
        let rows = ProviderCatalogue.builtInEntries
        #expect(Set(rows.map { "\($0.kind.rawValue) \($0.suffix)" }).count == rows.count)
        #expect(ProviderCatalogue.builtIn.count == rows.count)
        #expect(rows.count >= 50)
    }

    /// docs/providers.md lists every built-in suffix with its source.
    @Test func theDocsListEveryBuiltInSuffix() throws {
        let docs = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/providers.md"), encoding: .utf8)
        for entry in ProviderCatalogue.builtIn.entries {
            #expect(docs.contains("`\(entry.suffix)`"), "docs/providers.md does not list \(entry.suffix)")
            #expect(docs.contains("`\(entry.provider)`"), "docs/providers.md does not name \(entry.provider)")
        }
    }

    // MARK: the extra catalogue file

    @Test func parsesAnExtraCatalogue() throws {
        let entries = try ProviderCatalogue.parseEntries("""
            # comment line
            policy-host  mta-sts.hoster.example  hoster   # trailing comment
            \tmail\tMX.Example.NET.\texample-mail\r

            mail mx.other.example other
            """)
        #expect(entries.map(\.suffix) == ["mta-sts.hoster.example", "mx.example.net", "mx.other.example"])
        #expect(entries.map(\.kind) == [.policyHost, .mail, .mail])
        #expect(entries.map(\.provider) == ["hoster", "example-mail", "other"])
    }

    @Test(arguments: [
        ("mail mx.example.net\n", 1, "expected \"kind suffix provider-id\", found 2 fields"),
        ("# ok\n\nmail mx.example.net id extra\n", 3, "found 4 fields"),
        ("smtp mx.example.net id\n", 1, "unknown kind \"smtp\""),
        ("mail mx..example.net id\n", 1, "is not a domain name"),
        ("mail mx.example.net Example_ID\n", 1, "is not kebab-case"),
        ("mail a.example id\nmail A.EXAMPLE. other\n", 2, "mail a.example is already listed on line 1"),
    ])
    func rejectsBadLinesWithTheirNumber(text: String, line: Int, message: String) {
        #expect {
            try ProviderCatalogue.parseEntries(text)
        } throws: { error in
            guard let error = error as? ProviderCatalogue.ParseError else { return false }
            return error.line == line && error.message.contains(message) && error.description.hasPrefix("line \(line): ")
        }
    }

    @Test func theTestInternetsProvidersFileNamesItsSupportZones() throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("tools/testnet/providers.txt"), encoding: .utf8)
        let providers = ProviderCatalogue.builtIn.adding(try ProviderCatalogue.parseEntries(text))
        #expect(providers.mailProvider(mxHost: "mx1.mailhost.test") == "testnet-mailhost")
        #expect(providers.mailProvider(mxHost: "mx1.mailhost.example") == "testnet-mailhost")
        #expect(providers.policyHostProvider(name: "mta-sts.policy-cname-provider.test",
                                             cnameChain: ["customer1.mta-sts-host.example"]) == "testnet-policy-host")
    }

    private var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }
}
