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
stage snapshot --mirror "$TMP/dm"; check "snapshot" "$RC" 0
check "one table fewer reused" "$(grep -c "$((STAGED - 1)) of" "$TMP/log")" 1
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
    "$(q "$C/stage.sqlite" "select dv_rating_gamma from src_eloundou_occ where onet_code='11-1011.00'")" 0.25
step "OCCSNAP_TRACE=1: a timeline of the run, its marks in order"
# (README "Speed and memory": where the time goes); the main thread's marks
# only, as the workers' lines may print a little out of turn
OCCSNAP_TRACE=1 "$BIN" snapshot --config "$CONFIG" --mirror "$MIRROR" --cache "$TMP/tc" \
    --out "$TMP/to" >"$TMP/trace.log" 2>&1; check "snapshot" "$?" 0
MARKS="start|releases discovered|extract: fetched|extract: staged|transform starts|transform: commit done|transform done|load: data tests run|load: exported|load: database synced"
sed -nE "s/^trace: \+([0-9]+\.[0-9]{3}) s ($MARKS)\$/\2/p" "$TMP/trace.log" | tr '\n' '|' >"$TMP/marks"
check "every mark, in order" "$(cat "$TMP/marks")" "${MARKS}|"
check "times never go back" "$(sed -nE "s/^trace: \+([0-9.]+) s ($MARKS)\$/\1/p" "$TMP/trace.log" |
    awk 'NR > 1 && $1 < prev {bad++} {prev = $1} END {print bad + 0}')" 0
check "each table written into the stage" "$(grep -cE '^trace: .* s extract: [a-z0-9_]+ written$' "$TMP/trace.log")" "$NTAB"
check "no trace without OCCSNAP_TRACE" "$("$BIN" snapshot --config "$CONFIG" --mirror "$MIRROR" \
    --cache "$TMP/tc" --out "$TMP/to" --force 2>&1 | grep -c '^trace:')" 0
finish
