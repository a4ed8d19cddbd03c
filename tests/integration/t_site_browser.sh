#!/usr/bin/env bash
# occsnap site in a real browser: Debian's chromium, headless, driven by
# playwright-core (npm, pinned in tests/site/package-lock.json) over the site
# served on 127.0.0.1. Screenshots are kept in build/test-artefacts/site/.
# Without chromium the test is skipped, except when CI=true: then it fails.
source "$(dirname "$0")/lib.sh"
need_mirror
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
SHOTS="$ROOT/build/test-artefacts/site"

step "chromium and playwright-core are there"
if [ ! -x "$CHROMIUM" ]; then
    if [ "${CI:-}" = true ]; then
        echo "not ok - $CHROMIUM is missing (required when CI=true: apt-get install chromium)"; exit 1
    fi
    echo "skip - $CHROMIUM is missing (apt-get install chromium)"; exit 77
fi
if [ -f "$ROOT/tests/site/node_modules/playwright-core/package.json" ]; then ok
else fail "tests/site/node_modules lacks playwright-core (make test runs npm ci there)"; finish; fi

step "snapshot and site"
OUT="$TMP/out" CACHE="$TMP/cache" SITE="$TMP/site"
run_occsnap "$OUT" "$CACHE" "$MIRROR"
[ "$RC" -eq 0 ] || fail "snapshot exit $RC: $(cat "$TMP/log")"
"$BIN" site "$SITE" --out "$OUT" 2>"$TMP/site.err"
if [ "$?" -eq 0 ]; then ok; else fail "site: $(cat "$TMP/site.err")"; fi

step "the browser checks (27-4014.00 page, index search and sort, headings, contrast)"
start_server "$SITE"
rm -rf "$SHOTS" && mkdir -p "$SHOTS"
CHROMIUM="$CHROMIUM" timeout 180 node "$ROOT/tests/site/browser.js" "$URL" "$SITE" "$SHOTS" '$66,430' >"$TMP/browser.txt" 2>&1
RCB=$?
cat "$TMP/browser.txt"
check "every browser check passed" "$RCB:$(grep -c '^not ok' "$TMP/browser.txt")" "0:0"
check "screenshots kept" "$(ls "$SHOTS" | tr '\n' ' ')" \
    "index-overview.png index-search-sound-engineer.png index-sorted-by-wage.png role-27-4014-00-charts.png role-27-4014-00.png "

finish
