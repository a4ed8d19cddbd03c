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
check "every data file asked for once" "$(awk -v d="$DATA" '$1 == "GET" && $2 ~ d { print $2 }' "$LOG" | sort | uniq -d | wc -l)" 0
# 23 files: the two raw Economic Index files of the shipped config are not
# in the mirror (optional); OEWS May 2024, the config's newest known
# release, was fetched early and is not one of them (discovery found 2025)
check "the extract says how long its downloads took" "$(grep -c "fetched 21 of 23 files in" "$TMP/log")" 1
# the early fetch: the files of the releases discovery starts from are
# asked for while it looks, not after it
check "the O*NET files asked for before discovery's answers came" "$(python3 - "$LOG" <<'EOF'
import re, sys
rows = [l.split() for l in open(sys.argv[1])]
disc = [float(r[3]) for r in rows if re.search(r"^HEAD |database\.html|/api/datasets/", r[0] + " " + r[1])]
onet = [float(r[2]) for r in rows if r[0] == "GET" and "db_30_1_" in r[1]]
print("yes" if disc and onet and min(onet) < max(disc) else "no: %s %s" % (min(onet or [0]), max(disc or [0])))
EOF
)" yes
check "OEWS May 2024 fetched early, May 2025 after discovery" \
    "$(awk '$1 == "GET" && $2 ~ /oesm2[45]nat\.zip$/ {print $2}' "$LOG" | sed 's,.*/,,' | sort | tr '\n' ' ')" \
    "oesm24nat.zip oesm25nat.zip "
check "the early copy of May 2024 left no .prev behind" "$(ls "$TMP/cache/raw/oews" | grep -c prev)" 0
check "the early warnings said once" "$(grep -c 'aei_raw_claude_ai_2025-08-04_to_2025-08-11.csv.*optional source' "$TMP/log")" 1

step "a second extract, the snapshot's releases known: every file answered early (304)"
"$BIN" snapshot --config "$SHIPPED_CONFIG" --mirror "$URL" --cache "$TMP/cache" \
    --out "$TMP/out" >"$TMP/log" 2>&1
check "snapshot" "$?" 0
: > "$LOG"
OCCSNAP_TRACE=1 "$BIN" extract --config "$SHIPPED_CONFIG" --mirror "$URL" --cache "$TMP/cache" \
    --out "$TMP/out" >"$TMP/log" 2>&1
check "exit" "$?" 0
check "nothing asked for after discovery" "$(grep -c 'fetched 21 of 23 files in .* 21 not modified' "$TMP/log")" 1
check "no data file asked for twice" "$(awk -v d="$DATA" '$2 ~ d { print $2 }' "$LOG" | sort | uniq -d | wc -l)" 0
# one round trip in all (make bench's "nothing new" line times it): every
# request of the run, discovery's and the files', was waiting at once
check "every request of the run at once: one round trip" "$($OVER)" "$(wc -l < "$LOG")"

step "an early download of a release discovery moves past is undone: the cache as it was"
# the cache holds OEWS May 2024 as the mirror serves it; another server
# serves a changed copy; with no snapshot yet (a new --out) discovery starts
# from May 2024, the early fetch brings the changed copy, discovery moves to
# May 2025, and the cached May 2024 is put back
O24=www.bls.gov/oes/special-requests/oesm24nat.zip
BEFORE=$(sha256sum < "$TMP/cache/raw/oews/oesm24nat.zip")
check "the cached May 2024 is the mirror's" "$BEFORE" "$(sha256sum < "$MIRROR/$O24")"
URL0=$URL
doctored_mirror "$TMP/dm"
rm "$TMP/dm/$O24"
cp "$MIRROR/$O24" "$TMP/dm/$O24" && printf 'x' >> "$TMP/dm/$O24" # no longer the same bytes
start_server "$TMP/dm" --delay-all 0.3 --log "$TMP/dm.log"
OCCSNAP_TRACE=1 "$BIN" extract --config "$SHIPPED_CONFIG" --mirror "$URL" --cache "$TMP/cache" \
    --out "$TMP/out-new" >"$TMP/log" 2>&1
check "exit" "$?" 0
check "the changed May 2024 was fetched early" "$(awk '$1 == "GET" && $2 ~ /oesm24nat\.zip$/' "$TMP/dm.log" | wc -l)" 1
check "discovery moved to May 2025" "$(grep -c 'oews: release 2025' "$TMP/log")" 1
check "the cached May 2024 put back" "$(sha256sum < "$TMP/cache/raw/oews/oesm24nat.zip")" "$BEFORE"
check "its receipt too" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sha256"])' "$TMP/cache/raw/oews/oesm24nat.zip.receipt.json")" "$(sha256sum < "$MIRROR/$O24" | cut -d' ' -f1)"
check "no .prev of it left" "$(ls "$TMP/cache/raw/oews" | grep -c 'oesm24.*prev')" 0
URL=$URL0

step "parallel = 2 in the config: never more than 2 downloads at once"
sed 's/^parallel = .*/parallel = 2/' "$SHIPPED_CONFIG" > "$TMP/two.ini"
: > "$LOG"
"$BIN" extract --config "$TMP/two.ini" --mirror "$URL" --cache "$TMP/cache2" \
    --out "$TMP/out" >"$TMP/log" 2>&1
check "exit" "$?" 0
check "at most 2 data files at once" "$($OVER "^GET .*$DATA")" 2

step "a directory mirror: files copied one at a time, the largest first"
# a local copy waits on no network: side by side, copies only delay each
# other's end; the largest (the O*NET excel zip, 5.8 MB, whose two big
# sheets are the longest parses) is copied first, so a sheet is the first
# table parsed (before, the text zip's tables came first)
OCCSNAP_TRACE=1 "$BIN" extract --config "$SHIPPED_CONFIG" --mirror "$MIRROR" --cache "$TMP/cache3" \
    --out "$TMP/out3" >"$TMP/log" 2>&1
check "exit" "$?" 0
check "the first table parsed is a sheet of the excel zip" \
    "$(grep -m1 -o 'extract: [a-z0-9_]* parsing' "$TMP/log" | sed 's/extract: onet_[a-z_]*_xlsx parsing/a sheet/')" "a sheet"
finish
