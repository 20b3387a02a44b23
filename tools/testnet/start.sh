#!/usr/bin/env bash
# Starts the local test internet on loopback addresses. DNS: NSD (127.53.0.1),
# a hidden NSD for slow zones (127.53.0.3), the misbehaving nameservers
# (127.53.1.0/24), unbound (127.53.0.2) and, on request, an NSD with a synthetic
# zone for benchmarks (127.53.0.4). HTTPS and SMTP: a fresh test PKI (run/ca/,
# trust anchors run/ca/bundle.pem), nginx for the policy hosts (127.44.x.y:443,
# [::1]:443), a private Postfix for the MX hosts (127.25.x.y:25), hostile.py
# for what no real server does on purpose, and the campaign relay for
# `mtascan notify send`: two more Postfix instances (campaign_relay.py), the
# relay (127.25.254.1:587) and the mailstore behind it (127.25.254.10:25).
#
#   tools/testnet/start.sh                      the scenario catalogue only
#   tools/testnet/start.sh --synthetic 100000   also synth. with 100000 domains
#   TESTNET_SYNTH=100000 tools/testnet/start.sh (the same)
#   ... --synthetic-layout flat                 one big zone instead of a zone per
#                                               domain (TESTNET_SYNTH_LAYOUT=flat);
#                                               see gen_synthetic.py
#
# Idempotent: when everything is already running and healthy (with the same
# synthetic size), it does nothing. Needs root (ports 53, 443, 25) and the
# packages of `tools/setup.sh testnet`; touches nothing outside tools/testnet/run/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

synth_size=${TESTNET_SYNTH:-0}
synth_layout=${TESTNET_SYNTH_LAYOUT:-zones}
while (($#)); do
    case $1 in
        --synthetic) synth_size=${2:?--synthetic needs a number of domains}; shift 2 ;;
        --synthetic=*) synth_size=${1#*=}; shift ;;
        --synthetic-layout) synth_layout=${2:?--synthetic-layout needs zones or flat}; shift 2 ;;
        --synthetic-layout=*) synth_layout=${1#*=}; shift ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        *) echo "start.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
[[ $synth_size =~ ^[0-9]+$ ]] || { echo "start.sh: synthetic size must be a number" >&2; exit 2; }
[[ $synth_layout == zones || $synth_layout == flat ]] \
    || { echo "start.sh: synthetic layout must be zones or flat" >&2; exit 2; }
wanted_synthetic=""
(( synth_size > 0 )) && wanted_synthetic="$synth_size $synth_layout"

say() { echo "testnet: $*" >&2; }

fail() {
    local name=$1 message=$2 log
    say "$message"
    log=$(log_file "$name")
    if [[ -s $log ]]; then
        say "last lines of $log:"
        tail -n 40 "$log" >&2
    fi
    [[ -n ${gen_services_pid:-} ]] && kill "$gen_services_pid" 2>/dev/null
    "$testnet_dir/stop.sh" --keep-run
    say "stopped what was started; logs are kept in $run_dir"
    exit 1
}

# --- already running? -------------------------------------------------------------
all_healthy() {
    local c
    for c in $(wanted_components); do
        component_pid "$c" >/dev/null && component_healthy "$c" || return 1
    done
}
running_synthetic=$(cat "$run_dir/synthetic" 2>/dev/null || true)
if [[ -f $run_dir/.testnet-run && $running_synthetic == "$wanted_synthetic" ]] && all_healthy; then
    say "already running and healthy ($run_dir)"
    exit 0
fi
# Anything half-started or of another size goes first.
"$testnet_dir/stop.sh"

# --- preconditions -------------------------------------------------------------------
for tool in nsd unbound dig python3 ss nginx postconf openssl curl ldns-signzone ldns-keygen; do
    command -v "$tool" >/dev/null || { say "$tool is missing: run tools/setup.sh testnet"; exit 1; }
done
postfix_master=$(postconf -h daemon_directory 2>/dev/null)/master
[[ -x $postfix_master ]] || { say "Postfix's master is missing: run tools/setup.sh testnet"; exit 1; }
if [[ $(id -u) -ne 0 ]]; then
    # Ports 25/53/443, and Postfix's daemons run as the postfix user (chown).
    say "start.sh needs root"
    exit 1
fi
python3 "$testnet_dir/scenarios.py" --check || exit 1

# Another testnet (another worktree's) or a system service on our addresses?
busy=$(ss -Hlntup 2>/dev/null | awk '{print $5, $7}' \
       | grep -E '^(127\.53\.[01]\.[0-9]+:53|127\.44\.[0-9.]+:443|\[::1\]:443|127\.25\.[0-9.]+:(25|587)) ' || true)
if [[ -n $busy ]]; then
    say "testnet addresses are already in use (another testnet? stop it first):"
    echo "$busy" | sort -u -k1,1 | head -n 20 >&2
    exit 1
fi

# --- generate -------------------------------------------------------------------------
mkdir -p "$run_dir"
touch "$run_dir/.testnet-run"
gen_args=()
if (( synth_size > 0 )); then
    python3 "$testnet_dir/gen_synthetic.py" "$synth_size" --layout "$synth_layout" \
        --out "$run_dir/synth" >&2 || fail nsd-synth "gen_synthetic.py failed"
    gen_args+=(--synthetic)
    echo "$wanted_synthetic" > "$run_dir/synthetic"
fi
python3 "$testnet_dir/gen_zones.py" --run "$run_dir" "${gen_args[@]}" \
    || fail nsd "gen_zones.py failed"
# The test PKI, policy bodies, nginx.conf, postfix/, hostile.json: about a second
# of openssl, so it runs while the DNS servers that need no certificate start.
python3 "$testnet_dir/gen_services.py" --run "$run_dir" "${gen_args[@]}" \
    >"$run_dir/gen_services.log" 2>&1 &
gen_services_pid=$!

# --- start ----------------------------------------------------------------------------
# Waits until a component answers; gives up early when its process is gone.
wait_healthy() {  # name, seconds, pattern of its command line
    local name=$1 deadline=$((SECONDS + $2)) pattern=$3
    until component_healthy "$name"; do
        pgrep -f -- "$pattern" >/dev/null || fail "$name" "$name exited during startup"
        (( SECONDS < deadline )) || fail "$name" "$name is not answering after $2 s"
        sleep 0.1
    done
    component_pid "$name" >/dev/null || fail "$name" "$name answers but has no valid pid file"
}

start_nsd() {  # name, config, seconds to wait
    nsd-checkconf "$2" >/dev/null 2>"$run_dir/$1.log" || fail "$1" "$2 is invalid"
    nsd -c "$2" 2>>"$run_dir/$1.log" || fail "$1" "nsd ($1) failed to start"
    wait_healthy "$1" "$3" "nsd -c $2"
    say "$1 up (pid $(component_pid "$1"))"
}

start_nsd nsd-hidden "$run_dir/nsd-hidden.conf" 10
if (( synth_size > 0 )); then
    # NSD reads about 35000 small zones a second (flat: far more domains a second).
    start_nsd nsd-synth "$run_dir/synth/nsd-synth.conf" $((30 + synth_size / 10000))
fi

mapfile -t badns_args < "$run_dir/badns.args"
setsid python3 "$testnet_dir/badns.py" "${badns_args[@]}" --pidfile "$run_dir/badns.pid" \
    </dev/null >>"$run_dir/badns.log" 2>&1 &
wait_healthy badns 10 "badns.py .*--pidfile $run_dir/badns.pid"
say "badns up (pid $(component_pid badns))"

# The signed subtree (dnssec.test) carries TLSA records computed from the certificates:
# the main NSD and unbound (its trust anchor) wait for gen_services.py and gen_dnssec.py.
wait "$gen_services_pid" || { gen_services_pid=""; fail gen_services "gen_services.py failed"; }
gen_services_pid=""
cat "$run_dir/gen_services.log" >&2
python3 "$testnet_dir/gen_dnssec.py" --run "$run_dir" || fail nsd "gen_dnssec.py failed"
start_nsd nsd "$run_dir/nsd.conf" 10

unbound-checkconf "$run_dir/unbound.conf" >/dev/null 2>"$run_dir/unbound.log" \
    || fail unbound "$run_dir/unbound.conf is invalid"
unbound -c "$run_dir/unbound.conf" 2>>"$run_dir/unbound.log" || fail unbound "unbound failed to start"
wait_healthy unbound 15 "unbound -c $run_dir/unbound.conf"
say "unbound up (pid $(component_pid unbound)); resolver: $UNBOUND_ADDR"

# --- HTTPS and SMTP ----------------------------------------------------------------
setsid python3 "$testnet_dir/hostile.py" --config "$run_dir/hostile.json" \
    --pidfile "$run_dir/hostile.pid" </dev/null >>"$run_dir/hostile.log" 2>&1 &
wait_healthy hostile 10 "hostile.py --config $run_dir/hostile.json"
say "hostile up (pid $(component_pid hostile))"

# -p/-e first: without them nginx touches /var/log/nginx before reading its configuration.
nginx_args=(-p "$run_dir/nginx" -e "$run_dir/nginx.log" -c "$run_dir/nginx.conf")
nginx "${nginx_args[@]}" 2>>"$run_dir/nginx.log" || fail nginx "nginx failed to start ($run_dir/nginx.conf)"
wait_healthy nginx 10 "nginx -p $run_dir/nginx"
say "nginx up (pid $(component_pid nginx))"

# master -w returns once the master is up. Its errors go only to postfix.log, and
# those before postlogd runs (a bad master.cf, a port in use) only to syslog: so
# postconf checks the syntax first, and the busy-port check above ran.
postconf -c "$run_dir/postfix" -M >/dev/null 2>>"$run_dir/postfix.log" \
    || fail postfix "$run_dir/postfix/master.cf is invalid"
"$postfix_master" -c "$run_dir/postfix" -w 2>>"$run_dir/postfix.log" \
    || fail postfix "Postfix's master failed to start (run: postfix -c $run_dir/postfix check)"
wait_healthy postfix 10 "master -c $run_dir/postfix"
say "postfix up (pid $(component_pid postfix)); CA bundle (--ca-file): $ca_bundle"

# The campaign relay: the mailstore first, so the relay's first delivery finds it.
start_postfix_instance() {  # name
    local dir=$run_dir/$1
    postconf -c "$dir" -M >/dev/null 2>>"$run_dir/$1.log" || fail "$1" "$dir/master.cf is invalid"
    "$postfix_master" -c "$dir" -w 2>>"$run_dir/$1.log" \
        || fail "$1" "Postfix's master ($1) failed to start (run: postfix -c $dir check)"
    wait_healthy "$1" 10 "master -c $dir"
    say "$1 up (pid $(component_pid "$1"))"
}
start_postfix_instance postfix-mailstore
start_postfix_instance postfix-relay
