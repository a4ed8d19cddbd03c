#!/usr/bin/env bash
# The whole pipeline over real upstream files served on 127.0.0.1 (not file://).
source "$(dirname "$0")/lib.sh"
need_mirror
start_server "$MIRROR"
OUT="$TMP/out" CACHE="$TMP/cache"

step "snapshot over HTTP from the mirror"
run_occsnap "$OUT" "$CACHE" "$URL"
if [ "$RC" -eq 0 ]; then ok; else fail "exit $RC: $(cat "$TMP/log")"; fi
DB="$OUT/latest/occsnap.sqlite"

step "latest points at a timestamped snapshot, nothing temporary left"
check "latest target" "$(readlink "$OUT/latest" | grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{6}Z$')" 1
check "temporary entries" "$(ls -A "$OUT" | grep -c '^\.tmp\|\.latest\.tmp')" 0

step "the universe is O*NET 30.1 Occupation Data"
check "occupations" "$(q "$DB" 'select count(*) from occupation')" 1016
check "tasks of 27-4014.00" "$(q "$DB" "select count(*) from task where onet_code='27-4014.00'")" 14

step "27-4014.00 Sound Engineering Technicians, checked by hand against the raw files"
# national_M2024_dl.xlsx row 501: TOT_EMP 13050, A_MEDIAN 66430, H_MEDIAN 31.94
check "OEWS employment" "$(q "$DB" "select cast(tot_emp as int) from occupation_profile where onet_code='27-4014.00'")" 13050
check "OEWS annual median" "$(q "$DB" "select cast(a_median as int) from occupation_profile where onet_code='27-4014.00'")" 66430
check "OEWS hourly median" "$(q "$DB" "select h_median from occupation_profile where onet_code='27-4014.00'")" 31.94
check "OEWS match" "$(q "$DB" "select oews_match from occupation_profile where onet_code='27-4014.00'")" soc
# occ_level.csv: dv_rating_gamma 0.7777777777777777
check "Eloundou gamma" "$(q "$DB" "select printf('%.4f', eloundou_gamma) from occupation_profile where onet_code='27-4014.00'")" 0.7778
check "Eloundou match" "$(q "$DB" "select match from measure where onet_code='27-4014.00' and measure='eloundou_gamma'")" exact
# occupations_workathome.csv: 27-4014.00 teleworkable 1, via the 2010->2019 crosswalk
check "teleworkable" "$(q "$DB" "select cast(teleworkable as int) from occupation_profile where onet_code='27-4014.00'")" 1
check "teleworkable match" "$(q "$DB" "select match from measure where onet_code='27-4014.00' and measure='dingel_neiman_teleworkable'")" crosswalk

step "aggregates named by the NEM crosswalk"
# 21-1011.00 -> 21-1018 (440,380 employed); 13-1021.00 -> 13-1020 (486,900)
check "21-1011.00 row" "$(q "$DB" "select oews_code||' '||match||' '||cast(tot_emp as int) from employment_wage where onet_code='21-1011.00'")" "21-1018 aggregate 440380"
check "13-1021.00 row" "$(q "$DB" "select oews_code||' '||match||' '||cast(tot_emp as int) from employment_wage where onet_code='13-1021.00'")" "13-1020 aggregate 486900"
check "13-1020 detailed row preferred" "$(q "$DB" "select o_group from employment_wage where onet_code='13-1021.00'")" detailed

step "a military occupation has no OEWS row, and says so by its absence"
check "55-3016.00 employment rows" "$(q "$DB" "select count(*) from employment_wage where onet_code='55-3016.00'")" 0
check "55-3016.00 tot_emp" "$(q "$DB" "select ifnull(tot_emp,'NULL') from occupation_profile where onet_code='55-3016.00'")" NULL

step "shared rows split employment, so none is counted twice"
# 11-1011.00 and 11-1011.03 share OEWS 11-1011 (211,850)
check "11-1011 weights" "$(q "$DB" "select shared_by||' '||emp_weight from employment_wage where onet_code='11-1011.03'")" "2 105925.0"
check "weights sum to the detailed and used aggregate rows" \
    "$(q "$DB" "select cast(round(sum(emp_weight)) as int) = (select cast(sum(t) as int) from (select distinct oews_code, tot_emp t from employment_wage where tot_emp is not null)) from employment_wage")" 1

step "midrank percentile of eloundou_gamma"
N=$(q "$DB" "select count(*) from measure where measure='eloundou_gamma'")
check "N stored" "$(q "$DB" "select distinct n from measure where measure='eloundou_gamma'")" "$N"
EXPECT=$(q "$DB" "select printf('%.6f', 100.0*((select count(*) from measure where measure='eloundou_gamma' and value < m.value) + 0.5*(select count(*) from measure where measure='eloundou_gamma' and value = m.value))/$N) from measure m where m.onet_code='27-4014.00' and m.measure='eloundou_gamma'")
check "pct of 27-4014.00" "$(q "$DB" "select printf('%.6f', eloundou_gamma_pct) from occupation_profile where onet_code='27-4014.00'")" "$EXPECT"

step "every coverage gap is listed with a reason"
check "unmatched rows counted = listed" "$(q "$DB" "select sum(rows_unmatched) = (select count(*) from coverage_unmatched) from coverage")" 1
check "rows in = mapped + unmatched" "$(q "$DB" "select count(*) from coverage where rows_in <> rows_mapped + rows_unmatched")" 0

step "manifest sha256 of each raw file equals ../shared/mirror/SHA256SUMS"
python3 - "$OUT/latest/manifest.json" "$MIRROR/SHA256SUMS" <<'PY' > "$TMP/sha.txt" 2>&1
import json, sys, urllib.parse
m = json.load(open(sys.argv[1]))
sums = {}
for line in open(sys.argv[2]):
    h, p = line.rstrip("\n").split("  ", 1)
    sums[p] = h
n = 0
for s in m["sources"]:
    for f in s["files"]:
        u = urllib.parse.urlsplit(f["url"])
        key = u.netloc + urllib.parse.unquote(u.path)
        if sums.get(key) != f["sha256"]:
            print("MISMATCH", key, f["sha256"], sums.get(key)); sys.exit(1)
        # from the mirror (the loopback server), recorded without its address
        if f["fetched_url"] != "mirror:" + f["url"] or (f["ok"] and f["fetched_from"] != "mirror"):
            print("NOT FROM THE MIRROR", f["fetched_from"], f["fetched_url"]); sys.exit(1)
        n += 1
out = [o for o in m["outputs"] if o["path"] == "occsnap.sqlite"]
assert out and len(out[0]["sha256"]) == 64, "outputs lack occsnap.sqlite"
assert m["row_counts"]["occupation"] == 1016
print(n)
PY
check "files checked (every distinct URL of the config)" "$(cat "$TMP/sha.txt")" \
    "$(grep '^url = ' "$CONFIG" | grep -v '{path}' | sort -u | wc -l)"  # templates are not fetched

step "the same run from a directory mirror (file://) gives the same figures"
run_occsnap "$TMP/out2" "$TMP/cache2" "$MIRROR"
check "exit" "$RC" 0
check "same occupation_profile" \
    "$(q "$TMP/out2/latest/occsnap.sqlite" 'select * from occupation_profile' | sha256sum)" \
    "$(q "$DB" 'select * from occupation_profile' | sha256sum)"
finish
