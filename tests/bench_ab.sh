#!/usr/bin/env bash
# bench_ab.sh BIN_A BIN_B [ROUNDS]: two builds of occsnap compared on a cold
# snapshot over the real mirror, each as a ratio to the decompression floor
# (tests/bench_floor.py), all three timed in turns round after round
# (tests/bench_runs.py), so that a change is judged within the same minutes
# of a machine whose speed drifts. Prints each build's cold/floor ratio:
# median, min and max of the rounds. Needs unzip and python3.
#   git worktree add /tmp/before HEAD~1 && make -C /tmp/before
#   bash tests/bench_ab.sh /tmp/before/build/occsnap build/occsnap 9
set -eu
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: $0 BIN_A BIN_B [ROUNDS]" >&2; exit 2; }
A=$(realpath "$1") B=$(realpath "$2") ROUNDS=${3:-9}
MIRROR=${OCCSNAP_TEST_MIRROR:-../shared/mirror}
[ -f "$MIRROR/SHA256SUMS" ] || { echo "bench_ab: no mirror at $MIRROR" >&2; exit 1; }
MIRROR=$(cd "$MIRROR" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# the floor over the files a cold snapshot reads (build A's manifest)
"$A" snapshot --mirror "$MIRROR" --cache "$TMP/c0" --out "$TMP/o0" >/dev/null 2>&1
python3 tests/bench_floor.py "$TMP/o0/latest/manifest.json" "$MIRROR" "$TMP" >"$TMP/floor.sh" \
    2>/dev/null
cold() { echo "--mirror $MIRROR --cache $TMP/c$1 --out $TMP/o$1"; }
python3 tests/bench_runs.py "$ROUNDS" "$TMP/r.json" \
    floor true "bash $TMP/floor.sh" \
    A "rm -rf $TMP/cA $TMP/oA" "$A snapshot $(cold A)" \
    B "rm -rf $TMP/cB $TMP/oB" "$B snapshot $(cold B)"
python3 - "$TMP/r.json" "$A" "$B" <<'EOF'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"]
floor = r[0]["times"]
for k, name in ((1, sys.argv[2]), (2, sys.argv[3])):
    q = [t / f for t, f in zip(r[k]["times"], floor)]
    print("%s: cold / floor median %.3f (min %.3f, max %.3f); cold median %.3f s"
          % (name, statistics.median(q), min(q), max(q), r[k]["median"]))
print("floor median %.3f s over %d rounds" % (r[0]["median"], len(floor)))
EOF
