#!/usr/bin/env bash
# The built-in demo, from a fresh clone: installs what is missing, builds, and
# runs mtascan on bundled examples. No traffic leaves the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

tools/setup.sh
swift build -c release --product mtascan
mtascan=".build/release/mtascan"

section() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

section "mtascan version"
"$mtascan" version

section "Linting a good and a broken MTA-STS policy (docs/examples/)"
"$mtascan" lint policy docs/examples/good-policy.txt || true
"$mtascan" lint policy docs/examples/broken-policy.txt || true

section "Checking TXT records as an operator would before publishing them"
"$mtascan" lint sts-record 'v=STSv1; id=20240101' || true
"$mtascan" lint sts-record 'v=STSv1; id=2024-01-01' || true
"$mtascan" lint tlsrpt-record 'v=TLSRPTv1; rua=mailto:tlsrpt@example.com' || true

section "Classifying an MX host that matches no policy pattern"
"$mtascan" lint mx-consistency --pattern mail.exmaple.com --mx mail.example.com || true

section "Batch mode: one JSON verdict per request line (docs/examples/requests.ndjson)"
"$mtascan" lint --batch < docs/examples/requests.ndjson
