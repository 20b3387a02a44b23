extension ProviderCatalogue {
    /// The providers mtascan knows without a `--providers` file. Every suffix
    /// has a source in docs/providers.md; add one here only with evidence that
    /// the provider's customers point their names at it.
    public static let builtIn = ProviderCatalogue(builtInEntries)

    static let builtInEntries: [ProviderEntry] = (policyHosts.map { (ProviderKind.policyHost, $0) } + mailHosts.map { (ProviderKind.mail, $0) })
        .flatMap { kind, row in row.suffixes.compactMap { ProviderEntry(kind: kind, suffix: $0, provider: row.id) } }

    /// Hosted MTA-STS policies: `mta-sts.<domain>` is a CNAME into these zones.
    private static let policyHosts: [(id: String, suffixes: [String])] = [
        ("mailhardener", ["mta-sts.mailhardener.com"]),
        ("easydmarc", ["easydmarc.pro", "mta.easydmarc.com"]),
        ("mailshield", ["mta-sts.mailshield.app"]),
        ("sendmarc", ["sdmarc.net"]),
        ("github-pages", ["github.io"]),
        ("netlify", ["netlify.app"]),
    ]

    /// Mailbox providers, filtering gateways and forwarders, by MX host name.
    private static let mailHosts: [(id: String, suffixes: [String])] = [
        ("google", ["aspmx.l.google.com", "smtp.google.com", "googlemail.com"]),
        ("microsoft-365", ["mail.protection.outlook.com", "mx.microsoft"]),
        ("yahoo", ["yahoodns.net", "biz.mail.yahoo.com"]),
        ("zoho", ["zoho.com", "zoho.eu", "zoho.in", "zoho.com.au", "zoho.jp", "zohomail.com"]),
        ("fastmail", ["messagingengine.com"]),
        ("icloud", ["mail.icloud.com"]),
        ("yandex", ["mx.yandex.net", "mx.yandex.ru"]),
        ("mail-ru", ["mxs.mail.ru"]),
        ("proton", ["protonmail.ch"]),
        ("amazon-ses", ["inbound-smtp.us-east-1.amazonaws.com", "inbound-smtp.us-west-2.amazonaws.com",
                        "inbound-smtp.eu-west-1.amazonaws.com"]),
        ("ovh", ["mail.ovh.net", "mail.ovh.ca"]),
        ("godaddy", ["secureserver.net"]),
        ("ionos", ["ionos.com", "ionos.de", "ionos.co.uk", "1and1.com"]),
        ("rackspace", ["emailsrvr.com"]),
        ("namecheap", ["privateemail.com"]),
        ("titan", ["titan.email"]),
        ("gandi", ["mail.gandi.net"]),
        ("migadu", ["migadu.com"]),
        ("mailbox-org", ["mailbox.org"]),
        ("proofpoint", ["pphosted.com", "ppe-hosted.com"]),
        ("mimecast", ["mimecast.com", "mimecast.co.za", "mimecast-offshore.com"]),
        ("barracuda", ["barracudanetworks.com"]),
        ("cisco-secure-email", ["iphmx.com"]),
        ("symantec-email-security", ["messagelabs.com"]),
        ("sophos", ["hydra.sophos.com"]),
        ("trend-micro", ["tmes.trendmicro.com", "tmes.trendmicro.eu"]),
        ("hornetsecurity", ["hornetsecurity.com"]),
        ("cloudflare-email-routing", ["mx.cloudflare.net"]),
        ("improvmx", ["improvmx.com"]),
        ("forward-email", ["forwardemail.net"]),
    ]
}
