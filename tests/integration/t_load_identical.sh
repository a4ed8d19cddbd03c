#!/usr/bin/env bash
# The load stage's output unchanged since commit 7067342 (before the load
# stage was made faster): builds that commit's occsnap (kept in
# build/baseline-7067342/ for later runs), stages the real mirror once with
# build/occsnap (extract and transform), then runs `load --force` twice with
# each binary over that same stage into its own folder (the second run has a
# previous snapshot to compare row counts with) and compares every file of
# both published snapshots byte for byte: the CSVs, occupations.jsonl,
# datapackage.json, occsnap.sqlite and manifest.json with its one run-varying
# field ("snapshot", the folder name) masked. Both binaries read the same
# config, the shipped one less the keys 7067342 does not know (found from
# its own error message); if a later config change alters what the load
# writes, move BASE_REV to a commit whose load output is known to be right.
source "$(dirname "$0")/lib.sh"
need_mirror
BASE_REV=7067342
BASE_DIR="$ROOT/build/baseline-$BASE_REV"
BASE_BIN="$BASE_DIR/occsnap"
T0=$(date +%s%N)

step "baseline occsnap of $BASE_REV"
if [ -x "$BASE_BIN" ]; then
    ok; echo "# reused ${BASE_BIN#$ROOT/} (remove $(basename "$BASE_DIR") to rebuild)"
elif ! git -C "$ROOT" rev-parse -q --verify "$BASE_REV^{commit}" >/dev/null 2>&1; then
    if [ "${CI:-}" = "true" ]; then
        echo "not ok - $CURRENT: commit $BASE_REV is not in the git history (shallow clone? fetch with full history); required when CI=true"
        exit 1
    fi
    echo "skip - $CURRENT: commit $BASE_REV is not in the git history"; exit 77
else
    mkdir -p "$TMP/base-src"
    if ! git -C "$ROOT" archive "$BASE_REV" | tar -x -C "$TMP/base-src"; then
        fail "git archive $BASE_REV failed"; finish
    fi
    if ! make -C "$TMP/base-src" -j2 build/occsnap >"$TMP/base-build.log" 2>&1; then
        fail "make build/occsnap of $BASE_REV failed: $(tail -20 "$TMP/base-build.log")"; finish
    fi
    # built aside, then renamed, so a half-built baseline is never reused
    mkdir -p "$ROOT/build"
    STAGE=$(mktemp -d "$ROOT/build/.baseline-$BASE_REV.XXXXXX")
    cp "$TMP/base-src/build/occsnap" "$STAGE/occsnap"
    git -C "$ROOT" rev-parse "$BASE_REV^{commit}" > "$STAGE/COMMIT"
    mv -T "$STAGE" "$BASE_DIR" 2>/dev/null || rm -rf "$STAGE"  # another run won the race
    if [ -x "$BASE_BIN" ]; then ok; else fail "no $BASE_BIN after the build"; finish; fi
fi

step "stage the mirror (extract, transform)"
"$BIN" snapshot --config "$CONFIG" --mirror "$MIRROR" --cache "$TMP/cache" --out "$TMP/first" \
    >"$TMP/stage.log" 2>&1
rc=$?
if [ $rc -eq 0 ]; then ok; else fail "exit $rc: $(tail -20 "$TMP/stage.log")"; finish; fi

# Both loads read one config (its sha256 is in manifest.json): $CONFIG less
# the keys added since $BASE_REV, which the baseline refuses; each is found
# by the baseline's own "unknown key" error (a load with no stage stops
# right after reading its config).
step "a config both binaries read"
LOAD_CONFIG="$TMP/load.ini"
cp "$CONFIG" "$LOAD_CONFIG"
for _ in $(seq 1 20); do
    key=$("$BASE_BIN" load --config "$LOAD_CONFIG" --cache "$TMP/no-cache" --out "$TMP/no-out" 2>&1 |
          sed -n 's/.* \([A-Za-z0-9_]*\): unknown key in .*/\1/p' | head -1)
    [ -z "$key" ] && break
    echo "# dropped for the baseline: $key"
    sed -i "/^$key[ =]/d" "$LOAD_CONFIG"
done
if [ -z "$key" ]; then ok; else fail "still refused: $key"; finish; fi

load() { # load NAME BIN: two `load --force` runs into $TMP/NAME
    for run in 1 2; do
        step "load $run with $1"
        "$2" load --config "$LOAD_CONFIG" --cache "$TMP/cache" --out "$TMP/$1" --force \
            >"$TMP/$1.$run.log" 2>&1
        local rc=$?
        if [ $rc -eq 0 ]; then ok; else fail "exit $rc: $(tail -20 "$TMP/$1.$run.log")"; finish; fi
    done
}
load base "$BASE_BIN"
load new "$BIN"

# same DIR_A DIR_B: prints one line per file that differs or is in one only
same() {
    local a=$1 b=$2 f
    for f in $( (cd "$a" && ls; cd "$b" && ls) | sort -u); do
        if [ ! -f "$a/$f" ] || [ ! -f "$b/$f" ]; then echo "$f: in one snapshot only"
        elif [ "$f" = manifest.json ]; then
            cmp -s <(sed 's/^  "snapshot": ".*",$/  "snapshot": MASKED,/' "$a/$f") \
                   <(sed 's/^  "snapshot": ".*",$/  "snapshot": MASKED,/' "$b/$f") ||
                echo "$f: differs (beyond the snapshot name)"
        elif ! cmp -s "$a/$f" "$b/$f"; then echo "$f: differs"; fi
    done
}

for dir in $(cd "$TMP/base" && ls -d 20*); do
    step "snapshot $dir: every file identical"
    if [ ! -d "$TMP/new/$dir" ]; then fail "no $dir from build/occsnap"; continue; fi
    diffs=$(same "$TMP/base/$dir" "$TMP/new/$dir")
    check "files that differ" "$diffs" ""
    check "files compared" "$(ls "$TMP/new/$dir" | wc -l)" "$(ls "$TMP/base/$dir" | wc -l)"
done

# A comparison that passes everything would pass this test too: one changed
# byte in a CSV and one in manifest.json must both be named.
step "the comparison catches a doctored copy"
dir=$(cd "$TMP/new" && ls -d 20* | head -1)
cp -r "$TMP/new/$dir" "$TMP/doctored"; chmod -R u+w "$TMP/doctored"
sed -i '2s/,/;/' "$TMP/doctored/measure.csv"
sed -i 's/"tool": "occsnap"/"tool": "occsnaq"/' "$TMP/doctored/manifest.json"
check "files named" "$(same "$TMP/new/$dir" "$TMP/doctored" | tr '\n' '|')" \
    "manifest.json: differs (beyond the snapshot name)|measure.csv: differs|"

MS=$(( ($(date +%s%N) - T0) / 1000000 ))
printf '# t_load_identical.sh took %d.%03d s\n' $((MS / 1000)) $((MS % 1000))
finish
