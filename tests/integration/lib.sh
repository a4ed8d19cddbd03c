# lib.sh - shared steps for the integration tests (sourced, not run).
# Each test names its steps; `step NAME` then `ok`/`fail MESSAGE`.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The binary under test: OCCSNAP_BIN (make test SANITIZE=1 passes
# build-san/occsnap), else the normal build.
BIN=${OCCSNAP_BIN:-$ROOT/build/occsnap}
MIRROR=${OCCSNAP_TEST_MIRROR:-$ROOT/../shared/mirror}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/occsnap-test.XXXXXX")
# The shipped config finds each source's newest release by itself (the mirror
# has OEWS May 2025). The figures the tests of the earlier issues pin are OEWS
# May 2024's, so they run on the shipped config with OEWS pinned to 2024;
# tests of discovery use SHIPPED_CONFIG.
SHIPPED_CONFIG="$ROOT/config/occsnap.ini"
CONFIG="$TMP/occsnap-oews2024.ini"
sed '/^\[source oews\]$/a pin = 2024' "$SHIPPED_CONFIG" > "$CONFIG"
SERVER_PIDS=()
FAILED=0
CURRENT=""

cleanup() {
    for p in "${SERVER_PIDS[@]+"${SERVER_PIDS[@]}"}"; do kill "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT

step() { CURRENT=$1; }
ok() { echo "ok - $CURRENT"; }
fail() { echo "not ok - $CURRENT: $*"; FAILED=$((FAILED + 1)); }
check() { # check DESCRIPTION ACTUAL EXPECTED
    if [ "$2" == "$3" ]; then echo "ok - $CURRENT: $1"; else
        echo "not ok - $CURRENT: $1: got '$2', expected '$3'"; FAILED=$((FAILED + 1)); fi
}
finish() {
    if [ "$FAILED" -gt 0 ]; then echo "$FAILED check(s) failed"; exit 1; fi
    exit 0
}

# The real-data tests need ../shared/mirror: in CI its absence is a failure.
need_mirror() {
    if [ ! -f "$MIRROR/SHA256SUMS" ]; then
        if [ "${CI:-}" = "true" ]; then
            echo "not ok - mirror missing at $MIRROR (required when CI=true)"; exit 1
        fi
        echo "skip - mirror missing at $MIRROR"; exit 77
    fi
}

# start_server DIR [--html PATH]... ; sets PORT and URL
start_server() {
    local dir=$1; shift
    local portfile="$TMP/port.$RANDOM"
    python3 "$ROOT/tests/integration/mirror_server.py" "$dir" "$portfile" "$@" &
    SERVER_PIDS+=($!)
    for _ in $(seq 1 100); do [ -s "$portfile" ] && break; sleep 0.05; done
    PORT=$(cat "$portfile")
    URL="http://127.0.0.1:$PORT"
}

# A copy of the mirror made of symlinks, so one file can be doctored.
doctored_mirror() {
    local dest=$1
    cp -rs "$(cd "$MIRROR" && pwd)" "$dest"
}

q() { sqlite3 -batch -noheader "$1" "$2"; }

# stage_views CACHE ID...: the SQL that makes the staged rows of each table
# ID readable as src_<ID> (a temp view of its rows file, which the stage's
# stage_table names: extract/stage.h), to put before a query of the stage
stage_views() {
    local cache=$1 id file tbl; shift
    for id in "$@"; do
        IFS='|' read -r file tbl < <(sqlite3 -batch -noheader "$cache/stage.sqlite" \
            "select rows_file, rows_table from stage_table where table_id = '$id'")
        [ -n "$file" ] || { echo "select 'no rows file for $id';"; continue; }
        printf "attach '%s/%s' as r_%s; create temp view src_%s as select * from r_%s.%s;" \
            "$cache" "$file" "$id" "$id" "$id" "$tbl"
    done
}
# qstage CACHE SQL: SQL over the stage database of CACHE, each src_<id> it
# names readable (stage_views)
qstage() {
    local ids
    ids=$(grep -oE 'src_[a-z0-9_]+' <<<"$2" | sed 's/^src_//' | sort -u)
    # shellcheck disable=SC2086
    q "$1/stage.sqlite" "$(stage_views "$1" $ids) $2"
}

# run_occsnap OUT CACHE MIRROR [args...]: stdout+stderr to $TMP/log, sets RC
run_occsnap() {
    local out=$1 cache=$2 mirror=$3; shift 3
    "$BIN" snapshot --config "$CONFIG" --out "$out" --cache "$cache" --mirror "$mirror" "$@" \
        >"$TMP/log" 2>&1
    RC=$?
}
