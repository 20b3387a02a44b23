#!/usr/bin/env bash
# Starts a one-node Slurm cluster on 127.0.0.1 from Debian's packages
# (slurmctld, slurmd, slurm-client, munge): a munged of its own with a key made
# here, slurmctld and slurmd, all state, logs and pid files in
# tools/testnet/slurm/run/ (SLURM_TESTNET_RUN moves it). Partition "test", node
# "localhost", two jobs per core: four one-CPU array tasks at once on 2 CPUs.
#
#   tools/testnet/slurm/start.sh               ~2 s; does nothing if already healthy
#   eval "$(tools/testnet/slurm/status.sh --env)"   then sbatch, squeue, scontrol...
#
# Ports 16817 (slurmctld) and 16818 (slurmd); SLURM_TESTNET_CTLD_PORT and
# SLURM_TESTNET_SLURMD_PORT change them. Needs root (jobs run as root, and so
# do the daemons: SlurmUser=root). It does not need the DNS test internet, and
# the test internet does not need it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

say() { echo "slurm: $*" >&2; }

fail() {
    local name=$1 message=$2 log
    say "$message"
    log=$(slurm_log_file "$name")
    if [[ -s $log ]]; then
        say "last lines of $log:"
        tail -n 30 "$log" >&2
    fi
    "$slurm_dir/stop.sh" --keep-run
    say "stopped what was started; logs are kept in $slurm_run"
    exit 1
}

all_healthy() {
    local c
    for c in "${slurm_components[@]}"; do
        slurm_component_pid "$c" >/dev/null && slurm_component_healthy "$c" || return 1
    done
}
if [[ -f $slurm_run/.slurm-run ]] && all_healthy; then
    say "already running and healthy ($slurm_run)"
    exit 0
fi
# Anything half-started goes first.
"$slurm_dir/stop.sh"

# --- preconditions -------------------------------------------------------------------
for tool in munged mungekey munge unmunge slurmctld slurmd sbatch scontrol sinfo squeue ss; do
    command -v "$tool" >/dev/null || { say "$tool is missing: run tools/setup.sh testnet"; exit 1; }
done
if [[ $(id -u) -ne 0 ]]; then
    say "start.sh needs root (SlurmUser=root, and jobs run as root)"
    exit 1
fi
# A unix socket path holds at most 107 bytes.
(( ${#munge_socket} < 100 )) \
    || { say "run directory path too long for munge's socket: set SLURM_TESTNET_RUN to a shorter one"; exit 1; }
# Slurm and munge resolve this machine's name and "localhost"; from /etc/hosts
# that never leaves the machine, through /etc/resolv.conf it would.
for name in localhost "$(hostname -s)"; do
    getent -s files hosts "$name" | grep -q '^127\.' \
        || { say "$name is not a 127.x address in /etc/hosts: Slurm would ask DNS for it; add it"; exit 1; }
done
busy=$(ss -Hltn 2>/dev/null | awk '{print $4}' | grep -E ":($slurm_ctld_port|$slurm_slurmd_port)\$" || true)
if [[ -n $busy ]]; then
    say "ports $slurm_ctld_port/$slurm_slurmd_port are in use (another cluster? stop it first): $busy"
    exit 1
fi

# --- configure -----------------------------------------------------------------------
mkdir -p "$slurm_run"
touch "$slurm_run/.slurm-run"
# munge checks that nobody else can write where its key, socket and logs live.
chmod 0755 "$slurm_run"
mkdir -p "$slurm_run/munge" "$slurm_run/state" "$slurm_run/spool" "$slurm_run/tmp" "$slurm_run/jobs"
chmod 0755 "$slurm_run/munge"
chmod 0700 "$slurm_run/state" "$slurm_run/spool"
chmod 1777 "$slurm_run/tmp"
[[ -s $slurm_run/munge/munge.key ]] || mungekey --create --keyfile="$slurm_run/munge/munge.key"
chmod 0600 "$slurm_run/munge/munge.key"

cpus=$(nproc)
sed -e "s|@RUN@|$slurm_run|g" -e "s|@CTLD_PORT@|$slurm_ctld_port|g" \
    -e "s|@SLURMD_PORT@|$slurm_slurmd_port|g" -e "s|@CPUS@|$cpus|g" -e "s|@MEMORY@|1000|g" \
    "$slurm_dir/slurm.conf.in" > "$SLURM_CONF"

# --- start ---------------------------------------------------------------------------
wait_healthy() {  # name, seconds
    local name=$1 deadline=$((SECONDS + $2))
    until slurm_component_pid "$name" >/dev/null && slurm_component_healthy "$name"; do
        (( SECONDS < deadline )) || fail "$name" "$name is not answering after $2 s"
        sleep 0.1
    done
}

# As root munged wants --force; it forks and writes its pid file.
munged --force --socket="$munge_socket" --key-file="$slurm_run/munge/munge.key" \
    --pid-file="$slurm_run/munge/munged.pid" --log-file="$slurm_run/munge/munged.log" \
    --seed-file="$slurm_run/munge/munged.seed" --num-threads=2 --origin=127.0.0.1 \
    || fail munged "munged did not start"
wait_healthy munged 10

# -c: a fresh cluster every start, no jobs or node states from an earlier run.
slurmctld -c -f "$SLURM_CONF" || fail slurmctld "slurmctld did not start"
wait_healthy slurmctld 20
slurmd -f "$SLURM_CONF" || fail slurmd "slurmd did not start"
wait_healthy slurmd 20

say "running: partition test, node localhost ($cpus CPUs, 2 jobs per core), run directory $slurm_run"
say "use it: export SLURM_CONF=$SLURM_CONF"
