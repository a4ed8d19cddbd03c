#!/usr/bin/env bash
# Failed runs: a clear message naming source, file, row and value; a non-zero
# exit code; no partial snapshot; the previous snapshot and `latest` untouched.
source "$(dirname "$0")/lib.sh"
need_mirror
OUT="$TMP/out"
OEWS_PATH=/www.bls.gov/oes/special-requests/oesm24nat.zip
ELOUNDOU=raw.githubusercontent.com/openai/GPTs-are-GPTs/main/data/occ_level.csv

step "a good snapshot to start from"
start_server "$MIRROR"
run_occsnap "$OUT" "$TMP/cache" "$URL"
if [ "$RC" -eq 0 ]; then ok; else fail "exit $RC: $(cat "$TMP/log")"; fi
GOOD=$(readlink "$OUT/latest")
GOOD_SUM=$(sha256sum "$OUT/$GOOD/occsnap.sqlite" "$OUT/$GOOD/manifest.json")

# expect_failure NAME EXIT PATTERN...: the last run failed as described and
# left everything as it was.
expect_failure() {
    local name=$1 code=$2; shift 2
    step "$name"
    check "exit code" "$RC" "$code"
    for pat in "$@"; do
        if grep -qF -- "$pat" "$TMP/log"; then echo "ok - $name: message names '$pat'"
        else fail "message lacks '$pat': $(cat "$TMP/log")"; fi
    done
    check "latest unchanged" "$(readlink "$OUT/latest")" "$GOOD"
    check "snapshots" "$(ls "$OUT" | grep -vc latest)" 1
    check "no temporary entries" "$(ls -A "$OUT" | grep -c 'tmp')" 0
    check "previous snapshot intact" \
        "$(sha256sum "$OUT/$GOOD/occsnap.sqlite" "$OUT/$GOOD/manifest.json")" "$GOOD_SUM"
}

sleep 1 # a new run in a new second would get a new directory name
start_server "$MIRROR" --html "$OEWS_PATH"
run_occsnap "$OUT" "$TMP/cache" "$URL"
expect_failure "OEWS served as an HTML error page" 4 "oews" "oesm24nat.zip" "HTML"
step "the cached OEWS zip is still the good one"
check "cached sha256" "$(sha256sum < "$TMP/cache/raw/oews/oesm24nat.zip" | cut -d' ' -f1)" \
    "$(grep " www.bls.gov/oes/special-requests/oesm24nat.zip$" "$MIRROR/SHA256SUMS" | cut -d' ' -f1)"

start_server "$MIRROR" --status "$OEWS_PATH=404"
run_occsnap "$OUT" "$TMP/cache" "$URL"
expect_failure "OEWS missing upstream (HTTP 404)" 4 "oews" "404"

# Doctored copies of the Eloundou file, made here from the real one.
doctor() { # doctor SED-EXPRESSION: a mirror whose occ_level.csv is edited
    rm -rf "$TMP/dm"
    doctored_mirror "$TMP/dm"
    rm "$TMP/dm/$ELOUNDOU"
    sed "$1" "$MIRROR/$ELOUNDOU" > "$TMP/dm/$ELOUNDOU"
}

doctor '1s/dv_rating_gamma/gamma_rating/'
run_occsnap "$OUT" "$TMP/cache-d1" "$TMP/dm"
expect_failure "a renamed column" 5 "eloundou_occ" "occ_level.csv" "'dv_rating_gamma'"

# the same, into the cache that holds the good copy: the download passes its
# HTTP checks, staging fails, and the good copy must be back in place
run_occsnap "$OUT" "$TMP/cache" "$TMP/dm"
expect_failure "a renamed column, fetched over a good cached copy" 5 "'dv_rating_gamma'"
step "the good cached copy and its receipt are back"
check "cached sha256" "$(sha256sum < "$TMP/cache/raw/eloundou/occ_level.csv" | cut -d' ' -f1)" \
    "$(grep " $ELOUNDOU$" "$MIRROR/SHA256SUMS" | cut -d' ' -f1)"
check "receipt" "$(python3 -c "import json; print(json.load(open('$TMP/cache/raw/eloundou/occ_level.csv.receipt.json'))['sha256'])")" \
    "$(grep " $ELOUNDOU$" "$MIRROR/SHA256SUMS" | cut -d' ' -f1)"
check "no .prev left" "$(find "$TMP/cache" -name '*.prev' | wc -l)" 0

# line 2 of occ_level.csv is 11-1011.00 Chief Executives
doctor '2s/^11-1011\.00/11-10x1.00/'
run_occsnap "$OUT" "$TMP/cache-d2" "$TMP/dm"
expect_failure "a bad occupation code" 6 "eloundou_occ" "occ_level.csv" "row 2" "'11-10x1.00'"

doctor '3s/,0\.9444444444444444,/,high,/'
run_occsnap "$OUT" "$TMP/cache-d3" "$TMP/dm"
expect_failure "a value that is not a number" 6 "eloundou_occ" "occ_level.csv" "row 3" \
    "dv_rating_gamma" "'high'"

step "a missing config file"
"$BIN" snapshot --config "$TMP/nope.ini" --out "$OUT" --cache "$TMP/cache" >"$TMP/log" 2>&1
RC=$?
check "exit code" "$RC" 3
check "latest unchanged" "$(readlink "$OUT/latest")" "$GOOD"

step "bls.gov refused without a contact address (no mirror, no request made)"
OCCSNAP_MIRROR= "$BIN" extract --config "$CONFIG" --cache "$TMP/cache-net" --out "$OUT" >"$TMP/log" 2>&1
RC=$?
check "exit code" "$RC" 3
if grep -q "contact" "$TMP/log"; then ok; else fail "no hint on setting a contact: $(cat "$TMP/log")"; fi
finish
