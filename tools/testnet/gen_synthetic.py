#!/usr/bin/env python3
"""Synthetic DNS data for benchmarks: N domains under the fake TLD synth.

Every domain is its own zone (so NS queries get real answers) with SOA, two NS
and MX records; about 1% publish an _mta-sts record (a fifth of those broken in
one of the ways the scenario catalogue covers) and most of those a TLS-RPT
record; a few others publish TLS-RPT only; the rest publish nothing else. The
mix is drawn with a fixed seed, so a size always gives the same data.

Layouts:
  zones (default)  every domain is a zone; the ~20 kinds of domain differ only in
                   their records relative to the apex, so all zones of a kind share
                   one zone file (a million files would be the slow part). NSD loads
                   about 35000 zones a second: 1M domains take ~30 s and ~2.7 GiB.
  flat             every domain's records sit in the one zone synth. (no zone cut,
                   so an NS query for a domain gets NODATA); 1M domains load in a
                   few seconds and take well under 1 GiB. For big runs where NS
                   answers do not matter.

Writes into --out (default tools/testnet/run/synth):
  domains.txt      the input list: one domain per line
  synth.zone       a registry-style zone file: NS delegations of the same names
                   (zone-file input); in the zones layout NSD also serves it as synth.
  synth-flat.zone  (flat layout) the zone synth. that NSD serves
  queries.txt      a dnsperf query file with the mix mtascan sends per domain:
                   MX, TXT _mta-sts, TXT _smtp._tls, A and AAAA mta-sts, NS
  manifest.json    size, seed, and per kind: count, records, expected DNS-phase findings
  policy-hosts.txt the mta-sts.<domain> names that have an address (certificates for
                   them are made at start, gen_services.py)
  mx-hosts.txt     the domain-owned MX host names of domains with an _mta-sts record
                   (the ones a scan probes)
  zones/*.zone     one zone file per kind
  nsd-synth.conf   NSD on 127.53.0.4 serving synth. and every domain zone

Usage: gen_synthetic.py N [--out DIR] [--seed S] [--layout zones|flat]
start.sh --synthetic N [--synthetic-layout flat] runs it and starts that NSD;
the root zone delegates synth. to it.

Python 3 standard library only.
"""

import argparse
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ADDRESS = "127.53.0.4"
TLD = "synth"
NS = ["ns1.nic.synth.", "ns2.nic.synth."]
POLICY_HOST = "127.44.255.1"   # every synthetic mta-sts host (nginx, see gen_services.py)
OWN_MX = "127.25.255.1"        # every synthetic domain-owned MX host (Postfix)
TTL = 3600
STS = "v=STSv1; id=20240601T120000"
TLSRPT = "v=TLSRPTv1; rua=mailto:tlsrpt@reports.mailhost.test"

SHARED_MX = ["@ MX 10 mx1.mailhost.test.", "@ MX 20 mx2.mailhost.test."]
OTHER_MX = ["@ MX 10 mx1.mailhost.example."]
OWN = ["@ MX 10 mx", f"mx A {OWN_MX}"]
POLICY = [f"mta-sts A {POLICY_HOST}"]


def txt(owner, text):
    return f'{owner} TXT "{text}"'


# kind -> (weight per 10000 domains, records relative to the apex, DNS-phase findings)
KINDS = {
    "plain-shared-mx": (6000, SHARED_MX, []),
    "plain-other-mx": (2000, OTHER_MX, []),
    "plain-own-mx": (1839, OWN, []),
    "tlsrpt-only": (50, SHARED_MX + [txt("_smtp._tls", TLSRPT)], []),
    "tlsrpt-bad-rua": (10, SHARED_MX + [txt("_smtp._tls", "v=TLSRPTv1; rua=http://reports.mailhost.test/")],
                       ["tlsrpt-bad-rua"]),
    "sts-valid": (65, SHARED_MX + [txt("_mta-sts", STS), txt("_smtp._tls", TLSRPT)] + POLICY, []),
    "sts-valid-own-mx": (10, OWN + [txt("_mta-sts", STS), txt("_smtp._tls", TLSRPT)] + POLICY, []),
    "sts-valid-no-tlsrpt": (3, SHARED_MX + [txt("_mta-sts", STS)] + POLICY, []),
    "sts-multistring": (3, SHARED_MX + ['_mta-sts TXT "v=STSv1; " "id=20240601T120000"'] + POLICY, []),
    "sts-multiple": (3, SHARED_MX + [txt("_mta-sts", STS), txt("_mta-sts", "v=STSv1; id=2")] + POLICY,
                     ["sts-record-multiple"]),
    "sts-bad-version": (3, SHARED_MX + [txt("_mta-sts", "v=STSV1; id=20240601")] + POLICY,
                        ["sts-record-bad-version"]),
    "sts-missing-id": (3, SHARED_MX + [txt("_mta-sts", "v=STSv1;")] + POLICY, ["sts-record-missing-id"]),
    "sts-invalid-id": (3, SHARED_MX + [txt("_mta-sts", "v=STSv1; id=2024-06-01")] + POLICY,
                       ["sts-record-invalid-id"]),
    "sts-bad-extension": (2, SHARED_MX + [txt("_mta-sts", "v=STSv1; id=1; mx: mx1.mailhost.test")]
                          + POLICY, ["sts-record-bad-extension"]),
    "sts-policy-dns": (5, SHARED_MX + [txt("_mta-sts", STS), txt("_smtp._tls", TLSRPT)], ["policy-dns"]),
    "sts-mx-none": (1, [txt("_mta-sts", STS)] + POLICY, ["mx-none"]),
}
assert sum(weight for weight, _, _ in KINDS.values()) == 10000

WORDS = ["acme", "blue", "cedar", "delta", "ember", "fjord", "globex", "harbor", "iris", "juniper",
         "kestrel", "lumen", "meadow", "nimbus", "orbit", "pine", "quartz", "river", "summit",
         "tundra", "umbra", "vertex", "willow", "xenon", "yarrow", "zephyr", "mail", "shop",
         "clinic", "school", "bakery", "studio", "law", "farm", "travel", "games"]

QUERY_MIX = [("", "MX"), ("_mta-sts.", "TXT"), ("_smtp._tls.", "TXT"), ("mta-sts.", "A"),
             ("mta-sts.", "AAAA"), ("", "NS")]


def domain_names(count):
    """Deterministic, unique, realistic-looking second-level names."""
    for index in range(count):
        yield f"{WORDS[index % len(WORDS)]}{index // len(WORDS) + 1}-{index % 7919}.{TLD}"


def zone_file(records):
    lines = ["; generated by tools/testnet/gen_synthetic.py: one file for every zone of its kind",
             f"$TTL {TTL}", f"@ SOA {NS[0]} hostmaster.nic.{TLD}. 1 3600 600 86400 300"]
    lines += [f"@ NS {ns}" for ns in NS]
    return "\n".join(lines + records) + "\n"


def absolute_records(records, name):
    """A kind's relative records rewritten for one domain of the flat layout."""
    lines = []
    for record in records:
        owner, rest = record.split(" ", 1)
        owner = f"{name}." if owner == "@" else f"{owner}.{name}."
        rtype, data = rest.split(" ", 1)
        if rtype == "MX" and not data.endswith("."):
            data = f"{data}.{name}."  # a relative MX target such as "10 mx"
        lines.append(f"{owner} {rtype} {data}\n")
    return "".join(lines)


def write(out, count, seed, layout):
    os.makedirs(os.path.join(out, "zones"), exist_ok=True)
    kinds = list(KINDS)
    weights = [KINDS[k][0] for k in kinds]
    rng = random.Random(seed)
    chosen = rng.choices(range(len(kinds)), weights=weights, k=count)
    counts = {kind: 0 for kind in kinds}
    examples = {}  # kind -> its first domain, for check.py's spot check

    for kind in kinds:
        with open(os.path.join(out, "zones", f"{kind}.zone"), "w") as handle:
            handle.write(zone_file(KINDS[kind][1]))

    conf_header = [
        "# generated by tools/testnet/gen_synthetic.py: do not edit",
        "server:",
        f"    ip-address: {ADDRESS}",
        "    port: 53",
        "    do-ip6: no",
        "    reuseport: yes",
        "    server-count: 1",
        '    database: ""',
        '    username: ""',
        '    chroot: ""',
        f'    zonelistfile: "{out}/nsd-synth.zonelist"',
        f'    xfrdfile: "{out}/nsd-synth.xfrd"',
        f'    xfrdir: "{out}"',
        f'    pidfile: "{os.path.dirname(out)}/nsd-synth.pid"',
        f'    logfile: "{os.path.dirname(out)}/nsd-synth.log"',
        "    verbosity: 1",
        "    hide-version: yes",
        "    rrl-ratelimit: 0",
        "    receive-buffer-size: 8388608",  # bursts from benchmarks: no drops
        "    send-buffer-size: 8388608",
        "    refuse-any: yes",
        "    zonefiles-check: no",   # the zone files never change while it runs
        "remote-control:",
        "    control-enable: no",
    ]
    flat = layout == "flat"
    if not flat:
        for kind in kinds:
            conf_header += ["pattern:", f"    name: {kind}",
                            f'    zonefile: "{out}/zones/{kind}.zone"']
    served = "synth-flat.zone" if flat else "synth.zone"
    conf_header += ["zone:", f'    name: "{TLD}."', f'    zonefile: "{out}/{served}"']

    with open(os.path.join(out, "nsd-synth.conf"), "w") as conf, \
            open(os.path.join(out, "domains.txt"), "w") as domains, \
            open(os.path.join(out, "synth.zone"), "w") as registry, \
            open(os.path.join(out, "queries.txt"), "w") as queries, \
            open(os.path.join(out, "policy-hosts.txt"), "w") as policy_hosts, \
            open(os.path.join(out, "mx-hosts.txt"), "w") as mx_hosts, \
            open(os.path.join(out, "synth-flat.zone") if flat else os.devnull, "w") as flat_zone:
        conf.write("\n".join(conf_header) + "\n")
        head = ("; generated by tools/testnet/gen_synthetic.py: a registry-style zone\n"
                f"$ORIGIN {TLD}.\n$TTL 86400\n"
                f"@ SOA {NS[0]} hostmaster.nic.{TLD}. 1 3600 600 86400 3600\n"
                + "".join(f"@ NS {ns}\n" for ns in NS)
                + "".join(f"{ns} A {ADDRESS}\n" for ns in NS))
        registry.write(head)
        if flat:
            flat_zone.write(head.replace("a registry-style zone", "the flat layout's zone"))
        for name, kind_index in zip(domain_names(count), chosen):
            kind = kinds[kind_index]
            counts[kind] += 1
            examples.setdefault(kind, name)
            if flat:
                flat_zone.write(absolute_records(KINDS[kind][1], name))
            else:
                conf.write(f"zone:\n    name: {name}\n    include-pattern: {kind}\n")
            domains.write(name + "\n")
            records = KINDS[kind][1]
            if POLICY[0] in records:
                policy_hosts.write(f"mta-sts.{name}\n")
            if OWN[1] in records and kind.startswith("sts-"):
                mx_hosts.write(f"mx.{name}\n")
            label = name[:-len(TLD) - 1]
            registry.write(f"{label} NS {NS[0]}\n{label} NS {NS[1]}\n")
            queries.write("".join(f"{prefix}{name} {qtype}\n" for prefix, qtype in QUERY_MIX))

    manifest = {
        "domains": count,
        "seed": seed,
        "layout": layout,
        "tld": TLD,
        "nameserver": ADDRESS,
        "query_mix": [f"{prefix}<domain> {qtype}" for prefix, qtype in QUERY_MIX],
        "kinds": {kind: {"count": counts[kind], "example": examples.get(kind),
                         "records": KINDS[kind][1], "dns_phase_findings": KINDS[kind][2]}
                  for kind in kinds},
    }
    with open(os.path.join(out, "manifest.json"), "w") as handle:
        json.dump(manifest, handle, indent=1)
        handle.write("\n")
    return counts


def main(argv):
    parser = argparse.ArgumentParser(description="Generate the synthetic benchmark zone synth.")
    parser.add_argument("count", type=int, help="number of domains")
    parser.add_argument("--out", default=os.path.join(HERE, "run", "synth"))
    parser.add_argument("--seed", type=int, default=8461)
    parser.add_argument("--layout", choices=("zones", "flat"), default="zones")
    options = parser.parse_args(argv)
    if options.count < 1:
        parser.error("count must be positive")
    out = os.path.abspath(options.out)
    counts = write(out, options.count, options.seed, options.layout)
    with_sts = sum(c for k, c in counts.items() if k.startswith("sts-"))
    print(f"gen_synthetic: {options.count} domains ({with_sts} with _mta-sts), "
          f"{options.layout} layout, in {out}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
