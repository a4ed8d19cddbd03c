#!/usr/bin/env bash
# Requests at once, seen from the server: release discovery's first round
# (the O*NET database page and probes, the OEWS probes, the Economic Index
# listing) arrives together, and so do the downloads (a mirror is limited by
# `parallel` only, not by `parallel_per_host`). The server holds every answer
# 0.3 s and logs when each request came and was answered (mirror_server.py
# --log); tests/integration/overlap.py counts how many overlapped: counts of
# requests at once are checked, not times.
source "$(dirname "$0")/lib.sh"
need_mirror
LOG="$TMP/requests.log"
start_server "$MIRROR" --delay-all 0.3 --log "$LOG"

step "a cold extract over a slow server, on the shipped config"
OCCSNAP_TRACE=1 "$BIN" extract --config "$SHIPPED_CONFIG" --mirror "$URL" --cache "$TMP/cache" \
    --out "$TMP/out" >"$TMP/log" 2>&1
check "exit" "$?" 0
OVER="python3 $ROOT/tests/integration/overlap.py $LOG"
DATA='\.(zip|xlsx|csv|tsv)$'
# the O*NET page, the listing, and the probes (HEAD): 30.2 and 31.0, 2026 and 2025
check "discovery's first round at once: pages, listing and probes" \
    "$($OVER '^HEAD |database\.html|/api/datasets/' | awk '{print ($1 >= 6) ? "yes" : $1}')" yes
check "downloads at once: more than parallel_per_host (6) together" \
    "$($OVER "^GET .*$DATA" | awk '{print ($1 > 6) ? "yes" : $1}')" yes
NGET=$(awk -v d="$DATA" '$1 == "GET" && $2 ~ d' "$LOG" | wc -l)
check "every data file asked for once" "$(awk -v d="$DATA" '$1 == "GET" && $2 ~ d { print $2 }' "$LOG" | sort | uniq -d | wc -l)" 0
check "the extract says how long its downloads took" "$(grep -c "fetched $((NGET - 2)) of $NGET files in" "$TMP/log")" 1

step "parallel = 2 in the config: never more than 2 downloads at once"
sed 's/^parallel = .*/parallel = 2/' "$SHIPPED_CONFIG" > "$TMP/two.ini"
: > "$LOG"
"$BIN" extract --config "$TMP/two.ini" --mirror "$URL" --cache "$TMP/cache2" \
    --out "$TMP/out" >"$TMP/log" 2>&1
check "exit" "$?" 0
check "at most 2 data files at once" "$($OVER "^GET .*$DATA")" 2
finish
