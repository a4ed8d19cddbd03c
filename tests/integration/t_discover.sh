#!/usr/bin/env bash
# Issue 10: each source's newest release found by itself, on the shipped
# config (no pin). The mirror holds OEWS May 2025 (real; mirror README:
# 27-4014 13,080 employed, median $73,130; 29-1211 median $391,490 published
# as a number, no '#') beside May 2024, and no O*NET database page. Newer
# releases "of our own making" come from tests/fixtures/releases/
# make_handmade_releases.py (HAND-MADE: OEWS "May 2026" with 27-4014 at 13,500
# and $75,000; O*NET "30.2" in the 30.1 layout, 27-4014.00 titled "Sound
# Engineering Technicians (30.2 fixture)"; a database page linking 30.1/30.2).
source "$(dirname "$0")/lib.sh"
need_mirror
S="$SHIPPED_CONFIG"
OUT="$TMP/out"
CACHE="$TMP/cache"
snap() { # snap MIRROR [args...]: a snapshot on the shipped config into OUT/CACHE
    local mirror=$1; shift
    "$BIN" snapshot --config "$S" --mirror "$mirror" --cache "$CACHE" --out "$OUT" "$@" \
        >"$TMP/log" 2>&1
    RC=$?
}
latest_q() { q "$OUT/latest/occsnap.sqlite" "$1"; }
rel() { latest_q "select release||' | '||release_note from source where source='$1' limit 1"; }
man() { python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
s = [x for x in m["sources"] if x["id"] == sys.argv[2]][0]
print(s["release"], "|", s["vintage"])' "$OUT/latest/manifest.json" "$1"; }

step "a default run over the mirror picks OEWS May 2025 by itself"
snap "$MIRROR"
check "exit" "$RC" 0
check "release and how it was chosen" "$(rel oews)" "2025 | newest found by probing"
check "the file it read" "$(latest_q "select url from source where source='oews'")" \
    "https://www.bls.gov/oes/special-requests/oesm25nat.zip"
check "27-4014.00 employment and median" \
    "$(latest_q "select cast(tot_emp as int)||' '||cast(a_median as int) from employment_wage where onet_code='27-4014.00'")" \
    "13080 73130"
check "29-1211.00: a top wage as a number, no flag" \
    "$(latest_q "select cast(a_median as int)||' '||ifnull(a_median_flag, 'no flag') from employment_wage where onet_code='29-1211.00'")" \
    "391490 no flag"
check "the manifest" "$(man oews)" "2025 | May 2025"
"$BIN" show 27-4014.00 --snapshot "$OUT/latest" > "$TMP/page.md" 2>&1
check "the page" "$(grep -c '^- \*\*Pay & employment (BLS OEWS, May 2025):\*\* median \$73,130; 13,080 employed.$' "$TMP/page.md")" 1
check "the page's sources" "$(grep -c '^- \*\*BLS Occupational Employment and Wage Statistics (OEWS), national\*\* (May 2025)' "$TMP/page.md")" 1
check "EP's vintage comes from its headers" "$(man ep)" "None | 2024-2034"

step "no O*NET database page in the mirror: probing instead, with a warning"
check "O*NET stays on the newest known" "$(rel onet)" "30.1 | the newest known (config); nothing newer found"
check "the warning is in the manifest" "$(python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
print(sum("onet: cannot read https://www.onetcenter.org/database.html; probing" in w for w in m["run_warnings"]))' "$OUT/latest/manifest.json")" 1

step "pinned to May 2024 (--pin oews=2024): the figures of May 2024"
"$BIN" snapshot --config "$S" --mirror "$MIRROR" --cache "$TMP/cache24" --out "$TMP/out24" \
    --pin oews=2024 >"$TMP/log24" 2>&1
check "exit" "$?" 0
check "27-4014.00" "$(q "$TMP/out24/latest/occsnap.sqlite" "select cast(tot_emp as int)||' '||cast(a_median as int) from employment_wage where onet_code='27-4014.00'")" \
    "13050 66430"
check "how" "$(q "$TMP/out24/latest/occsnap.sqlite" "select release||' | '||release_note from source where source='oews'")" \
    "2024 | pinned (--pin)"
"$BIN" snapshot --config "$S" --mirror "$MIRROR" --cache "$TMP/cache24" --out "$TMP/out24" \
    --pin oews=24 >"$TMP/log24" 2>&1
check "a pin that is no release: exit 2" "$?" 2
check "its message" "$(grep -c '^error: --pin oews=24: expected SOURCE=RELEASE' "$TMP/log24")" 1

step "a newer release of our own making is picked with no config change"
FIX="$TMP/mirror-new"
python3 "$ROOT/tests/fixtures/releases/make_handmade_releases.py" "$MIRROR" "$FIX" --onet33 --ep2035 \
    >"$TMP/fix.log" 2>&1
check "fixtures made" "$?" 0
PREV=$(readlink "$OUT/latest")
snap "$FIX"
check "exit" "$RC" 0
check "OEWS May 2026 (hand-made) found by probing" "$(rel oews)" "2026 | newest found by probing"
check "O*NET 30.2 (hand-made) linked from the page" "$(rel onet)" "30.2 | newest linked from the index page"
check "27-4014.00 from the May 2026 fixture" \
    "$(latest_q "select cast(tot_emp as int)||' '||cast(a_median as int) from employment_wage where onet_code='27-4014.00'")" \
    "13500 75000"
check "the 30.2 fixture's title" "$(latest_q "select title from occupation where onet_code='27-4014.00'")" \
    "Sound Engineering Technicians (30.2 fixture)"
check "member names follow the release folder" \
    "$(latest_q "select file from source_table where table_id='onet_occupation'")" \
    "db_30_2_text.zip/db_30_2_text/Occupation Data.txt"
"$BIN" diff "$PREV" latest --out "$OUT" > "$TMP/diff.txt" 2>&1
check "diff names each vintage change" "$(sed -n '/^Vintages changed/,/^$/p' "$TMP/diff.txt" | grep -c '^  oews: May 2025 -> May 2026 (release 2025 -> 2026)$\|^  onet: 30.1 -> 30.2 (release 30.1 -> 30.2)$')" 2

check "EP 2025-35 (hand-made headers) loads with no config change: years" \
    "$(latest_q "select base_year||'-'||proj_year||' '||emp_base||' -> '||emp_proj from projection where onet_code='27-4014.00'")" \
    "2025-2035 16.9 -> 16.6"
check "EP's vintage from its new headers" "$(man ep)" "None | 2025-2035"

step "O*NET 30.3 layout (hand-made): renamed members and the split skills load"
"$BIN" snapshot --config "$S" --mirror "$FIX" --cache "$TMP/c33" --out "$TMP/o33" --pin onet=30.3 \
    >"$TMP/log33" 2>&1
check "exit" "$?" 0
D33="$TMP/o33/latest/occsnap.sqlite"
check "element kinds in the release's words" "$(q "$D33" "select group_concat(kind, ' ') from (select distinct kind from element order by kind)")" \
    "essential_skill knowledge transferable_skill"
check "Job Titles.txt read for the alternate titles" "$(q "$D33" "select file from source_table where table_id='onet_alt_titles'")" \
    "db_30_3_text.zip/db_30_3_text/Job Titles.txt"
check "Software Skills.txt read for the technology" "$(q "$D33" "select file from source_table where table_id='onet_technology'")" \
    "db_30_3_text.zip/db_30_3_text/Software Skills.txt"
check "the same titles as 30.1" "$(q "$D33" "select count(*) from occupation_title")" \
    "$(latest_q "select count(*) from occupation_title")"
"$BIN" show 27-4014.00 --snapshot "$TMP/o33/latest" > "$TMP/page33.md" 2>&1
check "the page labels skills as the release does" \
    "$(grep -c '^- Active Listening _(essential_skill)_$\|^- Speaking _(essential_skill)_$' "$TMP/page33.md")" 2

step "a newer release that fails to parse fails the run; --allow-stale uses the last good one"
BROKEN="$TMP/mirror-broken"
cp -a "$FIX" "$BROKEN"
rm "$BROKEN/www.bls.gov/oes/special-requests/oesm26nat.zip"
# the May 2025 archive under the May 2026 name: its member is oesm25nat/...
cp "$MIRROR/www.bls.gov/oes/special-requests/oesm25nat.zip" "$BROKEN/www.bls.gov/oes/special-requests/oesm26nat.zip"
"$BIN" snapshot --config "$S" --mirror "$MIRROR" --cache "$TMP/cb" --out "$TMP/ob" >"$TMP/logb" 2>&1
check "a snapshot on May 2025 first" "$(q "$TMP/ob/latest/occsnap.sqlite" "select distinct release from source where source='oews'")" 2025
"$BIN" snapshot --config "$S" --mirror "$BROKEN" --cache "$TMP/cb" --out "$TMP/ob" >"$TMP/logb" 2>&1
check "without --allow-stale: exit 5" "$?" 5
check "naming the table and the member" "$(grep -c "^error: oews_national: oesm26nat.zip has no member 'oesm26nat/national_M2026_dl.xlsx'" "$TMP/logb")" 1
"$BIN" snapshot --config "$S" --mirror "$BROKEN" --cache "$TMP/cb" --out "$TMP/ob" --allow-stale >"$TMP/logb" 2>&1
check "with --allow-stale: exit 0" "$?" 0
DB="$TMP/ob/latest/occsnap.sqlite"
check "OEWS on the last good release" "$(q "$DB" "select distinct release from source where source='oews'")" 2025
check "and the manifest says why" "$(python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
s = [x for x in m["sources"] if x["id"] == "oews"][0]
print(s["release_note"].startswith("the last good release (the latest snapshot'"'"'s), as release 2026 failed (--allow-stale): oews_national: "))' "$TMP/ob/latest/manifest.json")" True
check "O*NET keeps its new release (it did not fail)" "$(q "$DB" "select distinct release from source where source='onet'")" 30.2

step "removing it again does not make occsnap go back"
NEW=$(readlink "$OUT/latest")
snap "$MIRROR"
check "the release is gone from its URL: the run fails (exit 4)" "$RC" 4
check "latest is unchanged" "$(readlink "$OUT/latest")" "$NEW"
snap "$MIRROR" --allow-stale
check "--allow-stale: the last good copies" "$RC" 0
check "still May 2026" "$(rel oews | cut -d' ' -f1)" 2026
check "still 30.2" "$(rel onet | cut -d' ' -f1)" 30.2

step "an unreachable probe keeps the newest known release, with a warning"
sed 's/^retries = 3$/retries = 0/' "$S" > "$TMP/noretry.ini"
start_server "$MIRROR" --status /www.bls.gov/oes/special-requests/oesm26nat.zip=503
"$BIN" snapshot --config "$TMP/noretry.ini" --mirror "$URL" --cache "$TMP/c503" --out "$TMP/o503" \
    >"$TMP/log503" 2>&1
check "exit" "$?" 0
check "May 2024, the newest known" "$(q "$TMP/o503/latest/occsnap.sqlite" "select release||' | '||release_note from source where source='oews'")" \
    "2024 | the newest known (config); nothing newer found"
check "the warning" "$(python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
print(sum("oews: cannot probe https://www.bls.gov/oes/special-requests/oesm26nat.zip (HTTP 503)" in w for w in m["run_warnings"]))' "$TMP/o503/latest/manifest.json")" 1

finish
