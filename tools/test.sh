#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, builds,
# runs every test. This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

tools/setup.sh testnet
swift build --build-tests
swift test --skip-build
