#!/usr/bin/env bash
# The transform's reader ahead (transform/worker.c) reads the O*NET element
# tables, then builds the whole Economic Index step into a database of its
# own, on a second thread while the main thread writes; what it cannot read
# whole, or a step that fails or warns there, the main thread does again in
# its place. So a failure in what it reads is reported once, where the
# one-thread transform reported it, and a failure of an earlier step is the
# only one reported (doctored copies of the real mirror).
source "$(dirname "$0")/lib.sh"
need_mirror
ONET=www.onetcenter.org/dl_files/database
V1=huggingface.co/datasets/Anthropic/EconomicIndex/resolve/main/release_2025_02_10/onet_task_statements.csv

# doctor FILE SED-EXPRESSION: a fresh mirror copy $TMP/dm with FILE edited
doctor() {
    rm -rf "$TMP/dm"
    doctored_mirror "$TMP/dm"
    rm "$TMP/dm/$1"
    sed "$2" "$MIRROR/$1" > "$TMP/dm/$1"
}

step "the real mirror: the rows the reader read are the rows"
run_occsnap "$TMP/out0" "$TMP/cache0" "$MIRROR"
check "exit code" "$RC" 0
DB="$TMP/out0/latest/occsnap.sqlite"
check "elements" "$(q "$DB" "select count(*) from element")" 60792
check "element coverage, in reading order" \
    "$(q "$DB" "select group_concat(table_id || '=' || rows_in || '/' || rows_mapped, ' ') from (select * from coverage where table_id like 'onet_%_xlsx' order by rowid)")" \
    "onet_knowledge_xlsx=59004/59004 onet_skills_xlsx=62580/62580"
check "Economic Index tasks" "$(q "$DB" "select count(*) from aei_task")" 8676
OCCSNAP_TRACE=1 "$BIN" transform --config "$CONFIG" --cache "$TMP/cache0" --out "$TMP/out0" \
    >"$TMP/trace.log" 2>&1; check "transform again" "$?" 0
check "the Economic Index built on the reader" \
    "$(grep -c '^trace: .* s transform reader: economic index built$' "$TMP/trace.log")" 1
check "and taken as built" "$(q "$TMP/cache0/work.sqlite" "select (select count(*) from aei_task)||' '||(select count(*) from aei_occupation)||' '||(select count(*) from aei_release)||' '||(select count(*) from measure where measure = 'aei_usage_pct' and value is not null)")" \
    "$(q "$DB" "select (select count(*) from aei_task)||' '||(select count(*) from aei_occupation)||' '||(select count(*) from aei_release)||' '||(select count(*) from measure where measure = 'aei_usage_pct' and value is not null)")"

# line 3 of the first release's statements: 11-1011.00 made a bad code
doctor "$V1" '3s/^11-1011\.00,/11-10X1.00,/'
run_occsnap "$TMP/out1" "$TMP/cache1" "$TMP/dm"
step "a bad code in an Economic Index release's task statements"
check "exit code" "$RC" 6
check "reported once, naming the row" \
    "$(grep -c "^error: aei_v1_statements: .*row 3: '11-10X1.00' is not an O\*NET-SOC code" "$TMP/log")" 1
check "the only error" "$(grep -c '^error: ' "$TMP/log")" 1

# and a failure of the technology step, before the reader's tables are used
# (the statements stay doctored: only the earlier failure is reported)
python3 - "$MIRROR/$ONET/db_30_1_text.zip" "$TMP/dm/$ONET/db_30_1_text.zip" <<'PY'
import os, sys, zipfile
src, dst = sys.argv[1:]
os.remove(dst)
member = "db_30_1_text/Technology Skills.txt"
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
    for info in zin.infolist():
        data = zin.read(info)
        if info.filename == member:  # line 2: hot_technology 'yes'
            lines = data.split(b"\n")
            lines[1] = lines[1].replace(b"\tY\tN\r", b"\tyes\tN\r")
            data = b"\n".join(lines)
        zout.writestr(info, data)
PY
run_occsnap "$TMP/out2" "$TMP/cache2" "$TMP/dm"
step "a failure before the reader's tables are used"
check "exit code" "$RC" 6
check "the technology flag named" \
    "$(grep -c "^error: onet_technology: .*row 2: hot_technology is 'yes', not Y or N" "$TMP/log")" 1
check "the only error" "$(grep -c '^error: ' "$TMP/log")" 1
finish
