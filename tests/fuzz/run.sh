#!/usr/bin/env bash
# run.sh - make fuzz: seeds the corpus (hand-made seeds + mirror slices), runs
# each libFuzzer target for FUZZ_SECONDS, and prints executions and findings
# per target (also in build-fuzz/summary.txt). Exit 1 when any target found
# something; its input is in build-fuzz/findings/<target>/ - fix the code and
# copy the input into tests/fuzz/regressions/<target>/, which make test replays.
set -u
cd "$(dirname "$0")/../.."
SECONDS_EACH=${FUZZ_SECONDS:-30}
OUT=build-fuzz
python3 tests/fuzz/seeds.py "${MIRROR:-}" "$OUT/corpus" >/dev/null || exit 1
summary="$OUT/summary.txt"
printf '%-8s %10s %8s %6s %s\n' target execs exec/s cov findings >"$summary"
found=0
for t in "$@"; do
    mkdir -p "$OUT/findings/$t"
    rm -f "$OUT/findings/$t"/*
    "$OUT/fuzz_$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$OUT/findings/$t/" \
        "$OUT/corpus/$t" >"$OUT/$t.log" 2>&1
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/$t.log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$OUT/$t.log")
    cov=$(grep -o 'cov: [0-9]*' "$OUT/$t.log" | tail -1 | cut -d' ' -f2)
    n=$(find "$OUT/findings/$t" -type f | wc -l)
    found=$((found + n))
    printf '%-8s %10s %8s %6s %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$n" >>"$summary"
    [ "$n" -eq 0 ] || grep -m3 -E 'ERROR|runtime error|SUMMARY' "$OUT/$t.log" | sed "s/^/  $t: /" >>"$summary"
done
cat "$summary"
[ "$found" -eq 0 ]
