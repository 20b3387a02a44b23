#!/usr/bin/env bash
# libFuzzer runs of the parsers that read network and file bytes (Fuzz/,
# docs/reliability.md "Fuzzing").
#
#   tools/fuzz.sh list                      the targets and what each checks
#   tools/fuzz.sh TARGET SECONDS [FLAGS]    fuzz one target; FLAGS go to libFuzzer (e.g. -runs=10000000)
#   tools/fuzz.sh all SECONDS [FLAGS]       every target in turn, SECONDS each
#   tools/fuzz.sh smoke                     CI: each target briefly from its seeds; one closing line
#   tools/fuzz.sh repro TARGET FILE...      replay inputs (crash artifacts) through one target
#
# Builds Fuzz/ first (incremental). Long runs keep their corpus in
# Fuzz/work-corpus/TARGET, start from the seeds in Fuzz/Corpus/TARGET, write
# crashes to Fuzz/artifacts/TARGET and logs to Fuzz/logs; all but the seeds
# are git-ignored. Fuzzing runs under `nice -n 19`, one process at a time:
# the machines are shared.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
root=$PWD/Fuzz
# MTASCAN_FUZZ_BINARY: run a copy made earlier instead of building, so that a
# long campaign is not disturbed when the package is rebuilt meanwhile.
binary=${MTASCAN_FUZZ_BINARY:-$root/.build/release/MTAScanFuzz}

# Swift's crash backtracer would wait on every crash libFuzzer provokes on
# purpose; libFuzzer and ASan print their own reports.
export SWIFT_BACKTRACE=enable=no
# A parser that takes 10 s on a 4 KiB input hangs as far as a scan is concerned.
common_flags=(-max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1)

build() {
    [[ -n ${MTASCAN_FUZZ_BINARY:-} ]] && return
    # -enable-testing: the zone-tokenizer target reaches the internal ZoneTokenizer.
    # SwiftPM turns `--sanitize=fuzzer --sanitize=address` into two swiftc
    # flags in the order of a Set, and swiftc keeps only the last: a build got
    # either coverage or ASan, never both, depending on the run. One combined
    # flag, given last, keeps both; check_instrumented proves it.
    # SwiftPM keeps the path dependency's file list from the last time the
    # manifest changed: a source file added to the main package since is
    # missing ("cannot find ... in scope"). A newer manifest makes it look again.
    touch "$root/Package.swift"
    swift build --package-path "$root" -c release --sanitize=fuzzer --sanitize=address \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing 2>&1 |
        grep -v "Cannot export local symbol" >&2 || true
    [[ -x $binary ]] || { echo "fuzz: build failed" >&2; exit 1; }
    check_instrumented
}

# A binary without coverage runs happily and finds nothing; one without ASan
# misses memory errors. Both are checked on the Swift code itself (MTAScanCore),
# not just on libFuzzer's own objects.
check_instrumented() {
    local counters
    counters=$(MTASCAN_FUZZ_TARGET=json "$binary" -runs=0 2>&1 |
        sed -n 's/.*Loaded 1 modules *(\([0-9]*\) inline 8-bit counters).*/\1/p' | head -1)
    if ((${counters:-0} < 10000)); then
        echo "fuzz: $binary has ${counters:-no} coverage counters; the Swift code is not instrumented" >&2
        exit 1
    fi
    local core_objects=$root/.build/release/MTAScanCore.build
    # grep -c, not -q: under pipefail, -q leaving early would fail nm by SIGPIPE.
    if (($(nm "$core_objects"/JSONParser.swift.o 2>/dev/null | grep -c "__asan_") == 0)); then
        echo "fuzz: MTAScanCore is not built with AddressSanitizer" >&2
        exit 1
    fi
}

targets() { MTASCAN_FUZZ_TARGET=list "$binary" 2>/dev/null | cut -f1; }

run_one() {
    local target=$1 seconds=$2; shift 2
    mkdir -p "$root/work-corpus/$target" "$root/artifacts/$target" "$root/logs"
    local log=$root/logs/$target-$(date -u +%Y%m%dT%H%M%SZ).log
    echo "== fuzz $target for ${seconds}s (log: ${log#$PWD/})"
    local status=0
    MTASCAN_FUZZ_TARGET=$target nice -n 19 "$binary" "${common_flags[@]}" -max_total_time="$seconds" \
        -artifact_prefix="$root/artifacts/$target/" "$@" \
        "$root/work-corpus/$target" "$root/Corpus/$target" >"$log" 2>&1 || status=$?
    grep -E "^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)" "$log" || true
    echo "corpus: $(find "$root/work-corpus/$target" -type f | wc -l) files"
    if ((status != 0)); then
        grep -E "invariant broken|ERROR: |SUMMARY|Test unit written" "$log" | head -20
        echo "== fuzz $target FAILED (exit $status)"
        return 1
    fi
}

# A few seconds per target from its seeds, new units into a scratch folder so
# the tree is left as it was. Output is one line per target and a closing
# count, so that CI's reader of test counts sees nothing it could misread.
smoke() {
    local runs=${MTASCAN_FUZZ_SMOKE_RUNS:-10000} passed=0 failed=0 scratch
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' RETURN
    for target in $(targets); do
        mkdir -p "$scratch/$target"
        local start=$SECONDS status=0
        MTASCAN_FUZZ_TARGET=$target nice -n 19 "$binary" "${common_flags[@]}" -runs="$runs" -max_total_time=20 \
            -artifact_prefix="$scratch/$target/" "$scratch/$target" "$root/Corpus/$target" \
            >"$scratch/$target.log" 2>&1 || status=$?
        if ((status == 0)); then
            passed=$((passed + 1))
            echo "fuzz smoke: $target ok ($((SECONDS - start))s)"
        else
            failed=$((failed + 1))
            echo "fuzz smoke: $target FAILED (exit $status)"
            grep -E "invariant broken|ERROR: |SUMMARY|Base64" "$scratch/$target.log" | head -20 || true
        fi
    done
    echo "fuzz smoke: $passed passed, $failed failed"
    ((failed == 0))
}

command=${1:-}
case $command in
    list)
        build
        MTASCAN_FUZZ_TARGET=list "$binary" 2>/dev/null | column -t -s $'\t'
        ;;
    smoke)
        build
        smoke
        ;;
    repro)
        target=${2:?usage: tools/fuzz.sh repro TARGET FILE...}
        shift 2
        build
        MTASCAN_FUZZ_TARGET=$target "$binary" "${common_flags[@]}" "$@"
        ;;
    all)
        seconds=${2:?usage: tools/fuzz.sh all SECONDS [FLAGS]}
        shift 2
        build
        failures=0
        for target in $(targets); do run_one "$target" "$seconds" "$@" || failures=$((failures + 1)); done
        ((failures == 0))
        ;;
    "" | -h | --help)
        sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
        ;;
    *)
        seconds=${2:?usage: tools/fuzz.sh TARGET SECONDS [FLAGS]}
        shift 2
        build
        run_one "$command" "$seconds" "$@"
        ;;
esac
