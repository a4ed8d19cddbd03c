#!/usr/bin/env bash
# How cost grows: a cold snapshot over copies of the mirror whose big inputs
# are multiplied x1, x2, x4, x8 (tests/scale_mirror.py: O*NET tasks, titles,
# technology, the Knowledge and Skills workbooks, the Economic Index v1 tasks,
# re-keyed), RUNS runs each; prints wall time (median) and peak RSS (largest)
# and both relative to x1. Copies live in a temporary folder, never ../shared.
set -eu
cd "$(dirname "$0")/.."
MIRROR=${OCCSNAP_TEST_MIRROR:-../shared/mirror}
RUNS=${RUNS:-3}
FACTORS=${FACTORS:-1 2 4 8}
BIN=$(pwd)/build/occsnap
[ -f "$MIRROR/SHA256SUMS" ] || { echo "scale: no mirror at $MIRROR" >&2; exit 1; }
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
# x8 makes a 257 MB worksheet: past the shipped 256 MB cap on one member
sed 's/^max_member_mb = .*/max_member_mb = 2048/' config/occsnap.ini > "$TMP/occsnap.ini"
printf '| inputs | rows staged | cold snapshot (median of %s) | per x1 | peak RSS | per x1 |\n' "$RUNS"
printf '|---|---|---|---|---|---|\n'
T1=; M1=
for k in $FACTORS; do
    python3 tests/scale_mirror.py "$MIRROR" "$TMP/m$k" "$k"
    times=() mem=0
    for _ in $(seq "$RUNS"); do
        rm -rf "$TMP/c" "$TMP/o"
        /usr/bin/time -f '%e %M' -o "$TMP/t" "$BIN" snapshot --config "$TMP/occsnap.ini" --mirror "$TMP/m$k" \
            --cache "$TMP/c" --out "$TMP/o" >/dev/null 2>&1
        read -r e m < "$TMP/t"
        times+=("$e"); [ "$m" -gt "$mem" ] && mem=$m
    done
    med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
    rows=$(sqlite3 -batch -noheader "$TMP/c/stage.sqlite" "select sum(rows) from stage_table")
    [ -n "$T1" ] || { T1=$med; M1=$mem; }
    awk -v k="$k" -v r="$rows" -v t="$med" -v m="$mem" -v t1="$T1" -v m1="$M1" 'BEGIN{
        printf "| x%d | %d | %.2f s | %.2f | %.0f MiB | %.2f |\n", k, r, t, t/t1, m/1024, m/m1}'
    rm -rf "$TMP/m$k"
done
