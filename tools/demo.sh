#!/usr/bin/env bash
# The built-in demo, from a fresh clone: installs what is missing, builds,
# starts the local test internet (real NSD, unbound, nginx, Postfix and hostile
# servers on loopback, a test CA, one domain per scenario), scans every
# scenario domain with every phase, and shows what mtascan found.
# No traffic leaves the machine. Leaves the test internet as it found it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

tools/setup.sh testnet
swift build -c release --product mtascan
mtascan=".build/release/mtascan"
out=${MTASCAN_DEMO_OUT:-demo-scan.ndjson}

section() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

started=0
if ! tools/testnet/status.sh >/dev/null 2>&1; then
    tools/testnet/start.sh
    started=1
fi
trap '((started)) && tools/testnet/stop.sh >/dev/null 2>&1 || true' EXIT

section "Scanning every scenario domain: DNS, policy fetch, STARTTLS probes"
python3 -c 'import json; print("\n".join(s["domain"] for s in json.load(open("tools/testnet/scenarios.json"))["scenarios"]))' \
    > tools/testnet/run/demo-domains.txt
# The test internet's resolver, its CA, and a source address whose reverse DNS
# (scanner.test) is forward-confirmed: mtascan refuses to probe SMTP otherwise.
# Short time limits so that the hostile servers (a banner that never ends, a
# byte a second) are cut off quickly.
"$mtascan" scan tools/testnet/run/demo-domains.txt -o "$out" \
    --resolver 127.53.0.2 --dns-timeout 1 \
    --ca-file "$(tools/testnet/status.sh --ca-file)" --source-ip 127.0.0.10 \
    --rate-per-ip 100 --burst-per-ip 20 --connections-per-ip 20 \
    --connect-timeout 2 --policy-timeout 4 --smtp-timeout 4 \
    --providers tools/testnet/providers.txt --dane --phases dns,policy,mx,tlsrpt
echo "records written to $out (one NDJSON line per domain; docs/output.md)"

section "The report: what a measurement paper would print (docs/report.md)"
"$mtascan" report "$out" --svg "${out%.ndjson}-report.svg"
echo "chart written to ${out%.ndjson}-report.svg; metadata in $out.meta.json"

section "DANE beside MTA-STS (--dane; the test unbound validates dnssec.test)"
jq -r 'select(.dane.verdict != null and .dane.verdict != "none") | "\(.domain)  mta-sts: \(.verdict)  dane: \(.dane.verdict)  \(.dane.sender_view)"' "$out" | sort | head -12

section "A notification campaign, as a dry run: planned and rendered, nothing sent (docs/notify.md)"
campaign_dir=$(mktemp -d)
"$mtascan" notify plan "$out" --campaign "$campaign_dir/campaign.sqlite" \
    --from 'MTA-STS study <mtasts-study@research.test>' --envelope-domain notify.research.test \
    --feedback-url https://research.test/feedback --optout-url https://research.test/optout \
    --control-fraction 0.2 --seed 20261204 > "$campaign_dir/plan.txt"
head -14 "$campaign_dir/plan.txt"
"$mtascan" notify render --campaign "$campaign_dir/campaign.sqlite" --out "$campaign_dir/review"
first=$(find "$campaign_dir/review" -name 'sts-*.eml' | sort | head -1)
echo "--- one of them: $first"
sed -n '1,40p' "$first"
echo "--- a dry run through the test internet's relay: STARTTLS, AUTH, MAIL, RCPT, then RSET (no DATA)"
echo "    (the test relay routes only its mailstore's domains, so it refuses these scenario domains at RCPT,"
echo "    as a relay refuses what it cannot deliver: a dry run shows that before anything is sent)"
relay=(--relay relay.mailhost.test --relay-address 127.25.254.1 --user campaign
       --password-file tools/testnet/run/postfix-relay/password --ca-file "$(tools/testnet/status.sh --ca-file)"
       --max 3 --per-hour 3600)
"$mtascan" notify send --campaign "$campaign_dir/campaign.sqlite" "${relay[@]}" --dry-run

section "Two records in full"
grep -E '"domain":"(sts-multiple|risk-enforce-some-mx-bad)\.test"' "$out" | head -2

section "Linting records and policies before publishing them (docs/examples/)"
"$mtascan" lint policy docs/examples/broken-policy.txt || true
"$mtascan" lint sts-record 'v=STSv1; id=2024-01-01' || true
"$mtascan" lint mx-consistency --pattern mail.exmaple.com --mx mail.example.com || true

section "Batch lint: one JSON verdict per request line"
head -3 docs/examples/requests.ndjson | "$mtascan" lint --batch
