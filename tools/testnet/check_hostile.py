"""Self-check of the hostile plays added for the hostile-peer matrix (check_services.py
calls it first): each play must show its misbehaviour to a plain client, including
how the connection ends (a FIN, an RST, or still open), since that is what it tests.

Python 3 standard library only.
"""

import socket
import ssl
import time

import check_services as cs

ALERT = b"\x15\x03\x03\x00\x02\x02\x28"
RECORD_TOO_LONG = b"\x16\x03\x03\xff\xff"


def read_end(sock, seconds, cap=256 * 1024):
    """(bytes, how the stream ended: "close", "reset" or "open") within `seconds`."""
    data = b""
    deadline = time.monotonic() + seconds
    while len(data) < cap:
        left = deadline - time.monotonic()
        if left <= 0:
            return data, "open"
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, TimeoutError):
            return data, "open"
        except (ConnectionResetError, BrokenPipeError):
            return data, "reset"
        except ssl.SSLError as error:
            # An EOF without close_notify is still a FIN; anything else a broken stream.
            return data, ended(sock) if "EOF" in str(error) else "reset"
        if not chunk:
            return data, ended(sock)
        data += chunk
    return data, "open"


def ended(sock):
    """How a stream that read as end of file ended: Linux reports data followed by an
    RST as a plain EOF and keeps ECONNRESET in SO_ERROR."""
    error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    return "reset" if error else "close"


def client_hello(run, host):
    """The bytes of a real ClientHello for `host`, made in memory."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = cs.context(run).wrap_bio(incoming, outgoing, server_hostname=host)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def https_exchange(run, address, host, request, seconds):
    """(decrypted response, how the TCP stream ended) of one request over TLS, done in
    memory over a plain socket: Python's SSLSocket hides an RST behind a quiet EOF."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = cs.context(run).wrap_bio(incoming, outgoing, server_hostname=host)
    sock = cs.connect(address, 443)
    try:
        deadline = time.monotonic() + 5.0
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                sock.sendall(outgoing.read())
                sock.settimeout(max(0.1, deadline - time.monotonic()))
                chunk = sock.recv(65536)
                if not chunk:
                    raise cs.Failure("closed during the handshake")
                incoming.write(chunk)
        tls.write(request)
        sock.sendall(outgoing.read())
        raw, end = read_end(sock, seconds)
    finally:
        sock.close()
    incoming.write(raw)
    plaintext = b""
    while True:
        try:
            chunk = tls.read(65536)
        except (ssl.SSLWantReadError, ssl.SSLError):
            break
        if not chunk:
            # close_notify: asyncio's TLS close sends it, then waits for ours before its
            # FIN, so for a client that stops reading here this is the close.
            end = "close" if end == "open" else end
            break
        plaintext += chunk
    return plaintext, end


def expect(what, data, end, ok, wanted_end):
    if not ok or (wanted_end is not None and end != wanted_end):
        raise cs.Failure(f"{what}: got {data[:100]!r} ({len(data)} bytes), ended {end}; "
                         f"expected the play's bytes, ended {wanted_end}")


# --- port 443 ------------------------------------------------------------------------

HEAD_OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
HALF_HEAD = b"HTTP/1.1 200 OK\r\nContent-Ty"

# play -> (send a ClientHello first?, check of the bytes, how the connection must end)
TLS_PLAYS = {
    "tls-close-on-accept": (False, lambda d: d == b"", "close"),
    "tls-reset-on-accept": (False, lambda d: d == b"", "reset"),
    "tls-reset-on-hello": (True, lambda d: d == b"", "reset"),
    "tls-close-mid-handshake": (True, lambda d: d[:1] == b"\x16", "close"),
    "tls-reset-mid-handshake": (True, lambda d: HALF_HANDSHAKE_PREFIX(d), "reset"),
    "tls-alert-plaintext": (True, lambda d: d == ALERT, "close"),
    "tls-record-too-long": (True, lambda d: d.startswith(RECORD_TOO_LONG), "close"),
}


def HALF_HANDSHAKE_PREFIX(data):  # noqa: N802 - reads as the constant it stands for
    # Bytes before an RST may be dropped by the kernel: a prefix of a handshake record.
    return data == b"" or data[:1] == b"\x16"


# play -> (check of the bytes after the request, how the connection must end)
HTTP_PLAYS = {
    "http-close-before-head": (lambda d, body: d == b"", "close"),
    "http-reset-before-head": (lambda d, body: d == b"", "reset"),
    "http-close-mid-head": (lambda d, body: d == HALF_HEAD, "close"),
    "http-reset-mid-head": (lambda d, body: HALF_HEAD.startswith(d), "reset"),
    "http-close-mid-body": (lambda d, body: d.startswith(HEAD_OK + b"Content-Length: 500\r\n")
                            and d.endswith(body[:40]), "close"),
    "http-reset-mid-body": (lambda d, body: (HEAD_OK + b"Content-Length: 500\r\n").startswith(d[:60])
                            or d.startswith(HEAD_OK), "reset"),
    "http-content-length-huge": (lambda d, body: b"\r\nContent-Length: 99999999999999999999999\r\n" in d, None),
    "http-content-length-negative": (lambda d, body: b"\r\nContent-Length: -1\r\n" in d, None),
    "http-content-length-conflict": (lambda d, body: d.count(b"\r\nContent-Length: ") == 2, None),
    "http-chunk-size-overflow": (lambda d, body: b"\r\n\r\nffffffffffffffffffffffffffffffff\r\n" in d, None),
    "http-chunk-malformed": (lambda d, body: b"\r\n\r\nzz\r\n" in d, None),
    "http-bare-cr": (lambda d, body: d.startswith(b"HTTP/1.1 200 OK\rContent-Type") and b"\r\r" in d, None),
    "http-09": (lambda d, body: d == body and not d.startswith(b"HTTP/"), "close"),
    "http-200-no-body": (lambda d, body: d.startswith(HEAD_OK) and d.endswith(b"Content-Length: 0\r\n"
                                                                          b"Connection: close\r\n\r\n"), None),
    "http-interim-flood": (lambda d, body: d.count(b"HTTP/1.1 100 Continue\r\n\r\n") == 10
                           and HEAD_OK in d, None),
    "http-101": (lambda d, body: d.startswith(b"HTTP/1.1 101 "), None),
    "http-ambiguous-length": (lambda d, body: b"Transfer-Encoding: chunked\r\nContent-Length: " in d, None),
    "http-obs-fold": (lambda d, body: b"\r\nX-Folded: first part\r\n second part\r\n" in d, None),
    "http-bare-lf": (lambda d, body: d.startswith(b"HTTP/1.1 200 OK\nContent-Type: text/plain\n")
                     and d.endswith(b"\n\n" + body) and b"\r\n" not in d[:-len(body) or None], None),
}


def check_policy(run, policy):
    """True if `policy` is one of these plays (and it checked out), False otherwise."""
    address, host, serve = policy["address"], policy["host"], policy["serve"]
    if serve in TLS_PLAYS:
        hello_first, ok, wanted_end = TLS_PLAYS[serve]
        sock = cs.connect(address, 443)
        try:
            if hello_first:
                sock.sendall(client_hello(run, host))
            data, end = read_end(sock, 3.0)
        finally:
            sock.close()
        expect(serve, data, end, ok(data), wanted_end)
        return True
    if serve in HTTP_PLAYS:
        ok, wanted_end = HTTP_PLAYS[serve]
        data, end = https_exchange(run, address, host, cs.http_request(host), 3.0)
        expect(serve, data, end, ok(data, cs.gen_services.body_bytes(policy)), wanted_end)
        return True
    return False


# --- port 25 -------------------------------------------------------------------------


def banner_and_ehlo(address):
    smtp = cs.SMTP(address)
    cs.expect_code("banner", smtp.reply(), 220)
    smtp.sock.sendall(b"EHLO checker.test\r\n")
    return smtp


def after_starttls_220(address):
    return cs.starttls_session(address)


def raw(address):
    return cs.connect(address, 25)


# play -> (open the session up to the point of interest, send next, check of bytes, end)
SMTP_PLAYS = {
    "smtp-close-on-accept": (raw, None, lambda d, h: d == b"", "close"),
    "smtp-reset-on-accept": (raw, None, lambda d, h: d == b"", "reset"),
    "smtp-close-mid-banner": (raw, None, lambda d, h: d == b"220 %s half a bann" % h, "close"),
    "smtp-reset-mid-banner": (raw, None, lambda d, h: (b"220 %s half a bann" % h).startswith(d), "reset"),
    "smtp-long-line": (raw, None, lambda d, h: d.startswith(b"220 " + b"x" * 1000) and len(d) >= 100000, None),
    "smtp-mixed-codes": (raw, None, lambda d, h: d.startswith(b"220-%s ESMTP\r\n250 " % h), None),
    "smtp-bare-cr": (raw, None, lambda d, h: d.startswith(b"220-") and b"\r220-" in d and b"\n" not in d, None),
    "smtp-bare-lf": (raw, None, lambda d, h: d == b"220 %s ESMTP bare LF\n" % h, None),
    "smtp-unsolicited": (raw, None, lambda d, h: d == b"220 %s ESMTP\r\n250 nobody asked for this\r\n" % h, None),
    "smtp-reset-on-ehlo": ("ehlo", None, lambda d, h: d == b"", "reset"),
    "smtp-close-mid-ehlo": ("ehlo", None, lambda d, h: d == b"250-%s\r\n" % h, "close"),
    "smtp-endless-ehlo": ("ehlo", None, lambda d, h: d.count(b"\r\n250-X-EXTENSION-") >= 100, "open"),
    "smtp-http-reply": ("ehlo", None, lambda d, h: d.startswith(b"HTTP/1.1 400 "), "close"),
    "smtp-reset-on-starttls": ("starttls", None, lambda d, h: d == b"", "reset"),
    "starttls-close": (after_starttls_220, None, lambda d, h: d == b"", "close"),
    "starttls-garbage-close": ("starttls-then-wait", "hello", lambda d, h: d == b"220 2.0.0 Ready to start TLS\r\n"
                               b"\x00not TLS\r\n", "reset"),
    "starttls-reset": (after_starttls_220, "hello", lambda d, h: d == b"", "reset"),
    "starttls-alert": (after_starttls_220, "hello", lambda d, h: d == ALERT, "close"),
    "starttls-record-too-long": (after_starttls_220, "hello", lambda d, h: d.startswith(RECORD_TOO_LONG), "close"),
}


def open_session(address, how):
    """A socket at the point the play's misbehaviour starts, and bytes already read."""
    if callable(how):
        return how(address)
    smtp = banner_and_ehlo(address)
    if how == "ehlo":
        return smtp.sock
    lines = cs.expect_code("EHLO", smtp.reply(), 250)
    if not cs.advertises_starttls(lines):
        smtp.close()
        raise cs.Failure("STARTTLS not advertised")
    smtp.sock.sendall(b"STARTTLS\r\n")
    if how == "starttls-then-wait":
        time.sleep(0.05)  # the server has read STARTTLS alone before the next bytes come
    return smtp.sock


def check_mx(run, mx):
    """True if `mx` is one of these plays (and it checked out), False otherwise."""
    address, host, behaviour = mx["address"], mx["host"], mx["smtp"]
    if behaviour not in SMTP_PLAYS:
        return False
    how, send, ok, wanted_end = SMTP_PLAYS[behaviour]
    sock = open_session(address, how)
    try:
        if send == "hello":
            sock.sendall(client_hello(run, host))
        data, end = read_end(sock, 2.5)
    finally:
        sock.close()
    expect(behaviour, data, end, ok(data, host.encode()), wanted_end)
    return True
