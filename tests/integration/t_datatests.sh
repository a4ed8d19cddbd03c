#!/usr/bin/env bash
# Every data test, made to fail on a doctored input to `load` (the transform's
# database, cache/work.sqlite): the publish stops with the test's name and its
# first failing rows, exit 6, and `latest` stays where it was.
source "$(dirname "$0")/lib.sh"
need_mirror
OUT="$TMP/out" CACHE="$TMP/cache"
run_occsnap "$OUT" "$CACHE" "$MIRROR"
step "a good snapshot"
if [ "$RC" -eq 0 ]; then ok; else fail "exit $RC: $(cat "$TMP/log")"; fi
GOOD=$(readlink "$OUT/latest")
cp "$CACHE/work.sqlite" "$TMP/work.good"

# doctor NAME SQL PATTERN...: load a doctored copy of the work database
doctor() {
    local name=$1 sql=$2; shift 2
    step "$name"
    cp "$TMP/work.good" "$CACHE/work.sqlite.new" && mv "$CACHE/work.sqlite.new" "$CACHE/work.sqlite"
    sqlite3 "$CACHE/work.sqlite" "$sql" || { fail "the doctoring SQL failed"; return; }
    "$BIN" load --config "$CONFIG" --cache "$CACHE" --out "$OUT" >"$TMP/log" 2>&1
    check "exit" "$?" 6
    for pat in "$@"; do
        if grep -qF -- "$pat" "$TMP/log"; then echo "ok - $name: says '$pat'"
        else fail "lacks '$pat': $(cat "$TMP/log")"; fi
    done
    check "latest unchanged" "$(readlink "$OUT/latest")" "$GOOD"
    check "nothing left behind" "$(ls -A "$OUT" | grep -vc "^$GOOD\$\|^latest\$\|^\.occsnap\.lock\$")" 0
}

doctor "a percentile out of range" \
    "UPDATE measure SET pct = 150 WHERE onet_code = '27-4014.00' AND measure = 'felten_aioe'" \
    "data test failed: percentiles within (0, 100)" "27-4014.00 felten_aioe pct=150"
doctor "a value for an occupation that is not in the universe" \
    "INSERT INTO measure VALUES('99-9999.00', 'felten_aioe', 0.5, 50, NULL, 1, 'Moderate', 'exact', 'felten')" \
    "data test failed: foreign keys resolve to occupation" "measure 99-9999.00"
doctor "a badly formed code" \
    "UPDATE occupation SET soc_code = '27-4015' WHERE onet_code = '27-4014.00'" \
    "data test failed: occupation codes well formed" "27-4014.00"
doctor "an empty universe" \
    "DELETE FROM occupation" \
    "data test failed: occupation universe not empty"
doctor "employment counted twice" \
    "UPDATE employment_wage SET emp_weight = 2 * emp_weight WHERE onet_code = '27-4014.00'" \
    "data test failed: employment counted once" "27-4014 weights sum to 26100"
doctor "coverage below its floor" \
    "UPDATE coverage SET min_coverage = 0.999 WHERE table_id = 'felten_aioe'" \
    "data test failed: coverage not below the configured floor" "felten_aioe covers 945 of 1016"
doctor "a table that shrank against the previous snapshot" \
    "DELETE FROM task WHERE onet_code < '30'" \
    "data test failed: row counts not below 90 % of the previous snapshot" "task has"
# The schema's own keys forbid duplicates, so rebuild occupation without its
# key to show the test still catches one (defence in depth).
doctor "a duplicated key" \
    "PRAGMA legacy_alter_table = ON; CREATE TABLE occ2 AS SELECT * FROM occupation;
     INSERT INTO occ2 SELECT * FROM occupation WHERE onet_code = '27-4014.00';
     DROP TABLE occupation; ALTER TABLE occ2 RENAME TO occupation" \
    "data test failed: unique and not-null keys" "occupation 27-4014.00"

step "the good database still publishes, clearing what a killed run left"
mkdir "$OUT/.tmp-2026-01-01T000000Z-999999"   # pid 999999: no such process here
cp "$TMP/work.good" "$CACHE/work.sqlite.new" && mv "$CACHE/work.sqlite.new" "$CACHE/work.sqlite"
"$BIN" load --config "$CONFIG" --cache "$CACHE" --out "$OUT" >"$TMP/log" 2>&1
check "exit" "$?" 0
check "a new latest" "$(test "$(readlink "$OUT/latest")" != "$GOOD" && echo yes)" yes
check "the dead run's directory is gone" "$(ls -A "$OUT" | grep -c '^\.tmp-')" 0
finish
