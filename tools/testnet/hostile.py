#!/usr/bin/env python3
"""Hostile HTTPS and SMTP peers for the local test internet.

nginx and Postfix play misconfigured servers; what no real server does on purpose
is played here, one behaviour per address (gen_services.py writes the list into
run/hostile.json from the catalogue's policy and mx behaviours):

  tcp-timeout             a listener whose accept queue is kept full, so the kernel
                          drops further SYNs: the client's connect times out
  port 443 (policy hosts)
    tls-garbage           reads the ClientHello, answers bytes that are not TLS, closes
    tls-silent            accepts and never sends a byte
    http-huge-header      TLS (good certificate), then a 200 with a 10 MB header field
    http-headers-never-end  TLS, the status line, then a header field a second, forever
    http-slow-body        TLS, a correct head, the body one byte a second
    http-endless-chunked  TLS, a chunked 200 whose chunks (policy lines) never end
  port 25 (MX hosts)
    smtp-silent           accepts and never sends a banner
    smtp-endless-banner   "220-" continuation lines, never the last line
    smtp-slow-banner      a 220 banner one byte a second
    starttls-refused      EHLO advertises STARTTLS; STARTTLS gets 454
    starttls-garbage      STARTTLS gets 220, then bytes that are not TLS

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
TLS_MODES = {"http-huge-header", "http-headers-never-end", "http-slow-body", "http-endless-chunked"}
SMTP_MODES = {"smtp-silent", "smtp-endless-banner", "smtp-slow-banner", "starttls-refused",
              "starttls-garbage"}
OTHER_MODES = {"tcp-timeout", "tls-garbage", "tls-silent"}


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
        if self.mode in TLS_MODES:
            self.ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.ssl_context.load_cert_chain(spec["cert"])
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
            ssl=self.ssl_context, ssl_handshake_timeout=10 if self.ssl_context else None)

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
                    writer.write(b"220 2.0.0 Ready to start TLS\r\n")
                    await writer.drain()
                    await reader.read(4096)  # the ClientHello
                    writer.write(GARBAGE)
                    await writer.drain()
                    return
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


def load_plays(path, options):
    with open(path) as handle:
        specs = json.load(handle)["plays"]
    plays = []
    for spec in specs:
        if spec["mode"] not in TLS_MODES | SMTP_MODES | OTHER_MODES:
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
