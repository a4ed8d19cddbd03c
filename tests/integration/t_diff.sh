#!/usr/bin/env bash
# occsnap diff: OEWS May 2023 -> May 2024 snapshots, A vs A, removed occupations and thresholds, in text and JSON.
source "$(dirname "$0")/lib.sh"
need_mirror
start_server "$MIRROR"

# diffr ARGS...: stdout to $TMP/dout, stderr to $TMP/derr, sets RC
diffr() { "$BIN" diff "$@" >"$TMP/dout" 2>"$TMP/derr"; RC=$?; }
lines() { grep -c -- "$1" "$TMP/dout"; }
exact() { grep -cFx -- "$1" "$TMP/dout"; }
# copy_snap SRC NAME: a writable copy of a snapshot (published files are 0444)
copy_snap() {
    local d="$TMP/$2"
    cp -r "$1" "$d" && chmod u+w "$d" "$d"/*
    echo "$d"
}
# py EXPR: evaluates a Python expression over the JSON report d in $TMP/dout
py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$TMP/dout"; }

# OEWS May 2023 is in the mirror as oesm23nat.zip -> oesm23nat/national_M2023_dl.xlsx,
# sheet national_M2023_dl, with the same headers as May 2024 (AREA ... TOT_EMP ...
# H_MEDIAN ... A_MEDIAN ... HOURLY, checked with python zipfile on both workbooks);
# the config's release templates reach it with the release pinned to 2023.
step "a config for OEWS May 2023"
CONFIG23="$TMP/oews2023.ini"
sed 's/^pin = 2024$/pin = 2023/' "$CONFIG" >"$CONFIG23"
check "one line changed" "$(diff "$CONFIG" "$CONFIG23" | grep -c '^>')" 1

step "snapshot A: OEWS May 2023"
CONFIG="$CONFIG23" run_occsnap "$TMP/out23" "$TMP/cache23" "$URL"
if [ "$RC" -eq 0 ]; then ok; else fail "exit $RC: $(cat "$TMP/log")"; fi
A="$TMP/out23/$(readlink "$TMP/out23/latest")"
check "A's database holds May 2023 (27-4014.00 tot_emp)" "$(q "$A/occsnap.sqlite" "select cast(tot_emp as int) from employment_wage where onet_code = '27-4014.00'")" 14600

step "snapshot B: OEWS May 2024 (the shipped config)"
run_occsnap "$TMP/out24" "$TMP/cache24" "$URL"
if [ "$RC" -eq 0 ]; then ok; else fail "exit $RC: $(cat "$TMP/log")"; fi
B="$TMP/out24/$(readlink "$TMP/out24/latest")"

# Checked by hand in the raw files (python zipfile, xl/worksheets/sheet1.xml
# of each workbook, shared strings resolved), row 501 of both sheets is
# 27-4014 Sound Engineering Technicians, detailed:
#   national_M2023_dl.xlsx: TOT_EMP 14600, H_MEDIAN 28.57, A_MEDIAN 59430
#   national_M2024_dl.xlsx: TOT_EMP 13050, H_MEDIAN 31.94, A_MEDIAN 66430
# so tot_emp (13050 - 14600) / 14600 = -10.62 %, a_median 7000 / 59430 =
# +11.78 %, h_median 3.37 / 28.57 = +11.80 %.
step "diff A B (text): the 27-4014.00 employment and wage changes"
diffr "$A" "$B"
check "exit code" "$RC" 0
check "tot_emp line" "$(exact '  27-4014.00 Sound Engineering Technicians: tot_emp 14,600 -> 13,050 (-10.6%)')" 1
check "a_median line" "$(exact '  27-4014.00 Sound Engineering Technicians: a_median 59,430 -> 66,430 (+11.8%)')" 1
check "h_median line" "$(exact '  27-4014.00 Sound Engineering Technicians: h_median 28.57 -> 31.94 (+11.8%)')" 1
check "no occupation added" "$(exact 'Occupations added: 0')" 1
check "no occupation removed" "$(exact 'Occupations removed: 0')" 1
# measures do not depend on OEWS (pct_emp does, and diff does not compare it)
check "no measure changes" "$(exact 'Measures (value: relative change; .pct: percentile points): 0')" 1
check "two source files changed" "$(exact 'Source files changed: 2')" 1
check "the 2023 file" "$(lines '^  oews https://www.bls.gov/oes/special-requests/oesm23nat.zip: sha256 [0-9a-f]\{12\} -> (none) (no longer fetched)$')" 1
check "the 2024 file" "$(lines '^  oews https://www.bls.gov/oes/special-requests/oesm24nat.zip: sha256 (none) -> [0-9a-f]\{12\} (new file)$')" 1
NEMP=$(sed -n 's/^Employment and wages (tot_emp, a_median, h_median; relative change): \([0-9]*\)$/\1/p' "$TMP/dout")
check "the employment section's count = its lines" \
    "$(sed -n '/^Employment and wages/,/^$/p' "$TMP/dout" | grep -c '^  ')" "$NEMP"
# a median that became top-coded (# : >= $239,200) is shown with its mark
check "a top-coded median shows its mark" "$(exact '  29-1024.00 Prosthodontists: a_median 234,000 -> # (disappeared)')" 1
check "summary" "$(tail -n 1 "$TMP/dout" | sed 's/[0-9][0-9]* changes in [0-9]* occupations/N changes in M occupations/')" \
    "diff: 0 added, 0 removed, N changes in M occupations, 2 source files changed"
check "nothing on stderr" "$(cat "$TMP/derr")" ""
TEXTN=$(sed -n 's/^diff: .* \([0-9]*\) changes in.*/\1/p' "$TMP/dout")

step "the vintage change per source comes before the figures"
diffr "$A" "$B"
check "the OEWS line" "$(grep -c '^  oews: May 2023 -> May 2024 (release 2023 -> 2024)$' "$TMP/dout")" 1
check "only OEWS changed release" "$(sed -n '/^Vintages changed: /p' "$TMP/dout")" "Vintages changed: 1"
check "before the occupations" "$(grep -n '^Vintages changed\|^Occupations added' "$TMP/dout" | cut -d: -f2 | tr '\n' ' ')" \
    "Vintages changed Occupations added "

step "diff A B --json: the same figures as data"
diffr "$A" "$B" --json
check "exit code" "$RC" 0
check "keys" "$(py "' '.join(d)")" "a b thresholds vintages_changed added removed changes aei_break sources_changed"
check "a" "$(py "d['a']['dir']")" "$A"
check "b" "$(py "d['b']['snapshot']")" "$(basename "$B")"
check "the 27-4014.00 tot_emp change" \
    "$(py "[(c['table'], c['kind'], int(c['old']), int(c['new']), round(c['change'], 4)) for c in d['changes'] if c['onet_code'] == '27-4014.00' and c['field'] == 'tot_emp']")" \
    "[('employment_wage', 'value', 14600, 13050, -0.1062)]"
check "its title" "$(py "[c['title'] for c in d['changes'] if c['onet_code'] == '27-4014.00'][0]")" "Sound Engineering Technicians"
check "medians" "$(py "[(c['field'], c['old'], c['new']) for c in d['changes'] if c['onet_code'] == '27-4014.00' and c['field'] != 'tot_emp']")" \
    "[('a_median', 59430.0, 66430.0), ('h_median', 28.57, 31.94)]"
check "as many changes as the text" "$(py "len(d['changes'])")" "$TEXTN"
check "added, removed" "$(py "(d['added'], d['removed'])")" "([], [])"
# the sha256 of each OEWS zip as listed in the mirror's SHA256SUMS
SHA23=$(grep '  www.bls.gov/oes/special-requests/oesm23nat.zip$' "$MIRROR/SHA256SUMS" | cut -d' ' -f1)
SHA24=$(grep '  www.bls.gov/oes/special-requests/oesm24nat.zip$' "$MIRROR/SHA256SUMS" | cut -d' ' -f1)
check "sources_changed" "$(py "sorted((s['source'], s['url'].rsplit('/', 1)[1], s['old_sha256'], s['new_sha256']) for s in d['sources_changed'])")" \
    "[('oews', 'oesm23nat.zip', '$SHA23', None), ('oews', 'oesm24nat.zip', None, '$SHA24')]"
# every tot_emp change beyond 5 %, counted independently with sqlite3
N_SQL=$(sqlite3 -batch -noheader "$A/occsnap.sqlite" "attach '$B/occsnap.sqlite' as b; select count(*) from main.employment_wage x join b.employment_wage y using (onet_code) where x.tot_emp is not null and y.tot_emp is not null and abs(y.tot_emp - x.tot_emp) > 0.05 * x.tot_emp")
check "tot_emp changes = sqlite3's count" "$(py "sum(1 for c in d['changes'] if c['field'] == 'tot_emp' and c['kind'] == 'value')")" "$N_SQL"
check "no change within the threshold" "$(py "sum(1 for c in d['changes'] if c['kind'] == 'value' and abs(c['change']) <= 0.05)")" 0

step "thresholds: --threshold 0.11 drops the -10.6 % but keeps the +11.8 %"
diffr "$A" "$B" --threshold 0.11
check "exit code" "$RC" 0
check "tot_emp gone" "$(lines '^  27-4014.00 .*: tot_emp ')" 0
check "a_median kept" "$(exact '  27-4014.00 Sound Engineering Technicians: a_median 59,430 -> 66,430 (+11.8%)')" 1
check "threshold in the header" "$(lines 'values changing by more than 11 %')" 1

step "A vs A: no changes (by name under --out)"
diffr latest latest --out "$TMP/out24"
check "exit code" "$RC" 0
check "summary" "$(tail -n 1 "$TMP/dout")" "diff: no differences beyond the thresholds"
check "every section empty" "$(grep -c ': 0$' "$TMP/dout")" 8
diffr "$B" "$B" --json
check "json: all empty" "$(py "[len(d[k]) for k in ('added', 'removed', 'changes', 'sources_changed')]")" "[0, 0, 0, 0]"

step "an occupation removed (a copy of B without 27-4014.00)"
R=$(copy_snap "$B" removed)
q "$R/occsnap.sqlite" "pragma foreign_keys = on;
  delete from occupation_title where onet_code = '27-4014.00'; delete from task where onet_code = '27-4014.00';
  delete from element where onet_code = '27-4014.00'; delete from technology where onet_code = '27-4014.00';
  delete from employment_wage where onet_code = '27-4014.00'; delete from projection where onet_code = '27-4014.00';
  delete from measure where onet_code = '27-4014.00'; delete from aei_task where onet_code = '27-4014.00';
  delete from aei_occupation where onet_code = '27-4014.00'; delete from occupation where onet_code = '27-4014.00'"
check "deleted" "$(q "$R/occsnap.sqlite" "select count(*) from occupation where onet_code = '27-4014.00'")" 0
diffr "$B" "$R"
check "exit code" "$RC" 0
check "count" "$(exact 'Occupations removed: 1')" 1
check "listed with its title" "$(exact '  27-4014.00 Sound Engineering Technicians')" 1
check "not also listed as changes" "$(grep -c '^  27-4014.00 .*: ' "$TMP/dout")" 0
diffr "$B" "$R" --json
check "json removed" "$(py "d['removed']")" "[{'onet_code': '27-4014.00', 'title': 'Sound Engineering Technicians'}]"
diffr "$R" "$B" --json
check "the other way round: added" "$(py "(d['added'], d['removed'])")" "([{'onet_code': '27-4014.00', 'title': 'Sound Engineering Technicians'}], [])"

step "measures: thresholds on values and percentiles, appeared and disappeared"
M=$(copy_snap "$B" measures)
# in B: 15-1253.00 eloundou_gamma pct 85.43, felten_lm_aioe 1.0303; 15-1252.00
# felten_lm_aioe 1.0237, felten_aioe 1.2421; 11-3051.00 teleworkable 0
q "$M/occsnap.sqlite" "
  update measure set pct = pct + 6 where onet_code = '15-1253.00' and measure = 'eloundou_gamma';
  update measure set pct = pct + 4 where onet_code = '15-1253.00' and measure = 'eloundou_beta';
  update measure set value = value * 1.06 where onet_code = '15-1253.00' and measure = 'felten_lm_aioe';
  update measure set value = value * 1.04 where onet_code = '15-1252.00' and measure = 'felten_lm_aioe';
  update measure set value = 0.01 where onet_code = '11-3051.00' and measure = 'dingel_neiman_teleworkable';
  delete from measure where onet_code = '15-1252.00' and measure = 'felten_aioe';
  insert into measure values ('15-1252.00', 'test_measure', 2.5, 50, NULL, 1, 'Moderate', 'exact', 'test')"
diffr "$B" "$M"
check "exit code" "$RC" 0
check "pct +6 points reported" "$(lines '^  15-1253.00 Software Quality Assurance Analysts and Testers: eloundou_gamma.pct 85.428 -> 91.428 (+6.0 points)$')" 1
check "pct +4 points not reported" "$(lines 'eloundou_beta')" 0
check "value +6 % reported" "$(lines '^  15-1253.00 .*: felten_lm_aioe 1.03032 -> 1.09214 (+6.0%)$')" 1
check "value +4 % not reported" "$(lines '^  15-1252.00 .*: felten_lm_aioe ')" 0
check "any change from 0 reported" "$(lines '^  11-3051.00 .*: dingel_neiman_teleworkable 0 -> 0.01 (from 0)$')" 1
check "a disappeared measure" "$(lines '^  15-1252.00 Software Developers: felten_aioe 1.24212 -> none (disappeared)$')" 1
check "an appeared measure" "$(lines '^  15-1252.00 Software Developers: test_measure none -> 2.5 (appeared)$')" 1
check "section counts" "$(grep -c '^Measures (value: relative change; .pct: percentile points): 3$\|^Measures that appeared or disappeared: 2$' "$TMP/dout")" 2
diffr "$B" "$M" --pct-threshold 7
check "--pct-threshold 7 drops the +6 points" "$(lines 'eloundou_gamma.pct')" 0
diffr "$B" "$M" --json
check "json kinds" "$(py "sorted((c['onet_code'], c['field'], c['kind']) for c in d['changes'])")" \
    "[('11-3051.00', 'dingel_neiman_teleworkable', 'value'), ('15-1252.00', 'felten_aioe', 'disappeared'), ('15-1252.00', 'test_measure', 'appeared'), ('15-1253.00', 'eloundou_gamma.pct', 'pct'), ('15-1253.00', 'felten_lm_aioe', 'value')]"
check "json pct change in points" "$(py "[round(c['change'], 6) for c in d['changes'] if c['kind'] == 'pct']")" "[6.0]"
check "json change from 0 is null" "$(py "[c['change'] for c in d['changes'] if c['onet_code'] == '11-3051.00']")" "[None]"

step "a snapshot that cannot be read: exit 7"
diffr "$B" "$TMP/nowhere"
check "exit code" "$RC" 7
check "message" "$(grep -c "^error: diff: $TMP/nowhere/manifest.json is not a readable snapshot" "$TMP/derr")" 1
N=$(copy_snap "$B" nodb)
rm "$N/occsnap.sqlite"
diffr "$B" "$N"
check "no database: exit code" "$RC" 7
check "no database: message" "$(grep -c "^error: diff: cannot open $N/occsnap.sqlite" "$TMP/derr")" 1

step "diff leaves both snapshots as published"
"$BIN" verify "$A" >/dev/null 2>&1
check "verify A" "$?" 0
"$BIN" verify "$B" >/dev/null 2>&1
check "verify B" "$?" 0

finish
