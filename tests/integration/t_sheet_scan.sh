#!/usr/bin/env bash
# Every worksheet of every xlsx in the mirror (the O*NET Knowledge and Skills
# sheets inside db_30_1_excel.zip included) read by extract/sheetxml gives
# exactly the cells an independent reader (Python's zipfile + ElementTree)
# gives; and the same again when the sheet is read 4093 bytes at a time.
source "$(dirname "$0")/lib.sh"
need_mirror
DUMP=${OCCSNAP_SHEETDUMP:-$(dirname "$BIN")/tests/tools/sheetdump}

step "the sheetdump test tool is built"
if [ -x "$DUMP" ]; then ok; else fail "no $DUMP (make test builds it)"; finish; fi

step "every worksheet in the mirror, default and 4093-byte reads, cell for cell"
if python3 "$ROOT/tests/integration/sheet_scan_ref.py" "$DUMP" "$MIRROR" 4093 >"$TMP/scan.log" 2>&1; then
    ok
    tail -1 "$TMP/scan.log"
else
    fail "$(grep -v '^ok' "$TMP/scan.log" | head -20)"
fi

step "the O*NET sheets are among them"
check "Knowledge and Skills read twice each" \
    "$(grep -c '^ok - .*db_30_1_excel.zip:db_30_1_excel/\(Knowledge\|Skills\).xlsx' "$TMP/scan.log")" 4
finish
