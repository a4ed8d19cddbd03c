#!/usr/bin/env bash
# O*NET details (titles, technology, job zones, knowledge/skill elements) over
# the real mirror, checked against figures read by hand from the raw files;
# then the transform's refusals on doctored copies of the O*NET archives.
source "$(dirname "$0")/lib.sh"
need_mirror
start_server "$MIRROR"
OUT="$TMP/out" CACHE="$TMP/cache"
ONET=www.onetcenter.org/dl_files/database
OCC="onet_code='27-4014.00'"

step "snapshot over HTTP from the mirror"
run_occsnap "$OUT" "$CACHE" "$URL"
if [ "$RC" -eq 0 ]; then ok; else fail "exit $RC: $(cat "$TMP/log")"; fi
DB="$OUT/latest/occsnap.sqlite"

# Figures below were read by hand from the raw files:
#   unzip -p db_30_1_text.zip 'db_30_1_text/<member>.txt' | grep '^27-4014\.00<TAB>'
# and, for Knowledge.xlsx / Skills.xlsx (db_30_1_excel.zip), by unzipping the
# workbook and reading xl/worksheets/sheet1.xml with xl/sharedStrings.xml.
step "27-4014.00 Sound Engineering Technicians: job zone and titles"
# Job Zones.txt: "27-4014.00  3  08/2025  Analyst"
check "job zone" "$(q "$DB" "select job_zone from occupation where $OCC")" 3
# Alternate Titles.txt: 43 lines for 27-4014.00
check "alternate titles" \
    "$(q "$DB" "select count(*) from occupation_title where $OCC and kind='alternate'")" 43
# Sample of Reported Titles.txt: 10 lines for 27-4014.00, 4 of them "Y"
check "reported titles" \
    "$(q "$DB" "select count(*) from occupation_title where $OCC and kind='reported'")" 10
check "reported titles shown in My Next Move" \
    "$(q "$DB" "select sum(shown_in_my_next_move) from occupation_title where $OCC and kind='reported'")" 4
# Alternate Titles.txt: "Audio Engineer  n/a  02,08,10", "Recording Engineer  n/a  02,04,06,08";
# Sample of Reported Titles.txt: "Audio Engineer  Y", "Recording Engineer  Y"
check "Audio Engineer and Recording Engineer, both kinds" \
    "$(q "$DB" "select group_concat(kind||':'||title||':'||ifnull(short_title,'NULL')||':'||ifnull(sources,'-')||':'||ifnull(shown_in_my_next_move,'-'), ' | ') from (select * from occupation_title where $OCC and title in ('Audio Engineer','Recording Engineer') order by kind, title)")" \
    "alternate:Audio Engineer:NULL:02,08,10:- | alternate:Recording Engineer:NULL:02,04,06,08:- | reported:Audio Engineer:NULL:-:1 | reported:Recording Engineer:NULL:-:1"

step "27-4014.00: technology"
# Technology Skills.txt: 33 lines for 27-4014.00, 17 with Hot Technology "Y", none In Demand
check "technology rows" "$(q "$DB" "select count(*) from technology where $OCC")" 33
check "hot technologies" "$(q "$DB" "select sum(hot_technology) from technology where $OCC")" 17
check "in demand" "$(q "$DB" "select sum(in_demand) from technology where $OCC")" 0
# "27-4014.00  Adobe Acrobat  43232202  Document management software  Y  N"
check "Adobe Acrobat" \
    "$(q "$DB" "select commodity_code||' '||commodity_title||' '||hot_technology||' '||in_demand from technology where $OCC and example='Adobe Acrobat'")" \
    "43232202 Document management software 1 0"

step "27-4014.00: knowledge and skills from the Excel workbooks"
# Knowledge.xlsx, 27-4014.00, 2.C.3.a Computers and Electronics: IM 4.6 and
# LV 5.32 (Occupational Expert data: Recommend Suppress empty; LV Not Relevant "N")
check "Computers and Electronics" \
    "$(q "$DB" "select importance||' '||level||' '||ifnull(importance_suppress,'NULL')||' '||ifnull(level_suppress,'NULL')||' '||level_not_relevant||' '||source_table from element where $OCC and kind='knowledge' and element_id='2.C.3.a'")" \
    "4.6 5.32 NULL NULL 0 onet_knowledge_xlsx"
# Knowledge.xlsx: 66 rows for 27-4014.00 = 33 elements x (IM, LV); Skills.xlsx: 70 = 35 x 2
check "knowledge elements" "$(q "$DB" "select count(*) from element where $OCC and kind='knowledge'")" 33
check "skill elements" "$(q "$DB" "select count(*) from element where $OCC and kind='skill'")" 35
# Both workbooks: 894 occupations, each with exactly 33 knowledge / 35 skill elements
check "every occupation with knowledge has 33" \
    "$(q "$DB" "select count(*)||' '||min(n)||' '||max(n) from (select count(*) n from element where kind='knowledge' group by onet_code)")" \
    "894 33 33"
check "every occupation with skills has 35" \
    "$(q "$DB" "select count(*)||' '||min(n)||' '||max(n) from (select count(*) n from element where kind='skill' group by onet_code)")" \
    "894 35 35"
check "an IM and an LV value for every element" \
    "$(q "$DB" "select count(*) from element where importance is null or level is null")" 0

step "abilities: not in the archive, recorded as missing, none loaded"
check "ability rows" "$(q "$DB" "select count(*) from element where kind='ability'")" 0
check "source_table status" \
    "$(q "$DB" "select status||' '||rows from source_table where table_id='onet_abilities'")" "missing 0"
python3 - "$OUT/latest/manifest.json" "$(q "$DB" "select count(*) from element")" \
    > "$TMP/manifest.txt" 2>&1 <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
# row_counts holds the snapshot's tables; the status of each staged source
# table is under "tables", and a missing optional one is also a warning.
assert m["row_counts"]["element"] == int(sys.argv[2]), m["row_counts"]
t = [x for x in m["tables"] if x["table_id"] == "onet_abilities"]
assert len(t) == 1 and t[0]["status"] == "missing" and t[0]["rows"] == 0, t
assert any(w["table"] == "onet_abilities" for w in m["warnings"]), m["warnings"]
print("ok")
PY
check "manifest: row_counts, tables and warnings" "$(cat "$TMP/manifest.txt")" ok

step "totals against the staged tables"
staged() { q "$DB" "select rows from source_table where table_id='$1'"; }
check "occupation_title = alternate + reported rows" \
    "$(q "$DB" "select count(*) from occupation_title")" \
    "$(($(staged onet_alt_titles) + $(staged onet_reported_titles)))"
# Alternate Titles.txt: 56,505 data lines, 3,866 with a Short Title other than "n/a"
check "alternate titles" "$(q "$DB" "select count(*) from occupation_title where kind='alternate'")" 56505
check "short titles ('n/a' is NULL)" \
    "$(q "$DB" "select count(short_title) from occupation_title where kind='alternate'")" 3866
# Sample of Reported Titles.txt: 7,955 data lines; Technology Skills.txt: 32,773
check "reported titles" "$(q "$DB" "select count(*) from occupation_title where kind='reported'")" 7955
check "technology" "$(q "$DB" "select count(*) from technology")" 32773
# Job Zones.txt: 923 data lines
check "occupations with a job zone" "$(q "$DB" "select count(job_zone) from occupation")" 923
check "elements = half the rows of both workbooks" "$(q "$DB" "select count(*) from element")" \
    "$((($(staged onet_knowledge_xlsx) + $(staged onet_skills_xlsx)) / 2))"

step "coverage of every O*NET details table"
TABLES="'onet_alt_titles','onet_reported_titles','onet_technology','onet_job_zones','onet_knowledge_xlsx','onet_skills_xlsx'"
check "records (none for tables not read)" \
    "$(q "$DB" "select group_concat(table_id, ' ') from (select table_id from coverage where table_id in ($TABLES) or table_id in ('onet_knowledge','onet_skills','onet_abilities') order by table_id)")" \
    "onet_alt_titles onet_job_zones onet_knowledge_xlsx onet_reported_titles onet_skills_xlsx onet_technology"
check "rows in = mapped + unmatched" \
    "$(q "$DB" "select count(*) from coverage where table_id in ($TABLES) and rows_in <> rows_mapped + rows_unmatched")" 0
check "rows in = rows staged" \
    "$(q "$DB" "select count(*) from coverage c join source_table s using (table_id) where c.table_id in ($TABLES) and c.rows_in <> s.rows")" 0
check "unmatched rows counted = listed" \
    "$(q "$DB" "select count(*) from coverage c where table_id in ($TABLES) and rows_unmatched <> (select count(*) from coverage_unmatched u where u.table_id = c.table_id)")" 0
# 894 occupations in both workbooks (see above); Job Zones.txt covers 923
check "occupations covered" \
    "$(q "$DB" "select group_concat(table_id||'='||occupations_covered, ' ') from (select * from coverage where table_id in ('onet_job_zones','onet_knowledge_xlsx','onet_skills_xlsx') order by table_id)")" \
    "onet_job_zones=923 onet_knowledge_xlsx=894 onet_skills_xlsx=894"

# Doctored copies of the O*NET archives, rebuilt here from the real ones.
# repack ZIP MEMBER SED-EXPRESSION: a mirror whose ZIP has MEMBER edited by
# sed (or removed, when the expression is "delete").
repack() {
    rm -rf "$TMP/dm"
    doctored_mirror "$TMP/dm"
    rm "$TMP/dm/$ONET/$1"
    python3 - "$MIRROR/$ONET/$1" "$TMP/dm/$ONET/$1" "$2" "$3" <<'PY'
import subprocess, sys, zipfile
src, dst, member, expr = sys.argv[1:]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
    assert member in zin.namelist(), member
    for info in zin.infolist():
        data = zin.read(info)
        if info.filename == member:
            if expr == "delete":
                continue
            data = subprocess.run(["sed", expr], input=data, capture_output=True,
                                  check=True).stdout
        zout.writestr(info, data)
PY
}

expect_failure() { # NAME PATTERN...: the last run failed with exit 6 naming each pattern
    local name=$1; shift
    step "$name"
    check "exit code" "$RC" 6
    for pat in "$@"; do
        if grep -qF -- "$pat" "$TMP/log"; then echo "ok - $name: message names '$pat'"
        else fail "message lacks '$pat': $(cat "$TMP/log")"; fi
    done
    check "no new snapshot" "$(ls "$TMP/out-d" 2>/dev/null | grep -vc latest)" 0
}

repack db_30_1_excel.zip db_30_1_excel/Knowledge.xlsx delete
run_occsnap "$TMP/out-d" "$TMP/cache-d1" "$TMP/dm"
expect_failure "no knowledge table at all" \
    "neither onet_knowledge (missing: member not in archive) nor onet_knowledge_xlsx (missing: member not in archive) was staged"

# line 2 of Technology Skills.txt: "11-1011.00  Adobe Acrobat  43232202  ...  Y  N"
repack db_30_1_text.zip "db_30_1_text/Technology Skills.txt" '2s/\tY\tN\r$/\tyes\tN\r/'
run_occsnap "$TMP/out-d" "$TMP/cache-d2" "$TMP/dm"
expect_failure "a hot technology flag other than Y or N" "onet_technology" \
    "db_30_1_text/Technology Skills.txt row 2" "hot_technology" "'yes'"

# line 2 of Alternate Titles.txt, "11-1011.00  Aeronautics Commission Director", twice
repack db_30_1_text.zip "db_30_1_text/Alternate Titles.txt" '2p'
run_occsnap "$TMP/out-d" "$TMP/cache-d3" "$TMP/dm"
expect_failure "an alternate title given twice" "onet_alt_titles" \
    "db_30_1_text/Alternate Titles.txt row 3" "'Aeronautics Commission Director'" \
    "11-1011.00" "also row 2"
finish
