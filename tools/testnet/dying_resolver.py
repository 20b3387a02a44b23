#!/usr/bin/env python3
"""A resolver that dies mid-scan: relays DNS over UDP to an upstream resolver,
then exits after a number of queries (or at a lifetime cap), as a crashed or
restarted resolver would. For the integration tests of failover.

    dying_resolver.py LISTEN_IP LISTEN_PORT UPSTREAM_IP UPSTREAM_PORT DIE_AFTER

Prints "ready" once listening. Loopback only.
"""
import selectors
import socket
import sys
import time

listen_ip, listen_port, upstream_ip, upstream_port, die_after = sys.argv[1:6]
assert listen_ip.startswith("127.") and upstream_ip.startswith("127."), "loopback only"
die_after = int(die_after)
deadline = time.monotonic() + 120

front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
front.bind((listen_ip, int(listen_port)))
back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
back.bind(("127.0.0.1", 0))
upstream = (upstream_ip, int(upstream_port))
clients = {}  # (query id, question bytes) -> client address
selector = selectors.DefaultSelector()
selector.register(front, selectors.EVENT_READ, "front")
selector.register(back, selectors.EVENT_READ, "back")
print("ready", flush=True)

relayed = 0
while relayed < die_after and time.monotonic() < deadline:
    for key, _ in selector.select(timeout=0.5):
        sock = key.fileobj
        data, address = sock.recvfrom(65535)
        if len(data) < 12:
            continue
        if key.data == "front":
            clients[(data[:2], data[12:])] = address
            back.sendto(data, upstream)
            relayed += 1
        else:
            for (query_id, question), client in list(clients.items()):
                if query_id == data[:2] and data[12:12 + len(question)] == question:
                    front.sendto(data, client)
                    del clients[(query_id, question)]
                    break
sys.exit(0)
