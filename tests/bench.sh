#!/usr/bin/env bash
# make bench: time and peak memory of each stage over the real mirror files.
# Runs each command RUNS times (default 5) and reports the median wall time
# and the largest peak RSS, as printed by occsnap's own summary line.
set -eu
cd "$(dirname "$0")/.."
MIRROR=${OCCSNAP_TEST_MIRROR:-../shared/mirror}
RUNS=${RUNS:-5}
[ -f "$MIRROR/SHA256SUMS" ] || { echo "bench: no mirror at $MIRROR" >&2; exit 1; }
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

measure() { # name, occsnap args... (COLD=1: empty cache before each run)
    local name=$1; shift
    local times=() mem=0
    for _ in $(seq "$RUNS"); do
        [ "${COLD:-0}" = 1 ] && rm -rf "$TMP/cache"
        ./build/occsnap "$@" --cache "$TMP/cache" --out "$TMP/out" 2>"$TMP/err" >/dev/null
        local line; line=$(grep 'done in' "$TMP/err")
        times+=("$(sed -E 's/.*done in ([0-9.]+) s.*/\1/' <<<"$line")")
        local m; m=$(sed -E 's/.*peak memory ([0-9.]+) MiB.*/\1/' <<<"$line")
        mem=$(awk -v a="$mem" -v b="$m" 'BEGIN{print (b>a)?b:a}')
    done
    local median; median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
    printf '%-34s median %6.3f s   peak %6.1f MiB   (%d runs)\n' "$name" "$median" "$mem" "$RUNS"
}

echo "occsnap bench: $(nproc) cores, mirror $MIRROR"
COLD=1 measure "snapshot, cold cache" snapshot --mirror "$MIRROR" --force
COLD=1 measure "extract, cold cache" extract --mirror "$MIRROR"
measure "snapshot, unchanged, --force" snapshot --mirror "$MIRROR" --force
measure "snapshot, unchanged (no publish)" snapshot --mirror "$MIRROR"
measure "extract, unchanged sources" extract --mirror "$MIRROR"
measure "transform" transform
measure "load (checks + publish)" load

# occsnap site: every role page and the index from the snapshot just
# published (an earlier site replaced each time, as a nightly run would).
site_times=()
for _ in $(seq "$RUNS"); do
    ./build/occsnap site "$TMP/site" --out "$TMP/out" 2>"$TMP/err" >/dev/null
    site_times+=("$(sed -nE 's/^occsnap: site done in ([0-9.]+) s.*/\1/p' "$TMP/err")")
done
median=$(printf '%s\n' "${site_times[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
printf '%-34s median %6.3f s   %s   (%d runs)\n' "site (every role page + index)" "$median" \
    "$(sed -nE 's/^occsnap: site done in [0-9.]+ s: ([0-9]+ role pages, [0-9.]+ MiB).*/\1/p' "$TMP/err")" "$RUNS"
