#!/usr/bin/env python3
"""Writes the seed corpora of Fuzz/Corpus/<target>/ (docs/reliability.md, "Fuzzing").

Seeds are small real examples: the test internet's scenarios
(tools/testnet/scenarios.json), docs/examples, and, when the local test
internet is up, DNS answers, HTTP responses, SMTP replies and scan records
captured from it (127.0.0.0/8 only; never the system resolver). Each target
reads leading control bytes before its payload (Fuzz/Sources/MTAScanFuzz/*),
and the seeds carry them. Rerun to refresh; the output is committed, so a
fresh clone fuzzes from the same seeds without a test internet.

    Fuzz/make-seeds.py [--scan-ndjson FILE] [--no-capture]

--no-capture writes the hand-made seeds only (no test internet needed).
"""
import hashlib
import json
import os
import random
import socket
import ssl
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Fuzz", "Corpus")
SCENARIOS = json.load(open(os.path.join(ROOT, "tools", "testnet", "scenarios.json")))
RESOLVER = SCENARIOS["addresses"]["resolver"]
random.seed(8461)


def write(target, payload, control=b""):
    data = bytes(control) + payload
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


# --- DNS ---------------------------------------------------------------

def name_wire(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28, "TLSA": 52}


def query(name, qtype, qid):
    header = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 1)
    opt = b"\0" + struct.pack(">HHIH", 41, 1232, 0, 0)
    return header + name_wire(name) + struct.pack(">HH", TYPES[qtype], 1) + opt


def capture_dns():
    """Answers from the test internet's resolver to the scenarios' own questions."""
    asked = []
    for scenario in SCENARIOS["scenarios"]:
        for step in scenario.get("expect", {}).get("dns", []):
            if step["qtype"] in TYPES:
                asked.append((step["qname"], step["qtype"]))
    asked = sorted(set(asked))
    random.shuffle(asked)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(1.0)
    got = 0
    seen_shapes = set()
    for qid, (name, qtype) in enumerate(asked[:400]):
        try:
            sock.sendto(query(name, qtype, qid), (RESOLVER, 53))
            answer, _ = sock.recvfrom(65535)
        except OSError:
            continue
        # One seed per (type, rcode, answer count): enough shapes, few files.
        shape = (qtype, answer[3] & 0x0F, answer[6:8])
        if shape in seen_shapes:
            continue
        seen_shapes.add(shape)
        write("dns-message", answer)
        got += 1
    return got


def handmade_dns():
    """Shapes the resolver does not give: compression into rdata, TLSA, SOA, a truncated message."""
    h = struct.pack(">HHHHHH", 0x1234, 0x8180, 1, 2, 1, 1)
    q = name_wire("_25._tcp.mx.example.test") + struct.pack(">HH", 52, 1)
    tlsa = b"\xc0\x0c" + struct.pack(">HHIH", 52, 1, 300, 35) + b"\x03\x01\x01" + bytes(range(32))
    mx = b"\xc0\x0c" + struct.pack(">HHIH", 15, 1, 300, 4) + b"\x00\x0a\xc0\x0c"
    soa_rdata = name_wire("ns1.nic.test") + b"\xc0\x0c" + struct.pack(">IIIII", 1, 7200, 900, 1209600, 300)
    soa = b"\xc0\x0c" + struct.pack(">HHIH", 6, 1, 300, len(soa_rdata)) + soa_rdata
    opt = b"\0" + struct.pack(">HHIH", 41, 1232, 0x8000, 0)
    message = h + q + tlsa + mx + soa + opt
    write("dns-message", message)
    write("dns-message", message[: len(message) // 2])
    txt = b"\xc0\x0c" + struct.pack(">HHIH", 16, 1, 60, 24) + b"\x17v=STSv1; id=2024010101"
    write("dns-message", struct.pack(">HHHHHH", 7, 0x8180, 1, 1, 0, 0)
          + name_wire("_mta-sts.example.test") + struct.pack(">HH", 16, 1) + txt)


# --- HTTP and SMTP, captured ----------------------------------------------

def capture_https(host, address):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # capture only: the bytes, not the trust
    request = (f"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: {host}\r\n"
               "User-Agent: mtascan-seeds\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection((address, 443), timeout=2) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            tls.sendall(request)
            data = b""
            while len(data) < 16384:
                chunk = tls.recv(4096)
                if not chunk:
                    break
                data += chunk
            return data


def capture_policies():
    got = 0
    seen = set()
    for scenario in SCENARIOS["scenarios"]:
        policy = scenario.get("policy") or {}
        key = (policy.get("status"), policy.get("content_type"), policy.get("chunked"), policy.get("serve"))
        if policy.get("serve") != "https" or key in seen or not policy.get("address"):
            continue
        try:
            response = capture_https(policy["host"], policy["address"])
        except (OSError, ssl.SSLError):
            continue
        seen.add(key)
        write("http-response", response, [0, 0])
        write("http-response", response, [1, 0])
        write("http-response", response, [7, 0x41])
        got += 1
    return got


def smtp_dialogue(address):
    """Banner, EHLO reply, STARTTLS reply: what the probe machine reads before TLS."""
    replies = []
    with socket.create_connection((address, 25), timeout=3) as s:
        f = s.makefile("rb")

        def reply():
            lines = b""
            while True:
                line = f.readline(4096)
                lines += line
                if len(line) < 4 or line[3:4] != b"-":
                    return lines

        replies.append(reply())
        for command in (b"EHLO seeds.mtascan.test\r\n", b"STARTTLS\r\n"):
            s.sendall(command)
            replies.append(reply())
    return replies


def capture_smtp():
    got = 0
    seen = set()
    for scenario in SCENARIOS["scenarios"]:
        for mx in scenario.get("mx", []):
            behaviour = mx.get("smtp")
            if behaviour in seen or behaviour not in ("starttls-good", "no-starttls", "smtp-banner-554",
                                                      "smtp-greylist", "smtp-ehlo-refused", "starttls-refused"):
                continue
            try:
                replies = smtp_dialogue(mx["address"])
            except OSError:
                continue
            seen.add(behaviour)
            write("smtp-reply", b"".join(replies), [0, 0])
            write("smtp-reply", b"".join(replies), [3, 0])
            script = b"\x00"
            for r in replies:
                script += b"\x01" + bytes([min(255, len(r))]) + r[:255]
            write("smtp-probe", script + b"\x04\x01\x0b221 2.0.0 Bye\r\n")
            got += 1
    return got


def handmade_http_smtp():
    body = b"version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmax_age: 604800\r\n"
    write("http-response", b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(body) + body, [0, 0])
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10;ext=1\r\n" + body[:16] + b"\r\n0\r\nX-Trailer: y\r\n\r\n"
    write("http-response", chunked, [2, 0])
    write("http-response", b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 301 Moved\nLocation: https://x.test/\n\n", [0, 1])
    write("http-response", b"HTTP/1.0 200\r\n\r\n" + body, [5, 0])
    write("smtp-reply", b"220-mx.example.test ESMTP\r\n220 ready\r\n250-mx\r\n250-STARTTLS\r\n250 SIZE 1000\n", [0, 0])
    write("smtp-reply", b"421 4.3.2 closing\r\n", [1, 0x3f])
    banner = b"220 mx.example.test ESMTP\r\n"
    ehlo = b"250-mx.example.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n"
    script = (b"\x00\x01" + bytes([len(banner)]) + banner + b"\x01" + bytes([len(ehlo)]) + ehlo
              + b"\x01\x14220 2.0.0 Ready now\r\n\x04\x01\x0b221 2.0.0 Bye\r\n")
    write("smtp-probe", script)
    write("smtp-probe", b"\x00\x01\x0b554 5.7.1 no\r\n\x01\x0b221 2.0.0 Bye\r\n")
    write("smtp-probe", b"\x00\x03\x00\x02")


# --- Policies, records, lint requests ------------------------------------------

def policies_and_records():
    sts, tlsrpt = set(), set()
    for scenario in SCENARIOS["scenarios"]:
        body = (scenario.get("policy") or {}).get("body")
        if isinstance(body, str) and len(body) < 4096:
            write("policy", body.encode())
        for record in scenario.get("records", []):
            if record.get("type") != "TXT":
                continue
            text = record["data"]
            if isinstance(text, list):  # character-strings of one record
                text = "".join('"%s"' % part for part in text)
            target = "sts-record" if record["owner"].startswith("_mta-sts") else (
                "tlsrpt-record" if record["owner"].startswith("_smtp._tls") else None)
            if target:
                (sts if target == "sts-record" else tlsrpt).add(text)
    for target, texts in (("sts-record", sts), ("tlsrpt-record", tlsrpt)):
        for text in sorted(texts)[:40]:
            # TXT data is in presentation form: quoted character-strings, joined.
            parts = [p for i, p in enumerate(text.split('"')) if i % 2 == 1] or [text]
            write(target, "".join(parts).encode(), [0])
    for name in ("good-policy.txt", "broken-policy.txt"):
        write("policy", open(os.path.join(ROOT, "docs", "examples", name), "rb").read())
    requests = open(os.path.join(ROOT, "docs", "examples", "requests.ndjson"), "rb").read()
    write("lint-batch", requests)
    for line in requests.splitlines():
        write("lint-batch", line + b"\n")
        write("json", line, [0])


# --- Input files ------------------------------------------------------------

def inputs():
    domains = [s["domain"] for s in SCENARIOS["scenarios"]][:40]
    listing = "# scan list\n" + "\n".join(domains[:20]) + "\nBAD..name\n  spaced.test  # comment\n\ufeffx\n"
    write("list-reader", listing.encode(), [0, 0, 0])
    write("list-reader", b"\xef\xbb\xbfa.test\r\nb.test\r\n#c\n\n" + b"x" * 300 + b"\nd.test", [3, 7, 64])
    csv = "".join(f"{i + 1},{d}\r\n" for i, d in enumerate(domains[:20])) + '21,"quoted.test"\n22,"bad""q"\n'
    write("csv-reader", csv.encode(), [0, 0, 0])
    write("csv-reader", b"rank,domain\n1,a.test\n\n2\n" + b"3," + b"y" * 300 + b"\n", [5, 11, 100])
    zone = ["$ORIGIN test.", "$TTL 3600",
            "@ IN SOA ns1.nic.test. hostmaster.nic.test. ( 1 7200 900 1209600 300 ) ; apex",
            "@ IN NS ns1.nic.test.", "@ IN NS ns2.nic.test."]
    for d in domains[:25]:
        zone.append(f"{d.removesuffix('.test')} 300 IN NS ns1.nic.test.")
        zone.append(f"  IN NS ns2.nic.test.")
    zone += ["ns1.nic NS x.", 'weird\\.label NS ns1.nic.test.', "\\066ig IN NS ns1.", '"quoted" NS ns1.',
             "txt TXT \"a ; ( b\" ( c", " d )", "sub.deep NS ns1."]
    text = ("\n".join(zone) + "\n").encode()
    write("zone-reader", text, [0, 0, 0, 0])
    write("zone-reader", text, [9, 13, 40, 1 | (3 << 2)])
    write("zone-tokenizer", text, [0, 0, 0, 0])
    write("zone-tokenizer", text, [4, 17, 30, 0x22])
    write("zone-reader", b"example.test. IN SOA a. b. 1 2 3 4 5\nsub NS a.\n$INCLUDE x\n", [0, 0, 0, 2])


# --- Notify inputs: security.txt, bounces, feedback CSV, provider contacts -----

TOKEN = "0123456789abcdef0123456789abcdef"


def crlf(text):
    return text.replace("\n", "\r\n")


def postfix_dsn(status, action, diagnostic, recipient="postmaster@broken.test"):
    """A DSN as Postfix's bounce(8) writes it (BounceParserTests' shape)."""
    return crlf(f"""Return-Path: <>
Delivered-To: bounces+{TOKEN}@research.test
From: MAILER-DAEMON@relay.research.test (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: bounces+{TOKEN}@research.test
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
X-Postfix-Sender: rfc822; bounces+{TOKEN}@research.test
Arrival-Date: Fri,  4 Dec 2026 16:29:59 +0000 (UTC)

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: {status}
Remote-MTA: dns; mx.broken.test
Diagnostic-Code: smtp; {diagnostic}

--4BFC2E0123.1733330000/relay.research.test
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Scan team <scan@research.test>
Message-ID: <{TOKEN}.mtascan@research.test>

--4BFC2E0123.1733330000/relay.research.test--
""")


def notify_inputs():
    # security.txt: RFC 9116's example (CRLF), a signed file, an expired form-only one,
    # odd mailto forms; control byte 1 also pads to maxBytes and one byte over.
    rfc = crlf("""# Our security address
Contact: mailto:security@example.com
Contact: tel:+1-201-555-0123
Contact: https://example.com/security-contact.html
Expires: 2027-12-31T18:37:07.000Z
Encryption: https://example.com/pgp-key.txt
Preferred-Languages: en, es
Canonical: https://example.com/.well-known/security.txt
Policy: https://example.com/disclosure.html
""")
    write("security-txt", rfc.encode(), [0])
    write("security-txt", rfc.encode(), [1])
    signed = """-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA256

# Canonical: https://example.com/.well-known/security.txt
Contact: mailto:psirt@example.com
- Contact: mailto:dash-escaped@example.com
Expires: 2030-01-01T00:00:00+02:00
-----BEGIN PGP SIGNATURE-----

iHUEARYKAB0WIQQ+Y3JhZnRlZCBub3QgdmVyaWZpZWQAKCRD
=abcd
-----END PGP SIGNATURE-----
"""
    write("security-txt", signed.encode(), [0])
    write("security-txt", b"Contact: https://example.com/report\nExpires: 2026-01-01T00:00:00Z\n", [2])
    write("security-txt", ("Contact: mailto:Sec%40Example.com\nContact: mailto:a@example.com?subject=hi\n"
                           "contact: MAILTO:Security@Example.COM\nExpires: 2030-01-01t00:00:00z\n"
                           "Expires: 2031-01-01T00:00:00Z\n").encode(), [0])
    write("security-txt", b"<html><body>Not found</body></html>\n", [0])

    # Bounces: Postfix DSNs (hard, soft, spam block), an Exim DSN, an Exchange NDR,
    # qmail and Exim without a DSN part; control byte 0: envelope domain research.test.
    write("bounce", postfix_dsn("5.1.1", "failed", "550 5.1.1 <postmaster@broken.test>: Recipient address rejected: User unknown").encode(), [0])
    write("bounce", postfix_dsn("4.2.0", "delayed", "450 4.2.0 <postmaster@broken.test>: Recipient address rejected: Greylisted").encode(), [0])
    write("bounce", postfix_dsn("5.7.1", "failed", "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org").encode(), [1])
    exim_dsn = f"""Return-path: <>
Envelope-to: bounces+{TOKEN}@research.test
From: Mail Delivery System <Mailer-Daemon@mail.research.test>
To: bounces+{TOKEN}@research.test
Subject: Mail delivery failed: returning message to sender
Content-Type: multipart/report; report-type=delivery-status; boundary=1733330000-eximdsn-1804289383
MIME-Version: 1.0

--1733330000-eximdsn-1804289383
Content-type: text/plain; charset=us-ascii

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  postmaster@gone.test
    host mx.gone.test [192.0.2.25]
    SMTP error from remote mail server after RCPT TO:<postmaster@gone.test>:
    550 5.1.1 No such user here

--1733330000-eximdsn-1804289383
Content-type: message/delivery-status

Reporting-MTA: dns; mail.research.test

Action: failed
Final-Recipient: rfc822;postmaster@gone.test
Status: 5.0.0
Remote-MTA: dns; mx.gone.test
Diagnostic-Code: smtp; 550 5.1.1 No such user here

--1733330000-eximdsn-1804289383
Content-type: message/rfc822

Message-ID: <{TOKEN}.mtascan@research.test>
Subject: MTA-STS on gone.test

--1733330000-eximdsn-1804289383--
"""
    write("bounce", exim_dsn.encode(), [0])
    exchange = crlf(f"""From: postmaster@contoso.test
To: bounces+{TOKEN}@research.test
Subject: Undeliverable: MTA-STS on contoso.test
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="d1f3e2c4-5b6a-4c7d-8e9f-0a1b2c3d4e5f"
MIME-Version: 1.0

--d1f3e2c4-5b6a-4c7d-8e9f-0a1b2c3d4e5f
Content-Type: text/plain; charset="us-ascii"

Delivery has failed to these recipients or groups:

postmaster@contoso.test
The email address you entered couldn't be found.

--d1f3e2c4-5b6a-4c7d-8e9f-0a1b2c3d4e5f
Content-Type: message/delivery-status

Reporting-MTA: dns;AM0PR01MB1234.eurprd01.prod.exchangelabs.test
Received-From-MTA: dns;mail.research.test
Arrival-Date: Fri, 4 Dec 2026 16:30:00 +0000

Original-Recipient: rfc822;postmaster@contoso.test
Final-Recipient: rfc822;postmaster@contoso.test
Action: failed
Status: 5.1.10
Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup

--d1f3e2c4-5b6a-4c7d-8e9f-0a1b2c3d4e5f
Content-Type: text/rfc822-headers

Message-ID: <{TOKEN.upper()}.mtascan@research.test>

--d1f3e2c4-5b6a-4c7d-8e9f-0a1b2c3d4e5f--
""")
    write("bounce", exchange.encode(), [0])
    qmail = f"""Delivered-To: bounces+{TOKEN}@research.test
From: MAILER-DAEMON@mail.old.test
Subject: failure notice

Hi. This is the qmail-send program at mail.old.test.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<postmaster@old.test>:
Sorry, no mailbox here by that name. (#5.1.1)

<abuse@old.test>:
192.0.2.7 does not like recipient.
Remote host said: 452 4.2.2 Mailbox full
Giving up on 192.0.2.7.

--- Below this line is a copy of the message.
"""
    write("bounce", qmail.encode(), [0])
    exim = f"""To: bounces+{TOKEN}@research.test
Subject: Mail delivery failed: returning message to sender

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  postmaster@gone.test
    SMTP error from remote mail server after RCPT TO:<postmaster@gone.test>:
    550 No such user here
  hostmaster@nomx.test
    Unrouteable address

------ This is a copy of the message, including all the headers. ------
"""
    write("bounce", exim.encode(), [0])
    write("bounce", exim.replace("This is a permanent error.", "Message has not yet been delivered.").encode(), [2])

    # Feedback CSV (docs/notify.md, "Feedback"): a form tool's export, quoted fields.
    write("feedback-csv", ("answered_at,Answer,token,comment\r\n"
                           "2026-12-05T10:00:00Z,helpful,ABCDEF0123,\"Thanks, fixed it.\nSecond line, with \"\"quotes\"\"\"\r\n"
                           "\r\n,not-helpful,abc,\n").encode())
    write("feedback-csv", (f"Timestamp,token,answer,comment\n2026-12-06 09:12:44,{TOKEN},helpful,\n"
                           f"2026-12-06 11:40:02, {TOKEN.upper()} ,Not helpful,\"already had MTA-STS, thanks\"\n"
                           "2026-12-07 08:00:00,,helpful,no token\n").encode())
    write("feedback-csv", b"token;answer\nabc;helpful\n")

    # Provider contacts (docs/notify.md, "Grouping by provider").
    write("provider-contacts", b"provider,address\n# who answers for whom, and where they asked to be written to\n"
          b"mailhardener,mta-sts-reports@mailhardener.example\ntestnet-mailhost,mta-sts@provider-desk.test\n")
    write("provider-contacts", crlf("provider,address\n# who answers for whom\ngoogle, MTA-STS-Team@Google.example   # asked for this address\n"
                                    "\nmicrosoft-365,postmaster@ms.example\n").encode())
    write("provider-contacts", b"google,a@b.example\r\ngoogle,c@d.example\n")


def scan_records(path):
    if not path or not os.path.exists(path):
        return 0
    lines = open(path, "rb").read().splitlines()
    picked = [l for l in lines if len(l) < 3500][:30]
    for line in picked:
        write("scan-records", line + b"\n", [0, 0, 0])
        write("json", line, [0])
    write("scan-records", b"\n".join(picked[:2]) + b"\n\n{\"truncated", [6, 9, 0])
    return len(picked)


def main():
    scan = None
    if "--scan-ndjson" in sys.argv:
        scan = sys.argv[sys.argv.index("--scan-ndjson") + 1]
    handmade_dns()
    handmade_http_smtp()
    policies_and_records()
    inputs()
    notify_inputs()
    if "--no-capture" in sys.argv:
        return
    print("captured: dns", capture_dns(), "https", capture_policies(), "smtp", capture_smtp(),
          "scan records", scan_records(scan))
    write("json", b'{"a":[1,2.5,-0.0,1e300,"\\u2028\\ud83d\\ude00"],"b":{"c":null,"d":true}}', [0])
    write("json", b"[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]", [5])


if __name__ == "__main__":
    main()
