#!/usr/bin/env bash
# Stops what tools/testnet/slurm/start.sh started (slurmd, slurmctld, munged:
# by pid file, nothing else; jobs still running are killed with slurmd) and
# removes the run directory. Safe to run when nothing is running.
#
#   tools/testnet/slurm/stop.sh              stop and remove tools/testnet/slurm/run/
#   tools/testnet/slurm/stop.sh --keep-run   stop, keep the run directory (logs, job output)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

keep_run=0
[[ ${1:-} == --keep-run ]] && keep_run=1

alive() {
    local state
    state=$(sed -E 's/.*\) ([A-Za-z]).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z ]]
}

# Job steps of this cluster first: each slurmstepd (its working directory is
# the run directory, its log our slurmd.log) and every process below it, with
# SIGKILL. Jobs are not worth a clean stop here: the run directory goes too.
descendants() {  # pid: prints the pid and all its descendants
    ps -eo pid=,ppid= | awk -v root="$1" '
        { parent[$1] = $2 }
        END {
            for (p in parent) {
                for (q = p; q != "" && q > 1; q = parent[q]) if (q == root) { print p; break }
            }
        }'
}
steps=()
for pid in $(pgrep -x slurmstepd || true); do
    [[ $(readlink "/proc/$pid/cwd" 2>/dev/null) == "$slurm_run" ]] || continue
    mapfile -t -O "${#steps[@]}" steps < <(descendants "$pid")
done
if (( ${#steps[@]} )); then
    kill -STOP "${steps[@]}" 2>/dev/null || true   # no new children while we kill
    kill -KILL "${steps[@]}" 2>/dev/null || true
    echo "slurm: killed ${#steps[@]} processes of running jobs" >&2
fi

# slurmd, then slurmctld, then munged, each waited for: the daemons need munge
# to say goodbye.
for (( i=${#slurm_components[@]}-1; i>=0; i-- )); do
    name=${slurm_components[i]}
    pid=$(slurm_component_pid "$name") || { rm -f "$(slurm_pid_file "$name")"; continue; }
    kill -TERM "$pid" 2>/dev/null || true
    for (( tick=0; tick<100; tick++ )); do
        alive "$pid" || break
        sleep 0.05
    done
    if alive "$pid"; then
        echo "slurm: $name (pid $pid) ignored SIGTERM for 5 s, sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$(slurm_pid_file "$name")"
    echo "slurm: stopped $name (pid $pid)" >&2
done

if (( ! keep_run )) && [[ -f $slurm_run/.slurm-run ]]; then
    rm -rf -- "$slurm_run"
fi
