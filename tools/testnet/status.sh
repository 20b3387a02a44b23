#!/usr/bin/env bash
# Shows each component of the testnet's DNS part: pid and whether it answers.
# Exits 0 when everything that should run is running and healthy, 1 otherwise.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if [[ ! -f $run_dir/.testnet-run ]]; then
    echo "testnet: not started ($run_dir does not exist)"
    exit 1
fi

ok=1
printf '%-11s %-8s %-16s %s\n' component pid address state
for c in $(wanted_components); do
    case $c in
        nsd) address=$NSD_ADDR ;;
        nsd-hidden) address=$NSD_HIDDEN_ADDR ;;
        nsd-synth) address=$NSD_SYNTH_ADDR ;;
        badns) address=127.53.1.1-4 ;;
        unbound) address=$UNBOUND_ADDR ;;
    esac
    if pid=$(component_pid "$c"); then
        if component_healthy "$c"; then state=healthy; else state="NOT ANSWERING"; ok=0; fi
    else
        pid=-; state="NOT RUNNING"; ok=0
    fi
    printf '%-11s %-8s %-16s %s\n' "$c" "$pid" "$address" "$state"
done
if [[ -s $run_dir/synthetic ]]; then
    read -r size layout < "$run_dir/synthetic"
    echo "synthetic zone: $size domains under synth., $layout layout ($run_dir/synth/)"
fi
(( ok ))
