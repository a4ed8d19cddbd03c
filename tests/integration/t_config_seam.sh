#!/usr/bin/env bash
# The config is checked when it loads (common/config.c: structure; transform/
# seam.c: what the C code reads). Each case of tests/cases/config_seam.txt is
# the shipped config changed by one edit: the snapshot must stop with the
# case's exit code and a message naming the bad file, the section and the
# key, before anything is written under --out; a good edit must snapshot.
source "$(dirname "$0")/lib.sh"
need_mirror
CASES="$ROOT/tests/cases/config_seam.txt"

# The edit language of the case file (documented in its header).
cat > "$TMP/edit.py" <<'PY'
import re, sys

def header(line):
    s = line.strip()
    return s if s.startswith("[") and "]" in s and not line[:1].isspace() else None

def key_of(line):
    if not line.strip() or line[:1].isspace() or line.lstrip()[:1] in ";#[":
        return None
    return re.split(r"[=:]", line, 1)[0].strip()

def section(lines, name):
    """(start, end) of the first section whose header is name: lines[start]
    is the header, the section's lines run to end (excluded)."""
    for i, l in enumerate(lines):
        if header(l) == name:
            j = i + 1
            while j < len(lines) and header(lines[j]) is None:
                j += 1
            return i, j
    sys.exit("edit: no section %s" % name)

def last_line(lines, start, end):
    """Index after the section's last key or continuation line."""
    last = start
    for k in range(start + 1, end):
        if lines[k].strip() and lines[k].lstrip()[:1] not in ";#":
            last = k
    return last + 1

def key_lines(lines, start, end, key):
    """(first, after) of key's line and its continuation lines, or None."""
    for k in range(start + 1, end):
        if key_of(lines[k]) == key:
            j = k + 1
            while j < end and lines[j][:1].isspace() and lines[j].strip():
                j += 1
            return k, j
    return None

def split_section(arg):
    m = re.match(r"(\[[^\]]*\])(?: (.*))?$", arg, re.S)
    if not m:
        sys.exit("edit: expected [SECTION] in %r" % arg)
    return m.group(1), m.group(2) or ""

def apply(lines, edit):
    verb, _, arg = edit.partition(" ")
    name, rest = split_section(arg)
    start, end = section(lines, name)
    if verb == "set":
        key, _, value = rest.partition(" ")
        found = key_lines(lines, start, end, key)
        new = ["%s = %s\n" % (key, value)]
        if found:
            lines[found[0]:found[1]] = new
        else:
            at = last_line(lines, start, end)
            lines[at:at] = new
    elif verb == "delete-key":
        found = key_lines(lines, start, end, rest)
        if not found:
            sys.exit("edit: no key %s in %s" % (rest, name))
        del lines[found[0]:found[1]]
    elif verb == "append-to":
        at = last_line(lines, start, end)
        lines[at:at] = [rest + "\n"]
    elif verb == "delete-section":
        del lines[start:end]
    elif verb == "copy-section":
        body = [l for l in lines[start + 1:end] if l.strip() and l.lstrip()[:1] not in ";#"]
        lines += ["\n", rest + "\n"] + body
    else:
        sys.exit("edit: unknown edit %r" % verb)

src, dst = sys.argv[1], sys.argv[2]
lines = open(src, encoding="utf-8").readlines()
if lines and not lines[-1].endswith("\n"):
    lines[-1] += "\n"
for e in sys.argv[3:]:
    apply(lines, e)
open(dst, "w", encoding="utf-8").write("".join(lines))
PY

step "the edit tool with no edit gives the shipped config byte for byte"
python3 "$TMP/edit.py" "$CONFIG" "$TMP/same.ini"
check "identical" "$(cmp -s "$CONFIG" "$TMP/same.ini" && echo same)" same

n=0
while IFS= read -r line; do
    case "$line" in '#'* | '') continue ;; esac
    n=$((n + 1))
    # NAME || EDITS || EXIT || MESSAGE [|| QUERY => RESULT]
    rest=$line
    fields=()
    while [[ "$rest" == *" || "* ]]; do fields+=("${rest%% || *}"); rest=${rest#* || }; done
    fields+=("$rest")
    name=${fields[0]} edits=${fields[1]:-} want_rc=${fields[2]:-} want_msg=${fields[3]:-}
    query=${fields[4]:-}
    step "case $n: $name"
    if [ "${#fields[@]}" -lt 4 ]; then fail "malformed case line: $line"; continue; fi
    dir="$TMP/case$n"
    mkdir -p "$dir"
    bad="$dir/bad.ini"
    args=()
    rest=$edits
    while [[ "$rest" == *" ;; "* ]]; do args+=("${rest%% ;; *}"); rest=${rest#* ;; }; done
    args+=("$rest")
    if ! python3 "$TMP/edit.py" "$CONFIG" "$bad" "${args[@]}" 2>"$dir/edit.log"; then
        fail "edit failed: $(cat "$dir/edit.log")"; continue
    fi
    check "the edit changed the config" "$(cmp -s "$CONFIG" "$bad" || echo changed)" changed
    "$BIN" snapshot --config "$bad" --cache "$dir/c" --out "$dir/o" --mirror "$MIRROR" \
        >"$dir/log" 2>&1
    rc=$?
    echo "# $(head -1 "$dir/log")"
    check "exit code" "$rc" "$want_rc"
    check "message holds: $want_msg" "$(grep -cF -- "$want_msg" "$dir/log" | sed 's/^[1-9][0-9]*$/found/')" found
    if [ "$want_rc" != 0 ]; then
        check "message names the file" "$(grep -cF -- "$bad" "$dir/log" | sed 's/^[1-9][0-9]*$/found/')" found
        check "nothing written under --out" "$(if [ -e "$dir/o" ]; then find "$dir/o" | wc -l; else echo 0; fi)" 0
    elif [ -n "$query" ]; then
        sql=${query% => *} want=${query##* => }
        check "query" "$(q "$dir/o/latest/occsnap.sqlite" "$sql" 2>&1)" "$want"
    fi
    rm -rf "$dir/c" "$dir/o"
done < "$CASES"

step "every case was run"
check "cases read" "$([ "$n" -ge 40 ] && echo enough)" enough
finish
