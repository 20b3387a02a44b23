#!/usr/bin/env bash
# End to end on fully valid MTA-STS domains of the test internet: `mtascan scan`
# with every phase, beside postfix-mta-sts-resolver and checkdmarc (both from
# PyPI, installed by this script into a venv under .build/, which git ignores),
# the three on the same domains, the same servers, in the same run.
#
# The domains (tools/testnet/gen_synthetic.py, flat layout), all with a valid
# _mta-sts and TLS-RPT record and a policy host mta-sts.<domain> on the
# synthetic nginx (127.44.255.1, certificate by SNI, an enforce policy listing
# the domain's MX hosts), of one of two kinds (MX_LAYOUT):
#   own     (default) `sts-valid-own-mx`: the domain's own MX host mx.<domain>
#           on the synthetic Postfix (127.25.255.1, certificate by SNI), so
#           every domain has an MX host of its own to probe: a probe per domain.
#           About 0.1% of the zone: it has 1,100 times as many domains as asked
#           for (2.2M for 2,000).
#   shared  `sts-valid`: MX mx1/mx2.mailhost.test (Postfix, 127.25.0.1/.2), the
#           test internet's shared provider, as most real domains are hosted:
#           two probes in all, as every tool here probes a host once.
#           About 0.65% of the zone: 170 times as many.
# SYNTHETIC_DOMAINS overrides the zone's size (one size for both layouts saves
# a restart).
#
# What each tool does per domain:
#   mtascan  `scan` with every phase (dns, policy, mx): MX, TXT _mta-sts and
#            _smtp._tls, A/AAAA of the policy host and of the MX host, NS (and
#            the source's FCrDNS once); the HTTPS policy fetch (TLS 1.3, PKIX
#            and RFC 8461 name checks, parse); a STARTTLS probe of the MX host
#            (banner, EHLO, STARTTLS, handshake, verification, QUIT); a verdict
#            and an NDJSON record. Release build, per-IP politeness lifted
#            (--rate-per-ip 100000 --burst-per-ip 100000 --connections-per-ip
#            64; one nginx and one Postfix address serve every domain, so the
#            defaults would measure the limiter), --resolver 127.53.0.2, the
#            test CA by --ca-file.
#   postfix-mta-sts-resolver  its STSResolver.resolve(domain), the daemon's
#            code path, driven by e2e_sts_resolver.py on one asyncio loop with
#            CONCURRENCY (100) domains in flight: TXT _mta-sts (aiodns), a new
#            aiohttp session per domain (A/AAAA of the policy host, TCP, TLS
#            with verification, GET), policy checks. It probes no MX host.
#   checkdmarc  its CLI, `checkdmarc DOMAINS_FILE -n 127.53.0.2 --check-mx-tls -o
#            FILE`, which checks one domain after another (no
#            concurrency option): DNSSEC, SOA, NS, the MTA-STS record and
#            policy fetch (requests), MX with each host's addresses, PTR and
#            forward confirmation and a STARTTLS test (smtplib, verified), SPF,
#            DMARC, TLS-RPT, BIMI.
#
# Offline: /etc/resolv.conf on these machines points off the machine. Both peers
# get the nameserver explicitly, and in addition run in a private mount
# namespace (unshare) where /etc/resolv.conf is a file naming only 127.53.0.2,
# so a lookup through the C library (checkdmarc's smtplib and requests connect
# by host name) also stays on loopback. They trust the test CA through
# SSL_CERT_FILE (Python's ssl) and REQUESTS_CA_BUNDLE (requests); proxies are
# unset. The DNS cache is warmed first with one `mtascan scan --phases dns
# --dns-all` pass over the domains, as probes.sh does, so no tool pays a cold
# recursion (checkdmarc's extra names, such as _dmarc or SOA, go to the local
# NSD).
#
# Reported per tool: domains/s; the tool's own CPU per domain (user + system of
# the child and its waited-for children, getrusage); machine CPU per domain:
# the /proc/stat delta of user + system + irq + softirq over the run (servers,
# kernel and the tool; `nice` time is left out because the background fuzzers
# run at nice 19 and take what is idle), less the same counters' rate measured
# over 5 quiet seconds just before; peak RSS; and how many domains the tool found
# valid (mtascan: verdict valid; postfix-mta-sts-resolver: VALID; checkdmarc:
# MTA-STS valid and every MX host with STARTTLS). Then mtascan's ratio to each.
# Prints Markdown for docs/performance.md.
#
#   Benchmarks/scripts/e2e.sh [DOMAINS=2000] [CONCURRENCY=100] [ROUNDS=1] [MX_LAYOUT=own]
# ROUNDS > 1 repeats the three tools in turn. Restarts the test internet with
# the synthetic zone (unless it already serves that zone); at exit it is
# stopped, and started again plainly if it was running before
# (E2E_KEEP_TESTNET=1 leaves it running, for a next run).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
domains=${1:-2000}
concurrency=${2:-100}
rounds=${3:-1}
mx_layout=${4:-own}
case $mx_layout in
    own) kind=sts-valid-own-mx; size=${SYNTHETIC_DOMAINS:-$((domains * 1100))} ;;
    shared) kind=sts-valid; size=${SYNTHETIC_DOMAINS:-$((domains * 170))} ;;
    *) echo "e2e: MX_LAYOUT is own or shared" >&2; exit 2 ;;
esac
resolver=127.53.0.2

swift build -c release --product mtascan >/dev/null
mtascan=$PWD/.build/release/mtascan
venv=$PWD/.build/e2e-peers/venv
if [[ ! -x $venv/bin/mta-sts-query || ! -x $venv/bin/checkdmarc ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q postfix-mta-sts-resolver checkdmarc >&2
fi
versions=$("$venv/bin/pip" list 2>/dev/null | awk 'tolower($1) ~ /^(postfix.mta.sts.resolver|checkdmarc|aiohttp|aiodns|dnspython)$/ {printf "%s %s, ", $1, $2}')

was_running=0
tools/testnet/status.sh >/dev/null 2>&1 && was_running=1
work=$(mktemp -d)
restore() {
    [[ -n ${E2E_KEEP_TESTNET:-} ]] && { rm -rf "$work"; return; }
    tools/testnet/stop.sh >/dev/null 2>&1 || true
    ((was_running)) && tools/testnet/start.sh >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap restore EXIT
# start.sh keeps a healthy test internet with the same synthetic zone, else restarts it.
tools/testnet/start.sh --synthetic "$size" --synthetic-layout flat >/dev/null 2>&1
synth=tools/testnet/run/synth
ca=$PWD/tools/testnet/run/ca/bundle.pem

# The domains of the wanted kind, in zone order: the generator's draw again (its
# seed and size are in the manifest), so the kind of every name is exact.
python3 - "$synth/manifest.json" "$kind" "$domains" >"$work/domains.txt" <<'PY'
import json, random, sys
sys.path.insert(0, "tools/testnet")
import gen_synthetic as g
manifest, kind, wanted = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3])
kinds = list(g.KINDS)
chosen = random.Random(manifest["seed"]).choices(range(len(kinds)), weights=[g.KINDS[k][0] for k in kinds],
                                                 k=manifest["domains"])
names = [name for name, index in zip(g.domain_names(manifest["domains"]), chosen) if kinds[index] == kind]
print("\n".join(names[:wanted]))
PY
got=$(wc -l <"$work/domains.txt")
((got == domains)) || { echo "e2e: only $got $kind domains in a zone of $size; set SYNTHETIC_DOMAINS higher" >&2; exit 1; }
echo "nameserver $resolver" >"$work/resolv.conf"

# $work/offline CMD...: CMD in a private mount namespace whose /etc/resolv.conf names
# only the local resolver, trusting only the test CA, without proxies.
cat >"$work/offline" <<EOF
#!/bin/sh
exec env -u http_proxy -u https_proxy -u HTTP_PROXY -u HTTPS_PROXY -u ALL_PROXY NO_PROXY='*' \\
    SSL_CERT_FILE="$ca" REQUESTS_CA_BUNDLE="$ca" \\
    unshare --mount --propagation private -- \\
    sh -c 'mount --bind "$work/resolv.conf" /etc/resolv.conf && exec "\$@"' sh "\$@"
EOF
chmod +x "$work/offline"

# measure BASELINE CMD...: runs CMD (stdout discarded), prints
# "<wall s> <child CPU s> <machine CPU s> <peak RSS KiB> <last stderr line>".
measure() {
    python3 - "$@" <<'PY'
import os, resource, subprocess, sys, time
def busy():  # user + system + irq + softirq of all CPUs, in seconds (nice excluded)
    fields = open("/proc/stat").readline().split()[1:]
    user, nice, system, idle, iowait, irq, softirq = map(int, fields[:7])
    return (user + system + irq + softirq) / os.sysconf("SC_CLK_TCK")
baseline = float(sys.argv[1])
before, start = busy(), time.monotonic()
result = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
wall, machine = time.monotonic() - start, busy() - before
if result.returncode != 0:
    sys.exit(f"{sys.argv[2]} failed ({result.returncode}): {result.stderr[-800:]}")
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
lines = result.stderr.strip().splitlines() or [""]
print(f"{wall:.3f} {usage.ru_utime + usage.ru_stime:.3f} {max(0.0, machine - baseline * wall):.3f}",
      usage.ru_maxrss, lines[-1])
PY
}
# The machine's non-nice CPU per second while no tool runs (servers idle, the
# session, the fuzzers' system time): first wait, up to a minute, for what the
# start left running (NSD loading its zone, ...) to settle below 0.1 s/s, then
# average 5 seconds.
idle_rate() {
    python3 - <<'PY'
import os, time
def busy():
    f = list(map(int, open("/proc/stat").readline().split()[1:8]))
    return (f[0] + f[2] + f[5] + f[6]) / os.sysconf("SC_CLK_TCK")
for _ in range(60):
    before = busy(); time.sleep(1)
    if busy() - before < 0.1:
        break
before = busy(); time.sleep(5); print(f"{(busy() - before) / 5:.3f}")
PY
}

probe=(--resolver "$resolver" --ca-file "$ca" --source-ip 127.0.0.10 --rate-per-ip 100000
       --burst-per-ip 100000 --connections-per-ip 64)
"$mtascan" scan -q --resolver "$resolver" --phases dns --dns-all "$work/domains.txt" >/dev/null
baseline=$(idle_rate)

declare -A wall cpu machine rss valid
run_mtascan() {
    local w c m r s
    read -r w c m r s < <(measure "$baseline" "$mtascan" scan "${probe[@]}" -o "$work/mtascan.ndjson" "$work/domains.txt")
    wall[mtascan]+="$w "; cpu[mtascan]+="$c "; machine[mtascan]+="$m "; rss[mtascan]=$r
    probes=$(grep -oE 'mx_probes=[0-9]+' <<<"$s" | cut -d= -f2)
    valid[mtascan]=$(grep -c '"verdict":"valid"' "$work/mtascan.ndjson" || true)
}
run_resolver() {
    local w c m r s
    read -r w c m r s < <(measure "$baseline" "$work/offline" "$venv/bin/python" Benchmarks/scripts/e2e_sts_resolver.py \
        "$resolver" "$concurrency" "$work/domains.txt")
    wall[resolver]+="$w "; cpu[resolver]+="$c "; machine[resolver]+="$m "; rss[resolver]=$r
    valid[resolver]=$(grep -oE 'valid=[0-9]+' <<<"$s" | head -1 | cut -d= -f2)
}
run_checkdmarc() {
    local w c m r s
    rm -f "$work/checkdmarc.json"
    read -r w c m r s < <(measure "$baseline" "$work/offline" "$venv/bin/checkdmarc" "$work/domains.txt" \
        -n "$resolver" --check-mx-tls -o "$work/checkdmarc.json")
    wall[checkdmarc]+="$w "; cpu[checkdmarc]+="$c "; machine[checkdmarc]+="$m "; rss[checkdmarc]=$r
    valid[checkdmarc]=$(python3 - "$work/checkdmarc.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))
results = results if isinstance(results, list) else [results]
print(sum(1 for r in results if r.get("mta_sts", {}).get("valid")
          and r.get("mx", {}).get("hosts") and all(h.get("starttls") for h in r["mx"]["hosts"])))
PY
)
}
for _ in $(seq "$rounds"); do
    run_mtascan
    run_resolver
    run_checkdmarc
done

# Per tool, over its rounds: mean wall, mean CPU, mean machine CPU.
mean() { tr ' ' '\n' <<<"$1" | awk 'NF { s += $1; n++ } END { printf "%.3f", s / n }'; }
per() { echo "scale=3; 1000 * $1 / $domains" | bc -l | sed 's/^\./0./'; }
ratio() { echo "scale=2; $1 / $2" | bc -l | sed 's/^\./0./'; }
declare -A rate cpu_per machine_per
for tool in mtascan resolver checkdmarc; do
    w=$(mean "${wall[$tool]}")
    wall[$tool]=$w
    rate[$tool]=$(echo "scale=1; $domains / $w" | bc -l)
    cpu_per[$tool]=$(per "$(mean "${cpu[$tool]}")")
    machine_per[$tool]=$(per "$(mean "${machine[$tool]}")")
done

echo "$domains valid MTA-STS domains ($kind: MX layout $mx_layout; synthetic zone of $size, flat); $(nproc) cores;" \
     "load average $(cut -d' ' -f1-3 /proc/loadavg); idle non-nice CPU ${baseline} s/s subtracted;" \
     "$rounds round(s); ${versions%, }"
echo
echo "| tool | per domain | seconds | domains/s | tool CPU per domain | machine CPU per domain | peak RSS | found valid |"
echo "|---|---|---|---|---|---|---|---|"
echo "| mtascan (every phase) | DNS, policy fetch, STARTTLS probe of every MX host ($probes probes) | ${wall[mtascan]} | ${rate[mtascan]} | ${cpu_per[mtascan]} ms | ${machine_per[mtascan]} ms | $((rss[mtascan] / 1024)) MiB | ${valid[mtascan]} |"
echo "| postfix-mta-sts-resolver ($concurrency in flight) | TXT, policy fetch; no MX probe | ${wall[resolver]} | ${rate[resolver]} | ${cpu_per[resolver]} ms | ${machine_per[resolver]} ms | $((rss[resolver] / 1024)) MiB | ${valid[resolver]} |"
echo "| checkdmarc --check-mx-tls (sequential) | DNSSEC, SOA, NS, MX (PTR, STARTTLS), SPF, DMARC, MTA-STS fetch, TLS-RPT, BIMI | ${wall[checkdmarc]} | ${rate[checkdmarc]} | ${cpu_per[checkdmarc]} ms | ${machine_per[checkdmarc]} ms | $((rss[checkdmarc] / 1024)) MiB | ${valid[checkdmarc]} |"
echo
echo "| mtascan vs | domains/s (higher is better) | tool CPU per domain (lower) | machine CPU per domain (lower) |"
echo "|---|---|---|---|"
for tool in resolver checkdmarc; do
    name=postfix-mta-sts-resolver; [[ $tool == checkdmarc ]] && name=checkdmarc
    echo "| $name | **$(ratio "${rate[mtascan]}" "${rate[$tool]}")×** | $(ratio "${cpu_per[mtascan]}" "${cpu_per[$tool]}")× | $(ratio "${machine_per[mtascan]}" "${machine_per[$tool]}")× |"
done
