#!/usr/bin/env bash
# libFuzzer runs of every parser the server owns.
#   tests/fuzz/run.sh smoke         about 10 s per target (CI: `make fuzz-smoke`)
#   tests/fuzz/run.sh long [SECS]   SECS per target, 600 by default (`make fuzz`)
#   tests/fuzz/run.sh TARGET [SECS] one target (fuzz_input, fuzz_config, ...)
# Each target starts from the committed seeds (corpus/TARGET) and the inputs that once broke
# something (regressions/TARGET), grows a working corpus under build/fuzz/corpus/TARGET (the
# committed one is never written), and fails on any crash, sanitizer report, leak or broken
# invariant, leaving the input in build/fuzz/artifacts/. A summary with execs per target
# goes to build/fuzz/summary.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."

mode=${1:-smoke}
case "$mode" in
    smoke) seconds=${2:-10}; targets=() ;;
    long) seconds=${2:-600}; targets=() ;;
    fuzz_*) seconds=${2:-60}; targets=("$mode") ;;
    *) echo "usage: $0 smoke|long [SECONDS] | TARGET [SECONDS]" >&2; exit 2 ;;
esac

make --no-print-directory -s -f tests/fuzz/build.mk -j"$(nproc)"
if [ ${#targets[@]} -eq 0 ]; then
    for source in tests/fuzz/fuzz_*.c; do targets+=("$(basename "$source" .c)"); done
fi

declare -A dictionary=(
    [fuzz_input]=body [fuzz_submission]=body [fuzz_static_path]=path
    [fuzz_static_headers]=headers [fuzz_config]=config [fuzz_redact]=config
    [fuzz_location]=location
)
out=build/fuzz
mkdir -p "$out/artifacts" "$out/logs"
summary="$out/summary.txt"
printf '%-22s %12s %10s %8s  %s\n' target execs exec/s corpus result > "$summary"
failed=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

for target in "${targets[@]}"; do
    work="$out/corpus/$target"
    mkdir -p "$work"
    seeds=("tests/fuzz/corpus/$target")
    [ -d "tests/fuzz/regressions/$target" ] && seeds+=("tests/fuzz/regressions/$target")
    dict=tests/fuzz/dict/${dictionary[$target]:-body}.dict
    log="$out/logs/$target.log"
    echo "== $target: ${seconds}s" >&2
    status=0
    "$out/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=20000 \
        -print_final_stats=1 -dict="$dict" -artifact_prefix="$out/artifacts/$target-" \
        "$work" "${seeds[@]}" > "$log" 2>&1 || status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    size=$(find "$work" -type f | wc -l)
    result=ok
    if [ "$status" -ne 0 ] || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"; then
        result="FAILED (exit $status)"
        failed=1
        grep -m 20 -aE 'ERROR:|runtime error:|fuzz: |SUMMARY:|Test unit written' "$log" >&2 || true
    fi
    printf '%-22s %12s %10s %8s  %s\n' "$target" "${execs:-?}" "${rate:-?}" "$size" "$result" \
        | tee -a "$summary" >&2
done
echo >&2
cat "$summary" >&2
if [ "$failed" -ne 0 ]; then
    echo "fuzz: a target failed; its input is in $out/artifacts/, its log in $out/logs/" >&2
    echo "      reproduce with: $out/TARGET $out/artifacts/TARGET-crash-..." >&2
    exit 1
fi
