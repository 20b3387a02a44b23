#!/usr/bin/env bash
# DNS-phase throughput of `mtascan scan --phases dns`, with default options
# but `--qps 0` (the politeness cap lifted: what is measured is the engine and
# its congestion windows, not the cap), beside a reference on the same server
# in the same run:
#
#   - the test internet's NSD serving the synthetic zone (127.53.0.4,
#     authoritative, nothing to warm): dnsperf's queries/s is the ceiling;
#   - a stock unbound (Debian's defaults; only its address, access control
#     and a stub zone for synth. set), started by this script on 127.53.0.6
#     and restarted before each tool, so every tool sees a cold cache, as a
#     sweep of new names does: massdns is the bulk-DNS reference. massdns is
#     not packaged by Debian or PyPI: set MASSDNS to a massdns binary built
#     from its source (github.com/blechschmidt/massdns, `make`), or the
#     unbound rows are printed without it.
#
# For each: domains/s, queries/s, the ratio, retries and timeouts (mtascan's
# and, through unbound, verdicts that differ from a careful scan of the same
# names: --max-queries-in-flight 16), CPU per query (user + system of the
# mtascan process over queries sent) and peak RSS. Prints Markdown for
# docs/performance.md.
#
#   Benchmarks/scripts/dns-phase.sh [NSD_SIZES="100000 1000000"] [UNBOUND_SIZES="100000"]
# Stops any running test internet and leaves none running.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
nsd_sizes=${1:-"100000 1000000"}
unbound_sizes=${2:-"100000"}
nsd_address=127.53.0.4
unbound_address=127.53.0.6
largest=$(tr ' ' '\n' <<<"$nsd_sizes $unbound_sizes" | sort -n | tail -1)

swift build -c release --product mtascan >/dev/null
mtascan=$PWD/.build/release/mtascan
tools/testnet/stop.sh >/dev/null 2>&1 || true
work=$(mktemp -d)
cleanup() {
    [[ -f $work/unbound.pid ]] && kill "$(cat "$work/unbound.pid")" 2>/dev/null || true
    tools/testnet/stop.sh >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
tools/testnet/start.sh --synthetic "$largest" --synthetic-layout flat >/dev/null
synth=tools/testnet/run/synth

cat >"$work/unbound.conf" <<EOF
# A stock unbound: Debian's defaults but for where it listens and what it may ask.
server:
    interface: $unbound_address
    port: 53
    do-ip6: no
    access-control: 127.0.0.0/8 allow
    username: ""
    chroot: ""
    directory: "$work"
    pidfile: "$work/unbound.pid"
    logfile: "$work/unbound.log"
    use-syslog: no
    do-not-query-localhost: no
    local-zone: "synth." nodefault
stub-zone:
    name: "synth."
    stub-addr: $nsd_address
remote-control:
    control-enable: no
EOF
cold_unbound() {
    if [[ -f $work/unbound.pid ]]; then
        kill "$(cat "$work/unbound.pid")" 2>/dev/null || true
        while [[ -f $work/unbound.pid ]] && kill -0 "$(cat "$work/unbound.pid")" 2>/dev/null; do sleep 0.1; done
    fi
    unbound -c "$work/unbound.conf"
    for _ in $(seq 50); do
        dig +time=1 +tries=1 +short @"$unbound_address" nic.synth. SOA >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "dns-phase: unbound did not start" >&2
    exit 1
}

# run_scan RESOLVER NAMES OUT [OPTIONS...]: prints "<peak RSS KiB> <cpu seconds> <summary key=values>".
run_scan() {
    python3 - "$mtascan" "$@" <<'PY'
import resource, subprocess, sys
mtascan, resolver, names, out, *extra = sys.argv[1:]
result = subprocess.run([mtascan, "scan", "--resolver", resolver, "--phases", "dns", "--qps", "0", "-o", out, *extra, names],
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
summary = [line for line in result.stderr.splitlines() if "records=" in line][-1]
print(usage.ru_maxrss, round(usage.ru_utime + usage.ru_stime, 2), summary)
PY
}
value() { grep -oE "(^| )$1=[0-9.]+" <<<"$2" | cut -d= -f2; }
# Domains whose verdict differs between two scans of the same names.
differing() {
    python3 - "$1" "$2" <<'PY'
import json, sys
def verdicts(path):
    with open(path) as f:
        return {r["input_line"]: r["verdict"] for r in map(json.loads, f)}
a, b = verdicts(sys.argv[1]), verdicts(sys.argv[2])
print(sum(1 for line in a if a[line] != b.get(line)))
PY
}
row() {  # LABEL SIZE PEAK CPU SUMMARY REFERENCE_QPS EXTRA
    local summary=$5 records seconds qps sent
    records=$(value records "$summary"); seconds=$(value seconds "$summary")
    qps=$(value dns_qps "$summary"); sent=$(value dns_sent "$summary")
    local ratio="—"
    [[ $6 != 0 ]] && ratio=$(echo "scale=2; $qps / $6" | bc -l)
    echo "| $1 | $2 | $(echo "scale=0; $records / $seconds" | bc -l) | $qps | $ratio |" \
        "$(value dns_retries "$summary") ($(echo "scale=3; 100 * $(value dns_retries "$summary") / $sent" | bc -l)%) |" \
        "$(value dns_timeouts "$summary") | $(echo "scale=1; 1000000 * $4 / $sent" | bc -l) µs | $(($3 / 1024)) MiB |$7"
}

reference=$(dnsperf -s "$nsd_address" -d "$synth/queries.txt" -l 10 -c 8 -q 2000 2>/dev/null | grep -E "Queries per second" | grep -oE "[0-9.]+")
echo "NSD ceiling (dnsperf -c 8 -q 2000, 10 s, mtascan's full query mix): ${reference%.*} queries/s"
echo
echo "| server | domains | domains/s | queries/s | vs reference | retries | timeouts | CPU per query | peak RSS | verdicts differing from a careful scan |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for size in $nsd_sizes; do
    head -n "$size" "$synth/domains.txt" >"$work/names.txt"
    read -r peak cpu summary < <(run_scan "$nsd_address" "$work/names.txt" "$work/out.ndjson")
    row "NSD direct (vs dnsperf)" "$size" "$peak" "$cpu" "$summary" "$reference" " — |"
done

for size in $unbound_sizes; do
    head -n "$size" "$synth/domains.txt" >"$work/names.txt"
    massdns_qps=""
    if [[ -n ${MASSDNS:-} && -x $MASSDNS ]]; then
        # The same questions mtascan asks of every domain: MX of the name, TXT of
        # _mta-sts and _smtp._tls, NS of the name; one massdns run per type, one
        # cold start for the four.
        echo "$unbound_address" >"$work/resolvers.txt"
        sed 's/^/_mta-sts./' "$work/names.txt" >"$work/txt.txt"
        sed 's/^/_smtp._tls./' "$work/names.txt" >>"$work/txt.txt"
        cold_unbound
        start=$(date +%s.%N)
        "$MASSDNS" -q -r "$work/resolvers.txt" -t MX -o S -w /dev/null "$work/names.txt"
        "$MASSDNS" -q -r "$work/resolvers.txt" -t TXT -o S -w /dev/null "$work/txt.txt"
        "$MASSDNS" -q -r "$work/resolvers.txt" -t NS -o S -w /dev/null "$work/names.txt"
        elapsed=$(echo "$(date +%s.%N) - $start" | bc -l)
        massdns_qps=$(echo "scale=0; 4 * $size / $elapsed" | bc -l)
        echo
        echo "massdns through the cold stock unbound, $size domains × 4 questions: $massdns_qps queries/s"
    fi
    cold_unbound
    read -r _ _ _ < <(run_scan "$unbound_address" "$work/names.txt" "$work/careful.ndjson" --max-queries-in-flight 16)
    cold_unbound
    read -r peak cpu summary < <(run_scan "$unbound_address" "$work/names.txt" "$work/out.ndjson")
    differ=$(differing "$work/careful.ndjson" "$work/out.ndjson")
    row "stock unbound, cold (vs massdns)" "$size" "$peak" "$cpu" "$summary" "${massdns_qps:-0}" " $differ |"
done
