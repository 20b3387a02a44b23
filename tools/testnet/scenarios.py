#!/usr/bin/env python3
"""The scenario catalogue of the local test internet: the single source of truth.

Every situation mtascan must recognise gets one domain under `test.`, with the
DNS records that stage it, the behaviour its policy host (HTTPS) and MX hosts
(SMTP) must show, and the expected outcome. Zone generation (gen_zones.py), the
self-check (check.py), the HTTPS/SMTP servers of later work and mtascan's
integration tests all read the JSON this module writes:

  scenarios.py            print the catalogue as JSON
  scenarios.py --write    write tools/testnet/scenarios.json (committed)
  scenarios.py --check    exit 1 if scenarios.json is not what this module emits

Edit this file, then run --write; never edit scenarios.json by hand.
The vocabulary (behaviour names, expectation fields) is described in README.md.

Python 3 standard library only.
"""

import base64
import ipaddress
import json
import os
import sys

FORMAT = 1
HERE = os.path.dirname(os.path.abspath(__file__))
JSON_PATH = os.path.join(HERE, "scenarios.json")

# --- address plan (README.md, "Address plan") ------------------------------
NSD = "127.53.0.1"            # authoritative: ., test., example., 127.in-addr.arpa. and every scenario zone
UNBOUND = "127.53.0.2"        # the recursive resolver everything uses
NSD_HIDDEN = "127.53.0.3"     # authoritative reached only through badns proxies (slow zones)
NSD_SYNTH = "127.53.0.4"      # authoritative for the synthetic benchmark zones (synth.)
BADNS = {
    "silent": "127.53.1.1",
    "slow": "127.53.1.2",
    "refused": "127.53.1.3",
    "servfail": "127.53.1.4",
}
UNREACHABLE_NS = "127.53.1.250"   # nothing listens: ICMP port unreachable
SCANNER_SOURCE = "127.0.0.10"     # PTR scanner.test., A back to it (FCrDNS)
UNCONFIRMED_SOURCE = "127.0.0.11"  # PTR unconfirmed.test., whose A is UNCONFIRMED_A
UNCONFIRMED_A = "127.0.0.12"
POLICY_NET = "127.44.0.0/16"      # nginx policy hosts
MX_NET = "127.25.0.0/16"          # SMTP servers
SLOW_DELAY_MS = 300               # below unbound's 376 ms first timeout: slow, yet answered

TTL = 300
TIMEOUT_SECONDS = 3  # how long a client waits before calling a lookup a timeout


class Addresses:
    """Hands out the next free address of a block, in catalogue order."""

    def __init__(self, network, first):
        self.network = ipaddress.ip_network(network)
        self.next_free = ipaddress.ip_address(first)

    def take(self):
        address = self.next_free
        self.next_free = address + 1
        if address.packed[-1] in (0, 255):  # skip .0 and .255 for readability
            return self.take()
        assert address in self.network, address
        return str(address)


policy_addresses = Addresses(POLICY_NET, "127.44.0.10")
mx_addresses = Addresses(MX_NET, "127.25.1.1")

# --- record helpers ----------------------------------------------------------


def rr(owner, rtype, data):
    """A record relative to its zone: owner "@" is the apex, "x" is x.<zone>."""
    return {"owner": owner, "type": rtype, "data": data}


def txt(owner, *strings):
    """One TXT record; several strings make one multi-string record (RFC 1035 §3.3.14)."""
    for string in strings:
        assert len(string.encode()) <= 255, string
    return rr(owner, "TXT", list(strings))


def sts(*strings):
    return txt("_mta-sts", *strings)


def tlsrpt(*strings):
    return txt("_smtp._tls", *strings)


def mx_rr(preference, host):
    return rr("@", "MX", f"{preference} {host}.")


STS_ID = "20240601T120000"
STS_OK = f"v=STSv1; id={STS_ID}"


def tlsrpt_ok(domain):
    return f"v=TLSRPTv1; rua=mailto:tlsrpt@{domain}"


def policy_body(mx, mode="enforce", max_age=604800, eol="\r\n"):
    """A policy text (RFC 8461 §3.2): CRLF lines by default, LF is allowed too."""
    lines = ["version: STSv1", f"mode: {mode}"] + [f"mx: {pattern}" for pattern in mx]
    lines.append(f"max_age: {max_age}")
    return eol.join(lines) + eol


def good_policy(body, address=None, extra=None):
    """A policy host that serves `body` correctly (HTTPS, good cert, 200, text/plain)."""
    policy = {
        "host": None,  # filled in by the scenario: mta-sts.<domain>
        "address": address or policy_addresses.take(),
        "serve": "https",
        "cert": "good",
        "status": 200,
        "content_type": "text/plain",
        "body": body,
    }
    policy.update(extra or {})
    return policy


# Shared, well-behaved MX hosts (zone mailhost.test, mailhost.example).
SHARED_MX_HOSTS = {
    "mx1.mailhost.test": "127.25.0.1",
    "mx2.mailhost.test": "127.25.0.2",
    "mx1.eu.mailhost.test": "127.25.0.3",
    "mx1.mailhost.example": "127.25.0.4",
}
SHARED_MX = ["mx1.mailhost.test", "mx2.mailhost.test"]


def good_mx(host, preference=10):
    return {"host": host, "preference": preference, "address": SHARED_MX_HOSTS[host],
            "smtp": "starttls-good"}


def shared_mx():
    return [good_mx("mx1.mailhost.test", 10), good_mx("mx2.mailhost.test", 20)]


# --- the catalogue -------------------------------------------------------------

SCENARIOS = []


def scenario(name, group, description, *, records, policy=None, mx=None, dns_findings=(),
             findings=None, verdict, detail=None, served_by="nsd", resolver=None,
             dns_overrides=None, ttl=TTL, alternatives=None):
    """Register one scenario.

    records       DNS records of the zone <name>.test. (besides SOA/NS, which are generated)
    policy        the policy host's behaviour, or None when the scenario has none
    mx            the MX hosts' behaviour (one entry per MX record that names a host)
    dns_findings  the findings the DNS phase alone must produce
    findings      every finding once policy and MX hosts are served (default: dns_findings)
    verdict       the expected verdict once everything is served
    detail        expected detail of findings that have one, keyed by code
    served_by     who answers for the zone: nsd, slow, silent, refused, servfail,
                  unreachable, or none (the domain is not delegated: NXDOMAIN)
    resolver      unbound overrides: {"refuse": [owners]} / {"deny": [owners]}
    dns_overrides expected answers that the record model cannot derive (qname -> rcode)
    alternatives  other finding sets that are equally right (a dead nameserver: unbound
                  first lets the client time out, then answers SERVFAIL for a while)
    """
    domain = f"{name}.test"
    if policy is not None:
        policy["host"] = f"mta-sts.{domain}"
    entry = {
        "name": name,
        "domain": domain,
        "group": group,
        "description": description,
        "served_by": served_by,
        "ttl": ttl,
        "records": records,
        "resolver": resolver or {},
        "policy": policy,
        "mx": mx or [],
        "expect": {
            "dns_phase": {"findings": sorted(set(dns_findings))},
            "findings": sorted(set(findings if findings is not None else dns_findings)),
            "verdict": verdict,
        },
        "_dns_overrides": dns_overrides or {},
    }
    if alternatives:
        entry["expect"]["dns_phase"]["alternatives"] = [sorted(a) for a in alternatives]
        entry["expect"]["findings_alternatives"] = [sorted(a) for a in alternatives]
    if detail:
        entry["expect"]["detail"] = detail
    SCENARIOS.append(entry)
    return entry


def standard_records(name, sts_records=None, tlsrpt_records=None, mx_hosts=None,
                     policy_address=None, extra=()):
    """Records of a domain with MX, STS and TLS-RPT records and a policy host address."""
    domain = f"{name}.test"
    records = []
    for preference, host in mx_hosts if mx_hosts is not None else ((10, SHARED_MX[0]), (20, SHARED_MX[1])):
        records.append(mx_rr(preference, host))
    records += sts_records if sts_records is not None else [sts(STS_OK)]
    records += tlsrpt_records if tlsrpt_records is not None else [tlsrpt(tlsrpt_ok(domain))]
    if policy_address:
        records.append(rr("mta-sts", "A", policy_address))
    records += list(extra)
    return records


def valid_domain(name, group, description, *, sts_records=None, tlsrpt_records=None,
                 findings=(), dns_findings=None, verdict="valid", mode="enforce", detail=None,
                 mx_patterns=None, policy_extra=None, body=None, extra_records=(), **kwargs):
    """A domain whose policy and MX hosts work; the scenario varies one thing."""
    address = policy_addresses.take()
    policy = good_policy(body if body is not None else policy_body(mx_patterns or SHARED_MX, mode=mode),
                         address=address, extra=policy_extra)
    return scenario(
        name, group, description,
        records=standard_records(name, sts_records, tlsrpt_records, policy_address=address,
                                 extra=extra_records),
        policy=policy, mx=shared_mx(),
        dns_findings=dns_findings if dns_findings is not None else findings,
        findings=findings, verdict=verdict, detail=detail, **kwargs)


# ---- baseline -----------------------------------------------------------------

scenario(
    "no-mta-sts", "baseline",
    "MX records and nothing else: no MTA-STS, no TLS-RPT.",
    records=[mx_rr(10, SHARED_MX[0]), mx_rr(20, SHARED_MX[1])],
    mx=shared_mx(), verdict="no-mta-sts")

valid_domain(
    "sts-valid", "baseline",
    "A complete, correct deployment: STS record, TLS-RPT record, policy in enforce mode "
    "naming both MX hosts, both MX hosts with STARTTLS and a valid certificate.")

valid_domain(
    "sts-valid-testing", "baseline",
    "Correct deployment in testing mode.", mode="testing")

valid_domain(
    "sts-valid-mode-none", "baseline",
    "Correct deployment whose policy is mode none (being withdrawn, RFC 8461 §8.3).",
    mode="none")

_own = "sts-valid-own-mx"
_own_mx_address = mx_addresses.take()
_own_policy_address = policy_addresses.take()
scenario(
    _own, "baseline",
    "The domain runs its own MX host; the policy names it by a wildcard pattern.",
    records=standard_records(_own, mx_hosts=[(10, f"mx.{_own}.test")],
                             policy_address=_own_policy_address,
                             extra=[rr("mx", "A", _own_mx_address)]),
    policy=good_policy(policy_body([f"*.{_own}.test"]), address=_own_policy_address),
    mx=[{"host": f"mx.{_own}.test", "preference": 10, "address": _own_mx_address,
         "smtp": "starttls-good"}],
    verdict="valid")

# ---- sts-record: the _mta-sts TXT record (RFC 8461 §3.1) -----------------------

valid_domain(
    "sts-multiple", "sts-record",
    "Two v=STSv1 records: RFC 8461 §3.1 says senders then treat the domain as having no policy.",
    sts_records=[sts(STS_OK), sts("v=STSv1; id=20240701T000000")],
    findings=["sts-record-multiple"], verdict="misconfigured")

for _suffix, _text, _why in [
    ("case", f"v=STSV1; id={STS_ID}", "the version in the wrong case (v=STSV1)"),
    ("number", f"v=STSv2; id={STS_ID}", "an unknown version (v=STSv2)"),
    ("prefix", f"v=STSv10; id={STS_ID}", "v=STSv10: begins with the text v=STSv1 but is another version"),
    ("order", f"id={STS_ID}; v=STSv1", "the version field not first"),
    ("spaces", f"v = STSv1; id={STS_ID}", "spaces around the = of the version field"),
]:
    valid_domain(
        f"sts-bad-version-{_suffix}", "sts-record",
        f"The only _mta-sts record is evidently meant as MTA-STS but has {_why}.",
        sts_records=[sts(_text)], findings=["sts-record-bad-version"], verdict="misconfigured")

valid_domain(
    "sts-missing-id", "sts-record",
    "A v=STSv1 record without an id field.",
    sts_records=[sts("v=STSv1;")], findings=["sts-record-missing-id"], verdict="misconfigured")

valid_domain(
    "sts-missing-id-lookalike", "sts-record",
    "No id field, only the extension idx= that looks like one.",
    sts_records=[sts(f"v=STSv1; idx={STS_ID}")], findings=["sts-record-missing-id"],
    verdict="misconfigured")

for _suffix, _id, _why in [
    ("dash", "2024-06-01", "contains '-' (only letters and digits are allowed)"),
    ("33-chars", "A" * 16 + "1" * 17, "is 33 characters long (at most 32)"),
    ("empty", "", "is empty"),
]:
    valid_domain(
        f"sts-invalid-id-{_suffix}", "sts-record",
        f"The id {_why}.",
        sts_records=[sts(f"v=STSv1; id={_id}")], findings=["sts-record-invalid-id"],
        verdict="misconfigured")

valid_domain(
    "sts-valid-id-32-chars", "sts-record",
    "An id of exactly 32 letters and digits: the longest valid one.",
    sts_records=[sts("v=STSv1; id=" + "Z" * 16 + "9" * 16)])

valid_domain(
    "sts-bad-extension", "sts-record",
    "An extension field without '=' (mx: mx1.mailhost.test), which the RFC 8461 §3.1 ABNF does not allow.",
    sts_records=[sts(f"v=STSv1; id={STS_ID}; mx: mx1.mailhost.test")],
    findings=["sts-record-bad-extension"], verdict="misconfigured")

valid_domain(
    "sts-bad-extension-value", "sts-record",
    "An extension value containing a space, which sts-ext-value excludes.",
    sts_records=[sts(f"v=STSv1; id={STS_ID}; note=hello world")],
    findings=["sts-record-bad-extension"], verdict="misconfigured")

valid_domain(
    "sts-valid-extension", "sts-record",
    "A well-formed extension field: ignored, no finding.",
    sts_records=[sts(f"v=STSv1; id={STS_ID}; ext_1=ok-value")])

valid_domain(
    "sts-valid-trailing-semicolon", "sts-record",
    "A trailing ';' (sts-text-record allows a final separator).",
    sts_records=[sts(f"v=STSv1; id={STS_ID};")])

valid_domain(
    "sts-multistring", "sts-record",
    "The valid record published as two strings of one TXT record; they are concatenated.",
    sts_records=[sts("v=STSv1; ", f"id={STS_ID}")])

valid_domain(
    "sts-multistring-split-token", "sts-record",
    "The valid record split inside a token (\"v=STS\" \"v1; id=...\"): only the concatenation is valid.",
    sts_records=[sts("v=STS", f"v1; id={STS_ID}")])

valid_domain(
    "sts-unrelated-txt", "sts-record",
    "The valid record beside unrelated TXT records at _mta-sts (site verification, SPF): "
    "they are not MTA-STS records, no finding.",
    sts_records=[sts(STS_OK), sts("google-site-verification=Q8cX2mVn4tR7yLpW0aBzKdE5fGhJ1sNo3uIq6wCv9eY"),
                 sts("v=spf1 -all")])

_sts_cname_target = "sts-record-cname._sts.mta-sts-host.example."
valid_domain(
    "sts-record-cname", "sts-record",
    "_mta-sts is a CNAME to a TXT record at the policy-hosting provider (delegated MTA-STS).",
    sts_records=[rr("_mta-sts", "CNAME", _sts_cname_target)])

scenario(
    "sts-cname-dangling", "sts-record",
    "_mta-sts is a CNAME to a name that does not exist: no record, no MTA-STS.",
    records=[mx_rr(10, SHARED_MX[0]), mx_rr(20, SHARED_MX[1]),
             rr("_mta-sts", "CNAME", "gone._sts.mta-sts-host.example.")],
    mx=shared_mx(), verdict="no-mta-sts")

# ---- tlsrpt: the _smtp._tls TXT record (RFC 8460 §3) ---------------------------


def tlsrpt_only(name, description, records, findings, verdict="no-mta-sts"):
    domain = f"{name}.test"
    scenario(
        name, "tlsrpt", description,
        records=[mx_rr(10, SHARED_MX[0]), mx_rr(20, SHARED_MX[1])] + [
            tlsrpt(*(s.replace("{domain}", domain) for s in strings)) for strings in records],
        mx=shared_mx(), dns_findings=findings, verdict=verdict)


tlsrpt_only("tlsrpt-only", "A valid TLS-RPT record and no MTA-STS.",
            [["v=TLSRPTv1; rua=mailto:tlsrpt@{domain}"]], [])
tlsrpt_only("tlsrpt-multiple", "Two v=TLSRPTv1 records (RFC 8460 §3: treated as none).",
            [["v=TLSRPTv1; rua=mailto:tlsrpt@{domain}"], ["v=TLSRPTv1; rua=mailto:reports@{domain}"]],
            ["tlsrpt-multiple"])
tlsrpt_only("tlsrpt-bad-version", "An unknown version: v=TLSRPTv2.",
            [["v=TLSRPTv2; rua=mailto:tlsrpt@{domain}"]], ["tlsrpt-bad-version"])
tlsrpt_only("tlsrpt-bad-version-case", "The version in the wrong case: v=tlsrptv1.",
            [["v=tlsrptv1; rua=mailto:tlsrpt@{domain}"]], ["tlsrpt-bad-version"])
tlsrpt_only("tlsrpt-missing-rua", "A v=TLSRPTv1 record without rua.",
            [["v=TLSRPTv1;"]], ["tlsrpt-missing-rua"])
tlsrpt_only("tlsrpt-bad-rua-scheme", "rua with an http: URI (only mailto: and https: are allowed).",
            [["v=TLSRPTv1; rua=http://reports.{domain}/tlsrpt"]], ["tlsrpt-bad-rua"])
tlsrpt_only("tlsrpt-bad-rua-no-scheme", "rua with a bare e-mail address instead of a mailto: URI.",
            [["v=TLSRPTv1; rua=tlsrpt@{domain}"]], ["tlsrpt-bad-rua"])
tlsrpt_only("tlsrpt-valid-two-rua", "Two rua URIs, comma-separated, mailto: and https:.",
            [["v=TLSRPTv1; rua=mailto:tlsrpt@{domain},https://reports.{domain}/v1/tlsrpt"]], [])
tlsrpt_only("tlsrpt-bad-extension", "An extension field without '=' (RFC 8460 §3 tlsrpt-ext).",
            [["v=TLSRPTv1; rua=mailto:tlsrpt@{domain}; report everything"]], ["tlsrpt-bad-extension"])
tlsrpt_only("tlsrpt-multistring", "A valid record published as two strings of one TXT record.",
            [["v=TLSRPTv1; ", "rua=mailto:tlsrpt@{domain}"]], [])

valid_domain(
    "tlsrpt-bad-with-sts", "tlsrpt",
    "A correct MTA-STS deployment with a bad TLS-RPT rua: the verdict stays valid "
    "(TLS-RPT findings never change the MTA-STS verdict).",
    tlsrpt_records=[tlsrpt("v=TLSRPTv1; rua=http://reports.tlsrpt-bad-with-sts.test/")],
    findings=["tlsrpt-bad-rua"], verdict="valid")

# ---- policy host name (DNS side of policy retrieval) ---------------------------


def sts_domain_without_policy_address(name, description, extra, findings, verdict, policy,
                                      dns_findings=None, **kwargs):
    scenario(name, "policy-dns", description,
             records=standard_records(name, extra=extra),
             policy=policy, mx=shared_mx(),
             dns_findings=dns_findings if dns_findings is not None else findings,
             findings=findings, verdict=verdict, **kwargs)


def unreachable_policy():
    return {"host": None, "address": None, "serve": "none"}


sts_domain_without_policy_address(
    "policy-dns-nxdomain", "Valid STS record, but mta-sts.<domain> does not exist.",
    [], ["policy-dns"], "misconfigured", unreachable_policy())
sts_domain_without_policy_address(
    "policy-dns-nodata", "mta-sts.<domain> exists (a TXT record) but has no A or AAAA.",
    [txt("mta-sts", "policy host coming soon")], ["policy-dns"], "misconfigured",
    unreachable_policy())
sts_domain_without_policy_address(
    "policy-cname-dangling", "mta-sts.<domain> is a CNAME to a provider name that does not exist.",
    [rr("mta-sts", "CNAME", "gone.mta-sts-host.example.")], ["policy-dns"], "misconfigured",
    unreachable_policy())

_provider_address = policy_addresses.take()
sts_domain_without_policy_address(
    "policy-cname-provider",
    "mta-sts.<domain> is a CNAME to a policy-hosting provider's name "
    "(customer1.mta-sts-host.example); the provider serves the policy with a certificate "
    "for mta-sts.<domain>.",
    [rr("mta-sts", "CNAME", "customer1.mta-sts-host.example.")], [], "valid",
    good_policy(policy_body(SHARED_MX), address=_provider_address))

sts_domain_without_policy_address(
    "policy-ipv6-only", "mta-sts.<domain> has only an AAAA record (::1); the policy is served there.",
    [rr("mta-sts", "AAAA", "::1")], [], "valid",
    good_policy(policy_body(SHARED_MX), address="::1"))

# ---- policy retrieval (HTTPS work serves these) --------------------------------


def policy_case(name, description, findings, verdict="misconfigured", detail=None, **policy_extra):
    body = policy_extra.pop("body", None)
    if "body_base64" in policy_extra:
        policy_extra["body"] = None  # bytes that are not text: only body_base64 carries them
    valid_domain(name, "policy", description, findings=findings, dns_findings=(), verdict=verdict,
                 detail=detail, body=body, policy_extra=policy_extra)


policy_case("policy-tcp-refused", "Nothing listens on port 443 of the policy host.",
            ["policy-tcp"], serve="tcp-refused")
policy_case("policy-tcp-timeout", "Port 443 never completes a TCP handshake (SYNs dropped).",
            ["policy-tcp"], serve="tcp-timeout")
for _cert in ("expired", "not-yet-valid", "self-signed", "untrusted", "name-mismatch",
              "incomplete-chain"):
    policy_case(f"policy-tls-{_cert.replace('_', '-')}",
                f"The policy host's certificate is {_cert.replace('-', ' ')}.",
                ["policy-tls"], detail={"policy-tls": {"reason": _cert}}, cert=_cert)
policy_case("policy-tls-alert", "The HTTPS server has no certificate for the name and answers "
            "the ClientHello with an unrecognized_name alert.",
            ["policy-tls"], detail={"policy-tls": {"reason": "alert"}}, serve="tls-alert")
policy_case("policy-tls-protocol", "Plain HTTP on port 443.",
            ["policy-tls"], detail={"policy-tls": {"reason": "protocol"}}, serve="plaintext-http")
for _status in (404, 500):
    policy_case(f"policy-http-{_status}", f"The policy URL answers HTTP {_status}.",
                ["policy-http"], detail={"policy-http": {"status": _status}}, status=_status)
policy_case("policy-http-redirect", "The policy URL redirects (301); senders must not follow.",
            ["policy-http"], detail={"policy-http": {"status": 301}}, status=301,
            location="https://www.policy-http-redirect.test/.well-known/mta-sts.txt")
policy_case("policy-content-type-html", "The policy is served as text/html.",
            ["policy-content-type"], content_type="text/html")
policy_case("policy-content-type-charset", "text/plain with a charset parameter: valid.",
            [], verdict="valid", content_type="text/plain; charset=utf-8")

_OK_MX = "".join(f"mx: {h}\r\n" for h in SHARED_MX)
for _rule, _body, _why in [
    ("empty", "", "an empty body"),
    ("missing-version", "mode: enforce\r\n" + _OK_MX + "max_age: 604800\r\n", "no version line"),
    ("bad-version", "version: STSv2\r\nmode: enforce\r\n" + _OK_MX + "max_age: 604800\r\n",
     "version STSv2"),
    ("bad-mode", "version: STSv1\r\nmode: enforcing\r\n" + _OK_MX + "max_age: 604800\r\n",
     "mode 'enforcing'"),
    ("missing-mode", "version: STSv1\r\n" + _OK_MX + "max_age: 604800\r\n", "no mode line"),
    ("missing-max-age", "version: STSv1\r\nmode: enforce\r\n" + _OK_MX, "no max_age line"),
    ("bad-max-age", "version: STSv1\r\nmode: enforce\r\n" + _OK_MX + "max_age: one week\r\n",
     "a max_age that is not a number"),
    ("missing-mx", "version: STSv1\r\nmode: enforce\r\nmax_age: 604800\r\n",
     "mode enforce and no mx line"),
]:
    policy_case(f"policy-syntax-{_rule}", f"The policy has {_why}.",
                ["policy-syntax"], detail={"policy-syntax": {"rule": _rule}}, body=_body)
policy_case("policy-syntax-bad-max-age-large",
            "max_age above the RFC 8461 §3.2 maximum of 31557600.",
            ["policy-syntax"], detail={"policy-syntax": {"rule": "bad-max-age"}},
            body=policy_body(SHARED_MX, max_age=31557601))
for _suffix, _pattern in [("email", "postmaster@mx1.mailhost.test"),
                          ("trailing-dot", "mx1.mailhost.test."),
                          ("ip", "127.25.0.1"),
                          ("empty", "")]:
    policy_case(f"policy-syntax-bad-mx-{_suffix}",
                f"An mx pattern that is not a host name pattern: {_pattern!r}.",
                ["policy-syntax"], detail={"policy-syntax": {"rule": "bad-mx-pattern"}},
                body=policy_body([_pattern] + SHARED_MX))
policy_case("policy-syntax-too-large",
            "A policy body larger than 64 KiB (padded with repeated valid mx lines).",
            ["policy-syntax"], detail={"policy-syntax": {"rule": "too-large"}},
            body=policy_body(SHARED_MX),
            body_repeat={"line": "mx: *.mailhost.test\r\n", "until_bytes": 65 * 1024})
policy_case("policy-syntax-encoding",
            "A body that is not UTF-8 (bytes 0xff 0xfe inside the mode line).",
            ["policy-syntax"], detail={"policy-syntax": {"rule": "encoding"}},
            body_base64=base64.b64encode(
                b"version: STSv1\r\nmode: \xff\xfeenforce\r\n" + _OK_MX.encode()
                + b"max_age: 604800\r\n").decode())
policy_case("policy-duplicate-key",
            "mode appears twice (testing, then enforce): the first wins (RFC 8461 §3.2), a warning.",
            ["policy-duplicate-key"], verdict="valid",
            body="version: STSv1\r\nmode: testing\r\nmode: enforce\r\n" + _OK_MX + "max_age: 604800\r\n")
policy_case("policy-max-age-short", "max_age of 300 seconds: valid but nearly useless, a warning.",
            ["policy-max-age-short"], verdict="valid", body=policy_body(SHARED_MX, max_age=300))
policy_case("policy-lf-line-endings", "LF instead of CRLF line endings: valid (sts-policy-term = LF / CRLF).",
            [], verdict="valid", body=policy_body(SHARED_MX, eol="\n"))

# ---- MX hosts (SMTP work serves these) -----------------------------------------


def own_mx_domain(name, group, description, hosts, findings, verdict="misconfigured", mode="testing",
                  dns_findings=(), detail=None, extra_records=(), patterns=None):
    """A domain whose MX hosts are its own (mx.<domain>, mx2.<domain>...), each with a behaviour.

    hosts: list of (label, smtp-behaviour); behaviour "none" means the name has no address.
    """
    domain = f"{name}.test"
    mx_entries, records, preference = [], [], 10
    for label, behaviour in hosts:
        host = f"{label}.{domain}"
        address = None if behaviour == "none" else mx_addresses.take()
        mx_entries.append({"host": host, "preference": preference, "address": address,
                           "smtp": behaviour})
        records.append(mx_rr(preference, host))
        if address:
            records.append(rr(label, "A", address))
        preference += 10
    address = policy_addresses.take()
    records += [sts(STS_OK), tlsrpt(tlsrpt_ok(domain)), rr("mta-sts", "A", address)]
    records += list(extra_records)
    scenario(name, group, description, records=records,
             policy=good_policy(policy_body(patterns or [f"*.{domain}"], mode=mode), address=address),
             mx=mx_entries, dns_findings=dns_findings, findings=findings, verdict=verdict,
             detail=detail)


_none_address = policy_addresses.take()
scenario(
    "mx-none", "mx",
    "Valid STS record and policy, but the domain has no MX records (only an A record).",
    records=[rr("@", "A", "127.25.0.1"), sts(STS_OK), tlsrpt(tlsrpt_ok("mx-none.test")),
             rr("mta-sts", "A", _none_address)],
    policy=good_policy(policy_body(SHARED_MX), address=_none_address),
    dns_findings=["mx-none"], verdict="misconfigured")

own_mx_domain(
    "mx-dns", "mx",
    "Both MX names lack addresses: one does not exist (NXDOMAIN), one has only a TXT record (NODATA).",
    [("gone", "none"), ("noaddr", "none")], ["mx-dns"], dns_findings=["mx-dns"],
    extra_records=[txt("noaddr", "decommissioned")])
own_mx_domain(
    "mx-dns-some", "mx",
    "One good MX host, one MX name that does not exist.",
    [("mx", "starttls-good"), ("gone", "none")], ["mx-dns"], dns_findings=["mx-dns"])

for _behaviour, _code, _why in [
    ("tcp-refused", "mx-tcp", "nothing listens on port 25"),
    ("tcp-timeout", "mx-tcp", "port 25 never completes a TCP handshake"),
    ("smtp-silent", "mx-smtp", "the server accepts the connection and never sends a banner"),
    ("smtp-endless-banner", "mx-smtp", "the banner is an endless series of 220- lines"),
    ("smtp-banner-554", "mx-smtp", "the banner is 554 (no service)"),
    ("smtp-banner-421", "mx-smtp", "the banner is 421 (temporarily unavailable, as greylisting does)"),
    ("smtp-ehlo-helo-refused", "mx-smtp", "EHLO and HELO are both answered 502"),
    ("no-starttls", "mx-no-starttls", "STARTTLS is not advertised"),
    ("starttls-refused", "mx-no-starttls", "STARTTLS is advertised but answered 454"),
]:
    own_mx_domain(f"mx-{_behaviour}", "mx", f"The only MX host: {_why}.",
                  [("mx", _behaviour)], [_code])

for _cert in ("expired", "not-yet-valid", "self-signed", "untrusted", "name-mismatch",
              "incomplete-chain"):
    own_mx_domain(f"mx-tls-{_cert}", "mx",
                  f"The only MX host offers STARTTLS with a certificate that is {_cert.replace('-', ' ')}.",
                  [("mx", f"starttls-cert-{_cert}")], ["mx-tls", "mx-pkix-invalid-all"],
                  detail={"mx-tls": {"reason": _cert}})
own_mx_domain("mx-tls-protocol", "mx",
              "The only MX host answers 220 to STARTTLS, then sends garbage instead of a ServerHello.",
              [("mx", "starttls-garbage")], ["mx-tls", "mx-pkix-invalid-all"],
              detail={"mx-tls": {"reason": "protocol"}})
own_mx_domain("mx-tls-wildcard-depth", "mx",
              "The MX host a.b.<domain> presents a certificate for *.<domain>: a wildcard covers "
              "one label only (RFC 8461 §4.1, RFC 6125), so the name does not match.",
              [("a.b", "starttls-cert-parent-wildcard")], ["mx-tls", "mx-pkix-invalid-all"],
              detail={"mx-tls": {"reason": "name-mismatch"}},
              patterns=["a.b.mx-tls-wildcard-depth.test"])
own_mx_domain("mx-pkix-invalid-some", "mx",
              "Two MX hosts, one valid and one with an expired certificate.",
              [("mx", "starttls-good"), ("mx2", "starttls-cert-expired")],
              ["mx-tls", "mx-pkix-invalid-some"], detail={"mx-tls": {"reason": "expired"}})

# ---- consistency: policy mx patterns against MX records ------------------------


def consistency(name, description, mx_hosts, patterns, findings, kind=None, hosts=None,
                mode="testing", verdict="misconfigured", group="consistency"):
    domain = f"{name}.test"
    address = policy_addresses.take()
    records = [mx_rr(10 * (i + 1), host) for i, host in enumerate(mx_hosts)]
    records += [sts(STS_OK), tlsrpt(tlsrpt_ok(domain)), rr("mta-sts", "A", address)]
    detail = {"mx-pattern-mismatch": {"kind": kind, "hosts": hosts}} if kind else None
    scenario(name, group, description, records=records,
             policy=good_policy(policy_body(patterns, mode=mode), address=address),
             mx=[good_mx(host, 10 * (i + 1)) for i, host in enumerate(mx_hosts)],
             findings=findings, verdict=verdict, detail=detail)


consistency("consistency-typo", "Pattern mx1.mailhsot.test against MX mx1.mailhost.test (edit distance 2).",
            ["mx1.mailhost.test"], ["mx1.mailhsot.test"], ["mx-pattern-mismatch"], "typo", "all")
consistency("consistency-tld", "MX mx1.mailhost.example, pattern mx1.mailhost.test: only the TLD differs.",
            ["mx1.mailhost.example"], ["mx1.mailhost.test"], ["mx-pattern-mismatch"], "tld", "all")
consistency("consistency-extra-label",
            "MX mx1.eu.mailhost.test, pattern *.mailhost.test: a wildcard matches one label only.",
            ["mx1.eu.mailhost.test"], ["*.mailhost.test"], ["mx-pattern-mismatch"], "extra-label", "all")
consistency("consistency-mta-sts-label",
            "The pattern is the policy host name mta-sts.<domain> instead of the MX host.",
            ["mx1.mailhost.test"], ["mta-sts.consistency-mta-sts-label.test"],
            ["mx-pattern-mismatch"], "mta-sts-label", "all")
consistency("consistency-complete", "The pattern names an unrelated host (mail.elsewhere.test).",
            ["mx1.mailhost.test"], ["mail.elsewhere.test"], ["mx-pattern-mismatch"], "complete", "all")
consistency("consistency-some", "Two MX hosts, the policy names only the first (mx2 is a typo away).",
            ["mx1.mailhost.test", "mx2.mailhost.test"], ["mx1.mailhost.test"],
            ["mx-pattern-mismatch"], "typo", "some")
consistency("consistency-wildcard", "Pattern *.mailhost.test covers both MX hosts.",
            ["mx1.mailhost.test", "mx2.mailhost.test"], ["*.mailhost.test"], [], verdict="valid")

# ---- risk: enforce mode with nothing deliverable --------------------------------

consistency("risk-enforce-mismatch",
            "Mode enforce and no MX host matches a pattern: compliant senders will not deliver.",
            ["mx1.mailhost.test"], ["mail.elsewhere.test"],
            ["mx-pattern-mismatch", "delivery-failure-risk"], "complete", "all", mode="enforce",
            group="risk")
own_mx_domain("risk-enforce-all-mx-bad", "risk",
              "Mode enforce and the only MX host's certificate is expired.",
              [("mx", "starttls-cert-expired")],
              ["mx-tls", "mx-pkix-invalid-all", "delivery-failure-risk"], mode="enforce",
              detail={"mx-tls": {"reason": "expired"}})
own_mx_domain("risk-enforce-some-mx-bad", "risk",
              "Mode enforce, two MX hosts, one with an expired certificate.",
              [("mx", "starttls-good"), ("mx2", "starttls-cert-expired")],
              ["mx-tls", "mx-pkix-invalid-some", "delivery-degraded"], mode="enforce",
              detail={"mx-tls": {"reason": "expired"}})
own_mx_domain("risk-testing-all-mx-bad", "risk",
              "Mode testing and the only MX host's certificate is expired: no delivery risk.",
              [("mx", "starttls-cert-expired")], ["mx-tls", "mx-pkix-invalid-all"], mode="testing",
              detail={"mx-tls": {"reason": "expired"}})

# ---- dns: resolution trouble ----------------------------------------------------

scenario("nxdomain", "dns", "The domain does not exist at all (not delegated from test.).",
         records=[], served_by="none", verdict="no-mta-sts")

for _server, _why in [("refused", "a server that answers REFUSED (lame delegation)"),
                      ("servfail", "a server that answers SERVFAIL")]:
    valid_domain(f"servfail-{_server}", "dns",
                 f"The domain is delegated to {_why}: the resolver answers SERVFAIL for every name.",
                 served_by=_server, findings=["dns-servfail"], verdict="unknown")

valid_domain(
    "servfail-sts", "dns",
    "Only _mta-sts.<domain> is delegated (to a REFUSED-answering server): its lookup "
    "SERVFAILs, everything else works.",
    extra_records=[rr("_mta-sts", "NS", "refused.ns.nic.test.")], sts_records=[],
    findings=["dns-servfail"], verdict="unknown")
valid_domain(
    "servfail-policy-host", "dns",
    "Valid STS record; mta-sts.<domain> sits in a lame sub-zone, so its A lookup SERVFAILs "
    "(dns-servfail, not policy-dns: the owner's name may well exist).",
    findings=["dns-servfail"], verdict="unknown")
# The policy host of servfail-policy-host must not have an A record beside the delegation.
_last = SCENARIOS[-1]
_last["records"] = [r for r in _last["records"] if r["owner"] != "mta-sts"]
_last["records"].append(rr("mta-sts", "NS", "refused.ns.nic.test."))

own_mx_domain(
    "servfail-mx-host", "dns",
    "The only MX host's name lies in a lame sub-zone: its address lookup SERVFAILs.",
    [("mx.lame", "none")], ["dns-servfail"], verdict="unknown", dns_findings=["dns-servfail"],
    extra_records=[rr("lame", "NS", "refused.ns.nic.test.")])

valid_domain("refused", "dns", "The resolver refuses every name of the domain (unbound local-zone refuse).",
             resolver={"refuse": ["@"]}, findings=["dns-refused"], verdict="unknown")
valid_domain("refused-sts", "dns", "The resolver refuses only _mta-sts.<domain>.",
             resolver={"refuse": ["_mta-sts"]}, findings=["dns-refused"], verdict="unknown")
valid_domain("timeout", "dns", "The resolver drops every query for the domain (unbound local-zone deny).",
             resolver={"deny": ["@"]}, findings=["dns-timeout"], verdict="unknown")
valid_domain("timeout-sts", "dns", "The resolver drops only queries for _mta-sts.<domain>.",
             resolver={"deny": ["_mta-sts"]}, findings=["dns-timeout"], verdict="unknown")
valid_domain(
    "timeout-silent-ns", "dns",
    "The domain is delegated to a nameserver that reads queries and never answers. unbound "
    "keeps trying and drops the client's query (discard-timeout, 1.9 s): the client times "
    "out. Once unbound has marked the server down it answers SERVFAIL at once for a while, "
    "probing now and then, so either outcome is right.",
    served_by="silent", findings=["dns-timeout"], alternatives=[["dns-servfail"]],
    verdict="unknown")
valid_domain(
    "timeout-unreachable-ns", "dns",
    "The domain is delegated to an address where nothing listens (ICMP port unreachable, "
    "which unbound does not act on): as for a silent server, a timeout, later SERVFAIL.",
    served_by="unreachable", findings=["dns-timeout"], alternatives=[["dns-servfail"]],
    verdict="unknown")
valid_domain(
    "slow-ns", "dns",
    f"The domain's nameserver answers every query after {SLOW_DELAY_MS} ms (TTL 0, so every "
    "lookup is slow); everything is valid.", served_by="slow", ttl=0)

_filler = [
    "google-site-verification=" + "Xk3" * 60,
    "MS=ms" + "4821937" * 30,
    "apple-domain-verification=" + "aB9" * 60,
    "facebook-domain-verification=" + "q7z" * 60,
    "atlassian-domain-verification=" + "L0p" * 60,
    "docusign=" + "5e1f" * 50,
]
valid_domain(
    "tc-large-txt", "dns",
    "The _mta-sts TXT RRset is larger than 1232 bytes (one valid v=STSv1 record beside six "
    "long verification records): a client with an EDNS buffer of 1232 gets TC=1 over UDP and "
    "must retry over TCP.",
    sts_records=[sts(STS_OK)] + [sts(text) for text in _filler])

valid_domain(
    "cname-chain", "dns",
    "_mta-sts and mta-sts are both reached through three CNAMEs across zones (test. and example.).",
    sts_records=[rr("_mta-sts", "CNAME", "_mta-sts.hop1.cname-chain.test."),
                 rr("_mta-sts.hop1", "CNAME", "hop2.chains.mta-sts-host.example."),
                 txt("_mta-sts.hop3", STS_OK)],
    extra_records=[rr("hop1", "CNAME", "hop2.cname-chain.test."),
                   rr("hop2", "CNAME", "hop3.chains.mta-sts-host.example.")])
# cname-chain: the policy host mta-sts is a CNAME chain instead of an A record.
_last = SCENARIOS[-1]
_chain_address = _last["policy"]["address"]
_last["records"] = [r for r in _last["records"] if r["owner"] != "mta-sts"]
_last["records"].append(rr("mta-sts", "CNAME", "hop1.cname-chain.test."))

valid_domain(
    "cname-loop-sts", "dns",
    "_mta-sts is a CNAME loop (a -> b -> a): the resolver answers SERVFAIL.",
    sts_records=[rr("_mta-sts", "CNAME", "loop1.cname-loop-sts.test.")],
    extra_records=[rr("loop1", "CNAME", "loop2.cname-loop-sts.test."),
                   rr("loop2", "CNAME", "loop1.cname-loop-sts.test.")],
    findings=["dns-servfail"], verdict="unknown")
valid_domain(
    "cname-loop-policy-host", "dns",
    "Valid STS record; mta-sts.<domain> is a CNAME loop, so its lookup SERVFAILs.",
    extra_records=[rr("loop1", "CNAME", "loop2.cname-loop-policy-host.test."),
                   rr("loop2", "CNAME", "loop1.cname-loop-policy-host.test.")],
    findings=["dns-servfail"], verdict="unknown")
_last = SCENARIOS[-1]
_last["records"] = [r for r in _last["records"] if r["owner"] != "mta-sts"]
_last["records"].append(rr("mta-sts", "CNAME", "loop1.cname-loop-policy-host.test."))

# --- support zones: names that scenarios point at ---------------------------------

SUPPORT_ZONES = [
    {"zone": "nic.test", "description": "Infrastructure: nameserver and resolver names, "
     "the misbehaving nameservers.",
     "records": [rr("ns1", "A", NSD), rr("ns2", "A", NSD), rr("resolver", "A", UNBOUND),
                 rr("hidden", "A", NSD_HIDDEN), rr("synthetic", "A", NSD_SYNTH)]
     + [rr(f"{mode}.ns", "A", address) for mode, address in BADNS.items()]
     + [rr("unreachable.ns", "A", UNREACHABLE_NS)]},
    {"zone": "scanner.test", "description": "The scanner's source address, forward-confirmed "
     "(PTR and A agree).", "records": [rr("@", "A", SCANNER_SOURCE)]},
    {"zone": "unconfirmed.test", "description": f"Target of the PTR of {UNCONFIRMED_SOURCE}; its A "
     "is another address, so reverse DNS does not confirm.",
     "records": [rr("@", "A", UNCONFIRMED_A)]},
    {"zone": "mailhost.test", "description": "A mail provider: shared, well-behaved MX hosts.",
     "records": [rr(h[:-len(".mailhost.test")], "A", a) for h, a in SHARED_MX_HOSTS.items()
                 if h.endswith(".mailhost.test")] + [mx_rr(10, "mx1.mailhost.test")]},
    {"zone": "mailhost.example", "description": "The same provider under another TLD "
     "(tld-mismatch scenarios).",
     "records": [rr("mx1", "A", SHARED_MX_HOSTS["mx1.mailhost.example"])]},
    {"zone": "mta-sts-host.example", "description": "A policy-hosting provider: CNAME targets "
     "for mta-sts.<domain> and _mta-sts.<domain>.",
     "records": [rr("customer1", "A", _provider_address),
                 txt("sts-record-cname._sts", STS_OK),
                 rr("hop2.chains", "CNAME", "_mta-sts.hop3.cname-chain.test."),
                 rr("hop3.chains", "A", _chain_address)]},
]

PTR = [  # address -> name; every MX host address gets one too (below)
    (SCANNER_SOURCE, "scanner.test"),
    (UNCONFIRMED_SOURCE, "unconfirmed.test"),
    (NSD, "ns1.nic.test"),
    (UNBOUND, "resolver.nic.test"),
] + [(address, host) for host, address in SHARED_MX_HOSTS.items()]
for _s in SCENARIOS:
    for _m in _s["mx"]:
        if _m["address"] and _m["address"] not in SHARED_MX_HOSTS.values():
            PTR.append((_m["address"], _m["host"]))

ZONE_NS = ["ns1.nic.test", "ns2.nic.test"]
SERVED_BY_NS = {
    "nsd": ZONE_NS,
    "slow": ["slow.ns.nic.test"],
    "silent": ["silent.ns.nic.test"],
    "refused": ["refused.ns.nic.test"],
    "servfail": ["servfail.ns.nic.test"],
    "unreachable": ["unreachable.ns.nic.test"],
    "none": [],
}


def reverse_name(address):
    return ipaddress.ip_address(address).reverse_pointer


# --- the record model: what a correct resolver answers ----------------------------


def absolute(owner, zone):
    if owner == "@":
        return zone + "."
    if owner.endswith("."):
        return owner
    return f"{owner}.{zone}."


class World:
    """Every zone's records, to derive the answers unbound must give."""

    def __init__(self):
        self.zones = {}      # apex (absolute) -> {"served_by", "resolver"}
        self.rrsets = {}     # (name, type) -> [rdata]
        self.names = set()   # names that own records
        self.cuts = set()    # delegation points inside a zone: all lame in this catalogue

    def add_zone(self, apex, records, served_by="nsd", resolver=None):
        if served_by == "none":
            return  # not delegated: its names do not exist
        self.zones[apex] = {"served_by": served_by, "resolver": resolver or {}}
        self.add_rrset(apex, "NS", [f"{ns}." for ns in SERVED_BY_NS[served_by]])
        for record in records:
            name = absolute(record["owner"], apex.rstrip("."))
            if record["type"] == "NS":
                assert record["data"] in LAME_NS, record
                self.cuts.add(name.lower())
                self.names.add(name.lower())
                continue
            self.add_rrset(name, record["type"], [record["data"]])

    def add_rrset(self, name, rtype, datas):
        name = name.lower()
        self.rrsets.setdefault((name, rtype), []).extend(datas)
        self.names.add(name)

    def exists(self, name):
        return name in self.names or any(n.endswith("." + name) for n in self.names)

    def zone_of(self, name):
        best = None
        for apex in self.zones:
            if apex == "." or name == apex or name.endswith("." + apex):
                if best is None or len(apex) > len(best):
                    best = apex
        return best

    def broken(self, name):
        """The rcode a lookup of `name` ends in because the path to it is broken, or None."""
        if any(name == cut or name.endswith("." + cut) for cut in self.cuts):
            return "SERVFAIL"
        served_by = self.zones[self.zone_of(name)]["served_by"]
        if served_by in ("silent", "unreachable"):
            return DEAD_SERVER
        if served_by in ("refused", "servfail"):
            return "SERVFAIL"
        return None

    def resolve(self, qname, qtype):
        """(rcode, answer lines) as unbound gives them, TTLs left out."""
        qname = qname.lower()
        apex = self.zone_of(qname)
        # unbound local-zone overrides apply to the client's qname only.
        for action, owners in self.zones[apex]["resolver"].items():
            for owner in owners:
                blocked = absolute(owner, apex.rstrip(".")).lower()
                if qname == blocked or qname.endswith("." + blocked):
                    return ("TIMEOUT" if action == "deny" else "REFUSED"), []
        answer, name, seen = [], qname, set()
        while True:
            failure = self.broken(name)
            if failure:
                return failure, []
            if (name, qtype) in self.rrsets:
                answer += [f"{name} {qtype} {present(qtype, d)}" for d in self.rrsets[(name, qtype)]]
                return "NOERROR", answer
            if (name, "CNAME") in self.rrsets and qtype != "CNAME":
                if name in seen:
                    return "SERVFAIL", []  # unbound gives up on a CNAME loop
                seen.add(name)
                target = self.rrsets[(name, "CNAME")][0].lower()
                answer.append(f"{name} CNAME {target}")
                name = target
                continue
            return ("NOERROR" if self.exists(name) else "NXDOMAIN"), answer


def present(rtype, data):
    """Presentation format as dig prints it."""
    if rtype == "TXT":
        return " ".join('"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' for s in data)
    if rtype == "AAAA":
        return str(ipaddress.ip_address(data))
    if rtype in ("MX", "CNAME", "NS", "PTR"):
        return data.lower()
    return data


TLDS = ["test", "example"]
# A nameserver that never answers: unbound drops the client's query after its
# discard-timeout (the client times out), or, once it has marked the server
# down, answers SERVFAIL at once.
DEAD_SERVER = "TIMEOUT|SERVFAIL"
LAME_NS = {"refused.ns.nic.test.", "servfail.ns.nic.test.", "unreachable.ns.nic.test.",
           "silent.ns.nic.test."}


def build_world():
    world = World()
    world.add_zone(".", [])
    for tld in TLDS:
        world.add_zone(tld + ".", [])
    for support in SUPPORT_ZONES:
        world.add_zone(support["zone"] + ".", support["records"])
    for entry in SCENARIOS:
        world.add_zone(entry["domain"] + ".", entry["records"], entry["served_by"], entry["resolver"])
    world.add_zone("127.in-addr.arpa.", [rr(reverse_name(a) + ".", "PTR", f"{n}.") for a, n in PTR])
    return world


def lookups(entry):
    """The lookups mtascan's DNS phase makes for a domain, and those of its MX hosts."""
    domain = entry["domain"]
    queries = [(domain, "MX"), (domain, "NS"), (f"_mta-sts.{domain}", "TXT"),
               (f"_smtp._tls.{domain}", "TXT"), (f"mta-sts.{domain}", "A"),
               (f"mta-sts.{domain}", "AAAA")]
    for mx in entry["mx"]:
        if mx["host"].endswith("." + domain):
            queries += [(mx["host"], "A"), (mx["host"], "AAAA")]
    return queries


def expected_dns(world, entry):
    expectations = []
    for qname, qtype in lookups(entry):
        rcode, answer = world.resolve(qname + ".", qtype)
        rcode = entry["_dns_overrides"].get(f"{qname} {qtype}", rcode)
        rcode, *others = rcode.split("|")
        item = {"qname": qname, "qtype": qtype, "rcode": rcode, "answer": sorted(answer)}
        if others:
            item["rcode_alternatives"] = others
        if entry["served_by"] == "slow":
            item["min_ms"] = SLOW_DELAY_MS
        if qtype == "TXT" and entry["name"] == "tc-large-txt" and qname.startswith("_mta-sts."):
            item["truncated_at_1232"] = True
        expectations.append(item)
    return expectations


def support_checks(world):
    """Expected answers for infrastructure names, FCrDNS above all."""
    checks = [(reverse_name(SCANNER_SOURCE), "PTR"), ("scanner.test", "A"),
              (reverse_name(UNCONFIRMED_SOURCE), "PTR"), ("unconfirmed.test", "A"),
              ("ns1.nic.test", "A"), ("test", "NS"), ("example", "NS"),
              ("mx1.mailhost.test", "A"), ("mx1.mailhost.example", "A")]
    result = []
    for qname, qtype in checks:
        rcode, answer = world.resolve(qname + ".", qtype)
        result.append({"qname": qname, "qtype": qtype, "rcode": rcode, "answer": sorted(answer)})
    return result


def catalogue():
    world = build_world()
    scenarios = []
    names = set()
    for entry in SCENARIOS:
        assert entry["name"] not in names, entry["name"]
        names.add(entry["name"])
        entry = dict(entry)
        entry["expect"] = dict(entry["expect"], dns=expected_dns(world, entry))
        del entry["_dns_overrides"]
        scenarios.append(entry)
    return {
        "format": FORMAT,
        "generated_by": "tools/testnet/scenarios.py (edit it, then run it with --write)",
        "addresses": {
            "authoritative": NSD,
            "resolver": UNBOUND,
            "authoritative_hidden": NSD_HIDDEN,
            "authoritative_synthetic": NSD_SYNTH,
            "badns": dict(BADNS),
            "unreachable_nameserver": UNREACHABLE_NS,
            "scanner_source": SCANNER_SOURCE,
            "unconfirmed_source": UNCONFIRMED_SOURCE,
            "policy_hosts": POLICY_NET,
            "mx_hosts": MX_NET,
        },
        "slow_delay_ms": SLOW_DELAY_MS,
        "timeout_seconds": TIMEOUT_SECONDS,
        "tlds": TLDS,
        "zone_ns": ZONE_NS,
        "served_by_ns": SERVED_BY_NS,
        "support_zones": SUPPORT_ZONES,
        "ptr": [{"address": a, "name": n} for a, n in PTR],
        "support_checks": support_checks(world),
        "scenarios": scenarios,
    }


def render():
    return json.dumps(catalogue(), indent=1, ensure_ascii=True) + "\n"


def main(argv):
    text = render()
    if argv == ["--write"]:
        with open(JSON_PATH, "w") as handle:
            handle.write(text)
        print(f"wrote {JSON_PATH} ({len(SCENARIOS)} scenarios)", file=sys.stderr)
    elif argv == ["--check"]:
        try:
            with open(JSON_PATH) as handle:
                current = handle.read()
        except FileNotFoundError:
            current = ""
        if current != text:
            print("scenarios.json is stale: run tools/testnet/scenarios.py --write", file=sys.stderr)
            return 1
    elif not argv:
        sys.stdout.write(text)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
