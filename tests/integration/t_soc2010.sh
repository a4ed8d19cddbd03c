#!/usr/bin/env bash
# SOC 2010 measures (Felten AIOE, LM AIOE, Frey-Osborne) through the BLS SOC 2010 -> 2018
# crosswalk, on the real mirror. Expected figures were read by hand from the raw files
# (cells read by unzipping the xlsx: xl/sharedStrings.xml + the sheet XML); each is cited.
source "$(dirname "$0")/lib.sh"
need_mirror
start_server "$MIRROR"
OUT="$TMP/out" CACHE="$TMP/cache"
XWALK=www.bls.gov/soc/2018/soc_2010_to_2018_crosswalk.xlsx
FELTEN=raw.githubusercontent.com/AIOE-Data/AIOE/main/AIOE_DataAppendix.xlsx
FREY=raw.githubusercontent.com/ignaciourbina/labor-force/main/frey_and_osborne18_data/frey_osborne_automation_risk_index_clean.csv

step "snapshot over HTTP from the mirror"
run_occsnap "$OUT" "$CACHE" "$URL"
if [ "$RC" -eq 0 ]; then ok; else fail "exit $RC: $(cat "$TMP/log")"; fi
DB="$OUT/latest/occsnap.sqlite"
STAGE="$CACHE/stage.sqlite"
val() { # val ONET MEASURE: value to 4 decimals, and match
    q "$DB" "select printf('%.4f', value)||' '||match from measure where onet_code='$1' and measure='$2'"
}
val7() { q "$DB" "select printf('%.7f', value) from measure where onet_code='$1' and measure='$2'"; }

step "27-4014.00 Sound Engineering Technicians (SOC 2010 27-4014 -> SOC 2018 27-4014)"
# soc_2010_to_2018_crosswalk.xlsx, sheet "Sorted by 2010", row 328: 27-4014 -> 27-4014, its
# only row with 27-4014 in either column.
# AIOE_DataAppendix.xlsx, sheet "Appendix A", row 276: 27-4014, AIOE 0.47154620000000003
check "felten_aioe" "$(val 27-4014.00 felten_aioe)" "0.4715 crosswalk"
check "felten_aioe in the profile" "$(q "$DB" "select printf('%.4f', felten_aioe) from occupation_profile where onet_code='27-4014.00'")" 0.4715
# Language Modeling AIOE and AIIE.xlsx, sheet "LM AIOE", row 276: 27-4014, 0.33849439999999997
check "felten_lm_aioe" "$(val 27-4014.00 felten_lm_aioe)" "0.3385 crosswalk"
# frey_osborne_automation_risk_index_clean.csv line 188: 187,0.13,,27-4014,Sound engineering technicians
check "frey_osborne" "$(val 27-4014.00 frey_osborne)" "0.1300 crosswalk"
check "frey_osborne in the profile" "$(q "$DB" "select frey_osborne from occupation_profile where onet_code='27-4014.00'")" 0.13
check "sources" "$(q "$DB" "select group_concat(source, ' ') from (select source from measure where onet_code='27-4014.00' and measure in ('felten_aioe','felten_lm_aioe','frey_osborne') order by measure)")" \
    "felten felten frey_osborne"

step "a merge: 15-1252.00 Software Developers <- SOC 2010 15-1132 and 15-1133"
# Crosswalk rows 89 (15-1132 -> 15-1252) and 91 (15-1133 -> 15-1252) are the only rows
# with 2018 code 15-1252. Appendix A row 71: 15-1132 1.200923; row 72: 15-1133
# 1.2833079999999999. Mean by hand: (1.200923 + 1.283308) / 2 = 2.484231 / 2 = 1.2421155
check "felten_aioe = mean of two" "$(val7 15-1252.00 felten_aioe)" 1.2421155
check "match" "$(q "$DB" "select match from measure where onet_code='15-1252.00' and measure='felten_aioe'")" crosswalk
# LM AIOE rows 71, 72: 0.88156460000000003, 1.165808 -> 2.0473726 / 2 = 1.0236863
check "felten_lm_aioe = mean of two" "$(val7 15-1252.00 felten_lm_aioe)" 1.0236863
# Frey-Osborne lines 131 (15-1132, 0.042) and 182 (15-1133, 0.13) -> 0.172 / 2 = 0.086
check "frey_osborne = mean of two" "$(q "$DB" "select printf('%.4f', value) from measure where onet_code='15-1252.00' and measure='frey_osborne'")" 0.0860

step "merge of three: 15-1253.00 Software QA Analysts <- 15-1132, 15-1133, 15-1199"
# Crosswalk rows 90, 92, 103 name 15-1253. Appendix A row 79: 15-1199 1.2327049999999999.
# (1.200923 + 1.283308 + 1.232705) / 3 = 3.716936 / 3 = 1.2389786667
check "felten_aioe = mean of three" "$(q "$DB" "select printf('%.10f', value) from measure where onet_code='15-1253.00' and measure='felten_aioe'")" 1.2389786667
# Frey-Osborne has no 15-1199 row (it lists 15-1799, a SOC 2000 code): mean of two, 0.086
check "frey_osborne = mean of the two with a value" "$(q "$DB" "select printf('%.4f', value) from measure where onet_code='15-1253.00' and measure='frey_osborne'")" 0.0860

step "a split: SOC 2010 13-2021 -> 13-2022 and 13-2023, each gets the same value"
# Crosswalk rows 70 (13-2021 -> 13-2022) and 71 (13-2021 -> 13-2023), the only rows naming
# either 2018 code. Appendix A row 55: 13-2021 Appraisers and Assessors of Real Estate,
# 0.84132030000000002. Frey-Osborne line 542: 13-2021, 0.9.
check "13-2022.00 felten_aioe" "$(val7 13-2022.00 felten_aioe)" 0.8413203
check "13-2023.00 felten_aioe" "$(val7 13-2023.00 felten_aioe)" 0.8413203
check "13-2022.00 frey_osborne" "$(val 13-2022.00 frey_osborne)" "0.9000 crosswalk"
check "13-2023.00 frey_osborne" "$(val 13-2023.00 frey_osborne)" "0.9000 crosswalk"

step "a split onto a SOC code with two O*NET occupations: 11-3011 -> 11-3012, 11-3013"
# Crosswalk rows 18, 19; Appendix A row 8: 11-3011 0.73982780000000004. O*NET 30.1 has
# 11-3013.00 Facilities Managers and 11-3013.01 Security Managers: both take 11-3013.
check "11-3012.00, 11-3013.00, 11-3013.01" \
    "$(q "$DB" "select group_concat(printf('%.7f', value), ' ') from (select value from measure where onet_code in ('11-3012.00','11-3013.00','11-3013.01') and measure='felten_aioe' order by onet_code)")" \
    "0.7398278 0.7398278 0.7398278"

step "every value recomputed in SQL from the staged tables (mean over distinct origins)"
for spec in "felten_aioe felten_aioe aioe" "felten_lm_aioe felten_lm_aioe lm_aioe" \
    "frey_osborne frey_osborne probability"; do
    set -- $spec
    # expected: per occupation, mean of the values of the SOC 2010 origins of its soc_code
    q "$DB" "$(stage_views "$CACHE" soc_2010_2018 "$2")
        create temp table exp_$1 as
        select o.onet_code, avg(f.$3) v from occupation o
          join (select distinct soc2010, soc2018 from src_soc_2010_2018) x on x.soc2018 = o.soc_code
          join src_$2 f on f.soc2010 = x.soc2010 and f.$3 is not null
        group by o.onet_code;
        select count(*) from exp_$1;" >"$TMP/n_$1"
    check "$1: occupations with a value" "$(q "$DB" "select count(*) from measure where measure='$1'")" "$(cat "$TMP/n_$1")"
    check "$1: values that differ" "$(q "$DB" "$(stage_views "$CACHE" soc_2010_2018 "$2")
        select count(*) from occupation o
          left join measure m on m.onet_code = o.onet_code and m.measure = '$1'
          left join (select o2.onet_code, avg(f.$3) v from occupation o2
              join (select distinct soc2010, soc2018 from src_soc_2010_2018) x on x.soc2018 = o2.soc_code
              join src_$2 f on f.soc2010 = x.soc2010 and f.$3 is not null
              group by o2.onet_code) e on e.onet_code = o.onet_code
        where (m.value is null) <> (e.v is null) or abs(m.value - e.v) > 1e-12")" 0
    check "$1: every match is crosswalk" "$(q "$DB" "select count(*) from measure where measure='$1' and match <> 'crosswalk'")" 0
done

step "midrank percentile of felten_aioe for 27-4014.00"
N=$(q "$DB" "select count(*) from measure where measure='felten_aioe'")
check "N stored" "$(q "$DB" "select group_concat(distinct n) from measure where measure='felten_aioe'")" "$N"
EXPECT=$(q "$DB" "select printf('%.6f', 100.0*((select count(*) from measure where measure='felten_aioe' and value < m.value) + 0.5*(select count(*) from measure where measure='felten_aioe' and value = m.value))/$N) from measure m where m.onet_code='27-4014.00' and m.measure='felten_aioe'")
check "pct of 27-4014.00" "$(q "$DB" "select printf('%.6f', felten_aioe_pct) from occupation_profile where onet_code='27-4014.00'")" "$EXPECT"
check "pct in the measure table" "$(q "$DB" "select printf('%.6f', pct) from measure where onet_code='27-4014.00' and measure='felten_aioe'")" "$EXPECT"

step "coverage of the three tables"
for t in felten_aioe felten_lm_aioe frey_osborne; do
    check "$t: rows in = staged rows" "$(q "$DB" "select rows_in from coverage where table_id='$t'")" \
        "$(qstage "$CACHE" "select count(*) from src_$t")"
    check "$t: rows in = mapped + unmatched" "$(q "$DB" "select rows_in = rows_mapped + rows_unmatched from coverage where table_id='$t'")" 1
    check "$t: unmatched rows listed" "$(q "$DB" "select rows_unmatched from coverage where table_id='$t'")" \
        "$(q "$DB" "select count(*) from coverage_unmatched where table_id='$t'")"
    check "$t: occupations covered = occupations with a value" \
        "$(q "$DB" "select occupations_covered from coverage where table_id='$t'")" \
        "$(q "$DB" "select count(*) from measure where measure='$t'")"
    echo "# coverage $t: $(q "$DB" "select rows_in||' rows, '||rows_mapped||' mapped, '||rows_unmatched||' unmatched; occupations '||occupations_covered||'/'||occupations_total||' = '||printf('%.4f', 1.0*occupations_covered/occupations_total)||'; employment share '||printf('%.4f', employment_share) from coverage where table_id='$t'")"
done
# Appendix A row 122: 19-1020 Biologists, a SOC 2010 broad group code, not a crosswalk origin
check "felten_aioe unmatched" "$(q "$DB" "select row||' '||code||' '||reason from coverage_unmatched where table_id='felten_aioe'")" \
    "122 19-1020 not an origin in the SOC 2010 to 2018 crosswalk"
# Frey-Osborne uses 17 SOC 2000 / OES aggregate codes, e.g. line 47: 29-1111 Registered nurses
check "frey_osborne unmatched reasons" "$(q "$DB" "select count(*)||' '||reason from coverage_unmatched where table_id='frey_osborne' group by reason")" \
    "17 not an origin in the SOC 2010 to 2018 crosswalk"
check "frey_osborne 29-1111 listed" "$(q "$DB" "select row||' '||code from coverage_unmatched where table_id='frey_osborne' and code='29-1111'")" "47 29-1111"

# Failures on doctored copies of the raw files: exit 6, table, file, row and value named.
doctor_xlsx() { # doctor_xlsx MIRROR-PATH OLD NEW: a mirror whose xlsx has one shared string changed
    rm -rf "$TMP/dm"
    doctored_mirror "$TMP/dm"
    rm "$TMP/dm/$1"
    python3 - "$MIRROR/$1" "$TMP/dm/$1" "$2" "$3" <<'PY'
import sys, zipfile
src, dst, old, new = sys.argv[1:]
zin = zipfile.ZipFile(src)
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
    for info in zin.infolist():
        data = zin.read(info)
        if info.filename == "xl/sharedStrings.xml":
            text = data.decode()
            assert text.count(">%s<" % old) == 1, "shared string not found once"
            data = text.replace(">%s<" % old, ">%s<" % new).encode()
        zout.writestr(info, data)
PY
}
expect_data_error() { # expect_data_error NAME PATTERN...
    step "$1"; shift
    check "exit code" "$RC" 6
    for pat in "$@"; do
        if grep -qF -- "$pat" "$TMP/log"; then echo "ok - $CURRENT: message names '$pat'"
        else fail "message lacks '$pat': $(cat "$TMP/log")"; fi
    done
}

# crosswalk row 328 becomes 27-4019 -> 27-4019 (both cells share one string)
doctor_xlsx "$XWALK" 27-4014 27-4019
run_occsnap "$TMP/out-d1" "$TMP/cache-d1" "$TMP/dm"
expect_data_error "a crosswalk target missing from the SOC 2018 structure" \
    soc_2010_2018 soc_2010_to_2018_crosswalk.xlsx "row 328" "'27-4019'" "SOC 2018 structure"

# Appendix A row 276 becomes a second 27-4013 (row 275 is 27-4013 Radio Operators)
doctor_xlsx "$FELTEN" 27-4014 27-4013
run_occsnap "$TMP/out-d2" "$TMP/cache-d2" "$TMP/dm"
expect_data_error "a repeated SOC 2010 code in a measure file" \
    felten_aioe AIOE_DataAppendix.xlsx "row 276" "27-4013 appears twice"

# Frey-Osborne line 188: 27-4014 -> 27-40x4; then an O*NET-style suffixed code
for bad in 27-40x4 27-4014.00; do
    rm -rf "$TMP/dm"
    doctored_mirror "$TMP/dm"
    rm "$TMP/dm/$FREY"
    sed "188s/,27-4014,/,$bad,/" "$MIRROR/$FREY" > "$TMP/dm/$FREY"
    run_occsnap "$TMP/out-d3" "$TMP/cache-d3-$bad" "$TMP/dm"
    expect_data_error "a bad SOC 2010 code ($bad)" \
        frey_osborne frey_osborne_automation_risk_index_clean.csv "row 188" "'$bad'"
done
step "no snapshot from a failed run"
check "latest absent" "$(ls "$TMP/out-d1" "$TMP/out-d2" "$TMP/out-d3" 2>/dev/null | grep -c latest)" 0
finish
