#!/usr/bin/env python3
"""A resolver with a bad day: relays DNS over UDP to an upstream resolver,
drops a share of the queries after a number of them (as an overloaded or
failing resolver does mid-scan), and can answer late (a slow or distant
resolver), or serve only so many queries a second, queueing the rest up to
a limit and dropping beyond it (a resolver of small capacity). For the
integration tests of DNS congestion control.

    lossy_resolver.py LISTEN_IP LISTEN_PORT UPSTREAM_IP UPSTREAM_PORT \
        [--drop-after N] [--drop FRACTION] [--delay-ms MS] [--rate QPS] [--queue N] [--lifetime S]

Drops are deterministic (every query whose running count falls in the
fraction, by a fixed pattern), so a test run is repeatable. Prints "ready"
once listening; exits after --lifetime seconds (default 180). Loopback only.
"""
import argparse
import collections
import heapq
import selectors
import socket
import time

parser = argparse.ArgumentParser()
parser.add_argument("listen_ip")
parser.add_argument("listen_port", type=int)
parser.add_argument("upstream_ip")
parser.add_argument("upstream_port", type=int)
parser.add_argument("--drop-after", type=int, default=0)
parser.add_argument("--drop", type=float, default=0.0)
parser.add_argument("--delay-ms", type=float, default=0.0)
parser.add_argument("--rate", type=float, default=0.0)
parser.add_argument("--queue", type=int, default=500)
parser.add_argument("--lifetime", type=float, default=180.0)
args = parser.parse_args()
assert args.listen_ip.startswith("127.") and args.upstream_ip.startswith("127."), "loopback only"

front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
front.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
front.bind((args.listen_ip, args.listen_port))
back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
back.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
back.bind(("127.0.0.1", 0))
upstream = (args.upstream_ip, args.upstream_port)
selector = selectors.DefaultSelector()
selector.register(front, selectors.EVENT_READ, "front")
selector.register(back, selectors.EVENT_READ, "back")
print("ready", flush=True)

# Upstream IDs are our own, so answers map back without searching.
clients = {}  # upstream id -> (client address, client's id)
next_id = 0
seen = 0
dropped = 0
delayed = []  # heap of (due, sequence, datagram, address)
sequence = 0
deadline = time.monotonic() + args.lifetime
# --rate: queries wait here for their turn, as in a busy resolver's socket buffer.
backlog = collections.deque()
tokens = 0.0
last_refill = time.monotonic()


def forward(data, address):
    global next_id
    next_id = (next_id + 1) & 0xFFFF
    clients[next_id] = (address, data[:2])
    back.sendto(next_id.to_bytes(2, "big") + data[2:], upstream)


while time.monotonic() < deadline:
    timeout = 0.2
    if backlog:
        timeout = 0.001
    if delayed:
        timeout = max(0.0, min(timeout, delayed[0][0] - time.monotonic()))
    for key, _ in selector.select(timeout=timeout):
        sock = key.fileobj
        try:
            data, address = sock.recvfrom(65535)
        except BlockingIOError:
            continue
        if len(data) < 12:
            continue
        if key.data == "front":
            seen += 1
            if seen > args.drop_after and args.drop > 0:
                # Drop so that after n queries about n * fraction are gone.
                if int((seen - args.drop_after) * args.drop) > dropped:
                    dropped += 1
                    continue
            if args.rate > 0:
                if len(backlog) < args.queue:
                    backlog.append((data, address))
                continue
            forward(data, address)
        else:
            entry = clients.pop(int.from_bytes(data[:2], "big"), None)
            if entry is None:
                continue
            client, client_id = entry
            answer = client_id + data[2:]
            if args.delay_ms > 0:
                sequence += 1
                heapq.heappush(delayed, (time.monotonic() + args.delay_ms / 1000, sequence, answer, client))
            else:
                front.sendto(answer, client)
    now = time.monotonic()
    if args.rate > 0:
        tokens = min(tokens + (now - last_refill) * args.rate, max(1.0, args.rate / 100))
        last_refill = now
        while backlog and tokens >= 1:
            tokens -= 1
            forward(*backlog.popleft())
    while delayed and delayed[0][0] <= now:
        _, _, answer, client = heapq.heappop(delayed)
        front.sendto(answer, client)
