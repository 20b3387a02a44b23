#!/usr/bin/env bash
# Memory of `mtascan report --compare` as the scans grow (issue 11: bounded at
# 160 million domains), beside a reference binary measured in the same run
# (e.g. a build from before the external sort).
#
#   Benchmarks/scripts/compare-memory.sh "1000000 10000000"
#   REFERENCE=/path/to/old/mtascan Benchmarks/scripts/compare-memory.sh "1000000 10000000"
#
# For each size N it writes two synthetic scans of N DNS-phase records (a zone
# scan's typical record, about 700 bytes; 97% no-mta-sts, 2% valid, 1%
# misconfigured), NEW with 1% of verdicts changed, 0.5% of domains gone and
# 0.5% new, in another order than OLD (records come in completion order).
# Then it runs `report --compare --format json --changes FILE` with the
# default --sort-memory and prints peak RSS (GNU time), wall time, the most
# the sort's temporary folder held, and bytes of RSS per domain; the same for
# REFERENCE if given. Needs about 1.5 KB of disk per domain (two scans and the
# runs): 15 GB at 10 million. Files go under $WORK (default .build/compare-bench),
# removed at the end unless KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=${1:-"1000000 10000000"}
mtascan=${MTASCAN:-.build/release/mtascan}
work=${WORK:-.build/compare-bench}
[[ -x $mtascan ]] || { echo "build first: swift build -c release --product mtascan" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }
mkdir -p "$work"

generate() {  # N OLD NEW
    python3 - "$@" <<'EOF'
import sys
n, old_path, new_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
verdicts = ["no-mta-sts"] * 97 + ["valid"] * 2 + ["misconfigured"]
def record(i, verdict, line):
    domain = f"d{i}.example{i % 9973}.com"
    findings = ('[{"code":"sts-record-missing-id","record":"v=STSv1;","severity":"error","component":"sts-record"}]'
                if verdict == "misconfigured" else "[]")
    sts = ('{"lookup":"nxdomain","txt":[],"status":"absent","id":null}' if verdict == "no-mta-sts"
           else '{"lookup":"answer","txt":["v=STSv1; id=20240101"],"status":"valid","id":"20240101"}')
    return ('{"schema_version":1,"domain":"%s","input_line":%d,"input_error":null,"excluded":null,"verdict":"%s",'
            '"mode":null,"phases":["dns"],"findings":%s,"sts_record":%s,'
            '"tlsrpt":{"lookup":"nxdomain","txt":[],"status":"absent","rua":[]},"policy_host":null,"policy":null,'
            '"mx":{"lookup":"answer","hosts":[{"preference":10,"host":"mx.%s","ipv4":null,"ipv6":null,'
            '"address_lookup":null,"tlsa":null,"provider":null,"matches_policy":null,"pattern":null,"pkix_valid":null,'
            '"probes":null}]},"ns":{"lookup":"answer","values":["ns1.example-dns.net","ns2.example-dns.net"]}}\n'
            % (domain, line, verdict, findings, sts, domain))
with open(old_path, "w") as old:
    for i in range(n):
        old.write(record(i, verdicts[(i * 7919) % 100], i + 1))
with open(new_path, "w") as new:
    # Blocks of 4096 in reverse: completion order is not input order.
    block = 4096
    for start in range(((n + n // 200) // block) * block, -1, -block):
        for i in range(start, min(start + block, n + n // 200)):
            if i < n and i % 200 == 3:
                continue                      # gone
            verdict = verdicts[(i * 7919) % 100]
            if i % 100 == 5:
                verdict = "valid" if verdict != "valid" else "misconfigured"
            new.write(record(i, verdict, i + 1))
EOF
}

measure() {  # LABEL BINARY OLD NEW
    local label=$1 binary=$2 old=$3 new=$4
    local tmp=$work/tmp-$label
    rm -rf "$tmp"; mkdir -p "$tmp"
    local peak_disk=0
    ( while sleep 0.5; do du -sb "$tmp" 2>/dev/null | cut -f1; done ) > "$work/disk-$label" &
    local sampler=$!
    local start=$SECONDS
    TMPDIR=$tmp /usr/bin/time -f "%M %e" -o "$work/time-$label" \
        "$binary" report --compare --format json --changes "$work/changes-$label.ndjson" "$old" "$new" > "$work/report-$label.json"
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    peak_disk=$(sort -n "$work/disk-$label" | tail -1)
    read -r rss_kib wall < "$work/time-$label"
    local changed; changed=$(wc -l < "$work/changes-$label.ndjson")
    printf '%-10s %12d %10.1f %12.1f %10.1f %14.1f %9d\n' "$label" "$n" "$((rss_kib / 1024))" "$wall" \
        "$(echo "$rss_kib * 1024 / $n" | bc -l)" "$(echo "${peak_disk:-0} / 1048576" | bc -l)" "$changed"
    rm -rf "$tmp"
}

printf '%-10s %12s %10s %12s %10s %14s %9s\n' binary domains "RSS MiB" "wall s" "B/domain" "sort disk MiB" changes
for n in $sizes; do
    old=$work/old-$n.ndjson new=$work/new-$n.ndjson
    [[ -s $old && -s $new ]] || generate "$n" "$old" "$new"
    measure mtascan "$mtascan" "$old" "$new"
    if [[ -n ${REFERENCE:-} ]]; then
        measure reference "$REFERENCE" "$old" "$new"
        # Same tables either way (the change list's order differs: domain order now).
        if ! diff <(jq -S .tables "$work/report-mtascan.json") <(jq -S .tables "$work/report-reference.json") >/dev/null; then
            echo "the two binaries' tables differ at $n domains" >&2
        fi
        if ! diff <(sort "$work/changes-mtascan.ndjson") <(sort "$work/changes-reference.ndjson") >/dev/null; then
            echo "the two binaries' changes differ at $n domains" >&2
        fi
    fi
    [[ ${KEEP:-0} == 1 ]] || rm -f "$old" "$new"
done
