#!/usr/bin/env bash
# Behaviour unchanged since commit 6677f8e: builds that commit's occsnap
# (kept in build/baseline-6677f8e/ for later runs), makes a snapshot of the
# real mirror with it and with build/occsnap, and compares every table of the
# two databases row by row, and the occupation_profile view over the columns
# both have (tests/integration/unchanged_compare.py). The differences allowed
# are listed in tests/cases/unchanged_expected.txt; any other fails.
source "$(dirname "$0")/lib.sh"
need_mirror
BASE_REV=6677f8e
BASE_DIR="$ROOT/build/baseline-$BASE_REV"
BASE_BIN="$BASE_DIR/occsnap"
BASE_CONFIG="$BASE_DIR/config/occsnap.ini"   # the baseline reads its own config
CASES="$ROOT/tests/cases/unchanged_expected.txt"
COMPARE="$ROOT/tests/integration/unchanged_compare.py"
T0=$(date +%s%N)

step "baseline occsnap of $BASE_REV"
if [ -x "$BASE_BIN" ] && [ -f "$BASE_CONFIG" ]; then
    ok; echo "# reused ${BASE_BIN#$ROOT/} (remove $(basename "$BASE_DIR") to rebuild)"
elif ! git -C "$ROOT" rev-parse -q --verify "$BASE_REV^{commit}" >/dev/null 2>&1; then
    if [ "${CI:-}" = "true" ]; then
        echo "not ok - $CURRENT: commit $BASE_REV is not in the git history (shallow clone? fetch with full history); required when CI=true"
        exit 1
    fi
    echo "skip - $CURRENT: commit $BASE_REV is not in the git history"; exit 77
else
    mkdir -p "$TMP/base-src"
    if ! git -C "$ROOT" archive "$BASE_REV" | tar -x -C "$TMP/base-src"; then
        fail "git archive $BASE_REV failed"; finish
    fi
    if ! make -C "$TMP/base-src" -j2 build/occsnap >"$TMP/base-build.log" 2>&1; then
        fail "make build/occsnap of $BASE_REV failed: $(tail -20 "$TMP/base-build.log")"; finish
    fi
    # built aside, then renamed, so a half-built baseline is never reused
    mkdir -p "$ROOT/build"
    STAGE=$(mktemp -d "$ROOT/build/.baseline-$BASE_REV.XXXXXX")
    mkdir -p "$STAGE/config"
    cp "$TMP/base-src/build/occsnap" "$STAGE/occsnap"
    cp "$TMP/base-src/config/occsnap.ini" "$STAGE/config/occsnap.ini"
    git -C "$ROOT" rev-parse "$BASE_REV^{commit}" > "$STAGE/COMMIT"
    mv -T "$STAGE" "$BASE_DIR" 2>/dev/null || rm -rf "$STAGE"  # another run won the race
    if [ -x "$BASE_BIN" ]; then ok; else fail "no $BASE_BIN after the build"; finish; fi
fi

snap() { # snap NAME BIN CONFIG: a snapshot of the mirror into $TMP/NAME/{cache,out}
    step "snapshot with $4"
    "$2" snapshot --config "$3" --mirror "$MIRROR" --cache "$TMP/$1/cache" --out "$TMP/$1/out" \
        >"$TMP/$1.log" 2>&1
    local rc=$?
    if [ $rc -eq 0 ] && [ -f "$TMP/$1/out/latest/occsnap.sqlite" ]; then ok
    else fail "exit $rc: $(tail -20 "$TMP/$1.log")"; finish; fi
}
snap base "$BASE_BIN" "$BASE_CONFIG" "the baseline ($BASE_REV)"
snap new "$BIN" "$CONFIG" "build/occsnap"
A="$TMP/base/out/latest/occsnap.sqlite"
B="$TMP/new/out/latest/occsnap.sqlite"

# The comparison itself prints one ok/not ok line per table and view.
python3 "$COMPARE" "$A" "$B" "$CASES"
rc=$?
step "every difference is declared in ${CASES#$ROOT/}"
if [ $rc -eq 0 ]; then ok; else fail "comparison exit $rc (unexpected differences above)"; fi

# A comparison that passes everything would pass this test too: it must
# notice one measure value changed in a copy of the new snapshot (compared
# with the new snapshot itself, so that only the doctored row differs).
step "the comparison catches a doctored copy"
cp "$B" "$TMP/doctored.sqlite"; chmod u+w "$TMP/doctored.sqlite"
q "$TMP/doctored.sqlite" "update measure set value = value + 1e-9
    where onet_code = '27-4014.00' and measure = 'felten_aioe'"
python3 "$COMPARE" "$B" "$TMP/doctored.sqlite" "$CASES" >"$TMP/doctored.txt" 2>&1
check "exit code" "$?" 1
check "the changed row is named" \
    "$(grep -c '^#   measure: changed (onet_code=27-4014.00, measure=felten_aioe): value ' "$TMP/doctored.txt")" 1
check "only the measure table and the view, which shows it, fail" \
    "$(grep '^not ok' "$TMP/doctored.txt" | cut -d: -f1 | tr '\n' ,)" "not ok - table measure,not ok - view occupation_profile,"

MS=$(( ($(date +%s%N) - T0) / 1000000 ))
printf '# t_unchanged.sh took %d.%03d s\n' $((MS / 1000)) $((MS % 1000))
finish
