#!/usr/bin/env bash
# Policy fetches/s and STARTTLS probes/s of `mtascan scan` on loopback, each
# beside a reference client measured in the same run against the same server:
#   policy: curl --parallel (64 at once, a new connection per name: the names
#           differ, so nothing is reused) against the synthetic policy hosts'
#           nginx (127.44.255.1), every name verified against the test CA;
#   mx:     openssl s_client -starttls smtp, 16 at once (xargs -P 16), against
#           the synthetic MX Postfix (127.25.255.1).
# mtascan runs with politeness lifted (--rate-per-ip/--burst-per-ip 100000,
# --connections-per-ip 64) so the limiter is not what is measured; its DNS is
# warmed first (one --phases dns --dns-all pass), so the figures are the
# connections, not recursion. Client CPU per connection (user + system of the
# command and its waited-for children over the connections it made: for
# mtascan that includes its DNS lookups and records; for openssl, the 16-wide
# xargs and one process start per probe) and peak RSS from getrusage of each
# command.
# Prints Markdown for docs/performance.md.
#
#   Benchmarks/scripts/probes.sh [SYNTHETIC_DOMAINS=300000] [MX_DOMAINS=3000] [OPENSSL_PROBES=1000]
# Restarts the test internet with synthetic data; at exit it is stopped, and
# started again plainly if it was running before.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
size=${1:-300000}
mx_domains=${2:-3000}
openssl_probes=${3:-1000}

swift build -c release --product mtascan >/dev/null
mtascan=$PWD/.build/release/mtascan
was_running=0
tools/testnet/status.sh >/dev/null 2>&1 && was_running=1
work=$(mktemp -d)
restore() {
    tools/testnet/stop.sh >/dev/null 2>&1 || true
    ((was_running)) && tools/testnet/start.sh >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap restore EXIT
tools/testnet/stop.sh >/dev/null 2>&1 || true
tools/testnet/start.sh --synthetic "$size" --synthetic-layout flat >/dev/null 2>&1
synth=tools/testnet/run/synth
ca=$PWD/tools/testnet/run/ca/bundle.pem

# Every synthetic MTA-STS domain (a policy host each, all on 127.44.255.1), and
# domains whose own MX mx.<domain> is on 127.25.255.1 (probed with --probe-all-mx;
# its certificate names mx.synth, so each probe ends in a verified name mismatch).
sed 's/^mta-sts\.//' "$synth/policy-hosts.txt" > "$work/sts.txt"
awk -v n="$mx_domains" '/^mx\..* A 127\.25\.255\.1$/ { sub(/^mx\./, ""); sub(/\. A .*/, ""); print
    if (++count >= n) exit }' "$synth/synth-flat.zone" > "$work/own-mx.txt"
awk '{print "url = \"https://mta-sts." $1 "/.well-known/mta-sts.txt\"\noutput = \"/dev/null\""}' \
    "$work/sts.txt" > "$work/curl.cfg"
head -n "$openssl_probes" "$work/own-mx.txt" | sed 's/^/mx./' > "$work/mx-hosts.txt"

# measure CMD...: runs CMD (stdout discarded), prints
# "<wall seconds> <peak RSS KiB> <CPU seconds> <last stderr line>".
measure() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys, time
start = time.monotonic()
result = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
wall = time.monotonic() - start
if result.returncode != 0:
    sys.exit(f"{sys.argv[1]} failed ({result.returncode}): {result.stderr[-500:]}")
lines = result.stderr.strip().splitlines() or [""]
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{wall:.3f}", usage.ru_maxrss, f"{usage.ru_utime + usage.ru_stime:.3f}", lines[-1])
PY
}
value() { grep -oE "$1=[0-9.]+" <<<"$2" | cut -d= -f2; }
ratio() { echo "scale=2; $1 / $2" | bc -l | sed "s/^\./0./"; }
rate() { echo "scale=0; $1 / $2" | bc -l; }

dns=(--resolver 127.53.0.2)
probe=("${dns[@]}" --ca-file "$ca" --source-ip 127.0.0.10 --rate-per-ip 100000 --burst-per-ip 100000
       --connections-per-ip 64 --max-connections 500)
"$mtascan" scan -q "${dns[@]}" --phases dns --dns-all "$work/sts.txt" >/dev/null
"$mtascan" scan -q "${dns[@]}" --phases dns --dns-all "$work/own-mx.txt" >/dev/null

read -r _ policy_rss policy_cpu policy_summary < <(measure "$mtascan" scan "${probe[@]}" --phases dns,policy "$work/sts.txt")
read -r curl_wall curl_rss curl_cpu _ < <(measure curl -s --parallel --parallel-max 64 --connect-to ::127.44.255.1:443 \
    --cacert "$ca" --fail -K "$work/curl.cfg")
read -r _ mx_rss mx_cpu mx_summary < <(measure "$mtascan" scan "${probe[@]}" --phases dns,mx --probe-all-mx "$work/own-mx.txt")
read -r openssl_wall openssl_rss openssl_cpu _ < <(measure xargs -a "$work/mx-hosts.txt" -P 16 -I{} \
    openssl s_client -brief -starttls smtp -connect 127.25.255.1:25 -servername {} -CAfile "$ca" -verify_hostname {})

fetches=$(value policy_fetches "$policy_summary"); policy_seconds=$(value seconds "$policy_summary")
probes=$(value mx_probes "$mx_summary"); mx_seconds=$(value seconds "$mx_summary")
policy_rate=$(rate "$fetches" "$policy_seconds"); curl_rate=$(rate "$(wc -l < "$work/sts.txt")" "$curl_wall")
mx_rate=$(rate "$probes" "$mx_seconds"); openssl_rate=$(rate "$openssl_probes" "$openssl_wall")

echo "synthetic zone: $size domains (flat); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
# Client CPU per connection in ms.
per() { echo "scale=3; 1000 * $1 / $2" | bc -l | sed 's/^\./0./'; }
policy_per=$(per "$policy_cpu" "$fetches"); curl_per=$(per "$curl_cpu" "$(wc -l < "$work/sts.txt")")
mx_per=$(per "$mx_cpu" "$probes"); openssl_per=$(per "$openssl_cpu" "$openssl_probes")

echo "| work | client | connections | seconds | per second | vs reference | client CPU per connection | CPU vs reference | peak RSS |"
echo "|---|---|---|---|---|---|---|---|---|"
echo "| policy fetch | mtascan (\`--phases dns,policy\`) | $fetches | $policy_seconds | $policy_rate | **$(ratio "$policy_rate" "$curl_rate")** | $policy_per ms | **$(ratio "$policy_per" "$curl_per")** | $((policy_rss / 1024)) MiB |"
echo "| policy fetch | curl --parallel-max 64 | $(wc -l < "$work/sts.txt") | $curl_wall | $curl_rate | 1 | $curl_per ms | 1 | $((curl_rss / 1024)) MiB |"
echo "| STARTTLS probe | mtascan (\`--phases dns,mx --probe-all-mx\`) | $probes | $mx_seconds | $mx_rate | **$(ratio "$mx_rate" "$openssl_rate")** | $mx_per ms | **$(ratio "$mx_per" "$openssl_per")** | $((mx_rss / 1024)) MiB |"
echo "| STARTTLS probe | openssl s_client × 16 | $openssl_probes | $openssl_wall | $openssl_rate | 1 | $openssl_per ms | 1 | $((openssl_rss / 1024)) MiB (one process) |"
