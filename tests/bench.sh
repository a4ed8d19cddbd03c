#!/usr/bin/env bash
# make bench: wall time (median, min, max of RUNS runs, taken in turns with
# what each is compared with: tests/bench_runs.py) and peak resident memory
# (the largest of RSS_RUNS runs, /usr/bin/time -v) of occsnap over the real
# mirror, each beside what it is measured against, in one run:
#   1. a cold snapshot (empty cache) and the sequential decompression floor of
#      exactly the files it read (tests/bench_floor.py, from its manifest);
#   2. the unchanged re-run (directory mirror), and the re-run over loopback
#      HTTP where every source answers 304 (tests/integration/mirror_server.py);
#   3. a cold extract over a loopback server delaying every answer by DELAY s,
#      and the slowest single download from it (curl), for the parallel fetch;
#      the extract's own timeline of its downloads, cold and where the latest
#      snapshot already names the newest releases (no second round trip);
#      and the nightly extract with nothing new over that server (every file
#      304, nothing parsed: the parallel fetch alone);
#   4. the other stages on their own.
# A ratio is the median of the ratios within each round (both sides timed
# within seconds of each other), not a ratio of medians.
# Needs GNU time (/usr/bin/time), unzip, curl and python3.
set -eu
cd "$(dirname "$0")/.."
MIRROR=${OCCSNAP_TEST_MIRROR:-../shared/mirror}
RUNS=${RUNS:-10}
RSS_RUNS=${RSS_RUNS:-3}
DELAY=${DELAY:-0.2}
BIN=$(pwd)/build/occsnap
[ -f "$MIRROR/SHA256SUMS" ] || { echo "bench: no mirror at $MIRROR" >&2; exit 1; }
MIRROR=$(cd "$MIRROR" && pwd)
for tool in /usr/bin/time unzip curl python3; do
    command -v "$tool" >/dev/null ||
        { echo "bench: needs $tool (apt-get install time unzip curl python3)" >&2; exit 1; }
done
TMP=$(mktemp -d); PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"' EXIT

# serve DIR [args]: starts mirror_server.py, sets URL
serve() {
    local dir=$1; shift
    local pf="$TMP/port.$RANDOM"
    python3 tests/integration/mirror_server.py "$dir" "$pf" --lifetime 3600 "$@" &
    PIDS+=($!)
    for _ in $(seq 100); do [ -s "$pf" ] && break; sleep 0.05; done
    URL="http://127.0.0.1:$(cat "$pf")"
}

# rss PREPARE COMMAND: the largest peak RSS (MiB) of RSS_RUNS runs
rss() {
    local prep=$1 cmd=$2 max=0 kb
    for _ in $(seq "$RSS_RUNS"); do
        bash -c "$prep"
        /usr/bin/time -v -o "$TMP/time" bash -c "exec $cmd" >/dev/null 2>&1
        kb=$(sed -nE 's/.*Maximum resident set size \(kbytes\): ([0-9]+)/\1/p' "$TMP/time")
        [ "$kb" -gt "$max" ] && max=$kb
    done
    awk -v k="$max" 'BEGIN{printf "%.1f", k/1024}'
}

# bench NAME PREPARE COMMAND [NAME PREPARE COMMAND]...: RUNS rounds of the
# commands in turn (each after its prepare), then one line each; sets
# MED_<i>, MEM_<i> and, with two commands or more, RATIO (command 0 over 1:
# median, min and max of the rounds)
bench() {
    local names=() preps=() cmds=() i=0
    python3 tests/bench_runs.py "$RUNS" "$TMP/h.json" "$@"
    while [ $# -gt 0 ]; do
        names+=("$1"); preps+=("$2"); cmds+=("$3"); shift 3
    done
    for i in "${!names[@]}"; do
        local mem; mem=$(rss "${preps[$i]}" "${cmds[$i]}")
        python3 - "$TMP/h.json" "$i" "${names[$i]}" "$mem" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]
print("%-44s median %7.3f s  (min %6.3f, max %6.3f)  peak %6s MiB"
      % (sys.argv[3], r["median"], r["min"], r["max"], sys.argv[4]))
open(sys.argv[1] + ".%s" % sys.argv[2], "w").write("%.6f %s\n" % (r["median"], sys.argv[4]))
EOF
    done
    for i in "${!names[@]}"; do read -r "MED_$i" "MEM_$i" < "$TMP/h.json.$i"; done
    RATIO=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])).get("ratio"); print("%.2f %.2f %.2f" % (r["median"], r["min"], r["max"]) if r else "")' "$TMP/h.json")
}

verdict() { # label value target: "met" or "NOT met"
    awk -v l="$1" -v v="$2" -v t="$3" \
        'BEGIN{printf "  %-58s %s\n", l, (v<=t ? "target met" : "target NOT met")}'
}
# answered_304 CACHE: "N of M": the files of CACHE's last extract answered 304
answered_304() {
    sqlite3 -batch -noheader "$1/stage.sqlite" "select count(*) || ' of ' || (select count(*) from stage_file where ok) from stage_file where status = 304" 2>/dev/null || echo "?"
}
MAXMEM=0
mem() { for m in "$@"; do MAXMEM=$(awk -v a="$MAXMEM" -v b="$m" 'BEGIN{print (b>a)?b:a}'); done; }

echo "occsnap bench: $(nproc) cores, $RUNS runs each, mirror $MIRROR, $("$BIN" --version 2>&1 | head -1)"

# the floor over the files a cold snapshot reads, listed from its manifest
"$BIN" snapshot --mirror "$MIRROR" --cache "$TMP/c0" --out "$TMP/o0" >/dev/null 2>&1
python3 tests/bench_floor.py "$TMP/o0/latest/manifest.json" "$MIRROR" "$TMP" >"$TMP/floor.sh" \
    2>"$TMP/floor.n"
echo "-- 1. cold snapshot vs the decompression floor ($(sed 's/# //' "$TMP/floor.n"), one after the other)"
S="--mirror $MIRROR --cache $TMP/c1 --out $TMP/o1"
bench "snapshot, cold cache" "rm -rf $TMP/c1 $TMP/o1" "$BIN snapshot $S" \
      "floor: unzip -p / cat of the inputs" "true" "bash $TMP/floor.sh"
mem "$MEM_0"
read -r R RMIN RMAX <<<"$RATIO"
echo "  cold / floor = $R (each round's ratio: min $RMIN, max $RMAX)"
verdict "cold snapshot <= 1.5 x floor" "$R" 1.5

echo "-- 2. re-runs with nothing new"
"$BIN" snapshot $S >/dev/null 2>&1 || true
serve "$MIRROR"
PLAIN=$URL # the same server with no delay, for section 3
H="--mirror $URL --cache $TMP/c2 --out $TMP/o2"
"$BIN" snapshot $H >/dev/null 2>&1
bench "snapshot, unchanged (directory mirror)" "true" "$BIN snapshot $S" \
      "snapshot, unchanged (HTTP, every file 304)" "true" "$BIN snapshot $H"
UNCH=$MED_0; mem "$MEM_0" "$MEM_1"
echo "  files answered 304 on the last HTTP re-run: $(answered_304 "$TMP/c2")"
verdict "unchanged re-run <= 0.15 s" "$UNCH" 0.15

echo "-- 3. parallel fetch: cold extract over a server delaying every answer by $DELAY s"
serve "$MIRROR" --delay-all "$DELAY"
SLOW=$URL
D="--mirror $SLOW --cache $TMP/c3 --out $TMP/o3"
# the largest file the extract downloads: the slowest single download
BIG=$(sqlite3 -batch -noheader "$TMP/c2/stage.sqlite" "select url from stage_file where ok order by bytes desc limit 1")
BIGPATH=${BIG#https://}; BIGPATH=${BIGPATH#http://}
bench "extract, cold, every answer +${DELAY} s" "rm -rf $TMP/c3" "$BIN extract $D" \
      "curl of the largest file alone" "true" "curl -sf -o /dev/null $SLOW/$BIGPATH" \
      "extract, cold, no delay (HTTP)" "rm -rf $TMP/c5" \
      "$BIN extract --mirror $PLAIN --cache $TMP/c5 --out $TMP/o5"
mem "$MEM_0" "$MEM_2"
read -r PAR RMIN RMAX <<<"$RATIO"
echo "  extract / slowest single download = $PAR ($(basename "$BIGPATH"); min $RMIN, max $RMAX)"
verdict "cold extract <= 1.5 x slowest download (parse-bound)" "$PAR" 1.5
# what the delay adds to the extract: the network's share, the parsing (the
# same either way) taken out
read -r ADDED_S ADDED <<<"$(awk -v a="$MED_0" -v c="$MED_2" -v b="$MED_1" 'BEGIN{printf "%.3f %.2f", a-c, (a-c)/b}')"
printf "  %-42s %7.3f s  = %.2f x the slowest download\n" "added by the delay (delayed - no delay)" "$ADDED_S" "$ADDED"
verdict "what the delay adds to the cold extract <= 1.5 x" "$ADDED" 1.5
# where the extract's time goes (OCCSNAP_TRACE=1's timeline): the downloads,
# as the extract reports them (from the early fetch's start, which runs
# beside release discovery), then the time from the start of the run to the
# last file in; what follows the last download is parsing
for _ in $(seq "$RUNS"); do
    rm -rf "$TMP/c3"
    OCCSNAP_TRACE=1 "$BIN" extract $D 2>&1 | { tr '\n' ' '; echo; } |
        sed -nE 's/.*fetched [0-9]+ of [0-9]+ files in ([0-9.]+) s.*trace: \+([0-9.]+) s extract: fetched.*/\1 \2/p'
done > "$TMP/fetch.s"
# line NAME COLUMN: median, min and max of column COLUMN of fetch.s, beside the curl
line() {
    sort -n -k"$2" "$TMP/fetch.s" | awk -v c="$2" -v n="$1" -v b="$MED_1" '
        {v[NR]=$c} END{m=v[int((NR+1)/2)];
        printf "%-44s median %7.3f s  (min %6.3f, max %6.3f)  = %.2f x the slowest download\n",
               n, m, v[1], v[NR], m/b}'
}
line "  of which the downloads (extract's own figure)" 1
line "  discovery and downloads, from the run's start" 2
# the same cold extract where the latest snapshot (section 1's, in o0)
# already names the newest releases, as on a nightly run after a release
# day: discovery keeps them, so every file is asked for at once beside it
# and no second round trip follows
for _ in $(seq "$RUNS"); do
    rm -rf "$TMP/c6"
    OCCSNAP_TRACE=1 "$BIN" extract --mirror "$SLOW" --cache "$TMP/c6" --out "$TMP/o0" 2>&1 |
        { tr '\n' ' '; echo; } |
        sed -nE 's/.*fetched [0-9]+ of [0-9]+ files in ([0-9.]+) s.*trace: \+([0-9.]+) s extract: fetched.*/\1 \2/p'
done > "$TMP/fetch.s"
echo "  with the latest snapshot naming the newest releases (a nightly run):"
line "  discovery and downloads, from the run's start" 2
# the nightly run with nothing new: the cache (c6, from the runs above) and
# the latest snapshot are in place, so every file is a conditional request
# answered 304 and nothing is parsed; what is left is the parallel fetch
# alone: discovery's probes and every file's request, all in one round trip
bench "extract, nothing new, every answer +${DELAY} s" "true" \
      "$BIN extract --mirror $SLOW --cache $TMP/c6 --out $TMP/o0" \
      "curl of the largest file alone" "true" "curl -sf -o /dev/null $SLOW/$BIGPATH"
mem "$MEM_0"
read -r PAR RMIN RMAX <<<"$RATIO"
echo "  nothing new / slowest single download = $PAR (min $RMIN, max $RMAX); files answered 304: $(answered_304 "$TMP/c6")"
verdict "nightly extract, nothing new <= 1.5 x slowest download" "$PAR" 1.5

echo "-- 4. the stages on their own"
"$BIN" snapshot $S --force >/dev/null 2>&1
bench "extract, cold cache" "rm -rf $TMP/c4" "$BIN extract --mirror $MIRROR --cache $TMP/c4 --out $TMP/o4" \
      "transform" "true" "$BIN transform --cache $TMP/c1 --out $TMP/o1" \
      "load (checks + publish)" "true" "$BIN load --cache $TMP/c1 --out $TMP/o1 --force" \
      "snapshot --force, unchanged sources" "true" "$BIN snapshot $S --force" \
      "site (every role page + index)" "true" "$BIN site $TMP/site --out $TMP/o1"
mem "$MEM_0" "$MEM_1" "$MEM_2" "$MEM_3" "$MEM_4"
echo "-- peak RSS of every run above: $MAXMEM MiB"
verdict "peak RSS <= 100 MiB" "$MAXMEM" 100
