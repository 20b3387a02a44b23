#!/usr/bin/env python3
"""Self-check of the running test internet against the catalogue.

For every scenario (and the infrastructure names), asks unbound with dig each
lookup listed under expect.dns in scenarios.json and compares rcode and answer
(sorted: unbound shuffles RRsets; TTLs ignored). Extra properties checked:
  truncated_at_1232  a UDP query with an EDNS buffer of 1232 gets TC=1
  min_ms             the answer takes at least this long (slow nameserver)
  TIMEOUT            no answer within the catalogue's timeout_seconds
Then every policy host and MX host: TLS, HTTP and SMTP behaviour as the
catalogue stages it (check_services.py); and the signed subtree: AD flags,
SERVFAIL for the bogus zone, TLSA records against the certificates the MX
hosts present (check_dane.py).

Usage: check.py [--resolver 127.53.0.2] [--only NAME[,NAME...]] [--verbose]
                [--dns-only | --services-only]
Prints one line per failure and "N passed, N failed"; exits 1 on any failure.

Python 3 standard library only (dig from bind9-dnsutils does the asking).
"""

import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import time

import check_dane
import check_services

HERE = os.path.dirname(os.path.abspath(__file__))
STATUS = re.compile(r"status: ([A-Z]+)")
FLAGS = re.compile(r";; flags: ([a-z ]+);")


def dig(resolver, qname, qtype, timeout, *extra):
    """(rcode or TIMEOUT, answer lines, flags, elapsed ms) of one query."""
    command = ["dig", f"@{resolver}", qname, qtype, f"+time={timeout}", "+tries=1",
               "+noall", "+comments", "+answer", "+nottlid", "+noclass", *extra]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout + 10)
    elapsed = (time.monotonic() - started) * 1000
    status = STATUS.search(result.stdout)
    if result.returncode == 9 or status is None:
        return "TIMEOUT", [], set(), elapsed
    flags = FLAGS.search(result.stdout)
    answer = []
    for line in result.stdout.splitlines():
        if not line or line.startswith(";"):
            continue
        owner, rtype, data = line.split(None, 2)
        if rtype != "TXT":
            data = data.lower()
        answer.append(f"{owner.lower()} {rtype} {data}")
    return status.group(1), sorted(answer), set(flags.group(1).split()) if flags else set(), elapsed


def check_one(resolver, timeout, label, expectation):
    """A list of problems (empty when the lookup is as expected)."""
    qname, qtype = expectation["qname"], expectation["qtype"]
    wanted_rcode = expectation["rcode"]
    acceptable = [wanted_rcode] + expectation.get("rcode_alternatives", [])
    wait = timeout if "TIMEOUT" in acceptable else max(timeout, 5)
    rcode, answer, _, elapsed = dig(resolver, qname, qtype, wait)
    problems = []
    where = f"{label}: {qname} {qtype}"
    if rcode not in acceptable:
        problems.append(f"{where}: rcode {rcode}, expected {' or '.join(acceptable)}")
    elif rcode != wanted_rcode:
        pass  # an equally right outcome; it has no answer section to compare
    elif answer != expectation["answer"]:
        problems.append(f"{where}: answer {answer}, expected {expectation['answer']}")
    if "min_ms" in expectation and rcode == wanted_rcode and elapsed < expectation["min_ms"]:
        problems.append(f"{where}: answered in {elapsed:.0f} ms, expected at least "
                        f"{expectation['min_ms']} ms")
    if expectation.get("truncated_at_1232"):
        _, _, flags, _ = dig(resolver, qname, qtype, wait, "+bufsize=1232", "+ignore", "+notcp")
        if "tc" not in flags:
            problems.append(f"{where}: no TC flag over UDP with an EDNS buffer of 1232")
    return problems


def config_problems(run):
    """Nothing in the generated configuration may point off the machine."""
    problems = []
    loopback = re.compile(r"^(127\.\d+\.\d+\.\d+|::1)$")
    with open(os.path.join(run, "unbound.conf")) as handle:
        conf = handle.read()
    for forbidden in ("forward-zone", "forward-addr", "stub-zone", "stub-addr"):
        if forbidden in conf:
            problems.append(f"config: unbound.conf contains {forbidden}")
    for match in re.finditer(r"^\s*(interface|outgoing-interface):\s*(\S+)", conf, re.M):
        if not loopback.match(match.group(2)):
            problems.append(f"config: unbound {match.group(1)} {match.group(2)} is not loopback")
    if "outgoing-interface" not in conf:
        problems.append("config: unbound has no outgoing-interface on loopback")
    # Every address nginx, Postfix and hostile.py listen on.
    listens = []
    if os.path.exists(os.path.join(run, "nginx.conf")):
        with open(os.path.join(run, "nginx.conf")) as handle:
            listens += [("nginx", m.group(1).strip("[]")) for m in
                        re.finditer(r"^\s*listen\s+(\[[^]]+\]|[^:\s]+):\d+", handle.read(), re.M)]
    if os.path.exists(os.path.join(run, "postfix", "master.cf")):
        with open(os.path.join(run, "postfix", "master.cf")) as handle:
            listens += [("postfix", m.group(1)) for m in
                        re.finditer(r"^(\S+):\d+\s+inet\s", handle.read(), re.M)]
        with open(os.path.join(run, "postfix", "main.cf")) as handle:
            if not re.search(r"^inet_interfaces = loopback-only$", handle.read(), re.M):
                problems.append("config: postfix main.cf: inet_interfaces is not loopback-only")
    if os.path.exists(os.path.join(run, "hostile.json")):
        with open(os.path.join(run, "hostile.json")) as handle:
            listens += [("hostile", play["address"]) for play in json.load(handle)["plays"]]
    for server, address in listens:
        if not loopback.match(address):
            problems.append(f"config: {server} listens on {address}, not loopback")
    # Root hints and every address record the servers hand out.
    files = [os.path.join(run, "root.hints")]
    for directory in ("zones", "zones-hidden", "synth/zones"):
        path = os.path.join(run, directory)
        if os.path.isdir(path):
            files += [os.path.join(path, f) for f in sorted(os.listdir(path))]
    for name in files:
        with open(name) as handle:
            for line in handle:
                fields = line.split()
                if "RRSIG" in fields or "NSEC" in fields or "NSEC3" in fields:
                    continue  # a type covered or in a type bitmap, not an address record
                for i, field in enumerate(fields[:-1]):
                    if field in ("A", "AAAA") and not loopback.match(fields[i + 1]):
                        problems.append(f"config: {name}: address off the machine: {line.strip()}")
    return problems


def synthetic_jobs(run):
    """One domain of each kind of the synthetic zone, if one is loaded: its MX and
    _mta-sts answers must be the kind's records."""
    path = os.path.join(run, "synth", "manifest.json")
    if not os.path.exists(path):
        return []
    with open(path) as handle:
        manifest = json.load(handle)
    jobs = []
    for kind, info in manifest["kinds"].items():
        name = info["example"]
        if not name:
            continue
        wanted = {"MX": [], "TXT": []}
        for record in info["records"]:
            owner, rtype, data = record.split(" ", 2)
            if rtype == "MX" and owner == "@":
                if not data.endswith("."):
                    data = f"{data}.{name}."
                wanted["MX"].append(f"{name}. MX {data}")
            elif rtype == "TXT" and owner == "_mta-sts":
                wanted["TXT"].append(f"_mta-sts.{name}. TXT {data}")
        for qname, qtype in ((name, "MX"), (f"_mta-sts.{name}", "TXT")):
            answer = sorted(wanted[qtype])
            rcode = "NOERROR" if answer or qtype == "MX" else "NXDOMAIN"
            jobs.append((f"synth:{kind}", {"qname": qname, "qtype": qtype, "rcode": rcode,
                                           "answer": answer}))
    return jobs


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resolver", default="127.53.0.2")
    parser.add_argument("--catalogue", default=os.path.join(HERE, "scenarios.json"))
    parser.add_argument("--only", help="comma-separated scenario names")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--run", default=os.path.join(HERE, "run"),
                        help="run directory whose configuration is checked too")
    parser.add_argument("--dns-only", action="store_true", help="skip the HTTPS and SMTP checks")
    parser.add_argument("--services-only", action="store_true", help="skip the DNS checks")
    options = parser.parse_args(argv)
    with open(options.catalogue) as handle:
        catalogue = json.load(handle)
    timeout = catalogue["timeout_seconds"]

    jobs = [("infrastructure", e) for e in catalogue["support_checks"]]
    only = set(options.only.split(",")) if options.only else None
    for entry in catalogue["scenarios"]:
        if only is None or entry["name"] in only:
            jobs += [(entry["name"], e) for e in entry["expect"]["dns"]]
    if only is not None:
        jobs = [job for job in jobs if job[0] != "infrastructure"]
    elif os.path.isdir(options.run):
        jobs += synthetic_jobs(options.run)
    if options.services_only:
        jobs = []
    services = [] if options.dns_only else check_services.jobs(catalogue, options.run, only)
    endpoint_count = len(services)
    services += check_dane.jobs(catalogue, options.run, options.resolver, only,
                                dns=not options.services_only, services=not options.dns_only)

    passed = failed = 0
    failed_scenarios = set()
    if os.path.isdir(options.run) and not options.services_only:
        problems = config_problems(options.run)
        for problem in problems:
            print("FAIL " + problem)
        failed += 1 if problems else 0
        passed += 0 if problems else 1
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        # The slow service checks (timeouts, silences) first: they overlap the rest.
        service_futures = [pool.submit(check) for _, _, check in services]
        futures = [pool.submit(check_one, options.resolver, timeout, label, expectation)
                   for label, expectation in jobs]
        for (label, expectation), future in zip(jobs, futures):
            problems = future.result()
            if problems:
                failed += 1
                failed_scenarios.add(label)
                for problem in problems:
                    print("FAIL " + problem)
            else:
                passed += 1
                if options.verbose:
                    print(f"ok   {label}: {expectation['qname']} {expectation['qtype']} "
                          f"{expectation['rcode']}")
        for (label, what, _), future in zip(services, service_futures):
            problems = future.result()
            if problems:
                failed += 1
                failed_scenarios.add(label)
                for problem in problems:
                    print(f"FAIL {label}: {what}: {problem}")
            else:
                passed += 1
                if options.verbose:
                    print(f"ok   {label}: {what}")
    scenario_count = len({label for label, _ in jobs} | {label for label, _, _ in services})
    print(f"{passed} passed, {failed} failed "
          f"({len(jobs)} lookups, {endpoint_count} HTTPS/SMTP endpoints, "
          f"{len(services) - endpoint_count} DNSSEC/DANE checks"
          f"{'' if options.services_only else ' and the configuration'}; "
          f"{scenario_count - len(failed_scenarios)}/{scenario_count} scenarios, "
          f"infrastructure and synthetic kinds clean)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
