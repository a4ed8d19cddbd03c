#!/usr/bin/env bash
# The stages one by one, offline runs from the cache, and incremental staging
# (a table whose file and config are unchanged is copied, not parsed again).
source "$(dirname "$0")/lib.sh"
need_mirror
C="$TMP/cache" O="$TMP/out"
# OCCSNAP_TRACE=1: print progress (the reuse line) as on a terminal
stage() { OCCSNAP_TRACE=1 "$BIN" "$@" --config "$CONFIG" --cache "$C" --out "$O" >"$TMP/log" 2>&1; RC=$?; }

step "extract, then transform, then load, each on its own"
stage extract --mirror "$MIRROR"; check "extract" "$RC" 0
# template tables (template = true) are not staged themselves
NTAB=$(( $(grep -c '^\[table ' "$CONFIG") - $(grep -c '^template = true' "$CONFIG") ))
check "stage database" "$(q "$C/stage.sqlite" "select count(*) from stage_table")" "$NTAB"
# rows are copied as each parse ends, records written in config order: the
# stage (and the snapshot's source_table) lists tables as the config does
CONFIG_ORDER=$(awk '/^\[table /{if(n!="")print n; n=$2; sub(/\]$/,"",n); next}
    /^\[/{if(n!="")print n; n=""; next} /^template = true/{n=""} END{if(n!="")print n}' "$CONFIG")
check "records in config order" "$(q "$C/stage.sqlite" "select table_id from stage_table order by rowid")" "$CONFIG_ORDER"
check "raw file and receipt" "$(ls "$C/raw/oews/" | sort | tr '\n' ' ')" "oesm24nat.zip oesm24nat.zip.receipt.json "
# each parsed table's rows in a file of its own under stage/, which its
# record names (extract/stage.h); the stage database holds the records, and
# an empty src_<id> of each optional member its archive lacks
check "one rows file per table parsed" "$(ls "$C/stage" | wc -l)" \
    "$(q "$C/stage.sqlite" "select count(distinct rows_file) from stage_table where rows_file is not null")"
check "every record of rows names its file" "$(q "$C/stage.sqlite" "select count(*) from stage_table where (status = 'ok') <> (rows_file is not null)")" 0
check "no rows in the stage database itself" "$(q "$C/stage.sqlite" "select count(*) from sqlite_schema where type = 'table' and name like 'src_%'")" \
    "$(q "$C/stage.sqlite" "select count(*) from stage_table where status = 'missing' and note = 'member not in archive'")"
check "a rows file holds its table" "$(qstage "$C" "select count(*) from src_onet_task")" \
    "$(q "$C/stage.sqlite" "select rows from stage_table where table_id = 'onet_task'")"
stage transform; check "transform" "$RC" 0
check "no snapshot before load" "$(ls "$O" | grep -vc '^$')" 0
stage load; check "load" "$RC" 0
check "snapshot published" "$(readlink "$O/latest" | grep -c Z)" 1
FIRST=$(q "$O/latest/occsnap.sqlite" "select * from occupation_profile" | sha256sum)

step "transform and load again without any network or mirror"
stage transform; check "transform" "$RC" 0

step "an unchanged extract keeps the stage as it is, refreshing only its records"
INODE=$(stat -c %i "$C/stage.sqlite")
stage extract --mirror "$MIRROR"; check "extract" "$RC" 0
check "kept" "$(grep -c "all $NTAB tables unchanged since the last extract (stage kept)" "$TMP/log")" 1
check "the same database file" "$(stat -c %i "$C/stage.sqlite")" "$INODE"
# mirror files older than two seconds and not rewritten: neither copied nor hashed
check "files not copied again (304)" "$(q "$C/stage.sqlite" "select count(*) from stage_file where ok and status = 304") of $(q "$C/stage.sqlite" "select count(*) from stage_file where ok")" \
    "$(q "$C/stage.sqlite" "select count(*) from stage_file where ok") of $(q "$C/stage.sqlite" "select count(*) from stage_file where ok")"
check "every table still staged" "$(q "$C/stage.sqlite" "select count(*) from stage_table")" "$NTAB"
# tables parsed from a file (ok), or an optional member that file lacks
STAGED=$(q "$C/stage.sqlite" "select count(*) from stage_table where status='ok' or (status='missing' and note='member not in archive')")

step "offline: the cache alone"
stage snapshot --offline --force; check "snapshot --offline" "$RC" 0
check "same figures" "$(q "$O/latest/occsnap.sqlite" "select * from occupation_profile" | sha256sum)" "$FIRST"
check "receipts say cache" "$(q "$O/latest/occsnap.sqlite" "select distinct fetched_from from source")" cache

step "a changed file is parsed again, the others reused"
doctored_mirror "$TMP/dm"
E=raw.githubusercontent.com/openai/GPTs-are-GPTs/main/data/occ_level.csv
rm "$TMP/dm/$E"
# the same data with one value changed (row 2, Chief Executives, gamma 0.82 -> 0.5)
sed '2s/,0\.8200000000000001,/,0.5,/' "$MIRROR/$E" > "$TMP/dm/$E"
ROWS_E=$(q "$C/stage.sqlite" "select rows_file from stage_table where table_id = 'eloundou_occ'")
INODE_F=$(stat -c %i "$C/$(q "$C/stage.sqlite" "select rows_file from stage_table where table_id = 'felten_aioe'")")
stage snapshot --mirror "$TMP/dm"; check "snapshot" "$RC" 0
check "one table fewer reused" "$(grep -c "$((STAGED - 1)) of" "$TMP/log")" 1
check "the changed table in a rows file of a new name" \
    "$(q "$C/stage.sqlite" "select rows_file <> '$ROWS_E' from stage_table where table_id = 'eloundou_occ'")" 1
check "its old rows file removed" "$(ls "$C/$ROWS_E" 2>/dev/null | wc -l)" 0
check "a table reused keeps its rows file" \
    "$(stat -c %i "$C/$(q "$C/stage.sqlite" "select rows_file from stage_table where table_id = 'felten_aioe'")")" "$INODE_F"
check "the new value is in" "$(q "$O/latest/occsnap.sqlite" "select value from measure where onet_code='11-1011.00' and measure='eloundou_gamma'")" 0.5
step "a copy cached from one origin is not validated by another's 304"
# the cache holds occ_level.csv fetched from the directory mirror above;
# another origin serves a different file dated long ago, so an
# If-Modified-Since carrying the first origin's date would get a 304
doctored_mirror "$TMP/dm2"
rm "$TMP/dm2/$E"
sed '2s/,0\.8200000000000001,/,0.25,/' "$MIRROR/$E" > "$TMP/dm2/$E"
touch -d 2001-01-01 "$TMP/dm2/$E"
start_server "$TMP/dm2"
stage extract --mirror "$URL"; check "extract" "$RC" 0
check "the other origin's file was fetched" \
    "$(qstage "$C" "select dv_rating_gamma from src_eloundou_occ where onet_code='11-1011.00'")" 0.25
step "OCCSNAP_TRACE=1: a timeline of the run, its marks in order"
# (README "Speed and memory": where the time goes); the main thread's marks
# only, as the workers' lines may print a little out of turn
OCCSNAP_TRACE=1 "$BIN" snapshot --config "$CONFIG" --mirror "$MIRROR" --cache "$TMP/tc" \
    --out "$TMP/to" >"$TMP/trace.log" 2>&1; check "snapshot" "$?" 0
MARKS="start|releases discovered|extract: fetched|extract: staged|transform starts|transform: commit done|transform done|load: exported|load: database synced"
sed -nE "s/^trace: \+([0-9]+\.[0-9]{3}) s ($MARKS)\$/\2/p" "$TMP/trace.log" | tr '\n' '|' >"$TMP/marks"
check "every mark, in order" "$(cat "$TMP/marks")" "${MARKS}|"
check "times never go back" "$(sed -nE "s/^trace: \+([0-9.]+) s ($MARKS)\$/\1/p" "$TMP/trace.log" |
    awk 'NR > 1 && $1 < prev {bad++} {prev = $1} END {print bad + 0}')" 0
# the data tests and the manifest run on a thread of their own, beside the exports
check "the load's checks" "$(grep -cE '^trace: .* s load: (data tests run|manifest built)$' "$TMP/trace.log")" 2
check "each table written into the stage" "$(grep -cE '^trace: .* s extract: [a-z0-9_]+ written$' "$TMP/trace.log")" "$NTAB"
check "no trace without OCCSNAP_TRACE" "$("$BIN" snapshot --config "$CONFIG" --mirror "$MIRROR" \
    --cache "$TMP/tc" --out "$TMP/to" --force 2>&1 | grep -c '^trace:')" 0
step "a file two Economic Index releases ship is parsed once, staged under each name"
# release_2025_02_10/ and release_2025_03_27/onet_task_statements.csv are the
# same bytes (sha256 82e4c418..., 19,531 lines: a header and 19,530 rows)
# read alike: whichever arrives first is parsed, the other's rows copied
check "one of the two parsed" "$(grep -cE '^trace: .* s extract: aei_v[12]_statements parsing$' "$TMP/trace.log")" 1
check "its rows written once" "$(grep -cE '^trace: .* s extract: aei_v[12]_statements rows written$' "$TMP/trace.log")" 1
S="$TMP/tc/stage.sqlite"
check "both records name one rows file" "$(q "$S" "select count(distinct rows_file)||' '||count(*) from stage_table where table_id in ('aei_v1_statements', 'aei_v2_statements')")" "1 2"
check "rows of each" "$(qstage "$TMP/tc" "select (select count(*) from src_aei_v1_statements)||' '||(select count(*) from src_aei_v2_statements)")" "19530 19530"
check "the same rows" "$(qstage "$TMP/tc" "select count(*) from (select * from src_aei_v1_statements except select * from src_aei_v2_statements)")" 0
check "each record names its own file" "$(q "$S" "select file||' '||status||' '||header_row||' '||rows from stage_table where table_id in ('aei_v1_statements', 'aei_v2_statements') order by table_id" | tr '\n' '|')" \
    "onet_task_statements_2025_02_10.csv ok 1 19530|onet_task_statements_2025_03_27.csv ok 1 19530|"
check "and its own fingerprint" "$(q "$S" "select count(distinct spec_sha256) from stage_table where table_id in ('aei_v1_statements', 'aei_v2_statements')")" 2
check "the transform joins the second through the first's statements" \
    "$(grep -c '^trace: .* s transform: economic index 2025-03-27 joins through the statements of 2025-02-10$' "$TMP/trace.log")" 1

step "a table given twice in the config is parsed once; a copy read otherwise is parsed on its own"
# copies of [table felten_aioe] (774 rows) and of [table onet_knowledge] (an
# optional member the text zip lacks) under new names, at the config's end
python3 - "$CONFIG" "$TMP/twice.ini" "$TMP/tight.ini" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
def body(name):
    m = re.search(r"^\[table %s\]\n(.*?)(?=^\[|\Z)" % name, text, re.S | re.M)
    return "".join(l + "\n" for l in m.group(1).splitlines() if l.strip() and l[0] not in ";#")
twice = text + "\n[table felten_aioe_again]\n" + body("felten_aioe") + \
        "\n[table onet_knowledge_again]\n" + body("onet_knowledge")
open(sys.argv[2], "w", encoding="utf-8").write(twice)
tight = body("felten_aioe").replace("col.aioe = AIOE | real", "col.aioe = AIOE | real | min=0")
assert "min=0" in tight
open(sys.argv[3], "w", encoding="utf-8").write(text + "\n[table felten_aioe_tight]\n" + tight)
PY
OCCSNAP_TRACE=1 "$BIN" snapshot --config "$TMP/twice.ini" --mirror "$MIRROR" --cache "$TMP/twc" \
    --out "$TMP/two" >"$TMP/twice.log" 2>&1; check "snapshot" "$?" 0
check "parsed once" "$(grep -cE '^trace: .* s extract: felten_aioe(_again)? parsing$' "$TMP/twice.log")" 1
check "staged twice, each under its name" "$(q "$TMP/two/latest/occsnap.sqlite" "select table_id||' '||file||' '||status||' '||rows from source_table where table_id like 'felten_aioe%' order by table_id" | tr '\n' '|')" \
    "felten_aioe AIOE_DataAppendix.xlsx [sheet Appendix A] ok 774|felten_aioe_again AIOE_DataAppendix.xlsx [sheet Appendix A] ok 774|"
check "the same rows" "$(qstage "$TMP/twc" "select count(*) from (select * from src_felten_aioe except select * from src_felten_aioe_again)")" 0
check "the copy of a missing member is missing too" "$(q "$TMP/two/latest/occsnap.sqlite" "select status||' '||note from source_table where table_id = 'onet_knowledge_again'")" "missing member not in archive"
check "with a warning of its own" "$(grep -c "^warning: onet_knowledge_again: db_30_1_text.zip has no member 'db_30_1_text/Knowledge.txt' (optional: staged as missing)$" "$TMP/twice.log")" 1
"$BIN" snapshot --config "$TMP/tight.ini" --mirror "$MIRROR" --cache "$TMP/tic" --out "$TMP/tio" \
    >"$TMP/tight.log" 2>&1; check "a copy that must hold no AIOE below 0 fails" "$?" 6
check "no rows file left of the failed run" "$(ls "$TMP/tic/stage" 2>/dev/null | wc -l)" 0
check "naming the copy" "$(grep -cE '^error: felten_aioe_tight: AIOE_DataAppendix.xlsx \[sheet Appendix A\] row [0-9]+: AIOE = .-[0-9.]+. is outside its valid range \(min=0 for col.aioe in the config\)$' "$TMP/tight.log")" 1
step "a failed extract leaves the stage and its rows files as they were"
cp -a "$C" "$TMP/fc"
SUM=$(sha256sum < "$TMP/fc/stage.sqlite") LIST=$(ls -i "$TMP/fc/stage" | sort)
doctored_mirror "$TMP/bad"
rm "$TMP/bad/$E"
sed '2s/,0\.8200000000000001,/,oops,/' "$MIRROR/$E" > "$TMP/bad/$E"
"$BIN" extract --config "$CONFIG" --mirror "$TMP/bad" --cache "$TMP/fc" --out "$TMP/fo" \
    >"$TMP/log" 2>&1; check "a value that is not a number fails" "$?" 6
check "the stage database unchanged" "$(sha256sum < "$TMP/fc/stage.sqlite")" "$SUM"
check "its rows files unchanged, none added" "$(ls -i "$TMP/fc/stage" | sort)" "$LIST"
check "the transform still reads it" "$("$BIN" transform --config "$CONFIG" --cache "$TMP/fc" --out "$TMP/fo" >/dev/null 2>&1; echo $?)" 0

step "a rows file gone from the cache is parsed again, not trusted"
# the tables an extract log ($1, OCCSNAP_TRACE=1) says it parsed, sorted
parsed() { grep -E '^trace: .* s extract: [a-z0-9_]+ parsing$' "$1" | sed -E 's/.*extract: ([a-z0-9_]+) parsing/\1/' | sort | tr '\n' ' '; }
cp -a "$C" "$TMP/gc"
rm "$TMP/gc/$(q "$TMP/gc/stage.sqlite" "select rows_file from stage_table where table_id = 'onet_task'")"
"$BIN" transform --config "$CONFIG" --cache "$TMP/gc" --out "$TMP/go" >"$TMP/log" 2>&1
check "the transform stops" "$?" 7
check "naming the table and the file" "$(grep -cE '^error: onet_task: its staged rows .*/stage/onet_task-[0-9a-f]{16}\.sqlite are not in the cache \(run `occsnap extract`\)$' "$TMP/log")" 1
OCCSNAP_TRACE=1 "$BIN" extract --config "$CONFIG" --offline --cache "$TMP/gc" --out "$TMP/go" \
    >"$TMP/log" 2>&1; check "extract, from the cache's files" "$?" 0
# and eloundou_occ: the failed transform put its file back to the last good
# copy (the one of the last snapshot published), which the stage did not hold
check "it parsed again, the others reused" "$(parsed "$TMP/log")" "eloundou_occ onet_task "
check "the transform reads it" "$("$BIN" transform --config "$CONFIG" --cache "$TMP/gc" --out "$TMP/go" >/dev/null 2>&1; echo $?)" 0

step "a rows file emptied, overwritten or cut in half is parsed again, not trusted"
cp -a "$C" "$TMP/hc0"
OCCSNAP_TRACE=1 "$BIN" extract --config "$CONFIG" --offline --cache "$TMP/hc0" --out "$TMP/ho" \
    >"$TMP/log0" 2>&1; check "an undamaged copy: extract" "$?" 0
WANT=$(echo "$(parsed "$TMP/log0")onet_task" | tr ' ' '\n' | grep . | sort -u | tr '\n' ' ')
damage() { # COPY HOW: a copy of the cache with onet_task's rows file emptied or overwritten
    cp -a "$C" "$1"
    local f; f="$1/$(q "$1/stage.sqlite" "select rows_file from stage_table where table_id = 'onet_task'")"
    case $2 in
        empty) : > "$f" ;;
        garbage) printf 'not a database, 40 bytes of it..........' > "$f" ;;
        half) truncate -s $(( $(stat -c %s "$f") / 2 )) "$f" ;;
    esac
}
for how in empty garbage half; do
    if [ $how != half ]; then
        damage "$TMP/hm-$how" $how
        "$BIN" transform --config "$CONFIG" --cache "$TMP/hm-$how" --out "$TMP/ho" >"$TMP/log" 2>&1
        check "$how: the transform stops" "$?" 7
        check "$how: naming the table and the rows file" "$(grep -cE '^error: onet_task: (cannot open its staged rows .*/stage/onet_task-[0-9a-f]{16}\.sqlite: file is not a database|its staged rows \(table src_onet_task of stage/onet_task-[0-9a-f]{16}\.sqlite\) cannot be read: no such table: .*) \(run `occsnap extract`\)$' "$TMP/log")" 1
    fi
    damage "$TMP/hc-$how" $how
    OCCSNAP_TRACE=1 "$BIN" extract --config "$CONFIG" --offline --cache "$TMP/hc-$how" \
        --out "$TMP/ho" >"$TMP/log" 2>&1; check "$how: extract" "$?" 0
    check "$how: onet_task parsed again, besides what an undamaged copy parses" "$(parsed "$TMP/log")" "$WANT"
    check "$how: the transform reads it" "$("$BIN" transform --config "$CONFIG" --cache "$TMP/hc-$how" --out "$TMP/ho" >/dev/null 2>&1; echo $?)" 0
done

step "a stage that cannot be read (another process holds it locked) keeps its rows files"
cp -a "$C" "$TMP/lc"
LIST=$(cd "$TMP/lc/stage" && sha256sum -- * | sort)
python3 -c 'import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None); c.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close(); time.sleep(8)' "$TMP/lc/stage.sqlite" "$TMP/locked" &
LOCKER=$!
for _ in $(seq 1 50); do [ -e "$TMP/locked" ] && break; sleep 0.1; done
"$BIN" extract --config "$CONFIG" --offline --cache "$TMP/lc" --out "$TMP/lo" >"$TMP/log" 2>&1
check "the extract fails" "$?" 7
check "naming the stage" "$(grep -c '^error: cannot read the previous stage .*/lc/stage.sqlite: database is locked$' "$TMP/log")" 1
# (the tables were parsed again, no stage being readable: the same names,
# the same bytes)
check "every rows file kept, the same bytes" "$(cd "$TMP/lc/stage" && sha256sum -- * | sort)" "$LIST"
kill "$LOCKER" 2>/dev/null; wait "$LOCKER" 2>/dev/null
check "the transform still reads it" "$("$BIN" transform --config "$CONFIG" --cache "$TMP/lc" --out "$TMP/lo" >/dev/null 2>&1; echo $?)" 0
finish
