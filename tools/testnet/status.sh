#!/usr/bin/env bash
# Shows each component of the testnet: pid, addresses and whether it answers,
# and the CA bundle to trust (mtascan --ca-file). Exits 0 when everything that
# should run is running and healthy, 1 otherwise.
#
#   tools/testnet/status.sh             the table
#   tools/testnet/status.sh --ca-file   only the path of the CA bundle (exit 1 if
#                                       the testnet is not started)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if [[ ${1:-} == --ca-file ]]; then
    [[ -f $run_dir/.testnet-run && -s $ca_bundle ]] || { echo "testnet: not started" >&2; exit 1; }
    echo "$ca_bundle"
    exit 0
fi

if [[ ! -f $run_dir/.testnet-run ]]; then
    echo "testnet: not started ($run_dir does not exist)"
    exit 1
fi

ok=1
# "N addresses on :443" from services.json.
endpoint_summary() {
    python3 - "$run_dir/services.json" "$1" <<'PY' 2>/dev/null || echo "?"
import json, sys
endpoints = json.load(open(sys.argv[1]))["endpoints"].get(sys.argv[2], [])
ports = sorted({e["endpoint"].rsplit(":", 1)[1] for e in endpoints})
print(f"{len(endpoints)} on :{','.join(ports)}")
PY
}

printf '%-11s %-8s %-16s %s\n' component pid address state
for c in $(wanted_components); do
    case $c in
        nsd) address=$NSD_ADDR ;;
        nsd-hidden) address=$NSD_HIDDEN_ADDR ;;
        nsd-synth) address=$NSD_SYNTH_ADDR ;;
        badns) address=127.53.1.1-20 ;;
        unbound) address=$UNBOUND_ADDR ;;
        hostile|nginx|postfix|postfix-relay|postfix-mailstore) address=$(endpoint_summary "$c") ;;
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
echo "CA bundle (mtascan --ca-file): $ca_bundle"
echo "resolver: $UNBOUND_ADDR"
(( ok ))
