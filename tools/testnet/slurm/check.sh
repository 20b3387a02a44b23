#!/usr/bin/env bash
# End to end through the real scheduler: the scenario domains of the local test
# internet scanned by deploy/slurm/mtascan-array.sbatch as a 4-task Slurm array
# on the one-node test cluster, checked by deploy/slurm/mtascan-verify.sbatch,
# against one unsharded scan of the same domains.
#
#   round 1  the array and the dependent verify job complete; `mtascan verify`
#            passes; every domain's verdict and finding codes, and
#            `mtascan report --format json` of the parts (verdicts, finding
#            codes, every table), equal the unsharded scan's. A domain whose
#            outcome differs counts only if an unsharded scan of it alone
#            (up to 3 tries) never gives the parts' outcome: a few hostile
#            servers race the client under load (outcomes.py)
#   round 2  a slow scan (--qps): task 1 gets `scancel --signal=TERM --batch`
#            once its part has a record, stops cleanly (exit 143, metadata
#            "interrupted"), is requeued with `scontrol requeue`, resumes its
#            own part; verify passes again, the part's metadata lists the
#            resume, and the report still equals the unsharded scan's
#
# One line per check, then "slurm: N passed, M failed"; exit 1 on a failure.
# Starts the test internet and the Slurm cluster if they are not running (and
# stops what it started: SLURM_CHECK_KEEP=1 keeps the cluster). About a minute
# and a half. MTASCAN names the binary (default .build/debug/mtascan); it is
# copied first, so a rebuild meanwhile does not matter.
set -uo pipefail
cd "$(dirname "$0")/../../.."
repo=$PWD
source tools/testnet/slurm/lib.sh     # exports SLURM_CONF: never run a Slurm client
                                      # without it (README.md here: it asks DNS otherwise)

passed=0 failed=0
pass() { echo "pass: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() {  # description, command...: pass when the command succeeds
    local what=$1; shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
say() { echo "slurm-check: $*" >&2; }

mtascan_src=${MTASCAN:-$repo/.build/debug/mtascan}
if [[ ! -x $mtascan_src ]]; then
    say "no mtascan binary at $mtascan_src: swift build first, or set MTASCAN"
    echo "slurm: 0 passed, 1 failed"
    exit 1
fi

# --- the test internet and the cluster ---------------------------------------------
started_testnet=0 started_slurm=0 jobs_to_cancel=()
cleanup() {
    local j
    for j in "${jobs_to_cancel[@]}"; do scancel "$j" 2>/dev/null; done
    if (( started_slurm )) && [[ ${SLURM_CHECK_KEEP:-0} != 1 ]]; then
        if (( failed )); then
            tools/testnet/slurm/stop.sh --keep-run >/dev/null 2>&1
            say "cluster stopped; logs and job output kept in $slurm_run"
        else
            tools/testnet/slurm/stop.sh >/dev/null 2>&1
        fi
    fi
    (( started_testnet )) && tools/testnet/stop.sh >/dev/null 2>&1
}
trap cleanup EXIT

if ! tools/testnet/status.sh >/dev/null 2>&1; then
    tools/testnet/start.sh || { fail "the test internet starts"; echo "slurm: $passed passed, $failed failed"; exit 1; }
    started_testnet=1
fi
if ! tools/testnet/slurm/status.sh >/dev/null 2>&1; then
    tools/testnet/slurm/start.sh || { fail "the Slurm cluster starts"; echo "slurm: $passed passed, $failed failed"; exit 1; }
    started_slurm=1
fi
pass "the test internet and the Slurm cluster ($SLURM_CONF) are up"

work=$slurm_run/check
rm -rf -- "$work"
mkdir -p "$work"
mtascan=$work/mtascan
cp "$mtascan_src" "$mtascan"
outcomes=$repo/tools/testnet/slurm/outcomes.py

# Every scenario domain but those whose expected outcome has timing-dependent
# alternatives (a dead nameserver: dns-timeout or dns-servfail, depending on
# what unbound's infrastructure cache holds at that moment).
python3 - tools/testnet/scenarios.json > "$work/domains.txt" <<'PY'
import json, sys
for s in json.load(open(sys.argv[1]))["scenarios"]:
    if "alternatives" not in s["expect"].get("dns_phase", {}):
        print(s["domain"])
PY
domains=$work/domains.txt
# The demo's options: the testnet's resolver and CA, a source address with
# FCrDNS (scanner.test), short time limits for the hostile servers.
scan_opts=(--resolver 127.53.0.2 --dns-timeout 1
           --ca-file "$(tools/testnet/status.sh --ca-file)" --source-ip 127.0.0.10
           --rate-per-ip 100 --burst-per-ip 20 --connections-per-ip 20
           --connect-timeout 2 --policy-timeout 4 --smtp-timeout 4
           --providers "$repo/tools/testnet/providers.txt" -q)

# --- helpers ---------------------------------------------------------------------------
job_field() {  # job (e.g. 12_3), field: prints the field of scontrol show job
    scontrol -o show job "$1" 2>/dev/null | head -n 1 | grep -o "\b$2=[^ ]*" | head -n 1 | cut -d= -f2-
}
# Waits until none of the jobs is pending, running or completing; 1 on timeout.
wait_jobs() {  # seconds, job...
    local deadline=$((SECONDS + $1)); shift
    while [[ -n $(squeue -h -j "$(IFS=,; echo "$*")" -o %i 2>/dev/null) ]]; do
        (( SECONDS < deadline )) || return 1
        sleep 1
    done
}
# Report tables only (not the input file names), sorted keys.
report_json() {  # out, parts...
    local out=$1; shift
    "$mtascan" report --format json "$@" | python3 -c '
import json, sys
print(json.dumps(json.load(sys.stdin)["tables"], sort_keys=True, indent=1))' > "$out"
}
same_table() {  # table, a.json, b.json
    python3 - "$@" <<'PY'
import json, sys
table, a, b = sys.argv[1:]
ta, tb = json.load(open(a)), json.load(open(b))
if table == "*":
    sys.exit(0 if ta == tb else 1)
sys.exit(0 if ta.get(table) == tb.get(table) and table in ta else 1)
PY
}
same_tables() {  # a.json, b.json, table...
    local a=$1 b=$2 t; shift 2
    for t in "$@"; do same_table "$t" "$a" "$b" || return 1; done
}
parts_complete() {  # dir: part-0..3 complete, with shard k/4 taken from Slurm
    local k
    for k in 0 1 2 3; do
        [[ $(meta_value "$1/part-$k.ndjson.meta.json" \
             'm["state"], m["shard"]["index"], m["shard"]["count"], m["shard"]["source"]') \
           == "('complete', $k, 4, 'slurm')" ]] || return 1
    done
}
meta_value() {  # meta.json, python expression on m
    python3 -c 'import json, sys; m = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null
}
array_tasks_completed() {  # array job, n: every task COMPLETED with exit 0
    local k
    for (( k = 0; k < $2; k++ )); do
        [[ $(job_field "$1_$k" JobState) == COMPLETED && $(job_field "$1_$k" ExitCode) == 0:0 ]] || return 1
    done
}
submit_array() {  # out dir, extra scan options...: prints the array job id
    local dir=$1; shift
    mkdir -p "$dir"
    MTASCAN=$mtascan MTASCAN_OUT_DIR=$dir MTASCAN_DRAIN_TIMEOUT=5 \
        sbatch --parsable --array=0-3 --cpus-per-task=1 --mem=200M --time=10 \
        --chdir "$dir" "$repo/deploy/slurm/mtascan-array.sbatch" "$domains" "${scan_opts[@]}" "$@" \
        | cut -d';' -f1
}
submit_verify() {  # out dir, array job: prints the verify job id
    MTASCAN=$mtascan MTASCAN_OUT_DIR=$1 MTASCAN_ARRAY_JOB=$2 \
        sbatch --parsable --dependency="afterany:$2" --mem=200M --time=5 \
        --chdir "$1" "$repo/deploy/slurm/mtascan-verify.sbatch" "$domains" | cut -d';' -f1
}
# Per-domain outcomes (verdict, finding codes). The parts' must be the
# reference's, or one an unsharded scan of that domain gives as well: a few
# hostile servers race the client under load (an RST 0.5 s after the accept:
# mx-smtp, or mx-tcp when the client had not yet seen its connect complete).
# Such domains are rescanned alone, up to 3 times; DIR/expected.ndjson is the
# reference with their reproduced records, for the report comparison.
compare_outcomes() {  # dir, label
    local dir=$1 label=$2 try n
    local rescans=()
    cp "$work/reference.ndjson" "$dir/expected.ndjson"
    if python3 "$outcomes" diff "$work/reference.ndjson" "$dir"/part-*.ndjson > "$dir/diff.tsv"; then
        pass "${label}every domain's verdict and finding codes in the parts equal the unsharded scan's"
        return
    fi
    cut -f1 "$dir/diff.tsv" | grep -v '^$' > "$dir/rescan-domains.txt"
    n=$(wc -l < "$dir/diff.tsv")
    for try in 1 2 3; do
        "$mtascan" scan "$dir/rescan-domains.txt" -o "$dir/rescan-$try.ndjson" "${scan_opts[@]}" 2>> "$dir/rescan.log"
        rescans+=("$dir/rescan-$try.ndjson")
        python3 "$outcomes" adjust "$work/reference.ndjson" "$dir/diff.tsv" "$dir/expected.ndjson" \
            "${rescans[@]}" > "$dir/adjust.out" && break
    done
    if [[ $try -le 3 ]] && ! grep -q 'NOT reproduced' "$dir/adjust.out"; then
        pass "${label}every domain's verdict and finding codes equal the unsharded scan's, but $n timing-dependent: $(tr '\n' ';' < "$dir/adjust.out")"
    else
        fail "${label}verdict or finding codes differ from the unsharded scan's (parts, then reference): $(tr '\n\t' '; ' < "$dir/diff.tsv")"
    fi
}
show_logs() {  # dir: the last lines of its job logs, after a failure
    local log
    for log in "$1"/*.log; do
        [[ -s $log ]] || continue
        echo "--- $log" >&2
        tail -n 8 "$log" >&2
    done
}

# --- the unsharded reference -----------------------------------------------------------
begin=$SECONDS
# (Its warning about the dns-timeout scenarios goes to reference.log.)
"$mtascan" scan "$domains" -o "$work/reference.ndjson" "${scan_opts[@]}" 2> "$work/reference.log"
check "unsharded reference scan of $(wc -l < "$domains") domains exits 0" test $? -eq 0

# --- round 1: the array and the verify job ---------------------------------------------
r1=$work/round1
array=$(submit_array "$r1")
if [[ $array =~ ^[0-9]+$ ]]; then
    pass "sbatch --array=0-3 mtascan-array.sbatch: job $array"
    jobs_to_cancel+=("$array")
    verify_job=$(submit_verify "$r1" "$array")
    jobs_to_cancel+=("$verify_job")
    [[ $verify_job =~ ^[0-9]+$ ]] && pass "sbatch --dependency=afterany:$array mtascan-verify.sbatch: job $verify_job" \
        || fail "sbatch mtascan-verify.sbatch: $verify_job"
    # Four tasks at once: wait until they have all started.
    deadline=$((SECONDS + 30))
    until [[ $(squeue -h -j "$array" -t RUNNING -o %i | wc -l) -eq 4 ]] \
          || [[ -z $(squeue -h -j "$array" -t PENDING -o %i) && -n $(ls "$r1"/part-*.ndjson 2>/dev/null) ]] \
          || (( SECONDS > deadline )); do
        sleep 0.5
    done
    running=$(squeue -h -j "$array" -t RUNNING -o %i | wc -l)
    if wait_jobs 180 "$array" "$verify_job"; then
        pass "the array and the verify job ended within 180 s"
    else
        fail "the array and the verify job did not end within 180 s"; show_logs "$r1"
    fi
    check "all 4 array tasks COMPLETED with exit 0 (4 ran at once: $running seen running together)" \
        array_tasks_completed "$array" 4
    check "4 parts, each complete with shard k/4 from Slurm (--shard auto)" parts_complete "$r1"
    check "the verify job (mtascan-verify.sbatch) COMPLETED with exit 0" \
        test "$(job_field "$verify_job" JobState) $(job_field "$verify_job" ExitCode)" == "COMPLETED 0:0"
    "$mtascan" verify "$domains" "$r1"/part-*.ndjson > "$r1/verify.out" 2>&1
    check "mtascan verify INPUT part-*.ndjson exits 0" test $? -eq 0
    compare_outcomes "$r1" ""
    report_json "$r1/expected.json" "$r1/expected.ndjson"
    report_json "$r1/report.tables.json" "$r1"/part-*.ndjson
    check "report --format json of the parts: verdicts equal the unsharded scan's" \
        same_table verdicts "$r1/expected.json" "$r1/report.tables.json"
    check "report --format json of the parts: finding codes equal the unsharded scan's" \
        same_table finding_codes "$r1/expected.json" "$r1/report.tables.json"
    check "report --format json of the parts: every table equals the unsharded scan's" \
        same_table '*' "$r1/expected.json" "$r1/report.tables.json"
    (( failed )) && show_logs "$r1"
else
    fail "sbatch --array=0-3 mtascan-array.sbatch: $array"
fi
round1=$((SECONDS - begin))

# --- round 2: cancel one task mid-scan, requeue it, it resumes -------------------------
r2=$work/round2
# 60 queries a second in all, 15 per shard: a shard takes about half a minute.
array=$(submit_array "$r2" --qps 60)
if [[ $array =~ ^[0-9]+$ ]]; then
    pass "round 2: sbatch of a slow scan (--qps 60): job $array"
    jobs_to_cancel+=("$array")
    task=${array}_1
    part=$r2/part-1.ndjson
    deadline=$((SECONDS + 60))
    until [[ -s $part ]] && (( $(wc -l < "$part") >= 1 )); do
        (( SECONDS < deadline )) || break
        sleep 0.2
    done
    before=$(wc -l < "$part" 2>/dev/null || echo 0)
    check "task 1 wrote its first records ($before) while running" \
        test "$before" -ge 1 -a "$(job_field "$task" JobState)" == RUNNING
    # --batch: without it scancel sends no signal but SIGKILL to the batch step,
    # which here is mtascan itself (the sbatch script execs it).
    scancel --signal=TERM --batch "$task"
    deadline=$((SECONDS + 30))
    while [[ $(job_field "$task" JobState) == RUNNING ]] && (( SECONDS < deadline )); do sleep 0.2; done
    check "after scancel --signal=TERM --batch, task 1 ended with exit 143 (state $(job_field "$task" JobState), exit $(job_field "$task" ExitCode))" \
        test "$(job_field "$task" ExitCode)" == 143:0
    check "part-1's metadata says interrupted by SIGTERM ($(meta_value "$part.meta.json" 'm["state"], m["stop_reason"]'))" \
        test "$(meta_value "$part.meta.json" 'm["state"]')" == interrupted
    after_stop=$(wc -l < "$part")
    scontrol requeue "$task"
    check "scontrol requeue $task" test $? -eq 0
    verify_job=$(submit_verify "$r2" "$array")
    jobs_to_cancel+=("$verify_job")
    if wait_jobs 240 "$array" "$verify_job"; then
        pass "round 2: the requeued task, the rest of the array and the verify job ended within 240 s"
    else
        fail "round 2: the jobs did not end within 240 s"; show_logs "$r2"
    fi
    check "task 1 ran again (Restarts=$(job_field "$task" Restarts)) and COMPLETED with exit 0" \
        test "$(job_field "$task" Restarts) $(job_field "$task" JobState) $(job_field "$task" ExitCode)" == "1 COMPLETED 0:0"
    check "all 4 array tasks COMPLETED with exit 0" array_tasks_completed "$array" 4
    resumes=$(meta_value "$part.meta.json" 'len(m["resumes"])')
    check "part-1 kept its $after_stop records and resumed: metadata complete, resumes: ${resumes:-?}" \
        test "$(meta_value "$part.meta.json" 'm["state"]')" == complete -a "${resumes:-0}" -ge 1 \
             -a "$(head -n "$after_stop" "$part" | wc -l)" -eq "$after_stop"
    check "round 2: the verify job COMPLETED with exit 0" \
        test "$(job_field "$verify_job" JobState) $(job_field "$verify_job" ExitCode)" == "COMPLETED 0:0"
    "$mtascan" verify "$domains" "$r2"/part-*.ndjson > "$r2/verify.out" 2>&1
    check "round 2: mtascan verify INPUT part-*.ndjson exits 0" test $? -eq 0
    compare_outcomes "$r2" "round 2: "
    report_json "$r2/expected.json" "$r2/expected.ndjson"
    report_json "$r2/report.tables.json" "$r2"/part-*.ndjson
    check "round 2: report verdicts and finding codes equal the unsharded scan's" \
        same_tables "$r2/expected.json" "$r2/report.tables.json" verdicts finding_codes
    (( failed )) && show_logs "$r2"
else
    fail "round 2: sbatch: $array"
fi

say "round 1 took ${round1} s, round 2 $((SECONDS - begin - round1)) s; work directory $work"
echo "slurm: $passed passed, $failed failed"
(( failed == 0 ))
