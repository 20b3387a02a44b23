#!/usr/bin/env bash
# DNS-phase throughput of `mtascan scan --phases dns` against the test
# internet's NSD serving the synthetic zone (127.53.0.4, authoritative: no
# cache to warm, so every run sees the same server), beside that server's
# ceiling measured by dnsperf in the same run with the query mix mtascan would
# send if it asked everything, plus peak RSS as the input grows.
# Prints Markdown for docs/performance.md.
#
#   Benchmarks/scripts/dns-phase.sh [SIZES="100000 1000000"]
# Stops any running test internet and leaves none running.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
sizes=${1:-"100000 1000000"}
resolver=127.53.0.4
largest=$(tr ' ' '\n' <<<"$sizes" | sort -n | tail -1)

swift build -c release --product mtascan >/dev/null
mtascan=$PWD/.build/release/mtascan
tools/testnet/stop.sh >/dev/null 2>&1 || true
trap 'tools/testnet/stop.sh >/dev/null 2>&1 || true' EXIT
tools/testnet/start.sh --synthetic "$largest" --synthetic-layout flat >/dev/null
synth=tools/testnet/run/synth
work=$(mktemp -d)

# peak_rss_and_summary FILE: runs mtascan on FILE, prints "<peak RSS KiB> <summary key=values>".
run_scan() {
    python3 - "$mtascan" "$resolver" "$1" <<'PY'
import resource, subprocess, sys
mtascan, resolver, names = sys.argv[1:4]
# --qps 0: the per-resolver cap (default 50,000/s, politeness toward a shared
# resolver) would otherwise be what is measured.
result = subprocess.run([mtascan, "scan", "--resolver", resolver, "--phases", "dns", "--qps", "0", names],
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(peak, result.stderr.strip().splitlines()[-1])
PY
}
value() { grep -oE "$1=[0-9.]+" <<<"$2" | cut -d= -f2; }

reference=$(dnsperf -s "$resolver" -d "$synth/queries.txt" -l 10 -c 8 -q 2000 2>/dev/null | grep -E "Queries per second" | grep -oE "[0-9.]+")
lost=$(dnsperf -s "$resolver" -d "$synth/queries.txt" -l 5 -c 8 -q 2000 2>/dev/null | grep -E "Queries lost" | sed 's/^ *//')

echo "server ceiling (dnsperf -c 8 -q 2000, 10 s, full query mix): ${reference} qps ($lost in a 5 s rerun)"
echo
echo "| domains | records | seconds | domains/s | queries/s | vs dnsperf ceiling | retries | timeouts | peak RSS |"
echo "|---|---|---|---|---|---|---|---|---|"
for size in $sizes; do
    head -n "$size" "$synth/domains.txt" > "$work/names.txt"
    read -r peak summary < <(run_scan "$work/names.txt")
    records=$(value records "$summary"); seconds=$(value seconds "$summary"); qps=$(value dns_qps "$summary")
    ratio=$(echo "scale=2; $qps / $reference" | bc -l)
    rate=$(echo "scale=0; $records / $seconds" | bc -l)
    echo "| $size | $records | $seconds | $rate | $qps | $ratio | $(value dns_retries "$summary") | $(value dns_timeouts "$summary") | $((peak / 1024)) MiB |"
done
rm -rf "$work"
