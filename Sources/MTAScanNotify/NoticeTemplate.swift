/// The message a campaign sends when no `--template` is given: plain, specific
/// and checkable (what was seen, why it matters, how to fix it, how to check),
/// because that is what makes operators act (Stock et al., NDSS 2018).
/// Mustache; the variables are those of `NoticeComposer.context` (docs/notify.md).
enum NoticeTemplate {
    static let body = """
        {{% CONTENT_TYPE: TEXT}}
        Hello,

        this is an automated message about the mail security settings of {{domain}}.
        We measure how domains deploy MTA-STS (RFC 8461), which protects mail sent to
        your domain against downgrade and interception. Our scan of {{scan_date}}
        found {{finding_count}} problem{{^one_finding}}s{{/one_finding}} with {{domain}}{{#mode}} (policy mode: {{mode}}){{/mode}}.
        {{#findings}}

        {{number}}. {{code}}
        What we saw: {{what_we_saw}}
        {{#observed}}
            {{name}}: {{value}}
        {{/observed}}
        Why it matters: {{why_it_matters}}
        How to fix: {{how_to_fix}}
        {{/findings}}

        What we looked at:
        {{#sts_records}}
            _mta-sts.{{domain}} TXT: {{.}}
        {{/sts_records}}
        {{#policy_url}}
            policy: {{policy_url}}
        {{/policy_url}}
        {{#mx_hosts}}
            MX host: {{.}}
        {{/mx_hosts}}

        To check for yourself, before and after a change:
            mtascan lint sts-record '<your _mta-sts TXT record>'
            echo {{domain}} | mtascan scan --resolver <your resolver>
        (mtascan is free software), or any MTA-STS checker you trust.
        {{#feedback_url}}

        Was this message useful? Tell us in one click: {{feedback_url}}
        {{/feedback_url}}

        You received this because postmaster@ is the address RFC 5321 reserves for
        such reports. To receive no more messages about {{domain}}, reply to
        {{optout_address}} (any text){{#optout_url}} or open {{optout_url}}{{/optout_url}}.

        --
        {{contact}}
        """

    /// The subject of a grouped message (docs/notify.md, "Grouping by provider").
    static let groupSubject = "{{% CONTENT_TYPE: TEXT}}MTA-STS problems at {{domain_count}} domain{{^one_domain}}s{{/one_domain}} using {{party}}"

    /// A grouped message: to a provider's contact, about its customers' domains.
    /// The variables are those of `NoticeComposer.groupContext` (docs/notify.md).
    static let groupBody = """
        {{% CONTENT_TYPE: TEXT}}
        Hello,

        this is an automated message about the mail security settings of
        {{domain_count}} domain{{^one_domain}}s{{/one_domain}} that use {{party}}. We write to you, as the contact we
        have for {{party}}, once instead of to each domain's postmaster: the fix
        is likely on your side, or the same for all of them.

        We measure how domains deploy MTA-STS (RFC 8461), which protects mail sent
        to a domain against downgrade and interception. Our scan of {{scan_date}}
        found these problems ("<domain>" stands for each domain listed below):
        {{#problems}}

        {{code}} ({{count}} domain{{^one}}s{{/one}})
        What we saw: {{what_we_saw}}
        Why it matters: {{why_it_matters}}
        How to fix: {{how_to_fix}}
        {{/problems}}

        The domains{{#has_more}} (the first {{listed_count}} with what we observed){{/has_more}}:
        {{#domains}}

        {{domain}}{{#mode}} (policy mode: {{mode}}){{/mode}}
        {{#findings}}
            {{code}}{{#observed}}; {{name}}: {{value}}{{/observed}}
        {{/findings}}
        {{#sts_records}}
            _mta-sts.{{domain}} TXT: {{.}}
        {{/sts_records}}
        {{#policy_url}}
            policy: {{policy_url}}
        {{/policy_url}}
        {{#mx_hosts}}
            MX host: {{.}}
        {{/mx_hosts}}
        {{/domains}}
        {{#has_more}}

        And {{more_count}} more (domain: problems):
        {{#more}}
            {{domain}}: {{codes}}
        {{/more}}
        {{/has_more}}

        To check a domain for yourself, before and after a change:
            echo <domain> | mtascan scan --resolver <your resolver>
        (mtascan is free software), or any MTA-STS checker you trust.
        {{#feedback_url}}

        Was this message useful? Tell us in one click: {{feedback_url}}
        {{/feedback_url}}

        You received this because this address is our contact for {{party}}.
        To receive no more messages about its customers, reply to
        {{optout_address}} (any text){{#optout_url}} or open {{optout_url}}{{/optout_url}}.

        --
        {{contact}}
        """
}
