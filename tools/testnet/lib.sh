# Shared by start.sh, stop.sh, status.sh and check.sh; sourced, not run.
# Every address is on 127/8 and every query names its server explicitly:
# /etc/resolv.conf on these machines points off the machine.

testnet_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
run_dir=${TESTNET_RUN:-$testnet_dir/run}

NSD_ADDR=127.53.0.1
UNBOUND_ADDR=127.53.0.2
NSD_HIDDEN_ADDR=127.53.0.3
NSD_SYNTH_ADDR=127.53.0.4
BADNS_REFUSED_ADDR=127.53.1.3

# Components in start order; stop goes the other way.
components=(nsd nsd-hidden nsd-synth badns unbound hostile nginx postfix postfix-mailstore postfix-relay)

# The program a component's pid must be running, so that a stale pid file
# whose number was reused by another process is never signalled.
component_program() {
    case $1 in
        nsd|nsd-hidden|nsd-synth) echo nsd ;;
        unbound) echo unbound ;;
        badns) echo badns.py ;;
        hostile) echo hostile.py ;;
        nginx) echo nginx ;;
        postfix|postfix-relay|postfix-mailstore) echo master ;;
    esac
}

pid_file() {
    case $1 in
        postfix|postfix-relay|postfix-mailstore) echo "$run_dir/$1/spool/pid/master.pid" ;;  # Postfix's own
        *) echo "$run_dir/$1.pid" ;;
    esac
}

# The trust anchors of the test PKI: `mtascan --ca-file "$ca_bundle"`.
ca_bundle=$run_dir/ca/bundle.pem

# First line of an SMTP server's greeting, within 2 s (bash's /dev/tcp: no nc needed).
smtp_banner() {  # address [port]
    timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2" && head -n 1 <&3' _ "$1" "${2:-25}" 2>/dev/null | tr -d '\r'
}

# The campaign relay (campaign_relay.py): submission, and the mailstore behind it.
RELAY_ADDR=127.25.254.1
RELAY_HOST=relay.mailhost.test
MAILSTORE_ADDR=127.25.254.10
MAILSTORE_HOST=mx.mailstore.test

# Variables gen_services.py wrote for the health checks (NGINX_HEALTH_HOST...).
health_vars() {
    [[ -r $run_dir/health.env ]] && source "$run_dir/health.env"
}

# Prints the pid of a running component started from this run directory.
component_pid() {
    local file pid cmdline
    file=$(pid_file "$1")
    [[ -r $file ]] || return 1
    pid=$(tr -dc '0-9' < "$file")
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
    cmdline=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ $cmdline == *"$(component_program "$1")"* && $cmdline == *"$run_dir"* ]] || return 1
    echo "$pid"
}

# One query with a short timeout; prints dig's output.
ask() {
    local server=$1; shift
    dig @"$server" +time=1 +tries=1 +norecurse "$@" 2>&1
}

# Is the component answering as it should?
component_healthy() {
    case $1 in
        nsd) ask $NSD_ADDR SOA test. | grep -q 'status: NOERROR' ;;
        nsd-hidden) ask $NSD_HIDDEN_ADDR SOA slow-ns.test. | grep -q 'status: NOERROR' ;;
        nsd-synth) ask $NSD_SYNTH_ADDR SOA synth. | grep -q 'status: NOERROR' ;;
        badns) ask $BADNS_REFUSED_ADDR SOA test. | grep -q 'status: REFUSED' ;;
        unbound) dig @$UNBOUND_ADDR +time=2 +tries=1 +short A ns1.nic.test. 2>/dev/null \
                     | grep -qx "$NSD_ADDR" ;;
        nginx) health_vars && curl -sS -o /dev/null --max-time 2 --cacert "$ca_bundle" \
                   --resolve "$NGINX_HEALTH_HOST:443:$NGINX_HEALTH_ADDR" \
                   "https://$NGINX_HEALTH_HOST/.well-known/mta-sts.txt" 2>/dev/null ;;
        postfix) health_vars && [[ $(smtp_banner "$POSTFIX_HEALTH_ADDR") == "220 $POSTFIX_HEALTH_HOST "* ]] ;;
        postfix-relay) [[ $(smtp_banner $RELAY_ADDR 587) == "220 $RELAY_HOST "* ]] ;;
        postfix-mailstore) [[ $(smtp_banner $MAILSTORE_ADDR) == "220 $MAILSTORE_HOST "* ]] ;;
        hostile) health_vars && [[ $(smtp_banner "$HOSTILE_HEALTH_ADDR") == "220 "* ]] ;;
    esac
}

# Components this run directory expects (nsd-synth only with a synthetic zone).
wanted_components() {
    local c
    for c in "${components[@]}"; do
        if [[ $c == nsd-synth && ! -s $run_dir/synthetic ]]; then
            continue
        fi
        echo "$c"
    done
}

log_file() { echo "$run_dir/$1.log"; }
