#!/usr/bin/env bash
# Issue 9: Felten's Image Generation AIOE, added by configuration alone
# ([table felten_ig_aioe] and [measure felten_ig_aioe] in config/occsnap.ini,
# no C), reaches measure (with pct and N), measure_info, occupation_profile,
# occupations.csv, occupations.jsonl, datapackage.json and the page. The
# figures were worked out independently of occsnap by
# tests/integration/ig_aioe_expected.py from the mirror's own files: sheet
# "IG AIOE" cell C276 (SOC 2010 27-4014) = 0.4526318; 774 rows in, 19-1020 is
# no origin of the SOC crosswalk; N = 945 occupations; 27-4014.00 pct
# 58.148148148148145; 15-1252.00 = mean of 15-1132 1.775754 and 15-1133
# 1.398085 = 1.5869195.
source "$(dirname "$0")/lib.sh"
need_mirror
OUT="$TMP/out"
run_occsnap "$OUT" "$TMP/cache" "$MIRROR"
step "snapshot"
if [ "$RC" -eq 0 ]; then ok; else fail "exit $RC: $(cat "$TMP/log")"; fi
S="$OUT/latest"
DB="$S/occsnap.sqlite"
m() { q "$DB" "select $1 from measure where measure='felten_ig_aioe' and onet_code='$2'"; }

step "measure: value, pct, N, match, source"
check "27-4014.00 value" "$(m value 27-4014.00)" 0.4526318
check "27-4014.00 pct" "$(m "printf('%.10f', pct)" 27-4014.00)" 58.1481481481
check "27-4014.00 n, match, source" "$(m "n||' '||match||' '||source" 27-4014.00)" "945 crosswalk felten"
check "15-1252.00 merge: mean of 2" "$(m "printf('%.7f', value)" 15-1252.00)" 1.5869195
check "occupations with a value" \
    "$(q "$DB" "select count(*) from measure where measure='felten_ig_aioe'")" 945
check "coverage rows in / mapped / unmatched" \
    "$(q "$DB" "select rows_in||' '||rows_mapped||' '||rows_unmatched from coverage where table_id='felten_ig_aioe'")" \
    "774 773 1"
check "the unmatched row and its reason" \
    "$(q "$DB" "select code||': '||reason from coverage_unmatched where table_id='felten_ig_aioe'")" \
    "19-1020: not an origin in the SOC 2010 to 2018 crosswalk"

step "measure_info: from the config's [measure] section"
check "row" "$(q "$DB" "select kind||' '||codes||' '||table_id||' '||value_column||' '||page||' '||profile_column||' '||composite_component from measure_info where measure='felten_ig_aioe'")" \
    "continuous soc2010 felten_ig_aioe ig_aioe main felten_ig_aioe 0"
check "label" "$(q "$DB" "select label from measure_info where measure='felten_ig_aioe'")" \
    "Image generation AI exposure (Felten et al.)"

step "occupation_profile, occupations.csv and occupations.jsonl"
check "profile" "$(q "$DB" "select felten_ig_aioe||' '||felten_ig_aioe_label from occupation_profile where onet_code='27-4014.00'")" \
    "0.4526318 Moderate"
check "csv columns and 27-4014.00's value" "$(python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
r = [x for x in rows if x["onet_code"] == "27-4014.00"][0]
print(len(rows), r["felten_ig_aioe"], r["felten_ig_aioe_label"], round(float(r["felten_ig_aioe_pct"]), 6))
' "$S/occupations.csv")" "1016 0.4526318 Moderate 58.148148"
check "jsonl" "$(python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    if d["onet_code"] == "15-1252.00":
        print(d["felten_ig_aioe"])
' "$S/occupations.jsonl")" 1.5869195
check "datapackage field description from the config" "$(python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
f = {x["name"]: x for x in p["resources"][0]["schema"]["fields"]}
print(f["felten_ig_aioe"]["description"].startswith("Image generation AI exposure (Felten et al.): Image Generation AIOE"),
      f["felten_ig_aioe_pct"]["description"].startswith("Image generation AI exposure (Felten et al.): midrank percentile"))
' "$S/datapackage.json")" "True True"

step "the page"
"$BIN" show 27-4014.00 --snapshot "$S" > "$TMP/page.md" 2>"$TMP/err"
check "its line, after Microsoft's" "$(grep -A1 'AI assistant applicability' "$TMP/page.md" | tail -n 1)" \
    "- **Image generation AI exposure (Felten et al.):** 58th percentile (Moderate) across 945 occupations — source: felten_ig_aioe."
"$BIN" show 55-3016.00 --snapshot "$S" > "$TMP/page.md" 2>"$TMP/err"
check "an occupation without a value says so" \
    "$(grep -c '^- \*\*Image generation AI exposure (Felten et al.):\*\* no value for this occupation — source: felten_ig_aioe.$' "$TMP/page.md")" 1

step "a measure added to the config alone reaches every output"
# LM AIOE's own column again, under a new name, as a page line with a note:
# nothing in C knows it.
sed 's/^\[measure felten_lm_aioe\]$/[measure lm_again]\ntable = felten_lm_aioe\ncode = soc2010\ncodes = soc2010\nvalue = lm_aioe\nlabel = LM exposure again\ndescription = a copy, for the test (standardised score)\nkind = continuous\nnote = a test line\n\n[measure felten_lm_aioe]/' \
    "$CONFIG" > "$TMP/more.ini"
OUT2="$TMP/out2"
"$BIN" snapshot --config "$TMP/more.ini" --mirror "$MIRROR" --cache "$TMP/cache" --out "$OUT2" \
    > "$TMP/log2" 2>&1
check "exit" "$?" 0
D2="$OUT2/latest/occsnap.sqlite"
check "same values as felten_lm_aioe" \
    "$(q "$D2" "select count(*) from measure a join measure b using(onet_code) where a.measure='lm_again' and b.measure='felten_lm_aioe' and a.value = b.value and a.pct = b.pct")" \
    "$(q "$D2" "select count(*) from measure where measure='felten_lm_aioe'")"
check "in the CSV" "$(head -n 1 "$OUT2/latest/occupations.csv" | tr ',' '\n' | grep -c '^lm_again')" 4
"$BIN" show 27-4014.00 --snapshot "$OUT2/latest" > "$TMP/page2.md" 2>&1
check "on the page" "$(grep -c '^- \*\*LM exposure again:\*\* 54th percentile (Moderate) across 945 occupations — a test line (source: lm_again).$' "$TMP/page2.md")" 1

finish
