#!/usr/bin/env python3
"""Hostile HTTPS and SMTP peers for the local test internet.

nginx and Postfix play misconfigured servers; what no real server does on purpose
is played here, one behaviour per address (gen_services.py writes the list into
run/hostile.json from the catalogue's policy and mx behaviours):

  tcp-timeout             a listener whose accept queue is kept full, so the kernel
                          drops further SYNs: the client's connect times out

  port 443 (policy hosts): the TLS layer
    tls-garbage           reads the ClientHello, answers bytes that are not TLS, closes
    tls-silent            accepts and never sends a byte
    tls-close-on-accept   FIN right after the accept
    tls-reset-on-accept   RST shortly after the accept (the client has sent its ClientHello)
    tls-reset-on-hello    reads the ClientHello, answers with an RST
    tls-close-mid-handshake  a real server flight (good certificate), half of it, then FIN
    tls-reset-mid-handshake  the same, then RST
    tls-alert-plaintext   answers the ClientHello with a fatal handshake_failure alert record
    tls-record-too-long   answers with a record header whose length is 65535 (over 2^14+2048)
  port 443: TLS with a good certificate, then HTTP
    http-huge-header      a 200 with a 10 MB header field
    http-headers-never-end  the status line, then a header field a second, forever
    http-slow-body        a correct head, the body one byte a second
    http-endless-chunked  a chunked 200 whose chunks (policy lines) never end
    http-close-before-head / http-reset-before-head  reads the request, FIN / RST, no byte
    http-close-mid-head / http-reset-mid-head        half a head, then FIN / RST
    http-close-mid-body / http-reset-mid-body        a head for 500 bytes, 40 of them, FIN / RST
    http-content-length-huge      Content-Length: 99999999999999999999999 (overflows 64 bits)
    http-content-length-negative  Content-Length: -1
    http-content-length-conflict  two Content-Length fields that differ
    http-chunk-size-overflow      a chunk size of 32 hex digits (overflows 64 bits)
    http-chunk-malformed          a chunk-size line that is not hex
    http-bare-cr          head lines ended by a bare CR
    http-09               no status line at all: the body alone, as HTTP/0.9 answered
    http-200-no-body      200, text/plain, Content-Length: 0
    http-interim-flood    ten 100 Continue responses before the 200
    http-101              101 Switching Protocols that nothing asked for
    http-ambiguous-length Transfer-Encoding: chunked and Content-Length together
    http-obs-fold         a header field folded onto a second line (obs-fold)
    http-bare-lf          a correct response whose head lines end in a bare LF (allowed)

  port 25 (MX hosts)
    smtp-silent           accepts and never sends a banner
    smtp-endless-banner   "220-" continuation lines, never the last line
    smtp-slow-banner      a 220 banner one byte a second
    smtp-close-on-accept / smtp-reset-on-accept   FIN at once / RST shortly after the accept
    smtp-close-mid-banner / smtp-reset-mid-banner  "220 half a bann", then FIN / RST
    smtp-reset-on-ehlo    banner, then RST instead of the EHLO reply
    smtp-close-mid-ehlo   the first line of a multiline EHLO reply, then FIN
    smtp-endless-ehlo     "250-" lines forever in reply to EHLO
    smtp-long-line        a 220 banner line of 100 000 bytes
    smtp-mixed-codes      a multiline banner whose lines change code (220-, then 250)
    smtp-bare-cr          banner lines ended by a bare CR, never a LF
    smtp-unsolicited      the banner, then a second reply before any command
    smtp-http-reply       EHLO answered with "HTTP/1.1 400 Bad Request"
    smtp-reset-on-starttls  STARTTLS advertised; RST instead of its reply
    smtp-bare-lf          every reply line ends in a bare LF, STARTTLS with a good
                          certificate, 221 to QUIT: a complete dialogue (RFC 5321 wants CRLF)
    starttls-refused      EHLO advertises STARTTLS; STARTTLS gets 454
    starttls-garbage      STARTTLS gets 220, then (after the ClientHello) bytes that are not TLS
    starttls-close        STARTTLS gets 220, then FIN at once
    starttls-garbage-close  "220" and a few non-TLS bytes in one write; the ClientHello left
                          unread, then close, which Linux turns into an RST: the peer that made
                          mtascan die of SIGPIPE (its alert was written to the reset socket)
    starttls-reset        STARTTLS gets 220, then RST when the ClientHello arrives
    starttls-alert        STARTTLS gets 220, then a fatal handshake_failure alert record
    starttls-record-too-long  STARTTLS gets 220, then a record header of length 65535

Everything is bounded, so a failing test cannot hang CI or eat memory: every
connection is closed after --lifetime seconds whatever it does, at most
MAX_CONNECTIONS per address, input lines are capped, and only loopback
addresses are accepted. No mail is ever accepted (MAIL, RCPT, DATA get 5xx).

Usage: hostile.py --config run/hostile.json [--lifetime 60] [--pidfile FILE]

Python 3 standard library only.
"""

import argparse
import asyncio
import ipaddress
import json
import struct
import logging
import socket
import ssl
import sys
import time

import daemon  # this directory: the server life cycle both scripts share

MAX_CONNECTIONS = 64        # concurrent connections per address
MAX_LINE = 4096             # bytes of one SMTP command or HTTP request line we read
MAX_REQUEST_HEAD = 16384    # bytes of an HTTP request head we read
HUGE_HEADER_BYTES = 10 * 1024 * 1024
GARBAGE = b"\x00\xffThis is not TLS. " * 64 + b"\r\n"
ALERT_HANDSHAKE_FAILURE = b"\x15\x03\x03\x00\x02\x02\x28"   # level fatal, handshake_failure (40)
RECORD_TOO_LONG = b"\x16\x03\x03\xff\xff" + b"\x00" * 4096    # a handshake record "of 65535 bytes"
RESET_DELAY = 1.5           # seconds between accept and an RST that must not fail the client's
                            # connect: its loop has seen the connect complete by then (0.5 s
                            # was not always enough on a loaded 2-core machine: the RST came
                            # before the loop read the connect's result, which then failed)
# TLS terminated by asyncio (good certificate), then the HTTP misbehaviour
TLS_MODES = {"http-huge-header", "http-headers-never-end", "http-slow-body", "http-endless-chunked",
             "http-close-before-head", "http-reset-before-head", "http-close-mid-head",
             "http-reset-mid-head", "http-close-mid-body", "http-reset-mid-body",
             "http-content-length-huge", "http-content-length-negative",
             "http-content-length-conflict", "http-chunk-size-overflow", "http-chunk-malformed",
             "http-bare-cr", "http-09", "http-200-no-body", "http-interim-flood", "http-101",
             "http-ambiguous-length", "http-obs-fold", "http-bare-lf"}
# a server handshake driven by hand (ssl.SSLObject) so it can stop half-way
HANDSHAKE_MODES = {"tls-close-mid-handshake", "tls-reset-mid-handshake"}
SMTP_MODES = {"smtp-silent", "smtp-endless-banner", "smtp-slow-banner", "starttls-refused",
              "starttls-garbage", "smtp-close-on-accept", "smtp-reset-on-accept",
              "smtp-close-mid-banner", "smtp-reset-mid-banner", "smtp-reset-on-ehlo",
              "smtp-close-mid-ehlo", "smtp-endless-ehlo", "smtp-long-line", "smtp-mixed-codes",
              "smtp-bare-cr", "smtp-unsolicited", "smtp-http-reply", "smtp-reset-on-starttls",
              "starttls-close", "starttls-garbage-close", "starttls-reset", "starttls-alert",
              "starttls-record-too-long", "smtp-bare-lf"}
# SMTP plays that complete STARTTLS themselves (so need a certificate)
SMTP_TLS_MODES = {"smtp-bare-lf"}
OTHER_MODES = {"tcp-timeout", "tls-garbage", "tls-silent", "tls-close-on-accept", "tls-reset-on-accept",
               "tls-reset-on-hello", "tls-alert-plaintext", "tls-record-too-long"} | HANDSHAKE_MODES
MODES = TLS_MODES | SMTP_MODES | OTHER_MODES


def log(message):
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    print(f"[{stamp}] hostile: {message}", flush=True)


class Play:
    """One hostile behaviour on one address and port."""

    def __init__(self, spec, options):
        self.mode = spec["mode"]
        self.address = spec["address"]
        self.port = int(spec["port"])
        self.host = spec.get("host") or "hostile.test"
        self.options = options
        self.connections = 0
        self.server = None
        self.blackhole = None     # tcp-timeout: the listener and the connections filling it
        self.fillers = []
        self.body = b""
        self.ssl_context = None
        if self.mode in TLS_MODES | HANDSHAKE_MODES | SMTP_TLS_MODES:
            self.ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.ssl_context.load_cert_chain(spec["cert"])
        if self.mode in TLS_MODES:
            with open(spec["body_file"], "rb") as handle:
                self.body = handle.read()

    def describe(self):
        return f"{self.mode}@{self.address}:{self.port}"

    async def start(self):
        if self.mode == "tcp-timeout":
            await self.start_blackhole()
            return
        self.server = await asyncio.start_server(
            self.handle, self.address, self.port, reuse_address=True, backlog=64,
            ssl=self.ssl_context if self.mode in TLS_MODES else None,
            ssl_handshake_timeout=10 if self.mode in TLS_MODES else None)

    async def start_blackhole(self):
        """listen(0) and never accept: once one connection waits in the accept queue,
        Linux drops every further SYN (tcp_abort_on_overflow = 0), so clients time out
        as behind a filtering firewall; no iptables needed."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.address, self.port))
        listener.listen(0)
        self.blackhole = listener
        filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        filler.setblocking(False)
        self.fillers.append(filler)
        await asyncio.wait_for(asyncio.get_running_loop().sock_connect(
            filler, (self.address, self.port)), 2)

    def close(self):
        if self.server is not None:
            self.server.close()
        for sock in self.fillers + ([self.blackhole] if self.blackhole else []):
            sock.close()

    async def handle(self, reader, writer):
        if self.connections >= MAX_CONNECTIONS:
            writer.close()
            return
        self.connections += 1
        try:
            await asyncio.wait_for(self.play(reader, writer), self.options.lifetime)
        except (asyncio.TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                ssl.SSLError, ValueError):
            pass
        finally:
            self.connections -= 1
            writer.close()

    @staticmethod
    async def pause(writer, seconds):
        """Drain, then wait; ends the play once the peer is gone."""
        await writer.drain()
        if writer.transport.is_closing():
            raise ConnectionResetError("peer gone")
        await asyncio.sleep(seconds)

    async def play(self, reader, writer):
        handler = getattr(self, "play_" + self.mode.replace("-", "_"))
        await handler(reader, writer)

    @staticmethod
    def reset(writer):
        """Aborts the connection with an RST (SO_LINGER 0), not a FIN."""
        sock = writer.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        writer.transport.abort()

    async def send_then(self, writer, data, end):
        """Writes `data`, lets it reach the peer, then ends with a FIN ("close") or an RST."""
        if data:
            writer.write(data)
            await writer.drain()
            await asyncio.sleep(0.1)  # the bytes leave before the RST can overtake them
        if end == "reset":
            self.reset(writer)
        else:
            writer.close()

    # --- port 443 -------------------------------------------------------------------

    async def play_tls_silent(self, reader, writer):
        while await reader.read(4096):
            pass  # read and discard until the client gives up or the lifetime ends

    async def play_tls_garbage(self, reader, writer):
        await reader.read(4096)  # the ClientHello (or whatever comes)
        writer.write(GARBAGE)
        await writer.drain()

    async def read_request(self, reader):
        """Reads an HTTP request head (bounded); the content does not matter."""
        head = b""
        while b"\r\n\r\n" not in head and len(head) < MAX_REQUEST_HEAD:
            chunk = await reader.read(4096)
            if not chunk:
                break
            head += chunk

    async def play_http_huge_header(self, reader, writer):
        await self.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Padding: ")
        block = b"a" * 65536
        for _ in range(HUGE_HEADER_BYTES // len(block)):
            writer.write(block)
            await writer.drain()
        writer.write(b"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(self.body) + self.body)
        await writer.drain()

    async def play_http_headers_never_end(self, reader, writer):
        await self.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n")
        await writer.drain()
        for count in range(1, 1 << 30):
            await asyncio.sleep(1)
            writer.write(b"X-Still-Coming-%d: yes\r\n" % count)
            await writer.drain()

    async def play_http_slow_body(self, reader, writer):
        await self.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                     b"Connection: close\r\n\r\n" % len(self.body))
        await writer.drain()
        for index in range(len(self.body)):
            writer.write(self.body[index:index + 1])
            await writer.drain()
            await asyncio.sleep(1)

    async def play_http_endless_chunked(self, reader, writer):
        await self.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n"
                     b"Connection: close\r\n\r\n")
        first = b"version: STSv1\r\nmode: enforce\r\n"
        writer.write(b"%x\r\n%s\r\n" % (len(first), first))
        line = b"mx: *.mailhost.test\r\n" * 50
        chunk = b"%x\r\n%s\r\n" % (len(line), line)
        while True:
            for _ in range(16):
                writer.write(chunk)
            await self.pause(writer, 0.01)  # ~1.6 MB/s: endless, yet no CPU hog

    async def play_tls_close_on_accept(self, reader, writer):
        writer.close()

    async def play_tls_reset_on_accept(self, reader, writer):
        await asyncio.sleep(RESET_DELAY)
        self.reset(writer)

    async def play_tls_reset_on_hello(self, reader, writer):
        await reader.read(4096)
        self.reset(writer)

    async def play_tls_alert_plaintext(self, reader, writer):
        await reader.read(4096)
        await self.send_then(writer, ALERT_HANDSHAKE_FAILURE, "close")

    async def play_tls_record_too_long(self, reader, writer):
        await reader.read(4096)
        await self.send_then(writer, RECORD_TOO_LONG, "close")

    async def half_a_handshake(self, reader, writer, end):
        """Runs the server side of a real handshake in memory and sends half of its first
        flight (ServerHello, certificate...), then ends the connection."""
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = self.ssl_context.wrap_bio(incoming, outgoing, server_side=True)
        flight = b""
        for _ in range(16):
            data = await reader.read(16384)
            if not data:
                return
            incoming.write(data)
            try:
                tls.do_handshake()
            except ssl.SSLWantReadError:
                pass
            flight = outgoing.read()
            if flight:
                break
        await self.send_then(writer, flight[:max(1, len(flight) // 2)], end)

    async def play_tls_close_mid_handshake(self, reader, writer):
        await self.half_a_handshake(reader, writer, "close")

    async def play_tls_reset_mid_handshake(self, reader, writer):
        await self.half_a_handshake(reader, writer, "reset")

    # HTTP plays after a good handshake: what each sends once the request is read
    HEAD_OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"

    async def http_then(self, reader, writer, data, end):
        await self.read_request(reader)
        await self.send_then(writer, data, end)

    async def play_http_close_before_head(self, reader, writer):
        await self.http_then(reader, writer, b"", "close")

    async def play_http_reset_before_head(self, reader, writer):
        await self.http_then(reader, writer, b"", "reset")

    async def play_http_close_mid_head(self, reader, writer):
        await self.http_then(reader, writer, b"HTTP/1.1 200 OK\r\nContent-Ty", "close")

    async def play_http_reset_mid_head(self, reader, writer):
        await self.http_then(reader, writer, b"HTTP/1.1 200 OK\r\nContent-Ty", "reset")

    def head_then_part_of_body(self):
        return self.HEAD_OK + b"Content-Length: 500\r\nConnection: close\r\n\r\n" + self.body[:40]

    async def play_http_close_mid_body(self, reader, writer):
        await self.http_then(reader, writer, self.head_then_part_of_body(), "close")

    async def play_http_reset_mid_body(self, reader, writer):
        await self.http_then(reader, writer, self.head_then_part_of_body(), "reset")

    async def answer(self, reader, writer, head_fields, body=None, read=True):
        """The request, then a 200 head with `head_fields` (raw bytes), `body`, and a close."""
        if read:
            await self.read_request(reader)
        writer.write(self.HEAD_OK + head_fields + b"Connection: close\r\n\r\n"
                     + (self.body if body is None else body))
        await writer.drain()

    async def play_http_content_length_huge(self, reader, writer):
        await self.answer(reader, writer, b"Content-Length: 99999999999999999999999\r\n")

    async def play_http_content_length_negative(self, reader, writer):
        await self.answer(reader, writer, b"Content-Length: -1\r\n")

    async def play_http_content_length_conflict(self, reader, writer):
        await self.answer(reader, writer, b"Content-Length: %d\r\nContent-Length: %d\r\n"
                          % (len(self.body), len(self.body) + 7))

    async def play_http_chunk_size_overflow(self, reader, writer):
        await self.answer(reader, writer, b"Transfer-Encoding: chunked\r\n",
                          b"ffffffffffffffffffffffffffffffff\r\n" + self.body + b"\r\n0\r\n\r\n")

    async def play_http_chunk_malformed(self, reader, writer):
        await self.answer(reader, writer, b"Transfer-Encoding: chunked\r\n",
                          b"zz\r\n" + self.body + b"\r\n0\r\n\r\n")

    async def play_http_bare_cr(self, reader, writer):
        await self.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\rContent-Type: text/plain\rContent-Length: %d\r\r%s"
                     % (len(self.body), self.body))
        await writer.drain()

    async def play_http_09(self, reader, writer):
        await self.read_request(reader)
        writer.write(self.body)
        await writer.drain()

    async def play_http_200_no_body(self, reader, writer):
        await self.answer(reader, writer, b"Content-Length: 0\r\n", b"")

    async def play_http_interim_flood(self, reader, writer):
        await self.read_request(reader)
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n" * 10)
        await self.answer(reader, writer, b"Content-Length: %d\r\n" % len(self.body), read=False)

    async def play_http_101(self, reader, writer):
        await self.read_request(reader)
        writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n")
        await writer.drain()

    async def play_http_ambiguous_length(self, reader, writer):
        await self.answer(reader, writer, b"Transfer-Encoding: chunked\r\nContent-Length: %d\r\n"
                          % len(self.body), b"%x\r\n%s\r\n0\r\n\r\n" % (len(self.body), self.body))

    async def play_http_bare_lf(self, reader, writer):
        await self.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\nContent-Type: text/plain\nContent-Length: %d\nConnection: close\n\n%s"
                     % (len(self.body), self.body))
        await writer.drain()

    async def play_http_obs_fold(self, reader, writer):
        await self.answer(reader, writer, b"X-Folded: first part\r\n second part\r\n"
                          b"Content-Length: %d\r\n" % len(self.body))

    # --- port 25 --------------------------------------------------------------------

    async def play_smtp_silent(self, reader, writer):
        while await reader.read(4096):
            pass

    async def play_smtp_endless_banner(self, reader, writer):
        for count in range(1, 1 << 30):
            writer.write(b"220-%s ESMTP welcome, line %d of a banner that never ends\r\n"
                         % (self.host.encode(), count))
            if count % 100 == 0:
                await self.pause(writer, 0.01)

    async def play_smtp_slow_banner(self, reader, writer):
        banner = b"220 %s ESMTP this banner arrives one byte a second\r\n" % self.host.encode()
        for index in range(len(banner)):
            writer.write(banner[index:index + 1])
            await writer.drain()
            await asyncio.sleep(1)
        await self.smtp_dialogue(reader, writer, starttls="refuse")

    async def play_starttls_refused(self, reader, writer):
        writer.write(b"220 %s ESMTP\r\n" % self.host.encode())
        await self.smtp_dialogue(reader, writer, starttls="refuse")

    async def play_starttls_garbage(self, reader, writer):
        writer.write(b"220 %s ESMTP\r\n" % self.host.encode())
        await self.smtp_dialogue(reader, writer, starttls="garbage")

    def banner(self):
        return b"220 %s ESMTP\r\n" % self.host.encode()

    async def play_smtp_close_on_accept(self, reader, writer):
        writer.close()

    async def play_smtp_reset_on_accept(self, reader, writer):
        await asyncio.sleep(RESET_DELAY)
        self.reset(writer)

    async def play_smtp_close_mid_banner(self, reader, writer):
        await self.send_then(writer, b"220 %s half a bann" % self.host.encode(), "close")

    async def play_smtp_reset_mid_banner(self, reader, writer):
        # As on accept: an RST before the client's loop saw its connect complete would
        # fail the connect (mx-tcp), not the banner this play is about.
        await asyncio.sleep(RESET_DELAY)
        await self.send_then(writer, b"220 %s half a bann" % self.host.encode(), "reset")

    async def play_smtp_reset_on_ehlo(self, reader, writer):
        writer.write(self.banner())
        await reader.readline()
        self.reset(writer)

    async def play_smtp_close_mid_ehlo(self, reader, writer):
        writer.write(self.banner())
        await reader.readline()
        await self.send_then(writer, b"250-%s\r\n" % self.host.encode(), "close")

    async def play_smtp_endless_ehlo(self, reader, writer):
        writer.write(self.banner())
        await reader.readline()
        for count in range(1, 1 << 30):
            writer.write(b"250-X-EXTENSION-%d\r\n" % count)
            if count % 100 == 0:
                await self.pause(writer, 0.01)

    async def play_smtp_long_line(self, reader, writer):
        writer.write(b"220 " + b"x" * 100000 + b"\r\n")
        await writer.drain()
        await self.smtp_dialogue(reader, writer, starttls="refuse")

    async def play_smtp_mixed_codes(self, reader, writer):
        writer.write(b"220-%s ESMTP\r\n250 and now another code\r\n" % self.host.encode())
        await self.smtp_dialogue(reader, writer, starttls="refuse")

    async def play_smtp_bare_cr(self, reader, writer):
        for count in range(1, 2000):
            writer.write(b"220-%s line %d ended by a bare CR\r" % (self.host.encode(), count))
            if count % 100 == 0:
                await self.pause(writer, 0.01)

    async def play_smtp_unsolicited(self, reader, writer):
        writer.write(self.banner() + b"250 nobody asked for this\r\n")
        await self.smtp_dialogue(reader, writer, starttls="refuse")

    async def play_smtp_http_reply(self, reader, writer):
        writer.write(self.banner())
        await reader.readline()
        await self.send_then(writer, b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", "close")

    async def play_smtp_bare_lf(self, reader, writer):
        host = self.host.encode()
        writer.write(b"220 %s ESMTP bare LF\n" % host)
        await reader.readline()  # EHLO
        writer.write(b"250-%s\n250-PIPELINING\n250 STARTTLS\n" % host)
        if not (await reader.readline()).upper().startswith(b"STARTTLS"):
            return
        writer.write(b"220 2.0.0 go ahead\n")
        await writer.drain()
        await writer.start_tls(self.ssl_context)
        await reader.readline()  # QUIT, through TLS
        writer.write(b"221 2.0.0 bye\n")
        await writer.drain()

    async def play_smtp_reset_on_starttls(self, reader, writer):
        writer.write(self.banner())
        await self.smtp_dialogue(reader, writer, starttls="reset")

    async def play_starttls_close(self, reader, writer):
        writer.write(self.banner())
        await self.smtp_dialogue(reader, writer, starttls="close")

    async def play_starttls_garbage_close(self, reader, writer):
        writer.write(self.banner())
        await self.smtp_dialogue(reader, writer, starttls="garbage-close")

    async def play_starttls_reset(self, reader, writer):
        writer.write(self.banner())
        await self.smtp_dialogue(reader, writer, starttls="reset-on-hello")

    async def play_starttls_alert(self, reader, writer):
        writer.write(self.banner())
        await self.smtp_dialogue(reader, writer, starttls="alert")

    async def play_starttls_record_too_long(self, reader, writer):
        writer.write(self.banner())
        await self.smtp_dialogue(reader, writer, starttls="record-too-long")

    async def answer_starttls(self, reader, writer, how):
        if how == "reset":
            return self.reset(writer)
        await _starttls_after_220(self, reader, writer, how)

    async def smtp_dialogue(self, reader, writer, starttls):
        """A minimal SMTP server (RFC 5321) that never accepts mail."""
        host = self.host.encode()
        while True:
            await writer.drain()
            line = await reader.readline()
            if not line:
                return
            if len(line) > MAX_LINE:
                writer.write(b"500 5.5.2 Line too long\r\n")
                return
            verb = line.split(b" ", 1)[0].strip().upper()
            if verb == b"EHLO":
                writer.write(b"250-%s\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 STARTTLS\r\n" % host)
            elif verb == b"HELO":
                writer.write(b"250 %s\r\n" % host)
            elif verb == b"STARTTLS":
                if starttls == "refuse":
                    writer.write(b"454 4.7.0 TLS not available due to local problem\r\n")
                else:
                    return await self.answer_starttls(reader, writer, starttls)
            elif verb in (b"NOOP", b"RSET"):
                writer.write(b"250 2.0.0 Ok\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 2.0.0 Bye\r\n")
                await writer.drain()
                return
            elif verb in (b"MAIL", b"RCPT", b"DATA", b"BDAT"):
                writer.write(b"554 5.7.1 This test server accepts no mail\r\n")
            else:
                writer.write(b"502 5.5.2 Error: command not recognized\r\n")


async def _starttls_after_220(play, reader, writer, how):
    """What follows the 220 to STARTTLS, by `how`."""
    ready = b"220 2.0.0 Ready to start TLS\r\n"
    if how == "garbage-close":
        # The field bug, as it happened: "220" and a few bytes that are not TLS in one
        # write; the client's ClientHello arrives and stays unread (reading paused), so
        # the close becomes an RST (Linux resets a socket closed with unread data). A
        # client that took the reset for an end of file answered with a TLS alert, and
        # that write to a reset socket raised SIGPIPE.
        writer.transport.pause_reading()
        writer.write(ready + b"\x00not TLS\r\n")
        await writer.drain()
        await asyncio.sleep(0.2)
        writer.close()
        return
    writer.write(ready)
    await writer.drain()
    if how == "close":
        writer.close()
        return
    await reader.read(4096)  # the ClientHello
    if how == "reset-on-hello":
        play.reset(writer)
    elif how == "alert":
        await play.send_then(writer, ALERT_HANDSHAKE_FAILURE, "close")
    elif how == "record-too-long":
        await play.send_then(writer, RECORD_TOO_LONG, "close")
    else:  # garbage
        writer.write(GARBAGE)
        await writer.drain()


def load_plays(path, options):
    with open(path) as handle:
        specs = json.load(handle)["plays"]
    plays = []
    for spec in specs:
        if spec["mode"] not in MODES:
            raise SystemExit(f"hostile: unknown mode {spec['mode']}")
        if not ipaddress.ip_address(spec["address"]).is_loopback:
            raise SystemExit(f"hostile: only loopback addresses are allowed: {spec['address']}")
        plays.append(Play(spec, options))
    return plays


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, help="run/hostile.json")
    parser.add_argument("--lifetime", type=float, default=60.0,
                        help="seconds after which any connection is closed")
    parser.add_argument("--pidfile", help="written once every socket is bound")
    return parser.parse_args(argv)


async def main(options):
    # Writes to peers that went away are expected here, not worth a log line each.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    plays = load_plays(options.config, options)
    await daemon.serve(plays, options.pidfile, log)


if __name__ == "__main__":
    arguments = parse_args(sys.argv[1:])
    daemon.run(main(arguments), arguments.pidfile)
