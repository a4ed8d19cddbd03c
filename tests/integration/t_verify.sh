#!/usr/bin/env bash
# occsnap verify: a clean snapshot passes; a changed byte in any file, a deleted file and a failing data test are caught.
source "$(dirname "$0")/lib.sh"
need_mirror
start_server "$MIRROR"
OUT="$TMP/out" CACHE="$TMP/cache"

# verify ARGS...: stdout to $TMP/vout, stderr to $TMP/verr, sets RC
verify() { "$BIN" verify "$@" >"$TMP/vout" 2>"$TMP/verr"; RC=$?; }
# copy_snap NAME: a writable copy of the snapshot (published files are 0444)
copy_snap() {
    local d="$TMP/$1"
    cp -r "$SNAP" "$d" && chmod u+w "$d" "$d"/*
    echo "$d"
}
# flip_byte FILE: changes the byte in the middle of FILE (XOR 0x01, so it
# really differs; a .json file stays printable)
flip_byte() {
    python3 - "$1" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
i = len(b) // 2
b[i] ^= 0x01
open(p, "wb").write(b)
PY
}
# out_sha FILE: the sha256 manifest.json records for FILE
out_sha() {
    python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print([o["sha256"] for o in m["outputs"] if o["path"]==sys.argv[2]][0])' \
        "$SNAP/manifest.json" "$1"
}
lines() { grep -c -- "$1" "$TMP/vout"; }

step "snapshot over HTTP from the mirror"
run_occsnap "$OUT" "$CACHE" "$URL"
if [ "$RC" -eq 0 ]; then ok; else fail "exit $RC: $(cat "$TMP/log")"; fi
SNAP="$OUT/$(readlink "$OUT/latest")"
# the files every test below doctors in turn, and all the manifest lists:
# the database, the profile exports, a CSV per table, the Data Package
FILES="occsnap.sqlite occupations.csv occupations.jsonl measure.csv datapackage.json"
ALL_FILES="occsnap.sqlite occupations.csv occupations.jsonl snapshot.csv source.csv occupation.csv occupation_title.csv task.csv element.csv technology.csv employment_wage.csv projection.csv measure.csv aei_task.csv aei_occupation.csv aei_release.csv aei_release_occupation.csv coverage.csv coverage_unmatched.csv source_table.csv measure_info.csv datapackage.json"

step "the manifest lists every published file but itself"
check "outputs" "$(python3 -c 'import json,sys; print(" ".join(o["path"] for o in json.load(open(sys.argv[1]))["outputs"]))' "$SNAP/manifest.json")" "$ALL_FILES"
check "files in the snapshot" "$(ls "$SNAP" | sort | tr '\n' ' ')" "$(printf '%s\n' $ALL_FILES manifest.json | sort | tr '\n' ' ')"

step "a clean snapshot verifies"
BEFORE=$(ls -lA --time-style=full-iso "$SNAP")
verify "$SNAP"
check "exit code" "$RC" 0
check "one ok line per file" "$(lines '^ok        [a-z_.]*: [0-9]* bytes, sha256 [0-9a-f]\{64\}$')" 22
# 18 tables: aei_release and aei_release_occupation (issue 11) joined the 16
check "row counts" "$(lines '^ok        row counts of 18 tables as in manifest.json$')" 1
check "one ok line per data test" "$(lines '^ok        data test: ')" 7
check "integrity" "$(lines '^ok        database integrity (PRAGMA quick_check)$')" 1
check "summary" "$(tail -n 1 "$TMP/vout")" "verify: OK: 22 files match their sha256, database intact, 18 row counts match, 7 data tests pass"
check "nothing on stderr" "$(cat "$TMP/verr")" ""
check "the snapshot directory is untouched (no journal, same times)" "$(ls -lA --time-style=full-iso "$SNAP")" "$BEFORE"

step "verify by name under --out, and latest by default"
"$BIN" verify latest --out "$OUT" >/dev/null 2>&1
check "verify latest --out" "$?" 0
"$BIN" verify "$(basename "$SNAP")" --out "$OUT" >/dev/null 2>&1
check "verify TIMESTAMP --out" "$?" 0
(cd "$TMP" && "$BIN" verify --out out >/dev/null 2>&1)
check "verify --out (latest)" "$?" 0

for f in $FILES; do
    step "a changed byte in $f is caught"
    D=$(copy_snap "byte.$f")
    flip_byte "$D/$f"
    verify "$D"
    check "exit code" "$RC" 6
    want=$(out_sha "$f")
    got=$(sha256sum "$D/$f" | cut -d' ' -f1)
    check "CHANGED line names the file, expected and actual sha256" \
        "$(lines "^CHANGED   $f: expected [0-9]* bytes, sha256 $want; found [0-9]* bytes, sha256 $got\$")" 1
    check "the other files are ok" "$(lines '^ok        [a-z_.]*: [0-9]* bytes')" 21
    check "summary" "$(tail -n 1 "$TMP/vout" | cut -d, -f1)" "verify: FAILED: 1 of 22 files changed or missing"
    check "error on stderr" "$(grep -c "^error: verify: $D does not match" "$TMP/verr")" 1
done

step "a deleted file is caught"
D=$(copy_snap deleted)
rm "$D/occupations.jsonl"
verify "$D"
check "exit code" "$RC" 6
check "MISSING line" "$(lines "^MISSING   occupations.jsonl: expected [0-9]* bytes, sha256 $(out_sha occupations.jsonl) (No such file or directory)\$")" 1

step "a deleted database: files and data tests fail"
D=$(copy_snap nodb)
rm "$D/occsnap.sqlite"
verify "$D"
check "exit code" "$RC" 6
check "MISSING line" "$(lines '^MISSING   occsnap.sqlite: ')" 1
check "data tests not run" "$(lines '^FAILED    data tests not run: cannot open occsnap.sqlite')" 1

step "a changed byte in the database header: caught, and the tests say they could not run"
D=$(copy_snap header)
printf 'X' | dd of="$D/occsnap.sqlite" bs=1 seek=0 conv=notrunc status=none
verify "$D"
check "exit code" "$RC" 6
check "CHANGED line" "$(lines '^CHANGED   occsnap.sqlite: ')" 1
check "database unreadable" "$(lines '^FAILED    row counts and data tests not run: occsnap.sqlite cannot be read (file is not a database)$')" 1

# manifest.json cannot hold its own sha256 (it is not in outputs, checked
# above), so a changed byte in it is caught only where it changes what verify
# compares: a recorded sha256 or row count, or the JSON itself. A byte
# changed in, say, a citation is not detectable by verify.
step "a changed byte inside a table's page: caught by the hash and by quick_check"
D=$(copy_snap page)
# the first page of the technology table's B-tree (page numbers from 1)
PAGE=$(q "$D/occsnap.sqlite" "select rootpage from sqlite_schema where name = 'technology'")
PSIZE=$(q "$D/occsnap.sqlite" "pragma page_size")
printf '\377' | dd of="$D/occsnap.sqlite" bs=1 seek=$(( (PAGE - 1) * PSIZE )) conv=notrunc status=none
verify "$D"
check "exit code" "$RC" 6
check "CHANGED line" "$(lines '^CHANGED   occsnap.sqlite: ')" 1
check "integrity line" "$(lines '^FAILED    database integrity (PRAGMA quick_check): ')" 1
check "summary says damaged" "$(tail -n 1 "$TMP/vout" | grep -c 'database damaged')" 1

step "manifest.json: a changed byte in a recorded sha256 is caught"
D=$(copy_snap manifest.sha)
want=$(out_sha occupations.csv)
bad=$(python3 - "$D/manifest.json" "$want" <<'PY'
import sys
p, want = sys.argv[1], sys.argv[2]
bad = want[:10] + ("1" if want[10] == "0" else "0") + want[11:]
text = open(p).read()
open(p, "w").write(text.replace(want, bad))
print(bad)
PY
)
check "one byte differs" "$(cmp -l "$SNAP/manifest.json" "$D/manifest.json" | wc -l)" 1
verify "$D"
check "exit code" "$RC" 6
check "CHANGED line with the doctored expectation" "$(lines "^CHANGED   occupations.csv: expected [0-9]* bytes, sha256 $bad; found [0-9]* bytes, sha256 $want\$")" 1

step "manifest.json: a changed row count is caught"
D=$(copy_snap manifest.count)
sed -i 's/"occupation": 1016,/"occupation": 1017,/' "$D/manifest.json"
check "one byte differs" "$(cmp -l "$SNAP/manifest.json" "$D/manifest.json" | wc -l)" 1
verify "$D"
check "exit code" "$RC" 6
check "CHANGED row count line" "$(lines '^CHANGED   row count of occupation: manifest 1017, database 1016$')" 1

step "manifest.json: a changed byte that breaks the JSON: exit 7, not a snapshot"
D=$(copy_snap manifest.json)
printf 'X' | dd of="$D/manifest.json" bs=1 seek=0 conv=notrunc status=none
verify "$D"
check "exit code" "$RC" 7
check "message" "$(grep -c "^error: verify: $D/manifest.json line 1: " "$TMP/verr")" 1

step "manifest.json: a removed outputs entry leaves an unlisted file (a warning, not a failure)"
D=$(copy_snap manifest.unlisted)
python3 - "$D/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["outputs"] = [o for o in m["outputs"] if o["path"] != "occupations.csv"]
json.dump(m, open(sys.argv[1], "w"), indent=2, sort_keys=True)
PY
verify "$D"
check "exit code" "$RC" 0
check "warning line" "$(lines '^warning   occupations.csv: in the snapshot directory but not listed in manifest.json$')" 1
check "summary" "$(tail -n 1 "$TMP/vout")" "verify: OK: 21 files match their sha256, database intact, 18 row counts match, 7 data tests pass; warning: 1 unlisted file"

step "an extra file in the snapshot is a warning"
D=$(copy_snap extra)
echo hello >"$D/notes.txt"
verify "$D"
check "exit code" "$RC" 0
check "warning line" "$(lines '^warning   notes.txt: in the snapshot directory but not listed in manifest.json$')" 1

step "a failing data test is reported (and the changed database too)"
D=$(copy_snap datatest)
q "$D/occsnap.sqlite" "update measure set pct = 150 where onet_code = '27-4014.00' and measure = 'felten_aioe'"
verify "$D"
check "exit code" "$RC" 6
check "FAILED data test line with the row" "$(lines '^FAILED    data test: percentiles within (0, 100): 1 failing row; first: 27-4014.00 felten_aioe pct=150.0 pct_emp=')" 1
check "the other data tests pass" "$(lines '^ok        data test: ')" 6
check "CHANGED database" "$(lines '^CHANGED   occsnap.sqlite: ')" 1
check "summary" "$(tail -n 1 "$TMP/vout")" "verify: FAILED: 1 of 22 files changed or missing, 0 of 18 row counts differ, 1 of 7 data tests failed"

step "a deleted occupation: row count and foreign keys fail"
D=$(copy_snap fk)
q "$D/occsnap.sqlite" "delete from occupation where onet_code = '27-4014.00'"
verify "$D"
check "exit code" "$RC" 6
check "row count" "$(lines '^CHANGED   row count of occupation: manifest 1016, database 1015$')" 1
# 27-4014.00 has 194 child rows (14 tasks, measures, titles, ...)
check "foreign keys" "$(lines '^FAILED    data test: foreign keys resolve to occupation: 194 failing rows; first: ')" 1

step "no snapshot there: exit 7"
verify "$TMP/nowhere"
check "exit code" "$RC" 7
check "message" "$(grep -c "^error: verify: $TMP/nowhere is not a readable snapshot: cannot open $TMP/nowhere/manifest.json" "$TMP/verr")" 1

finish
