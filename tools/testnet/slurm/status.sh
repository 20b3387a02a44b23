#!/usr/bin/env bash
# Shows the Slurm test cluster's daemons (pid, health), its node and its jobs.
# Exits 0 when munged, slurmctld and slurmd run and answer, 1 otherwise.
#
#   tools/testnet/slurm/status.sh          the table, sinfo and squeue
#   tools/testnet/slurm/status.sh --env    only `export SLURM_CONF=...` for eval
#                                          (exit 1 if the cluster is not started)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if [[ ${1:-} == --env ]]; then
    [[ -f $slurm_run/.slurm-run && -s $SLURM_CONF ]] || { echo "slurm: not started" >&2; exit 1; }
    printf 'export SLURM_CONF=%q\n' "$SLURM_CONF"
    exit 0
fi

if [[ ! -f $slurm_run/.slurm-run ]]; then
    echo "slurm: not started ($slurm_run does not exist)"
    exit 1
fi

ok=1
printf '%-10s %-8s %-22s %s\n' daemon pid address state
for c in "${slurm_components[@]}"; do
    case $c in
        munged) address=${munge_socket#"$slurm_run"/} ;;
        slurmctld) address=127.0.0.1:$slurm_ctld_port ;;
        slurmd) address=127.0.0.1:$slurm_slurmd_port ;;
    esac
    if pid=$(slurm_component_pid "$c"); then
        if slurm_component_healthy "$c"; then state=healthy; else state="NOT ANSWERING"; ok=0; fi
    else
        pid=-; state="NOT RUNNING"; ok=0
    fi
    printf '%-10s %-8s %-22s %s\n' "$c" "$pid" "$address" "$state"
done
if slurm_component_pid slurmctld >/dev/null; then
    timeout 5 sinfo -N -o '%N %P %T %C' 2>&1 || true
    timeout 5 squeue 2>&1 || true
fi
echo "SLURM_CONF=$SLURM_CONF"
(( ok ))
