#!/usr/bin/env python3
"""postfix-mta-sts-resolver's own resolver over a domain list, for e2e.sh.

The daemon (mta-sts-daemon) answers Postfix's socketmap one domain at a time and
its one-shot CLI (mta-sts-query) takes one domain per process, so this drives its
library the way the daemon does: one STSResolver, `resolve(domain)` per domain,
here with at most CONCURRENCY resolutions in flight on one asyncio loop.

Per domain, STSResolver.resolve does (postfix_mta_sts_resolver/resolver.py):
  - TXT _mta-sts.<domain> through aiodns (pycares);
  - a new aiohttp ClientSession, so a new connection: A/AAAA of mta-sts.<domain>,
    TCP, TLS with full certificate verification, GET /.well-known/mta-sts.txt
    (no redirects, size-bounded);
  - parses and checks the policy (version, mode, max_age, mx present).
It probes no MX host.

Offline: the only nameserver is NAMESERVER, set on both resolvers (aiodns' for
the TXT query and aiohttp's AsyncResolver for the policy host's address);
the test CA comes from SSL_CERT_FILE (Python's default verify paths).

Usage: e2e_sts_resolver.py NAMESERVER CONCURRENCY DOMAINS_FILE
Prints "valid=N other=N ..." (other: any result but VALID, by name) as the last
line on standard error.
"""

import asyncio
import collections
import sys

import aiohttp
from postfix_mta_sts_resolver import resolver as sts


async def main(nameserver, concurrency, path):
    with open(path) as handle:
        domains = [line.strip() for line in handle if line.strip()]
    loop = asyncio.get_running_loop()
    resolver = sts.STSResolver(loop=loop, timeout=10)
    resolver._resolver.nameservers = [nameserver]  # never the system resolver

    # The library makes a ClientSession per domain with aiohttp's default connector,
    # whose resolver would read /etc/resolv.conf: give every session a connector on
    # one shared AsyncResolver that asks only NAMESERVER (a connector does not
    # close a resolver it was given).
    host_resolver = aiohttp.AsyncResolver(nameservers=[nameserver])
    original = aiohttp.ClientSession

    def local_session(*args, **kwargs):
        kwargs.pop("loop", None)
        kwargs["connector"] = aiohttp.TCPConnector(resolver=host_resolver)
        return original(*args, **kwargs)

    sts.aiohttp.ClientSession = local_session

    results = collections.Counter()
    queue = collections.deque(domains)

    async def worker():
        while queue:
            domain = queue.popleft()
            status, _ = await resolver.resolve(domain)
            results[status.name] += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    await host_resolver.close()
    valid = results.pop("VALID", 0)
    other = " ".join(f"{name}={count}" for name, count in sorted(results.items()))
    print(f"valid={valid} other={sum(results.values())} {other}".strip(), file=sys.stderr)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
