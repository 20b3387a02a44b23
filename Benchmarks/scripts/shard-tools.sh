#!/usr/bin/env bash
# Memory and speed of `mtascan verify` and `mtascan merge` as a sharded scan
# grows (issue 11: streamed, bounded memory at 100 million records), beside
# `cat` of the same parts (the I/O floor) measured in the same run.
#
#   Benchmarks/scripts/shard-tools.sh "1000000 10000000"
#
# For each size N: an input list of N names and 4 parts holding one DNS-phase
# record (about 700 bytes) per name, each in the part its shard hash names,
# with the metadata side files a scan writes. Prints peak RSS (GNU time), wall
# time and RSS bytes per input line for verify and merge, and cat's wall time.
# Needs about 1.5 KB of disk per name; files under $WORK (default
# .build/shard-bench), removed unless KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=${1:-"1000000 10000000"}
mtascan=${MTASCAN:-.build/release/mtascan}
work=${WORK:-.build/shard-bench}
[[ -x $mtascan ]] || { echo "build first: swift build -c release --product mtascan" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }
mkdir -p "$work"

generate() {  # N DIR
    python3 - "$@" <<'EOF'
import json, os, sys
n, directory = int(sys.argv[1]), sys.argv[2]
count = 4
def shard(key):
    h = 0xcbf29ce484222325
    for b in key.encode():
        h = ((h ^ b) * 0x100000001b3) % 2**64
    return (h * count) >> 64
input_path = os.path.join(directory, "input.txt")
parts = [open(os.path.join(directory, f"part-{i}.ndjson"), "w") for i in range(count)]
with open(input_path, "w") as names:
    for i in range(n):
        domain = f"d{i}.example{i % 9973}.com"
        names.write(domain + "\n")
        parts[shard(domain)].write(
            '{"schema_version":1,"domain":"%s","input_line":%d,"input_error":null,"excluded":null,'
            '"verdict":"no-mta-sts","mode":null,"phases":["dns"],"findings":[],'
            '"sts_record":{"lookup":"nxdomain","txt":[],"status":"absent","id":null},'
            '"tlsrpt":{"lookup":"nxdomain","txt":[],"status":"absent","rua":[]},"policy_host":null,"policy":null,'
            '"mx":{"lookup":"answer","hosts":[{"preference":10,"host":"mx.%s","ipv4":null,"ipv6":null,'
            '"address_lookup":null,"tlsa":null,"provider":null,"matches_policy":null,"pattern":null,'
            '"pkix_valid":null,"probes":null}]},"ns":{"lookup":"answer","values":["ns1.example-dns.net"]}}\n'
            % (domain, i + 1, domain))
size = os.path.getsize(input_path)
for i, part in enumerate(parts):
    part.close()
    meta = {"schema_version": 1, "tool": "mtascan", "tool_version": "bench", "state": "complete", "complete": True,
            "stop_reason": None, "abandoned_in_flight": 0, "resumes": [], "started_at": "2026-01-01T00:00:00Z",
            "finished_at": "2026-01-01T01:00:00Z", "duration_seconds": 3600,
            "input": {"path": input_path, "format": "list", "size_bytes": size},
            "shard": {"index": i, "count": count, "hash": "fnv1a64-high", "source": "option"},
            "phases": ["dns"], "options": {}, "counts": {}, "dns": {}}
    with open(os.path.join(directory, f"part-{i}.ndjson.meta.json"), "w") as side:
        side.write(json.dumps(meta) + "\n")
EOF
}

timed() {  # LABEL N COMMAND...
    local label=$1 n=$2; shift 2
    /usr/bin/time -f "%M %e" -o "$work/time" "$@" > "$work/out-$label" 2>&1 || {
        echo "$label failed:" >&2; tail -5 "$work/out-$label" >&2; exit 1; }
    read -r rss_kib wall < "$work/time"
    printf '%-8s %12d %10.1f %9.1f %12.1f\n' "$label" "$n" "$((rss_kib / 1024))" "$wall" \
        "$(echo "$rss_kib * 1024 / $n" | bc -l)"
}

printf '%-8s %12s %10s %9s %12s\n' command lines "RSS MiB" "wall s" "B/line"
for n in $sizes; do
    dir=$work/$n
    mkdir -p "$dir"
    [[ -s $dir/input.txt ]] || generate "$n" "$dir"
    timed cat "$n" sh -c "cat $dir/part-*.ndjson > $dir/cat.ndjson"
    rm -f "$dir/cat.ndjson"
    timed verify "$n" "$mtascan" verify "$dir/input.txt" "$dir"/part-{0,1,2,3}.ndjson
    grep -q "verify: OK" "$work/out-verify" || { echo "verify did not say OK" >&2; exit 1; }
    timed merge "$n" "$mtascan" merge -o "$dir/merged.ndjson" "$dir"/part-{0,1,2,3}.ndjson
    [[ $(wc -l < "$dir/merged.ndjson") -eq $n ]] || { echo "merge lost records" >&2; exit 1; }
    [[ ${KEEP:-0} == 1 ]] || rm -rf "$dir"
done
