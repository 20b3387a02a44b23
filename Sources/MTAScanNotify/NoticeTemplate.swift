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
}
