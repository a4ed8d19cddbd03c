#!/usr/bin/env bash
# transform_same.sh - the transform of one stage by two builds gives the same
# database: `sqlite3 .dump` of both, byte for byte (rows in rowid order for
# rowid tables, key order for WITHOUT ROWID ones, so insertion order counts
# too), the snapshot row's created_at aside. A check for speed work on the
# transform, not part of `make test` (t_unchanged.sh compares whole
# snapshots against an old baseline there).
#
# Usage: tests/transform_same.sh BASE_BIN [NEW_BIN]
#   NEW_BIN defaults to build/occsnap. The stage is made once with NEW_BIN
#   from ../shared/mirror into $XFORM_TMP (default /tmp/occsnap-xform-same)
#   and reused. Exit 0 when identical, 1 with a diff otherwise.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BASE=${1:?usage: tests/transform_same.sh BASE_BIN [NEW_BIN]}
NEW=${2:-$ROOT/build/occsnap}
MIRROR=${OCCSNAP_TEST_MIRROR:-$ROOT/../shared/mirror}
W=${XFORM_TMP:-/tmp/occsnap-xform-same}
CONFIG=$ROOT/config/occsnap.ini
mkdir -p "$W"
if [ ! -f "$W/cache/stage.sqlite" ]; then
    "$NEW" extract --config "$CONFIG" --mirror "$MIRROR" --cache "$W/cache" --out "$W/out" \
        >"$W/extract.log" 2>&1 || { tail -20 "$W/extract.log"; exit 2; }
fi
run() { # run BIN NAME: transform the stage, dump the result to $W/NAME.dump
    rm -f "$W/cache/work.sqlite"
    "$1" transform --config "$CONFIG" --cache "$W/cache" --out "$W/out" >"$W/$2.log" 2>&1 ||
        { tail -20 "$W/$2.log"; exit 2; }
    sqlite3 "$W/cache/work.sqlite" .dump |
        sed -E "s/^(INSERT INTO snapshot VALUES\([0-9]+,)'[^']*'/\1'CREATED_AT'/" >"$W/$2.dump"
}
run "$BASE" base
run "$NEW" new
if cmp -s "$W/base.dump" "$W/new.dump"; then
    echo "ok - transform output identical ($(wc -l <"$W/new.dump") dump lines)"
else
    echo "not ok - transform output differs:"
    diff "$W/base.dump" "$W/new.dump" | head -40
    exit 1
fi
