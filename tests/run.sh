#!/usr/bin/env bash
# Runs every unit test binary and integration script; prints one closing line
# "N passed, N failed" (a suite is one unit binary or one integration script).
set -u
cd "$(dirname "$0")/.."
passed=0 failed=0 failures=()
run() { # name, command...
    local name=$1; shift
    echo "=== $name"
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$name"); fi
}
for t in build/tests/test_*; do
    [ -x "$t" ] && run "unit: $(basename "$t")" "$t"
done
for t in tests/integration/t_*.sh; do
    [ -f "$t" ] && run "integration: $(basename "$t")" bash "$t"
done
echo
for f in "${failures[@]+"${failures[@]}"}"; do echo "FAILED: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
