"""Self-check of the running test internet's HTTPS and SMTP part (imported by check.py).

For every scenario's policy host and MX hosts (and the shared MX hosts), connects
to the catalogue's address itself (no name is ever resolved: the address comes
from scenarios.json, the name goes only into SNI and the Host header) and checks
that the behaviour is the one the catalogue stages:

  policy  TCP outcome; TLS outcome against run/ca/bundle.pem with the policy host
          as the name to verify (OpenSSL's verify code: 10 expired, 9 not yet
          valid, 18 self-signed, 20 unknown issuer, 62 name mismatch; an alert;
          not TLS at all); an incomplete chain verifies once the test intermediate
          is trusted too, an untrusted chain once the second CA's root is (so the
          server sends its intermediate); then the HTTP status, Location,
          Content-Type, chunked framing and the body bytes; the hostile plays by
          what arrives within a few seconds.
  mx      banner, EHLO/HELO replies, STARTTLS advertised and answered, the TLS
          outcome as above for the MX host name; a shared host never accepts a
          recipient.

Python 3 standard library only (ssl is OpenSSL, as under curl and s_client).
"""

import base64
import os
import socket
import ssl
import time

import check_hostile  # noqa: E402 - the hostile-peer matrix's plays (imports this module)
import campaign_relay
import gen_services

CONNECT_TIMEOUT = 2.0   # a dropped SYN shows as a timeout after this
SILENCE = 2.0           # how long "never answers" is watched
READ_CAP = 1 << 20      # bytes of an HTTP response read at most
VERIFY_CODES = {"expired": 10, "not-yet-valid": 9, "self-signed": 18, "untrusted": 20, "untrusted-root": 19,
                "incomplete-chain": 20, "name-mismatch": 62, "parent-wildcard": 62,
                "provider-default": 62}


class Failure(Exception):
    pass


def connect(address, port, timeout=CONNECT_TIMEOUT):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


def expect_tcp(address, port, outcome):
    """tcp-refused / tcp-timeout: the connection must fail that way."""
    started = time.monotonic()
    try:
        connect(address, port).close()
    except ConnectionRefusedError:
        if outcome != "refused":
            raise Failure("connection refused, expected a timeout")
        return
    except (socket.timeout, TimeoutError):
        if outcome != "timeout":
            raise Failure("connect timed out, expected refused")
        if time.monotonic() - started < CONNECT_TIMEOUT * 0.9:
            raise Failure("connect failed early, expected a timeout")
        return
    raise Failure(f"connected, expected {outcome}")


def context(run, extra=()):
    """A client context trusting the test root (and `extra` PEM files), as mtascan --ca-file."""
    ctx = ssl.create_default_context(cafile=os.path.join(run, "ca", "bundle.pem"))
    for path in extra:
        ctx.load_verify_locations(cafile=os.path.join(run, "ca", path))
    return ctx


def tls_wrap(sock, ctx, host, timeout=5.0):
    sock.settimeout(timeout)
    return ctx.wrap_socket(sock, server_hostname=host)


def tls_outcome(open_socket, run, host, extra=()):
    """'ok', ('verify', code), ('alert', reason), ('protocol', reason) or ('timeout', '')."""
    sock = open_socket()
    try:
        tls = tls_wrap(sock, context(run, extra), host)
        tls.close()
        return "ok"
    except ssl.SSLCertVerificationError as error:
        return ("verify", error.verify_code)
    except ssl.SSLError as error:
        reason = error.reason or str(error)
        kind = "alert" if "ALERT" in reason or "UNRECOGNIZED_NAME" in reason else "protocol"
        return (kind, reason)
    except (socket.timeout, TimeoutError):
        return ("timeout", "")
    except (ConnectionResetError, BrokenPipeError) as error:
        return ("protocol", str(error))
    finally:
        sock.close()


def expect_certificate(open_socket, run, host, kind):
    """The TLS outcome of a certificate of `kind` (scenarios.py CERT_KINDS)."""
    outcome = tls_outcome(open_socket, run, host)
    if kind in ("good", "wildcard", "long-chain"):
        if outcome != "ok":
            raise Failure(f"TLS {outcome}, expected a valid certificate")
        return
    if kind == "huge-cert":
        # OpenSSL (Python's too) refuses a certificate message over 100 KB.
        if outcome[0] != "protocol" or "EXCESSIVE" not in str(outcome[1]).upper():
            raise Failure(f"TLS {outcome}, expected a certificate message too large to accept")
        return
    wanted = ("verify", VERIFY_CODES[kind])
    if outcome != wanted:
        raise Failure(f"TLS {outcome}, expected {wanted} ({kind})")
    if kind in ("incomplete-chain", "untrusted"):
        # incomplete-chain: the leaf alone, from the test intermediate; untrusted:
        # the leaf and its intermediate, from a CA nobody trusts.
        with_intermediate = tls_outcome(open_socket, run, host, extra=["intermediates.pem"])
        with_other_root = tls_outcome(open_socket, run, host, extra=["other-root.crt"])
        if kind == "incomplete-chain" and (with_intermediate != "ok" or with_other_root == "ok"):
            raise Failure(f"not an incomplete chain of the test CA (trusting the intermediate: "
                          f"{with_intermediate}; the other root: {with_other_root})")
        if kind == "untrusted" and (with_other_root != "ok" or with_intermediate == "ok"):
            raise Failure(f"not a chain of the untrusted CA with its intermediate (trusting the "
                          f"other root: {with_other_root}; the test intermediate: {with_intermediate})")


# --- HTTP --------------------------------------------------------------------------


def http_request(host):
    return (f"GET {gen_services.POLICY_PATH} HTTP/1.1\r\nHost: {host}\r\n"
            "Accept-Encoding: identity\r\nConnection: close\r\n\r\n").encode()


def read_for(sock, seconds, cap=READ_CAP, until=None):
    """Bytes received within `seconds` (or until close, `cap`, or until(data) is true)."""
    data = b""
    deadline = time.monotonic() + seconds
    while len(data) < cap and not (until and until(data)):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, TimeoutError):
            break
        except (ssl.SSLError, ConnectionResetError):
            break
        if not chunk:
            break
        data += chunk
    return data


def parse_head(data):
    """(status, {lower-case name: [values]}, rest) of a response, or None if the head is incomplete."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = data[:end].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise Failure(f"not an HTTP status line: {lines[0][:80]!r}")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return int(parts[1]), headers, data[end + 4:]


def dechunk(data):
    body, offset = b"", 0
    while True:
        end = data.find(b"\r\n", offset)
        if end < 0:
            raise Failure("chunked body without its last chunk")
        size = int(data[offset:end].split(b";")[0], 16)
        if size == 0:
            return body
        body += data[end + 2:end + 2 + size]
        offset = end + 2 + size + 2


def https_get(address, run, host):
    sock = tls_wrap(connect(address, 443), context(run), host)
    try:
        sock.sendall(http_request(host))
        return read_for(sock, 5.0)
    finally:
        sock.close()


def check_security_txt(address, run, domain, body):
    """RFC 9116 security.txt at the domain's own name: a certificate for it, 200, the body."""
    expect_certificate(lambda: connect(address, 443), run, domain, "good")
    sock = tls_wrap(connect(address, 443), context(run), domain)
    try:
        sock.sendall((f"GET /.well-known/security.txt HTTP/1.1\r\nHost: {domain}\r\n"
                      "Accept-Encoding: identity\r\nConnection: close\r\n\r\n").encode())
        data = read_for(sock, 5.0)
    finally:
        sock.close()
    head = parse_head(data)
    if head is None or head[0] != 200 or not head[2].endswith(body.encode()):
        raise Failure(f"security.txt of {domain}: expected 200 and its body, got {data[:200]!r}")


def expect_response(data, policy, expect_body=True):
    head = parse_head(data)
    if head is None:
        raise Failure(f"incomplete HTTP response ({len(data)} bytes)")
    status, headers, rest = head
    if status != policy.get("status", 200):
        raise Failure(f"status {status}, expected {policy.get('status', 200)}")
    if status in (301, 302, 303, 307, 308):
        if headers.get("location") != [policy["location"]]:
            raise Failure(f"Location {headers.get('location')}, expected {policy['location']}")
        return
    if status != 200:
        return
    if headers.get("content-type") != [policy["content_type"]]:
        raise Failure(f"Content-Type {headers.get('content-type')}, expected {policy['content_type']}")
    if policy.get("chunked"):
        if headers.get("transfer-encoding") != ["chunked"] or "content-length" in headers:
            raise Failure(f"not chunked: {headers}")
        body = dechunk(rest)
    else:
        if "transfer-encoding" in headers:
            raise Failure("chunked, expected Content-Length")
        body = rest
        if headers.get("content-length") != [str(len(body))]:
            raise Failure(f"Content-Length {headers.get('content-length')}, {len(body)} bytes read")
    if expect_body and body != gen_services.body_bytes(policy):
        raise Failure(f"body of {len(body)} bytes differs from the catalogue's "
                      f"{len(gen_services.body_bytes(policy))}")


def check_rua_collector(address, run, host, rua):
    """A TLS-RPT collector path (scenarios rua-https-*): HEAD gets the catalogue's status."""
    sock = tls_wrap(connect(address, 443), context(run), host)
    try:
        sock.sendall(f"HEAD {rua['path']} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        head = parse_head(read_for(sock, 5.0))
    finally:
        sock.close()
    if head is None or head[0] != rua["status"]:
        raise Failure(f"HEAD {rua['path']}: {head and head[0]}, expected {rua['status']}")


def check_policy(run, policy):
    address, host, serve = policy["address"], policy["host"], policy["serve"]
    if check_hostile.check_policy(run, policy):
        return
    opener = lambda: connect(address, 443)  # noqa: E731
    if serve == "tcp-refused":
        return expect_tcp(address, 443, "refused")
    if serve == "tcp-timeout":
        return expect_tcp(address, 443, "timeout")
    if serve == "https":
        expect_certificate(opener, run, host, policy.get("cert", "good"))
        if policy.get("cert", "good") in ("good", "wildcard", "long-chain"):
            expect_response(https_get(address, run, host), policy)
            if policy.get("rua"):
                check_rua_collector(address, run, host, policy["rua"])
        if policy.get("security_txt"):
            check_security_txt(address, run, host[len("mta-sts."):], policy["security_txt"])
        return
    if serve == "tls-alert":
        outcome = tls_outcome(opener, run, host)
        if outcome[0] != "alert" or "UNRECOGNIZED_NAME" not in outcome[1]:
            raise Failure(f"TLS {outcome}, expected an unrecognized_name alert")
        return
    if serve in ("plaintext-http", "tls-garbage"):
        outcome = tls_outcome(opener, run, host)
        if outcome[0] != "protocol":
            raise Failure(f"TLS {outcome}, expected a protocol error (not TLS)")
        if serve == "plaintext-http":  # and it is HTTP
            sock = connect(address, 443)
            try:
                sock.sendall(http_request(host))
                expect_response(read_for(sock, 5.0), dict(policy, status=200))
            finally:
                sock.close()
        return
    if serve == "tls-silent":
        sock = opener()
        try:
            sock.sendall(b"\x16\x03\x01\x00\x05hello")
            if read_for(sock, SILENCE):
                raise Failure("the silent acceptor sent bytes")
        finally:
            sock.close()
        return
    # hostile HTTP plays: TLS with a good certificate, then the misbehaviour
    sock = tls_wrap(opener(), context(run), host)
    try:
        sock.sendall(http_request(host))
        if serve == "http-huge-header":
            data = read_for(sock, 3.0, cap=256 * 1024)
            if len(data) < 256 * 1024 or b"\r\n\r\n" in data:
                raise Failure(f"{len(data)} bytes, expected a head longer than 256 KiB")
        elif serve == "http-headers-never-end":
            data = read_for(sock, 2.5)
            if not data.startswith(b"HTTP/1.1 200") or b"\r\n\r\n" in data or data.count(b"\r\n") < 3:
                raise Failure(f"expected a head that keeps growing, got {data[:120]!r}")
        elif serve == "http-slow-body":
            data = read_for(sock, 3.0)
            head = parse_head(data)
            if head is None or head[0] != 200 or not 1 <= len(head[2]) <= 5:
                raise Failure(f"expected a head and a few body bytes, got {data[:200]!r}")
            if not gen_services.body_bytes(policy).startswith(head[2]):
                raise Failure("the slow body is not the policy")
        elif serve == "http-endless-chunked":
            data = read_for(sock, 3.0, cap=200 * 1024)
            head = parse_head(data)
            if head is None or head[1].get("transfer-encoding") != ["chunked"] or len(head[2]) < 65536:
                raise Failure(f"expected a chunked body beyond 64 KiB, got {len(data)} bytes")
            if b"\r\n0\r\n" in head[2]:
                raise Failure("the endless chunked body ended")
        else:
            raise Failure(f"no check for policy behaviour {serve}")
    finally:
        sock.close()


# --- SMTP --------------------------------------------------------------------------


class SMTP:
    def __init__(self, address, port=25):
        self.sock = connect(address, port)
        self.buffer = b""

    def reply(self, timeout=5.0):
        """(code, lines) of one reply; (None, lines read) if it does not complete in time."""
        lines = []
        deadline = time.monotonic() + timeout
        while True:
            while b"\r\n" not in self.buffer:
                left = deadline - time.monotonic()
                if left <= 0 or len(self.buffer) > 65536:
                    return None, lines
                self.sock.settimeout(left)
                try:
                    chunk = self.sock.recv(4096)
                except (socket.timeout, TimeoutError):
                    return None, lines
                if not chunk:
                    return None, lines
                self.buffer += chunk
            line, self.buffer = self.buffer.split(b"\r\n", 1)
            lines.append(line.decode("latin-1"))
            if len(line) < 4 or line[3:4] != b"-":
                return int(line[:3]) if line[:3].isdigit() else None, lines

    def command(self, text):
        self.sock.sendall(text.encode() + b"\r\n")
        return self.reply()

    def close(self):
        self.sock.close()


def expect_code(step, got, wanted):
    code, lines = got
    ok = code in wanted if isinstance(wanted, (set, range)) else code == wanted
    if not ok:
        raise Failure(f"{step}: {code} {lines[-1:] if lines else '(nothing)'}, expected {wanted}")
    return lines


def advertises_starttls(ehlo_lines):
    """Is STARTTLS among the EHLO keywords (the lines after the greeting line)?"""
    return any(line[4:].strip().upper() == "STARTTLS" for line in ehlo_lines[1:])


def starttls_session(address):
    """An SMTP session that has sent STARTTLS and got 220, ready for the handshake."""
    smtp = SMTP(address)
    expect_code("banner", smtp.reply(), 220)
    lines = expect_code("EHLO", smtp.command("EHLO checker.test"), 250)
    if not advertises_starttls(lines):
        smtp.close()
        raise Failure("STARTTLS not advertised")
    expect_code("STARTTLS", smtp.command("STARTTLS"), 220)
    return smtp.sock


def check_mx(run, mx, shared=False):
    address, host, behaviour = mx["address"], mx["host"], mx["smtp"]
    if check_hostile.check_mx(run, mx):
        return
    if behaviour == "tcp-refused":
        return expect_tcp(address, 25, "refused")
    if behaviour == "tcp-timeout":
        return expect_tcp(address, 25, "timeout")
    if behaviour == "starttls-good" or behaviour.startswith("starttls-cert-"):
        kind = "good" if behaviour == "starttls-good" else behaviour[len("starttls-cert-"):]
        expect_certificate(lambda: starttls_session(address), run, host, kind)
        if shared:
            expect_no_mail(address)
        return
    if behaviour == "starttls-garbage":
        outcome = tls_outcome(lambda: starttls_session(address), run, host)
        if outcome[0] != "protocol":
            raise Failure(f"TLS {outcome}, expected a protocol error")
        return
    smtp = SMTP(address)
    try:
        if behaviour == "smtp-silent":
            code, lines = smtp.reply(SILENCE)
            if lines or smtp.buffer:
                raise Failure(f"the silent server sent {lines or smtp.buffer!r}")
        elif behaviour == "smtp-endless-banner":
            data = read_for(smtp.sock, 1.5, cap=64 * 1024)
            lines = data.split(b"\r\n")[:-1]
            if len(lines) < 100 or not all(line.startswith(b"220-") for line in lines):
                raise Failure(f"expected hundreds of 220- lines, got {len(lines)}")
        elif behaviour == "smtp-slow-banner":
            data = read_for(smtp.sock, 2.5)
            if not 1 <= len(data) <= 4 or not b"220 ".startswith(data):
                raise Failure(f"expected a banner trickling in, got {data!r}")
        elif behaviour == "smtp-banner-554":
            expect_code("banner", smtp.reply(), 554)
        elif behaviour == "smtp-banner-421":
            expect_code("banner", smtp.reply(), 421)
            if read_for(smtp.sock, 2.0) != b"":
                raise Failure("the server said more after 421")
        else:
            expect_code("banner", smtp.reply(), 220)
            if behaviour == "no-starttls":
                lines = expect_code("EHLO", smtp.command("EHLO checker.test"), 250)
                if advertises_starttls(lines):
                    raise Failure("STARTTLS advertised")
            elif behaviour == "starttls-refused":
                lines = expect_code("EHLO", smtp.command("EHLO checker.test"), 250)
                if not advertises_starttls(lines):
                    raise Failure("STARTTLS not advertised")
                expect_code("STARTTLS", smtp.command("STARTTLS"), 454)
            elif behaviour == "smtp-greylist":
                expect_code("EHLO", smtp.command("EHLO checker.test"), 450)
                expect_code("HELO", smtp.command("HELO checker.test"), 450)
            elif behaviour == "smtp-ehlo-helo-refused":
                expect_code("EHLO", smtp.command("EHLO checker.test"), range(500, 600))
                expect_code("HELO", smtp.command("HELO checker.test"), range(500, 600))
            elif behaviour == "smtp-ehlo-refused":
                expect_code("EHLO", smtp.command("EHLO checker.test"), range(500, 600))
                expect_code("HELO", smtp.command("HELO checker.test"), 250)
            else:
                raise Failure(f"no check for MX behaviour {behaviour}")
    finally:
        smtp.close()


def expect_no_mail(address):
    """Belt and braces: the SMTP servers never take a recipient."""
    smtp = SMTP(address)
    try:
        expect_code("banner", smtp.reply(), 220)
        expect_code("EHLO", smtp.command("EHLO checker.test"), 250)
        mail = smtp.command("MAIL FROM:<checker@scanner.test>")
        if mail[0] is None:
            raise Failure("MAIL FROM unanswered")
        if mail[0] == 250:
            code, lines = smtp.command("RCPT TO:<postmaster@mailhost.test>")
            if code is None or code < 400:
                raise Failure(f"RCPT TO accepted: {lines}")
    finally:
        smtp.close()


def check_campaign_relay(run):
    """The relay: TLS before anything (no AUTH, no MAIL in clear), a certificate for
    its name from the test CA, AUTH PLAIN/LOGIN after STARTTLS, wrong password 535;
    at RCPT a domain without MX taken, an unrouted one refused (5.4.6)."""
    smtp = SMTP(campaign_relay.RELAY_ADDRESS, campaign_relay.RELAY_PORT)
    try:
        lines = expect_code("banner", smtp.reply(), 220)
        if not lines[0].startswith(f"220 {campaign_relay.RELAY_NAME} "):
            raise Failure(f"banner {lines[0]!r}")
        lines = expect_code("EHLO", smtp.command("EHLO checker.test"), 250)
        if not advertises_starttls(lines) or any(line[4:].upper().startswith("AUTH") for line in lines[1:]):
            raise Failure(f"before TLS: STARTTLS and no AUTH expected, got {lines[1:]}")
        expect_code("MAIL in clear", smtp.command("MAIL FROM:<checker@campaign.test>"), range(500, 600))
        expect_code("STARTTLS", smtp.command("STARTTLS"), 220)
        smtp.sock = tls_wrap(smtp.sock, context(run), campaign_relay.RELAY_NAME)
        lines = expect_code("EHLO after TLS", smtp.command("EHLO checker.test"), 250)
        auth = [line[4:].upper().split() for line in lines[1:] if line[4:].upper().startswith("AUTH ")]
        if not auth or not {"PLAIN", "LOGIN"} <= set(auth[0][1:]):
            raise Failure(f"after TLS: AUTH PLAIN LOGIN expected, got {lines[1:]}")
        wrong = base64.b64encode(f"\0{campaign_relay.SASL_USER}\0wrong".encode()).decode()
        expect_code("AUTH wrong password", smtp.command(f"AUTH PLAIN {wrong}"), 535)
        right = base64.b64encode(f"\0{campaign_relay.SASL_USER}\0{campaign_relay.SASL_PASSWORD}".encode()).decode()
        expect_code("AUTH", smtp.command(f"AUTH PLAIN {right}"), 235)
        # At RCPT (no DATA: nothing is queued): a domain without MX is taken (its DSN
        # comes from the queue), a domain with no route is refused.
        expect_code("MAIL", smtp.command("MAIL FROM:<checker@campaign.test>"), 250)
        for domain in campaign_relay.NO_MX:
            expect_code(f"RCPT postmaster@{domain}", smtp.command(f"RCPT TO:<postmaster@{domain}>"), 250)
        lines = expect_code("RCPT unrouted", smtp.command("RCPT TO:<postmaster@unrouted.mailhost.test>"), 550)
        if "5.4.6" not in lines[0]:
            raise Failure(f"RCPT unrouted: 550 5.4.6 expected, got {lines}")
        expect_code("RSET", smtp.command("RSET"), 250)
        expect_code("QUIT", smtp.command("QUIT"), 221)
    finally:
        smtp.close()


def check_mailstore(run):
    """The mailstore's verdict per domain at RCPT (no DATA: nothing is stored)."""
    smtp = SMTP(campaign_relay.MAILSTORE_ADDRESS)
    try:
        expect_code("banner", smtp.reply(), 220)
        expect_code("EHLO", smtp.command("EHLO checker.test"), 250)
        wanted = [(d, 250) for d in campaign_relay.ACCEPT] + [(d, 550) for d in campaign_relay.REJECT] \
            + [(d, 450) for d in campaign_relay.DEFER] + [("mailhost.test", range(500, 600))]
        addresses = [(f"postmaster@{d}", code) for d, code in wanted] \
            + [(campaign_relay.PROVIDER_CONTACT, 250), (campaign_relay.SECURITY_DESK, 250),
               (campaign_relay.PROVIDER_UNKNOWN, 550)]
        for address, code in addresses:
            expect_code("MAIL", smtp.command("MAIL FROM:<checker@campaign.test>"), 250)
            expect_code(f"RCPT {address}", smtp.command(f"RCPT TO:<{address}>"), code)
            expect_code("RSET", smtp.command("RSET"), 250)
        expect_code("QUIT", smtp.command("QUIT"), 221)
    finally:
        smtp.close()


# --- jobs ----------------------------------------------------------------------------


def guarded(function, *args, **kwargs):
    """Runs one check; a list of problems (empty: passed)."""
    try:
        function(*args, **kwargs)
        return []
    except Failure as failure:
        return [str(failure)]
    except (OSError, ssl.SSLError, ValueError) as error:
        return [f"{type(error).__name__}: {error}"]


def jobs(catalogue, run, only=None):
    """[(label, what, callable returning problems)] for every endpoint of the catalogue."""
    result = []
    if only is None:
        for shared in catalogue["shared_mx_hosts"]:
            result.append(("infrastructure", f"mx {shared['host']} {shared['smtp']}",
                           lambda s=shared: guarded(check_mx, run, s, shared=True)))
    shared_addresses = {s["address"] for s in catalogue["shared_mx_hosts"]}
    for entry in catalogue["scenarios"]:
        if only is not None and entry["name"] not in only:
            continue
        policy = entry["policy"]
        if policy and policy["address"]:
            what = f"policy {policy['host']} {policy['serve']}/{policy.get('cert', 'good')}"
            result.append((entry["name"], what, lambda p=policy: guarded(check_policy, run, p)))
        for mx in entry["mx"]:
            if mx["address"] and mx["address"] not in shared_addresses:
                result.append((entry["name"], f"mx {mx['host']} {mx['smtp']}",
                               lambda m=mx: guarded(check_mx, run, m)))
    if only is None:
        for provider in catalogue["shared_server_providers"]:
            for address in provider["addresses"]:
                result.append(("infrastructure", f"shared server {provider['name']} {address}",
                               lambda p=provider, a=address: guarded(check_shared_server, run, p, a)))
        result += synthetic_jobs(run)
        result.append(("infrastructure", f"campaign relay {campaign_relay.RELAY_NAME}",
                       lambda: guarded(check_campaign_relay, run)))
        result.append(("infrastructure", f"campaign mailstore {campaign_relay.MAILSTORE_NAME}",
                       lambda: guarded(check_mailstore, run)))
    return result


def peer_certificate(address, sni):
    """The DER leaf a STARTTLS server sends for `sni`, unverified."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    tls = tls_wrap(starttls_session(address), ctx, sni)
    try:
        return tls.getpeercert(binary_form=True)
    finally:
        tls.close()


def check_shared_server(run, provider, address):
    """scenarios.py SHARED_SERVER_PROVIDERS: every tenant name gets a valid certificate;
    without SNI selection one certificate whatever the name, with it another one for a
    name the server does not know (what mtascan's SNI check relies on)."""
    tenants = [f"t{i:04d}.mx.{provider['mx_zone']}" for i in (0, provider["tenants"] - 1)]
    for host in tenants:
        expect_certificate(lambda: starttls_session(address), run, host, "good")
    first, last = (peer_certificate(address, host) for host in tenants)
    unknown = peer_certificate(address, "sni-check.mtascan.invalid")
    if provider["sni"] and (first == last or first == unknown):
        raise Failure("the certificate does not follow the SNI name")
    if not provider["sni"] and not first == last == unknown:
        raise Failure("the certificate changes with the SNI name")


def synthetic_jobs(run):
    """With a synthetic zone: its first policy host and first own MX host, by SNI."""
    jobs_ = []
    policies = gen_services.read_lines(os.path.join(run, "synth", "policy-hosts.txt"))
    if policies and os.path.exists(os.path.join(run, "synth", "manifest.json")):
        host = policies[0]
        policy = {"address": gen_services.SYNTH_POLICY_ADDRESS, "host": host, "serve": "https",
                  "cert": "good", "status": 200, "content_type": "text/plain"}
        jobs_.append(("synth:policy", f"policy {host}",
                      lambda: guarded(check_synthetic_policy, run, policy)))
    mx_hosts = gen_services.read_lines(os.path.join(run, "synth", "mx-hosts.txt"))
    if mx_hosts:
        mx = {"address": gen_services.SYNTH_MX_ADDRESS, "host": mx_hosts[0], "smtp": "starttls-good"}
        jobs_.append(("synth:mx", f"mx {mx['host']}", lambda: guarded(check_mx, run, mx)))
    return jobs_


def check_synthetic_policy(run, policy):
    expect_certificate(lambda: connect(policy["address"], 443), run, policy["host"], "good")
    data = https_get(policy["address"], run, policy["host"])
    expect_response(data, policy, expect_body=False)
    domain = policy["host"][len("mta-sts."):]
    if f"mx: mx.{domain}\r\n".encode() not in data:
        raise Failure("the synthetic policy does not name the domain's own MX host")
