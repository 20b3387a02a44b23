#!/usr/bin/env python3
"""Self-check of the running test internet's DNS part against the catalogue.

For every scenario (and the infrastructure names), asks unbound with dig each
lookup listed under expect.dns in scenarios.json and compares rcode and answer
(sorted: unbound shuffles RRsets; TTLs ignored). Extra properties checked:
  truncated_at_1232  a UDP query with an EDNS buffer of 1232 gets TC=1
  min_ms             the answer takes at least this long (slow nameserver)
  TIMEOUT            no answer within the catalogue's timeout_seconds

Usage: check.py [--resolver 127.53.0.2] [--only NAME[,NAME...]] [--verbose]
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


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resolver", default="127.53.0.2")
    parser.add_argument("--catalogue", default=os.path.join(HERE, "scenarios.json"))
    parser.add_argument("--only", help="comma-separated scenario names")
    parser.add_argument("--verbose", action="store_true")
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

    passed = failed = 0
    failed_scenarios = set()
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
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
    scenario_count = len({label for label, _ in jobs})
    print(f"{passed} passed, {failed} failed "
          f"({len(jobs)} lookups, {scenario_count - len(failed_scenarios)}/{scenario_count} "
          f"scenarios clean)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
