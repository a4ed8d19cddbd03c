#!/usr/bin/env bash
# Issue 13: no silent wrong figure (every case of tests/cases/bad_inputs.txt
# stops the run, names file, row and value, and publishes nothing), the last
# good cached copy survives a rejected download, stalls and the run's
# deadline end downloads, SIGTERM stops a run cleanly, and the next run
# clears what killed runs left and adopts a snapshot published without
# re-pointing latest.
source "$(dirname "$0")/lib.sh"
need_mirror
CASES="$ROOT/tests/cases/bad_inputs.txt"
DOCTOR="$ROOT/tests/integration/doctor.py"
leftovers() { # temp files of runs that died, under $1 and $2
    find "$@" \( -name '*.tmp.*' -o -name '*.part.*' -o -name '.tmp-*' -o -name '.retire-*' \) 2>/dev/null | wc -l
}

n=0
while IFS= read -r line; do
    case "$line" in ''|'#'*) continue ;; esac
    n=$((n + 1))
    name=${line%% || *}; rest=${line#* || }
    args=${rest%% || *}; rest=${rest#* || }
    want_rc=${rest%% || *}; msg=${rest#* || }
    step "bad input $n: $name"
    M="$TMP/bad$n"
    # shellcheck disable=SC2086
    python3 "$DOCTOR" "$MIRROR" "$M" $args > "$TMP/doctor$n.log" 2>&1 || { fail "doctor: $(cat "$TMP/doctor$n.log")"; continue; }
    "$BIN" snapshot --config "$CONFIG" --mirror "$M" --cache "$TMP/c$n" --out "$TMP/o$n" > "$TMP/log$n" 2>&1
    check "exit" "$?" "$want_rc"
    check "message" "$(grep -cF -- "$msg" "$TMP/log$n")" 1
    check "nothing published" "$(ls "$TMP/o$n" 2>/dev/null | grep -vc '^\.')" 0
done < "$CASES"

step "a download that transform rejects does not replace the last good cached copy"
OUT="$TMP/out"; CACHE="$TMP/cache"
run_occsnap "$OUT" "$CACHE" "$MIRROR"
check "a first snapshot" "$RC" 0
E=raw.githubusercontent.com/openai/GPTs-are-GPTs/main/data/occ_level.csv
GOOD=$(sha256sum "$CACHE/raw/eloundou/occ_level.csv" | cut -d' ' -f1)
python3 "$DOCTOR" "$MIRROR" "$TMP/dup" csv-dup-row "$E" 'O*NET-SOC\x20Code' 27-4014.00 >/dev/null
run_occsnap "$OUT" "$CACHE" "$TMP/dup"
check "the repeated row stops the transform (exit 6)" "$RC" 6
check "naming both rows" "$(grep -c 'eloundou_occ: occ_level.csv row [0-9]*: 27-4014.00 appears twice (also row [0-9]*)' "$TMP/log")" 1
check "the cached copy is the last good one" "$(sha256sum "$CACHE/raw/eloundou/occ_level.csv" | cut -d' ' -f1)" "$GOOD"
check "no .prev left" "$(find "$CACHE/raw" -name '*.prev' | wc -l)" 0
run_occsnap "$OUT" "$CACHE" "$TMP/dup" --offline --force
check "--offline rebuilds from it" "$RC" 0

step "a stalled server ends the download after stall_s"
sed -e 's/^stall_s = 60$/stall_s = 2/' -e 's/^retries = 3$/retries = 0/' "$CONFIG" > "$TMP/stall.ini"
start_server "$MIRROR" --delay /raw.githubusercontent.com/openai/GPTs-are-GPTs/main/data/occ_level.csv=30
T0=$(date +%s)
"$BIN" snapshot --config "$TMP/stall.ini" --mirror "$URL" --cache "$TMP/cs" --out "$TMP/os" > "$TMP/logs" 2>&1
RCS=$?
T1=$(date +%s)
check "the run fails (exit 4)" "$RCS" 4
check "within stall_s, not the 30 s the server waits" "$(( T1 - T0 < 20 ))" 1
check "the message names the source and the URL" "$(grep -c '^error: eloundou: .*occ_level.csv' "$TMP/logs")" 1

step "the run's deadline ends every download"
sed -e 's/^deadline_s = 1800$/deadline_s = 3/' -e 's/^stall_s = 60$/stall_s = 0/' -e 's/^retries = 3$/retries = 0/' "$CONFIG" > "$TMP/deadline.ini"
T0=$(date +%s)
"$BIN" snapshot --config "$TMP/deadline.ini" --mirror "$URL" --cache "$TMP/cd" --out "$TMP/od" > "$TMP/logd" 2>&1
RCD=$?
T1=$(date +%s)
check "the run fails (exit 4)" "$RCD" 4
check "near deadline_s" "$(( T1 - T0 < 20 ))" 1

step "SIGTERM stops a run cleanly"
"$BIN" snapshot --config "$TMP/stall.ini" --mirror "$URL" --cache "$TMP/ct" --out "$TMP/ot" > "$TMP/logt" 2>&1 &
P=$!
sleep 1
kill -TERM "$P"
wait "$P"
check "exit 143" "$?" 143
check "its final line" "$(grep -c '^occsnap: stopped by SIGTERM' "$TMP/logt")" 1
check "no temporary file of its own left" "$(find "$TMP/ct" "$TMP/ot" -name "*.$P" -o -name "*-$P" | wc -l)" 0
"$BIN" snapshot --config "$CONFIG" --mirror "$MIRROR" --cache "$TMP/ct" --out "$TMP/ot" > "$TMP/logt2" 2>&1
check "the lock is free: the next run publishes" "$?" 0

step "killed runs leave nothing the next run does not clear, and latest stays good"
KC="$TMP/ck"; KO="$TMP/ok"
"$BIN" snapshot --config "$CONFIG" --mirror "$MIRROR" --cache "$KC" --out "$KO" > /dev/null 2>&1
kills=0; left_max=0
for delay in 0.05 0.15 0.3 0.45 0.6 0.75 0.9 1.05 1.2 1.35; do
    "$BIN" snapshot --config "$CONFIG" --mirror "$MIRROR" --cache "$KC" --out "$KO" --force > /dev/null 2>&1 &
    P=$!
    sleep "$delay"
    kill -KILL "$P" 2>/dev/null && kills=$((kills + 1))
    wait "$P" 2>/dev/null
    l=$(leftovers "$KC" "$KO"); [ "$l" -gt "$left_max" ] && left_max=$l
    "$BIN" verify "$KO/latest" > "$TMP/v.log" 2>&1 || { fail "verify after a kill at $delay s: $(tail -3 "$TMP/v.log")"; }
done
echo "# $kills of 10 runs killed; at most $left_max temporary files left by one (each cleared by the run after it)"
"$BIN" snapshot --config "$CONFIG" --mirror "$MIRROR" --cache "$KC" --out "$KO" > "$TMP/logk" 2>&1
check "the next run succeeds" "$?" 0
check "and leaves no temporary file behind" "$(leftovers "$KC" "$KO")" 0
"$BIN" verify "$KO/latest" > /dev/null 2>&1
check "latest verifies" "$?" 0

step "a snapshot published without re-pointing latest is verified and adopted"
NEWEST=$(readlink "$KO/latest")
ORPHAN="2099-01-01T000000Z"
cp -a "$KO/$NEWEST" "$KO/$ORPHAN"
OCCSNAP_TRACE=1 "$BIN" snapshot --config "$CONFIG" --mirror "$MIRROR" --cache "$KC" --out "$KO" > "$TMP/logo" 2>&1
check "latest adopted it" "$(readlink "$KO/latest")" "$ORPHAN"
check "and said so" "$(grep -c "$ORPHAN: a complete snapshot newer than latest" "$TMP/logo")" 1
mkdir "$KO/2099-12-31T000000Z"
OCCSNAP_TRACE=1 "$BIN" snapshot --config "$CONFIG" --mirror "$MIRROR" --cache "$KC" --out "$KO" > "$TMP/logo" 2>&1
check "an incomplete one is reported, latest left" "$(readlink "$KO/latest")" "$ORPHAN"
check "the report" "$(grep -c "2099-12-31T000000Z: a snapshot newer than latest ($ORPHAN) that does not verify" "$TMP/logo")" 1
rmdir "$KO/2099-12-31T000000Z"

finish
