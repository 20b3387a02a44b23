#!/usr/bin/env python3
"""Per-domain outcomes (verdict and sorted finding codes) of scans, for check.sh.

  outcomes.py diff REFERENCE.ndjson PART.ndjson...
      one line per domain whose outcome in the parts differs from the
      reference: "domain<TAB>parts' outcome<TAB>reference's outcome"; exit 1
      if there is any (or a domain is missing on either side)
  outcomes.py adjust REFERENCE.ndjson DIFF.tsv OUT.ndjson RESCAN.ndjson...
      OUT = REFERENCE with each differing domain's record replaced by a record
      of the rescans (unsharded scans of those domains alone) whose outcome is
      the parts' one: that outcome is then one an unsharded scan also gives,
      so the difference is the domain's timing, not the sharding. Prints
      the domains so confirmed; exit 1 if some were not.
"""
import json
import sys


def outcome(record):
    codes = sorted(f.get("code", "?") for f in record.get("findings") or [])
    return "%s:%s" % (record.get("verdict"), ",".join(codes))


def records(paths):
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.endswith("\n") and line.strip():
                    yield json.loads(line)


def by_domain(paths):
    return {r.get("domain"): r for r in records(paths)}


def diff(reference, parts):
    ref, got = by_domain([reference]), by_domain(parts)
    different = 0
    for domain in sorted(set(ref) | set(got)):
        a = outcome(got[domain]) if domain in got else "(no record)"
        b = outcome(ref[domain]) if domain in ref else "(no record)"
        if a != b:
            print("%s\t%s\t%s" % (domain, a, b))
            different += 1
    return 1 if different else 0


def adjust(reference, diff_file, out, rescans):
    wanted = {}
    with open(diff_file, encoding="utf-8") as f:
        for line in f:
            domain, parts_outcome, _ = line.rstrip("\n").split("\t")
            wanted[domain] = parts_outcome
    found = {}
    for record in records(rescans):
        domain = record.get("domain")
        if domain in wanted and domain not in found and outcome(record) == wanted[domain]:
            found[domain] = record
    with open(out, "w", encoding="utf-8") as f:
        for record in records([reference]):
            record = found.get(record.get("domain"), record)
            f.write(json.dumps(record, separators=(",", ":")) + "\n")
    for domain in sorted(wanted):
        state = "reproduced" if domain in found else "NOT reproduced"
        print("%s: %s (%s unsharded)" % (domain, wanted[domain], state))
    return 0 if len(found) == len(wanted) else 1


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "diff":
        sys.exit(diff(sys.argv[2], sys.argv[3:]))
    if len(sys.argv) >= 6 and sys.argv[1] == "adjust":
        sys.exit(adjust(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]))
    sys.exit(__doc__)
