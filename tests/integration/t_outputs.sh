#!/usr/bin/env bash
# Outputs an analyst can trust (issue 12), read as tools read them (Python's
# csv and json, sqlite3, the Frictionless validator): employment that adds up,
# footnote marks in every export, every table exported and described, a
# manifest tools can read, a CLI that works from anywhere, integer and
# boolean types. Figures: the shipped config picks OEWS May 2025 in the
# mirror (the employment total below is May 2025's); the footnote marks are
# checked on May 2024 (lib.sh's CONFIG pins it), whose top wages are marks.
source "$(dirname "$0")/lib.sh"
need_mirror
OEWS25="$MIRROR/www.bls.gov/oes/special-requests/oesm25nat.zip"
OEWS24="$MIRROR/www.bls.gov/oes/special-requests/oesm24nat.zip"

step "snapshots: the shipped config (OEWS May 2025) and OEWS pinned to May 2024"
"$BIN" snapshot --config "$SHIPPED_CONFIG" --mirror "$MIRROR" --cache "$TMP/c25" --out "$TMP/o25" >"$TMP/s25.log" 2>&1
R25=$?
"$BIN" snapshot --config "$CONFIG" --mirror "$MIRROR" --cache "$TMP/c24" --out "$TMP/o24" >"$TMP/s24.log" 2>&1
R24=$?
if [ "$R25$R24" = 00 ]; then ok; else fail "exit $R25 $R24: $(cat "$TMP/s25.log" "$TMP/s24.log")"; finish; fi
S="$TMP/o25/latest" S24="$TMP/o24/latest"
check "May 2025 in the shipped run" "$(q "$S/occsnap.sqlite" "select vintage from source where source = 'oews'")" "May 2025"

# The OEWS detailed-occupation total, read here from the xlsx itself
# (national rows, O_GROUP = detailed), not from occsnap.
oews_total() {
    python3 - "$1" <<'PY'
import io, re, sys, zipfile, xml.etree.ElementTree as ET
M = '{http://schemas.openxmlformats.org/spreadsheetml/2006/main}'
outer = zipfile.ZipFile(sys.argv[1])
book = zipfile.ZipFile(io.BytesIO(outer.read([n for n in outer.namelist() if n.endswith('.xlsx')][0])))
shared = [''.join(t.text or '' for t in si.iter(M + 't'))
          for si in ET.fromstring(book.read('xl/sharedStrings.xml')).findall(M + 'si')]
sheet = sorted(n for n in book.namelist() if re.match(r'xl/worksheets/sheet\d+\.xml$', n))[0]
rows = []
for r in ET.fromstring(book.read(sheet)).iter(M + 'row'):
    d = {}
    for c in r.findall(M + 'c'):
        v, t = c.find(M + 'v'), c.get('t')
        val = (''.join(e.text or '' for e in c.iter(M + 't')) if t == 'inlineStr' else
               '' if v is None else shared[int(v.text)] if t == 's' else v.text)
        d[re.match(r'[A-Z]+', c.get('r')).group(0)] = val
    rows.append(d)
col = {v.upper(): k for k, v in rows[0].items()}
print(sum(int(float(d[col['TOT_EMP']])) for d in rows[1:]
          if d.get(col['O_GROUP']) == 'detailed' and d.get(col['AREA_TYPE'], '1') == '1'))
PY
}
sum_weight() {
    python3 -c "
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')))
print(round(sum(float(r['emp_weight']) for r in rows if r['emp_weight'])))" "$1"
}

step "employment adds up: sum(emp_weight) over occupations.csv = the OEWS detailed total"
T25=$(oews_total "$OEWS25") T24=$(oews_total "$OEWS24")
echo "# OEWS detailed-occupation total: May 2025 $T25, May 2024 $T24 (from the xlsx)"
check "May 2025 (shipped config)" "$(sum_weight "$S/occupations.csv")" "$T25"
check "May 2024 (pinned)" "$(sum_weight "$S24/occupations.csv")" "$T24"
check "the total is 155,481,840 in May 2025" "$T25" 155481840
check "tot_emp would count shared rows again" "$(python3 -c "
import csv
rows = list(csv.DictReader(open('$S/occupations.csv', newline='')))
print(sum(int(r['tot_emp']) for r in rows if r['tot_emp']) > $T25)")" True
check "15-2051: one row, shared by 3, a third each" "$(python3 -c "
import csv
rows = [r for r in csv.DictReader(open('$S/occupations.csv', newline='')) if r['oews_code'] == '15-2051']
print(len(rows), {r['oews_shared_by'] for r in rows}, {r['tot_emp'] for r in rows}, sum(float(r['emp_weight']) for r in rows) == float(rows[0]['tot_emp']))")" \
    "3 {'3'} {'262440'} True"
check "the descriptions say whose figure tot_emp is" "$(python3 -c "
import json
f = {x['name']: x for x in json.load(open('$S/datapackage.json'))['resources'][0]['schema']['fields']}
print('whole OEWS row' in f['tot_emp']['description'], 'Sum emp_weight, not tot_emp' in f['tot_emp']['description'], 'detailed-occupation total' in f['emp_weight']['description'], f['oews_shared_by']['type'])")" \
    "True True True integer"

step "footnote marks travel with the figures into every export"
check "csv: Anesthesiologists' wage is a mark, not missing" "$(python3 -c "
import csv
r = {x['onet_code']: x for x in csv.DictReader(open('$S24/occupations.csv', newline=''))}['29-1211.00']
print(repr(r['a_median']), r['a_median_flag'], r['tot_emp_flag'] == '')")" "'' # True"
check "jsonl: the same" "$(python3 -c "
import json
r = {x['onet_code']: x for x in map(json.loads, open('$S24/occupations.jsonl'))}['29-1211.00']
print(r['a_median'], r['a_median_flag'], r['h_median_flag'])")" "None # #"
check "employment_wage.csv and projection.csv carry every flag" "$(python3 -c "
import csv
for t in ('employment_wage', 'projection', 'occupations'):
    cols = next(csv.reader(open('$S24/' + t + '.csv', newline='')))
    flagged = [c[:-5] for c in cols if c.endswith('_flag')]
    assert all(c in cols for c in flagged), t
    print(t, len(flagged), end='; ')
")" "employment_wage 14; projection 1; occupations 4; "
check "every figure the database flags has its flag in the profile" "$(q "$S24/occsnap.sqlite" "select count(*) from pragma_table_info('occupation_profile') p where p.name in (select name from pragma_table_info('employment_wage')) and p.name || '_flag' in (select name from pragma_table_info('employment_wage')) and p.name || '_flag' not in (select name from pragma_table_info('occupation_profile'))")" 0
check "a top-wage list keeps them: flagged # rows in occupations.csv" "$(python3 -c "
import csv
print(sum(1 for r in csv.DictReader(open('$S24/occupations.csv', newline='')) if r['a_median_flag'] == '#'))")" \
    "$(q "$S24/occsnap.sqlite" "select count(*) from employment_wage where a_median_flag = '#'")"

step "every snapshot table exported as CSV, described as a Data Package resource"
python3 - "$S" > "$TMP/tables.txt" <<'PY'
import csv, json, sqlite3, sys
d = sys.argv[1]
db = sqlite3.connect(d + '/occsnap.sqlite')
pkg = json.load(open(d + '/datapackage.json'))
res = {r['name']: r for r in pkg['resources']}
tables = [t for (t,) in db.execute("select name from sqlite_master where type = 'table' order by name")]
problems = []
for t in tables:
    r = res.get(t)
    if not r or r['path'] != t + '.csv':
        problems.append(t + ': no resource'); continue
    rows = list(csv.DictReader(open(d + '/' + r['path'], newline='', encoding='utf-8')))
    n = db.execute('select count(*) from ' + t).fetchone()[0]
    if len(rows) != n: problems.append('%s: %d rows, database %d' % (t, len(rows), n))
    cols = [c[1] for c in db.execute('pragma table_info(' + t + ')')]
    s = r['schema']
    if [f['name'] for f in s['fields']] != cols: problems.append(t + ': fields')
    pk = [c[1] for c in sorted(db.execute('pragma table_info(' + t + ')'), key=lambda c: c[5]) if c[5]]
    if pk and s.get('primaryKey') != pk: problems.append(t + ': primaryKey %s' % s.get('primaryKey'))
    if 'onet_code' in cols:
        fk = [k for k in s.get('foreignKeys', []) if k['fields'] == 'onet_code']
        if not fk or fk[0]['reference'] != {'resource': 'occupations', 'fields': 'onet_code'}:
            problems.append(t + ': no foreign key to occupations')
    for f in s['fields']:
        if not f.get('description') or f['description'] == '(no description)':
            problems.append('%s.%s: no description' % (t, f['name']))
for f in res['occupations']['schema']['fields']:
    if not f.get('description') or f['description'] == '(no description)':
        problems.append('occupations.%s: no description' % f['name'])
print(len(tables), 'tables;', len([t for t in tables if t in res]), 'resources;', problems)
PY
check "all tables, rows, keys, descriptions" "$(cat "$TMP/tables.txt")" "18 tables; 18 resources; []"
check "the long measures.csv columns" "$(head -1 "$S/measure.csv" | tr -d '\r')" "onet_code,measure,value,pct,pct_emp,n,label,match,source"
check "measure columns worded from measure_info" "$(python3 -c "
import json, sqlite3
db = sqlite3.connect('$S/occsnap.sqlite')
f = {x['name']: x['description'] for x in json.load(open('$S/datapackage.json'))['resources'][0]['schema']['fields']}
bad = [c for (c, l, d) in db.execute('select profile_column, label, description from measure_info where profile_column is not null') if f[c] != l + ': ' + d]
print(bad, 'not itself a percentile' in f['ai_exposure_index_v1'], 'standardised score' in f['felten_aioe'], 'US dollars' in f['a_median'])")" \
    "[] True True True"
check "a column the release never fills says so, typed by its declaration" "$(python3 -c "
import json
f = {x['name']: x for x in json.load(open('$S/datapackage.json'))['resources'][0]['schema']['fields']}
a = f['aei_autonomy_median']
print(a['type'], 'Never filled in this snapshot' in a['description'], 'Never filled' in f['a_median']['description'])")" \
    "number True False"
V=$(node "$ROOT/tests/datapackage/validate.js" "$S" 2>&1)
check "the validator reads every resource through its schema and keys" "$V" \
    "valid: 21 resources, 1016 rows cast, 1016 distinct onet_code
tabular: 19 resources, $(python3 -c "
import csv, glob
print(sum(sum(1 for _ in csv.reader(open(p, newline=''))) - 1 for p in glob.glob('$S/*.csv')))") rows cast, 12 foreign keys resolved"
mkdir "$TMP/orphan" && cp "$S"/* "$TMP/orphan/" && chmod u+w "$TMP/orphan"/*
sed -i '2s/^[0-9][0-9]-[0-9]\{4\}\.[0-9][0-9]/19-9999.99/' "$TMP/orphan/task.csv"
node "$ROOT/tests/datapackage/validate.js" "$TMP/orphan" > "$TMP/v.txt" 2>&1
check "an orphan onet_code in task.csv is caught" "$? $(grep -c 'task' "$TMP/v.txt")" "1 1"

step "a manifest tools can read"
python3 - "$S/manifest.json" > "$TMP/m.txt" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
files = [f for s in m['sources'] for f in s['files']]
failed = [f for f in files if not f['ok']]          # jq 'select(.ok|not)'
print(len(failed), 'failed;',
      all(isinstance(f['ok'], bool) and isinstance(f['stale'], bool) for f in files),
      all(isinstance(t['passed'], bool) for t in m['data_tests']), end='; ')
whole = all(f['error'].endswith(')') and f['error'].count(f['url']) >= 2 for f in failed)
print('whole errors' if whole else 'cut errors', end='; ')
# a value that exists is never null: an ok file has its receipt
holes = [(f['url'], k) for f in files if f['ok'] for k in ('sha256', 'bytes', 'retrieved_at', 'fetched_from', 'fetched_url', 'final_url') if f[k] is None]
holes += [(f['url'], 'error') for f in files if (f['error'] is None) != f['ok']]
print('holes', holes, end='; ')
print({f['fetched_url'].split(':', 1)[0] for f in files}, all(f['fetched_url'] == 'mirror:' + f['url'] for f in files if f['ok']))
PY
check "booleans, failures, whole errors, no holes, mirror: URLs" "$(cat "$TMP/m.txt")" \
    "2 failed; True True; whole errors; holes []; {'mirror'} True"
MABS=$(cd "$MIRROR" && pwd -P)
check "no path of this machine in any published file" \
    "$(grep -l -e "$MABS" -e "file://" -e "$ROOT" -e "$TMP" "$S"/*.json "$S"/*.csv "$S"/*.jsonl | wc -l)" 0
check "config path relative to the project" "$(python3 -c "import json; print(json.load(open('$S/manifest.json'))['config']['path'])")" "config/occsnap.ini"
start_server "$MIRROR"
"$BIN" snapshot --config "$CONFIG" --mirror "$URL" --cache "$TMP/ch" --out "$TMP/oh" >"$TMP/sh.log" 2>&1
check "over an http mirror too: no 127.0.0.1 in the manifest" "$? $(grep -c "127.0.0.1" "$TMP/oh/latest/manifest.json")" "0 0"

step "a CLI that works from anywhere"
mkdir -p "$TMP/elsewhere" "$TMP/home/config"
cp "$CONFIG" "$TMP/home/config/occsnap.ini"
( cd "$TMP/elsewhere" && OCCSNAP_HOME="$TMP/home" "$BIN" snapshot --mirror "$MIRROR" >"$TMP/home.log" 2>&1 )
check "OCCSNAP_HOME: config, cache and out from there" \
    "$? $(test -f "$TMP/home/data-snapshots/latest/occsnap.sqlite" && test -f "$TMP/home/cache/stage.sqlite" && echo found)" "0 found"
check "says which paths it used" "$(head -1 "$TMP/home.log")" \
    "occsnap: project folder $TMP/home (from OCCSNAP_HOME): config $TMP/home/config/occsnap.ini, cache $TMP/home/cache, out $TMP/home/data-snapshots"
check "nothing written where it was run" "$(ls -A "$TMP/elsewhere" | wc -l)" 0
( cd "$TMP/elsewhere" && env -u OCCSNAP_HOME "$BIN" show 27-4014.00 --snapshot "$S24" >"$TMP/exe.out" 2>"$TMP/exe.err" )
check "from another folder the project is the executable's" \
    "$? $(grep -c "^occsnap: project folder $ROOT (from the folder of the executable): config $ROOT/config/occsnap.ini" "$TMP/exe.err")" "0 1"
mkdir -p "$TMP/noproject"
( cd "$TMP/elsewhere" && OCCSNAP_HOME="$TMP/noproject" "$BIN" snapshot --mirror "$MIRROR" >"$TMP/none.log" 2>&1 )
check "no config and no snapshot yet: exit 3, said as it is" "$? $(tail -1 "$TMP/none.log")" \
    "3 occsnap: snapshot failed (exit 3); no configuration, so nothing was read or published; $TMP/noproject/data-snapshots holds no snapshot yet"
check "not 'the previous snapshot ... unchanged'" "$(grep -c 'previous snapshot' "$TMP/none.log")" 0
doctored_mirror "$TMP/dm"
E=raw.githubusercontent.com/openai/GPTs-are-GPTs/main/data/occ_level.csv
rm "$TMP/dm/$E"; printf 'O*NET-SOC Code,Title\n' > "$TMP/dm/$E"
( cd "$TMP/elsewhere" && OCCSNAP_HOME="$TMP/home" "$BIN" snapshot --mirror "$TMP/dm" >"$TMP/bad.log" 2>&1 )
RC=$?
check "a failure with a snapshot there names what latest still is" "$RC $(tail -1 "$TMP/bad.log" | sed "s/exit [0-9]/exit N/")" \
    "$RC occsnap: snapshot failed (exit N); nothing was published; $TMP/home/data-snapshots/latest still points at $(readlink "$TMP/home/data-snapshots/latest")"
check "make snapshot ARGS=--force passes the options" \
    "$(make -s -n -C "$ROOT" snapshot ARGS="--force --keep 3" MIRROR=/m | grep -c '^./build[-a-z]*/occsnap snapshot --mirror /m *--force --keep 3$')" 1
( cd "$TMP/home" && "$BIN" snapshot --mirror "$MIRROR" >"$TMP/again.log" 2>&1 )
check "the unchanged hint names the make form" "$(grep -c 'make snapshot ARGS=--force' "$TMP/again.log")" 1

step "types that tools infer right: integers are integers, booleans booleans"
check "sqlite: tot_emp is INTEGER" "$(q "$S/occsnap.sqlite" "select group_concat(distinct typeof(tot_emp)) from employment_wage where tot_emp is not null")" integer
check "csv: no integer field written as 2220.0" "$(python3 -c "
import csv, json
pkg = json.load(open('$S/datapackage.json'))
bad = []
for r in pkg['resources']:
    if r.get('format') != 'csv': continue
    ints = [f['name'] for f in r['schema']['fields'] if f['type'] == 'integer']
    for row in csv.DictReader(open('$S/' + r['path'], newline='', encoding='utf-8')):
        bad += [(r['name'], c, row[c]) for c in ints if row[c] and not row[c].lstrip('-').isdigit()]
print(bad[:3], sum(1 for r in pkg['resources'] if r.get('format') == 'csv'))")" "[] 19"
check "csv booleans are true/false, declared boolean" "$(python3 -c "
import csv, json
f = {x['name']: x for r in json.load(open('$S/datapackage.json'))['resources'] if r['name'] == 'technology' for x in r['schema']['fields']}
vals = {r['hot_technology'] for r in csv.DictReader(open('$S/technology.csv', newline=''))}
print(f['hot_technology']['type'], f['in_demand']['type'], sorted(vals))")" "boolean boolean ['false', 'true']"
check "jsonl values have the types the schema declares" "$(python3 -c "
import json
fields = {f['name']: f['type'] for f in json.load(open('$S/datapackage.json'))['resources'][0]['schema']['fields']}
want = {'integer': (int,), 'number': (int, float), 'string': (str,), 'boolean': (bool,)}
bad = set()
for line in open('$S/occupations.jsonl'):
    for k, v in json.loads(line).items():
        if v is not None and (not isinstance(v, want[fields[k]]) or (fields[k] != 'boolean' and isinstance(v, bool))):
            bad.add(k)
print(sorted(bad), fields['tot_emp'], fields['job_zone'])")" "[] integer integer"
check "jsonl: tot_emp reads as an int" "$(python3 -c "
import json
r = {x['onet_code']: x for x in map(json.loads, open('$S/occupations.jsonl'))}['27-4014.00']
print(type(r['tot_emp']).__name__, r['tot_emp'])")" "int 13080"
finish
