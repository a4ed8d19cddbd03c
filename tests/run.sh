#!/usr/bin/env bash
# Runs every unit test binary and integration script; prints one closing line
# "N passed, N failed" (a suite is one unit binary or one integration script;
# exit 77 means skipped). A unit binary test_fuzz_<target> replays that fuzz
# target's seeds and regression cases (tests/fuzz/).
set -u
cd "$(dirname "$0")/.."
passed=0 failed=0 skipped=0 failures=()
run() { # name, command... (exit 77 = skipped, as in automake)
    local name=$1; shift
    echo "=== $name"
    "$@"
    local rc=$?
    if [ $rc -eq 0 ]; then passed=$((passed + 1))
    elif [ $rc -eq 77 ]; then skipped=$((skipped + 1))
    else failed=$((failed + 1)); failures+=("$name"); fi
}
# OCCSNAP_BUILD: the build folder whose unit tests run (make test SANITIZE=1
# sets build-san); the integration scripts run OCCSNAP_BIN (lib.sh).
BUILD=${OCCSNAP_BUILD:-build}
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] && run "unit: $(basename "$t")" "$t"
done
for t in tests/integration/t_*.sh; do
    [ -f "$t" ] && run "integration: $(basename "$t")" bash "$t"
done
echo
for f in "${failures[@]+"${failures[@]}"}"; do echo "FAILED: $f"; done
if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"
else echo "$passed passed, $failed failed"; fi
[ "$failed" -eq 0 ]
