#!/usr/bin/env bash
# Zone-file reading throughput of `mtascan domains --count` beside `wc -l` and
# `zcat` over the same file, measured in one run (best of N). Prints a Markdown
# table for docs/performance.md.
#
#   Benchmarks/scripts/zone-read.sh [DELEGATIONS=1000000] [RUNS=5]
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
count=${1:-1000000}
runs=${2:-5}

swift build -c release --product mtascan >/dev/null
mtascan=.build/release/mtascan
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 tools/testnet/gen_synthetic.py "$count" --out "$work/synth" >/dev/null
zone="$work/synth/synth.zone"
gzip -1 -c "$zone" > "$zone.gz"
bytes=$(stat -c %s "$zone")
lines=$(wc -l < "$zone")

# best_of CMD...: the fastest wall time of $runs runs, in seconds.
best_of() {
    local best=""
    for _ in $(seq "$runs"); do
        local start end elapsed
        start=$(date +%s.%N)
        "$@" >/dev/null
        end=$(date +%s.%N)
        elapsed=$(echo "$end - $start" | bc -l)
        if [[ -z "$best" ]] || (( $(echo "$elapsed < $best" | bc -l) )); then best=$elapsed; fi
    done
    echo "$best"
}

cat "$zone" > /dev/null  # into the page cache, as for every contender
t_wc=$(best_of wc -l "$zone")
t_scan=$(best_of "$mtascan" domains --count --input-format zone "$zone")
t_zcat=$(best_of bash -c "zcat '$zone.gz' | wc -l")
t_zcat_scan=$(best_of bash -c "zcat '$zone.gz' | '$mtascan' domains --count --input-format zone -")
found=$("$mtascan" domains --count --input-format zone "$zone" | head -1)

mbps() { echo "scale=0; $bytes / $1 / 1000000" | bc -l; }
ratio() { echo "scale=3; $1 / $2" | bc -l; }
echo "zone: $count delegations, $lines lines, $bytes bytes; mtascan found: $found"
echo
echo "| reader (same file, page cache, best of $runs) | seconds | MB/s | vs wc -l |"
echo "|---|---|---|---|"
echo "| wc -l | $t_wc | $(mbps "$t_wc") | 1 |"
echo "| mtascan domains --count | $t_scan | $(mbps "$t_scan") | $(ratio "$t_wc" "$t_scan") |"
echo "| zcat \| wc -l | $t_zcat | $(mbps "$t_zcat") | $(ratio "$t_wc" "$t_zcat") |"
echo "| zcat \| mtascan domains --count | $t_zcat_scan | $(mbps "$t_zcat_scan") | $(ratio "$t_wc" "$t_zcat_scan") |"
