#!/usr/bin/env python3
"""Misbehaving DNS servers for the local test internet.

No real nameserver misbehaves on purpose, so this one does, one behaviour per
listening address (UDP and TCP on the same address and port):

  silent    reads queries and never answers (a resolver behind it times out)
  slow      answers correctly, but only after --delay-ms: it forwards the query
            to the real authoritative server (--upstream) and relays the answer
  refused   answers every query with RCODE 5 (REFUSED): a lame delegation
  servfail  answers every query with RCODE 2 (SERVFAIL)

and, on their own addresses, hostile *resolvers*: mtascan is pointed at one of them
(`--resolver`) and must survive every answer (each is built from the query alone,
nothing is relayed):

  ptr-loop          the answer's owner name is a compression pointer to itself
  ptr-forward       the answer's owner name is a pointer past the end of the message
  count-excess      ANCOUNT says 5, one record follows
  truncated-packet  a well-formed start, cut in the middle of the answer record
  name-too-long     an owner name of five 63-byte labels (over the 255-byte limit)
  label-too-long    an owner name whose one label is 64 bytes (length byte 0x40: a
                    reserved label type, RFC 6891 §5)
  wrong-id          a correct-looking NOERROR answer with the query's ID plus one
  wrong-question    a NOERROR answer whose question is another name
  wrong-type        NOERROR with an A record, whatever type was asked
  tc-no-tcp         TC=1 over UDP; over TCP the connection is closed at once
  tcp-prefix-only   TC=1 over UDP; over TCP a length prefix (256) and never the body

and one resolver that relays to the real one (--relay, unbound) but for every A or
AAAA query of a name whose first label is `mta-sts` answers NOERROR with a whole
CNAME loop in one answer (mta-sts.D -> loop1.D -> loop2.D -> loop1.D), as some
resolvers serve a loop (unbound answers SERVFAIL instead):

  cname-loop-whole

Usage:
  badns.py --upstream 127.53.0.1 --delay-ms 200 \\
           --listen silent@127.53.1.1 --listen slow@127.53.1.2:53 ...

Everything is bounded so that a failing test cannot hang CI or eat memory:
every TCP connection is closed after --lifetime seconds whatever it does,
at most MAX_TCP connections and MAX_PENDING delayed queries exist at once,
and the upstream is only ever a loopback address.

Python 3 standard library only.
"""

import argparse
import asyncio
import ipaddress
import struct
import sys
import time

import daemon  # this directory: the server life cycle both scripts share

HOSTILE_MODES = ("ptr-loop", "ptr-forward", "count-excess", "truncated-packet", "name-too-long", "label-too-long",
                 "wrong-id", "wrong-question", "wrong-type", "tc-no-tcp", "tcp-prefix-only")
RELAY_MODES = ("cname-loop-whole",)
MODES = ("silent", "slow", "refused", "servfail") + HOSTILE_MODES + RELAY_MODES
RCODE = {"refused": 5, "servfail": 2}
MAX_TCP = 128          # concurrent TCP connections per listener
MAX_PENDING = 2048     # delayed (slow) queries in flight per listener
UPSTREAM_TIMEOUT = 2.0  # seconds to wait for the real server in slow mode
HEADER = struct.Struct("!HHHHHH")


def log(message):
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    print(f"[{stamp}] badns: {message}", flush=True)


def question_end(query):
    """Offset just past the first question, or None if the query is malformed.

    Bounded walk over the QNAME labels (RFC 1035 §4.1.2); compression pointers
    are not allowed in a question we echo back, so one is treated as malformed.
    """
    if len(query) < HEADER.size:
        return None
    qdcount = HEADER.unpack_from(query)[2]
    if qdcount != 1:
        return None
    offset = HEADER.size
    for _ in range(128):
        if offset >= len(query):
            return None
        length = query[offset]
        if length == 0:
            offset += 1
            break
        if length & 0xC0:
            return None
        offset += 1 + length
    else:
        return None
    offset += 4  # QTYPE, QCLASS
    return offset if offset <= len(query) else None


def hostile_response(query, mode, transport):
    """The crafted answer of a hostile-resolver mode, or None for no answer."""
    end = question_end(query)
    if end is None:
        return None
    qid, flags = struct.unpack_from("!HH", query)
    question = query[HEADER.size:end]
    response_flags = 0x8000 | (flags & 0x0100) | 0x0080  # QR, RD copied, RA
    a_record = b"\x00\x01\x00\x01\x00\x00\x01\x2c\x00\x04\x7f\x00\x00\x01"  # A IN 300 127.0.0.1
    if mode in ("tc-no-tcp", "tcp-prefix-only"):
        return HEADER.pack(qid, response_flags | 0x0200, 1, 0, 0, 0) + question
    if mode == "wrong-id":
        return HEADER.pack((qid + 1) & 0xFFFF, response_flags, 1, 0, 0, 0) + question
    if mode == "wrong-question":
        other = b"\x05wrong\x04test\x00" + query[end - 4:end]
        return HEADER.pack(qid, response_flags, 1, 0, 0, 0) + other
    header = HEADER.pack(qid, response_flags, 1, 1, 0, 0)
    answer_at = HEADER.size + len(question)
    if mode == "ptr-loop":
        owner = struct.pack("!H", 0xC000 | answer_at)  # points at itself
    elif mode == "ptr-forward":
        owner = struct.pack("!H", 0xC000 | (answer_at + 200))  # past the end
    elif mode == "name-too-long":
        owner = (b"\x3f" + b"a" * 63) * 5 + b"\x00"
    elif mode == "label-too-long":
        owner = b"\x40" + b"a" * 64 + b"\x00"
    else:
        owner = b"\xc0\x0c"  # the question's name: well formed
    if mode == "wrong-type":
        return header + question + owner + a_record
    if mode == "count-excess":
        return HEADER.pack(qid, response_flags, 1, 5, 0, 0) + question + owner + a_record
    if mode == "truncated-packet":
        return header + question + owner + a_record[:6]
    return header + question + owner + a_record


def policy_host_loop(query):
    """For an A/AAAA query of mta-sts.D: NOERROR with the loop mta-sts.D -> loop1.D ->
    loop2.D -> loop1.D served whole; None for any other query."""
    end = question_end(query)
    if end is None or end - 4 <= HEADER.size:
        return None
    first = query[HEADER.size]
    label = query[HEADER.size + 1:HEADER.size + 1 + first].lower()
    qtype = struct.unpack_from("!H", query, end - 4)[0]
    if label != b"mta-sts" or qtype not in (1, 28):
        return None
    qid, flags = struct.unpack_from("!HH", query)
    response_flags = 0x8000 | (flags & 0x0100) | 0x0080  # QR, RD copied, RA
    parent = struct.pack("!H", 0xC000 | (HEADER.size + 1 + first))  # D, inside the question
    loop1, loop2 = b"\x05loop1" + parent, b"\x05loop2" + parent

    def cname(owner, target):
        return owner + struct.pack("!HHIH", 5, 1, 300, len(target)) + target

    answers = cname(b"\xc0\x0c", loop1) + cname(loop1, loop2) + cname(loop2, loop1)
    return HEADER.pack(qid, response_flags, 1, 3, 0, 0) + query[HEADER.size:end] + answers


def error_response(query, rcode):
    """A response with the query's ID, opcode, RD and question, and `rcode`."""
    end = question_end(query)
    if end is None:
        return None
    qid, flags = struct.unpack_from("!HH", query)
    opcode_rd = flags & 0x7900  # opcode bits and RD
    response_flags = 0x8000 | opcode_rd | rcode  # QR set, RA clear (authoritative role)
    return HEADER.pack(qid, response_flags, 1, 0, 0, 0) + query[HEADER.size:end]


class Listener:
    """One misbehaving server: a mode on one address, UDP and TCP."""

    def __init__(self, mode, host, port, options):
        self.mode = mode
        self.host = host
        self.port = port
        self.options = options
        self.pending = 0
        self.tcp_connections = 0
        self.tasks = set()  # the event loop keeps only weak references to tasks
        self.udp_transport = None
        self.tcp_server = None

    def describe(self):
        return f"{self.mode}@{self.host}:{self.port}"

    async def start(self):
        loop = asyncio.get_running_loop()
        self.udp_transport, _ = await loop.create_datagram_endpoint(
            lambda: UDPProtocol(self), local_addr=(self.host, self.port), reuse_port=True)
        self.tcp_server = await asyncio.start_server(
            self.handle_tcp, self.host, self.port, reuse_address=True, backlog=64)

    def close(self):
        if self.udp_transport is not None:
            self.udp_transport.close()
        if self.tcp_server is not None:
            self.tcp_server.close()

    # --- answering ---------------------------------------------------------

    async def answer(self, query, transport):
        """The response bytes for `query`, or None to stay silent."""
        if self.mode == "silent":
            return None
        if self.mode in RCODE:
            return error_response(query, RCODE[self.mode])
        if self.mode in HOSTILE_MODES:
            return hostile_response(query, self.mode, transport)
        if self.mode == "cname-loop-whole":
            crafted = policy_host_loop(query)
            if crafted is not None:
                return crafted
            try:
                if transport == "udp":
                    return await upstream_udp(query, self.options.relay, 53)
                return await upstream_tcp(query, self.options.relay, 53)
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
                return None
        # slow: wait, then ask the real server over the same transport
        if self.pending >= MAX_PENDING:
            return None
        self.pending += 1
        try:
            await asyncio.sleep(self.options.delay_ms / 1000.0)
            if transport == "udp":
                return await upstream_udp(query, self.options.upstream, self.options.upstream_port)
            return await upstream_tcp(query, self.options.upstream, self.options.upstream_port)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
            return None
        finally:
            self.pending -= 1

    async def answer_udp(self, query, addr):
        response = await self.answer(query, "udp")
        if response is not None and self.udp_transport is not None:
            self.udp_transport.sendto(response, addr)

    # --- TCP (RFC 1035 §4.2.2: two-byte length prefix) ----------------------

    async def handle_tcp(self, reader, writer):
        if self.tcp_connections >= MAX_TCP:
            writer.close()
            return
        self.tcp_connections += 1
        try:
            await asyncio.wait_for(self.serve_tcp(reader, writer), self.options.lifetime)
        except (asyncio.TimeoutError, OSError, asyncio.IncompleteReadError):
            pass
        finally:
            self.tcp_connections -= 1
            writer.close()

    async def serve_tcp(self, reader, writer):
        if self.mode == "tc-no-tcp":
            return  # closed at once (handle_tcp's finally)
        if self.mode == "tcp-prefix-only":
            await reader.readexactly(2)
            writer.write(struct.pack("!H", 256))  # a length, and never the 256 bytes
            await writer.drain()
            await asyncio.sleep(self.options.lifetime)
            return
        while True:
            prefix = await reader.readexactly(2)
            (length,) = struct.unpack("!H", prefix)
            query = await reader.readexactly(length)
            response = await self.answer(query, "tcp")
            if response is None:
                continue  # silent: keep reading until the lifetime ends
            writer.write(struct.pack("!H", len(response)) + response)
            await writer.drain()


class UDPProtocol(asyncio.DatagramProtocol):
    def __init__(self, listener):
        self.listener = listener

    def datagram_received(self, data, addr):
        if self.listener.mode == "silent":
            return
        task = asyncio.ensure_future(self.listener.answer_udp(data, addr))
        self.listener.tasks.add(task)
        task.add_done_callback(self.listener.tasks.discard)

    def error_received(self, exc):
        pass  # ICMP errors from clients that went away


class _OneShot(asyncio.DatagramProtocol):
    def __init__(self, future):
        self.future = future

    def datagram_received(self, data, addr):
        if not self.future.done():
            self.future.set_result(data)

    def error_received(self, exc):
        if not self.future.done():
            self.future.set_exception(exc)


async def upstream_udp(query, host, port):
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: _OneShot(future), remote_addr=(host, port))
    try:
        transport.sendto(query)
        return await asyncio.wait_for(future, UPSTREAM_TIMEOUT)
    finally:
        transport.close()


async def upstream_tcp(query, host, port):
    async def exchange():
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(struct.pack("!H", len(query)) + query)
            await writer.drain()
            (length,) = struct.unpack("!H", await reader.readexactly(2))
            return await reader.readexactly(length)
        finally:
            writer.close()
    return await asyncio.wait_for(exchange(), UPSTREAM_TIMEOUT)


def parse_listen(text):
    mode, sep, where = text.partition("@")
    if not sep or mode not in MODES:
        raise argparse.ArgumentTypeError(f"expected MODE@ADDRESS[:PORT] with MODE in {MODES}: {text}")
    host, _, port = where.partition(":")
    if not ipaddress.ip_address(host).is_loopback:
        raise argparse.ArgumentTypeError(f"only loopback addresses are allowed: {host}")
    return mode, host, int(port or 53)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", action="append", type=parse_listen, required=True,
                        metavar="MODE@ADDR[:PORT]")
    parser.add_argument("--upstream", default="127.53.0.1",
                        help="the real authoritative server the slow mode relays to")
    parser.add_argument("--upstream-port", type=int, default=53)
    parser.add_argument("--relay", default="127.53.0.2",
                        help="the recursive resolver the relaying hostile resolvers ask")
    parser.add_argument("--delay-ms", type=int, default=300, help="delay of the slow mode")
    parser.add_argument("--lifetime", type=float, default=10.0,
                        help="seconds after which any TCP connection is closed")
    parser.add_argument("--pidfile", help="written once every socket is bound")
    options = parser.parse_args(argv)
    if not ipaddress.ip_address(options.upstream).is_loopback:
        parser.error("the upstream must be a loopback address")
    if not ipaddress.ip_address(options.relay).is_loopback:
        parser.error("the relay must be a loopback address")
    return options


async def main(options):
    listeners = [Listener(mode, host, port, options) for mode, host, port in options.listen]
    await daemon.serve(listeners, options.pidfile, log)


if __name__ == "__main__":
    arguments = parse_args(sys.argv[1:])
    daemon.run(main(arguments), arguments.pidfile)
