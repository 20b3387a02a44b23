#!/usr/bin/env bash
# Stops what start.sh started (by pid file, nothing else) and removes the run
# directory. Safe to run when nothing is running.
#
#   tools/testnet/stop.sh              stop and remove tools/testnet/run/
#   tools/testnet/stop.sh --keep-run   stop, keep the run directory (logs)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

keep_run=0
[[ ${1:-} == --keep-run ]] && keep_run=1

# Alive and not a zombie: a daemon's parent (init) may take a while to reap it.
alive() {
    local state
    state=$(sed -E 's/.*\) ([A-Za-z]).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z ]]
}

# Signal everything first, then wait: NSD takes a second or two to shut down.
declare -A stopping=()
for (( i=${#components[@]}-1; i>=0; i-- )); do
    name=${components[i]}
    if pid=$(component_pid "$name"); then
        kill -TERM "$pid" 2>/dev/null || true
        stopping[$name]=$pid
    fi
    rm -f "$(pid_file "$name")"
done
for (( tick=0; tick<100; tick++ )); do
    remaining=0
    for name in "${!stopping[@]}"; do
        alive "${stopping[$name]}" && remaining=1
    done
    (( remaining )) || break
    sleep 0.05
done
for name in "${!stopping[@]}"; do
    pid=${stopping[$name]}
    if alive "$pid"; then
        echo "testnet: $name (pid $pid) ignored SIGTERM for 5 s, sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    echo "testnet: stopped $name (pid $pid)" >&2
done

# Only a directory start.sh created (it leaves a marker) is ever removed.
if (( ! keep_run )) && [[ -f $run_dir/.testnet-run ]]; then
    rm -rf -- "$run_dir"
fi
