#!/usr/bin/env bash
# The snapshot as a product: exports, the Data Package, the manifest's
# hashes, incremental runs, retention, data tests against the previous
# snapshot, the lock, and what a run prints under cron.
source "$(dirname "$0")/lib.sh"
need_mirror
start_server "$MIRROR"
OUT="$TMP/out" CACHE="$TMP/cache"
run_occsnap "$OUT" "$CACHE" "$URL"
step "snapshot"
if [ "$RC" -eq 0 ]; then ok; else fail "exit $RC: $(cat "$TMP/log")"; fi
S="$OUT/latest"

step "occupations.csv is RFC 4180 and says what the database says"
python3 - "$S/occupations.csv" "$S/occsnap.sqlite" > "$TMP/csv.txt" <<'PY'
import csv, sqlite3, sys
raw = open(sys.argv[1], 'rb').read()
lines = raw.split(b'\r\n')
assert raw.endswith(b'\r\n') and b'\n' not in raw.replace(b'\r\n', b''), "lines must end with CRLF"
rows = list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')))
db = sqlite3.connect(sys.argv[2])
cols = [d[0] for d in db.execute('select * from occupation_profile').description]
assert list(rows[0].keys()) == cols, "header = the view's columns"
r = {x['onet_code']: x for x in rows}['27-4014.00']
want = dict(zip(cols, db.execute("select * from occupation_profile where onet_code='27-4014.00'").fetchone()))
bad = [c for c in cols if (want[c] is None and r[c] != '') or
       (want[c] is not None and (float(r[c]) != want[c] if isinstance(want[c], float) else r[c] != str(want[c])))]
quoted = [x for x in rows if ',' in x['title']]
print(len(rows), 'rows;', 'mismatches:', bad, ';', 'titles with commas:', len(quoted) > 0)
PY
check "rows, values and quoting" "$(cat "$TMP/csv.txt")" "1016 rows; mismatches: [] ; titles with commas: True"
check "numbers round-trip exactly (γ 0.7777777777777777)" \
    "$(grep '^27-4014.00,' "$S/occupations.csv" | grep -c ',0.7777777777777777,')" 1

step "occupations.jsonl: one object a line, null for missing"
check "lines" "$(wc -l < "$S/occupations.jsonl")" 1016
check "parses, with nulls" "$(python3 -c "
import json
rows=[json.loads(l) for l in open('$S/occupations.jsonl')]
m={r['onet_code']:r for r in rows}
print(m['55-3016.00']['tot_emp'], m['27-4014.00']['tot_emp'], m['27-4014.00']['eloundou_gamma'])")" \
    "None 13050 0.7777777777777777"

step "datapackage.json is a valid Frictionless Data Package (their own library)"
check "validator" "$(node "$ROOT/tests/datapackage/validate.js" "$S" 2>&1 | head -1)" \
    "valid: 21 resources, 1016 rows cast, 1016 distinct onet_code"
check "every exported file described, with bytes and sha256" "$(python3 -c "
import json, hashlib, os
p=json.load(open('$S/datapackage.json'))
ok=[r['path'] for r in p['resources'] if r['bytes']==os.path.getsize('$S/'+r['path']) and r['hash']=='sha256:'+hashlib.sha256(open('$S/'+r['path'],'rb').read()).hexdigest()]
files=sorted(f for f in os.listdir('$S') if f not in ('manifest.json', 'datapackage.json'))
print(sorted(ok) == files, len(ok), p['resources'][0]['schema']['primaryKey'], p['resources'][0]['schema']['missingValues'])")" \
    "True 21 ['onet_code'] ['']"
mkdir "$TMP/bad" && cp "$S"/* "$TMP/bad/" && chmod u+w "$TMP/bad"/*
python3 - "$TMP/bad/datapackage.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
for f in p['resources'][0]['schema']['fields']:
    if f['name'] == 'title':
        f['type'] = 'integer'   # titles are not integers: reading must fail
json.dump(p, open(sys.argv[1], 'w'))
PY
node "$ROOT/tests/datapackage/validate.js" "$TMP/bad" > "$TMP/v.txt" 2>&1
check "a wrong field type is caught" "$?" 1
python3 -c "
import json; p=json.load(open('$TMP/bad/datapackage.json')); del p['resources']; json.dump(p, open('$TMP/bad/datapackage.json','w'))"
node "$ROOT/tests/datapackage/validate.js" "$TMP/bad" > "$TMP/v.txt" 2>&1
check "a package without resources is caught" "$?" 1

step "manifest: schema version, every output's sha256, inputs fingerprint"
check "outputs" "$(python3 -c "
import json, hashlib
m=json.load(open('$S/manifest.json'))
import os
ok=sorted(o['path'] for o in m['outputs'] if o['sha256']==hashlib.sha256(open('$S/'+o['path'],'rb').read()).hexdigest())
print(m['schema_version'], ok == sorted(f for f in os.listdir('$S') if f != 'manifest.json'), len(ok), len(m['inputs_sha256']))")" \
    "2 True 22 64"
check "schema_version in the database" "$(q "$S/occsnap.sqlite" "select schema_version from snapshot")" 2
check "snapshot files are read-only" "$(find "$S/" -type f -perm /222 | wc -l)" 0

step "unchanged inputs and config: nothing published, unless forced"
FIRST=$(readlink "$OUT/latest")
sleep 1
run_occsnap "$OUT" "$CACHE" "$URL"
check "exit" "$RC" 0
check "says so" "$(grep -c 'inputs and config unchanged since .*nothing published' "$TMP/log")" 1
check "latest unchanged" "$(readlink "$OUT/latest")" "$FIRST"
run_occsnap "$OUT" "$CACHE" "$URL" --force
check "--force publishes" "$RC $(ls "$OUT" | grep -c Z$)" "0 2"

step "retention: --keep 2 keeps the two newest, and never latest"
sleep 1
run_occsnap "$OUT" "$CACHE" "$URL" --force --keep 2
check "two left" "$(ls "$OUT" | grep -c 'Z$')" 2
check "the first one went" "$(ls "$OUT" | grep -c "^$FIRST\$")" 0
check "latest is one of them" "$(test -d "$OUT/$(readlink "$OUT/latest")" && echo yes)" yes

step "a table that shrank below min_row_share of the previous snapshot stops the publish"
doctored_mirror "$TMP/dm"
E=raw.githubusercontent.com/openai/GPTs-are-GPTs/main/data/occ_level.csv
rm "$TMP/dm/$E"; head -101 "$MIRROR/$E" > "$TMP/dm/$E"
GOOD=$(readlink "$OUT/latest")
sleep 1
run_occsnap "$OUT" "$CACHE" "$TMP/dm"
check "exit" "$RC" 6
check "names the test and the table" "$(grep -c 'row counts not below 90 % of the previous snapshot.*measure has' "$TMP/log")" 1
check "latest unchanged" "$(readlink "$OUT/latest")" "$GOOD"

step "two runs at once: one publishes, the other exits with the lock message"
start_server "$MIRROR" --delay /www.bls.gov/oes/special-requests/oesm24nat.zip=3
"$BIN" snapshot --config "$CONFIG" --out "$OUT" --cache "$TMP/cache-a" --mirror "$URL" --force \
    >"$TMP/a.log" 2>&1 &
A=$!
for _ in $(seq 1 50); do [ -s "$OUT/.occsnap.lock" ] && grep -q "^$A$" "$OUT/.occsnap.lock" && break; sleep 0.1; done
"$BIN" snapshot --config "$CONFIG" --out "$OUT" --cache "$TMP/cache-b" --mirror "$URL" --force \
    >"$TMP/b.log" 2>&1
check "the second exits 8" "$?" 8
check "with the lock message" "$(grep -c "another occsnap run (pid $A) holds .*\.occsnap\.lock" "$TMP/b.log")" 1
wait "$A"
check "the first publishes" "$? $(grep -c 'published' "$TMP/a.log")" "0 1"

step "two runs at once on one cache, each with its own out: the second exits with the cache's lock"
"$BIN" snapshot --config "$CONFIG" --out "$OUT" --cache "$TMP/cache-a" --mirror "$URL" --force \
    >"$TMP/a2.log" 2>&1 &
A=$!
for _ in $(seq 1 50); do [ -s "$TMP/cache-a/.occsnap.lock" ] && grep -q "^$A$" "$TMP/cache-a/.occsnap.lock" && break; sleep 0.1; done
"$BIN" snapshot --config "$CONFIG" --out "$TMP/out-b" --cache "$TMP/cache-a" --mirror "$URL" \
    --force >"$TMP/b2.log" 2>&1
check "the second exits 8" "$?" 8
check "naming the cache's lock" "$(grep -c "another occsnap run (pid $A) holds $TMP/cache-a/\.occsnap\.lock" "$TMP/b2.log")" 1
check "and publishing nothing" "$(ls "$TMP/out-b" 2>/dev/null | grep -vc '^\.')" 0
wait "$A"
check "the first publishes" "$? $(grep -c 'published' "$TMP/a2.log")" "0 1"

step "under cron: errors and one summary line, no warnings"
check "summary" "$(grep -c '^occsnap: snapshot done in .*warnings (in manifest.json)$' "$TMP/a.log")" 1
check "no warning lines" "$(grep -c '^warning:' "$TMP/a.log")" 0
check "lines printed" "$(wc -l < "$TMP/a.log")" 1
finish
