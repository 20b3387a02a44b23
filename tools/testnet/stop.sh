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

stop_component() {
    local name=$1 pid i
    pid=$(component_pid "$name") || { rm -f "$(pid_file "$name")"; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "testnet: $name (pid $pid) ignored SIGTERM for 5 s, sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$(pid_file "$name")"
    echo "testnet: stopped $name (pid $pid)" >&2
}

for (( i=${#components[@]}-1; i>=0; i-- )); do
    stop_component "${components[i]}"
done

# Only a directory start.sh created (it leaves a marker) is ever removed.
if (( ! keep_run )) && [[ -f $run_dir/.testnet-run ]]; then
    rm -rf -- "$run_dir"
fi
