#!/usr/bin/env bash
# Self-check: is the running testnet what scenarios.json says?
# Queries unbound (127.53.0.2) with dig for every scenario's lookups, then
# connects to every policy host and MX host by its catalogue address (TLS
# against run/ca/bundle.pem, HTTP, SMTP) and prints "N passed, N failed".
# Start the testnet first (start.sh).
#
#   tools/testnet/check.sh [--only name1,name2] [--verbose] [--dns-only|--services-only]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

python3 "$testnet_dir/scenarios.py" --check
if ! component_healthy unbound; then
    echo "check: unbound on $UNBOUND_ADDR is not answering: run tools/testnet/start.sh" >&2
    exit 1
fi
exec python3 "$testnet_dir/check.py" --resolver "$UNBOUND_ADDR" --run "$run_dir" "$@"
