#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, builds,
# starts the local test internet, checks it, runs every test, stops it again.
# This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

tools/setup.sh testnet
# The Kubernetes manifests, offline (deploy/k8s; ends "k8s manifests: N passed, M failed").
echo "== k8s manifests (offline)"
tools/validate-k8s.sh
swift build --build-tests

# Integration tests talk to real servers on loopback (tools/testnet/README.md).
started_testnet=0
if ! tools/testnet/status.sh >/dev/null 2>&1; then
    tools/testnet/start.sh
    started_testnet=1
fi
stop_testnet() { ((started_testnet)) && tools/testnet/stop.sh >/dev/null 2>&1 || true; }
trap stop_testnet EXIT

echo "== the local test internet answers as its scenario catalogue says"
tools/testnet/check.sh
echo "== swift test"
MTASCAN_TESTNET=1 swift test --skip-build

# A sharded scan through a real Slurm (one node on loopback): an array of four
# shards, verify and report against an unsharded scan, then a task stopped with
# SIGTERM, requeued and resumed (tools/testnet/slurm/README.md; about 90 s).
echo "== Slurm: a sharded scan through a real scheduler"
tools/testnet/slurm/check.sh

# Every fuzz target briefly from its seeds (Fuzz/, docs/reliability.md "Fuzzing"):
# about a minute and a half with its build; ends "fuzz smoke: N passed, M failed".
echo "== fuzz smoke"
tools/fuzz.sh smoke
