#!/usr/bin/env python3
"""sheet_scan_ref.py - cross-checks extract/sheetxml on real workbooks.

Reads every worksheet of every .xlsx under MIRROR (files, and .xlsx members
of .zip files) with Python's own zipfile + xml.etree.ElementTree, written
from the rules in extract/xlsx.h (not from the C code), and compares the
cells with what build/tests/tools/sheetdump prints for the same sheet.
Prints one "ok"/"not ok" line per sheet; exit 1 when any differs.

usage: sheet_scan_ref.py SHEETDUMP MIRROR [CHUNK]
(CHUNK: also read each sheet with that read size, which must not matter)
"""
import io
import os
import posixpath
import subprocess
import sys
import zipfile
import xml.etree.ElementTree as ET

NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def local(tag):
    return tag.rsplit("}", 1)[-1]


def escape(s):
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def resolve(target):
    path = target[1:] if target.startswith("/") else "xl/" + target
    return posixpath.normpath(path.replace("\\", "/"))


def shared_strings(zf, member):
    """Each <si>: its <t> texts, phonetic <rPh> runs left out."""
    out = []
    if member not in zf.namelist():
        return out
    root = ET.fromstring(zf.read(member))

    def texts(el):
        for ch in el:
            ln = local(ch.tag)
            if ln == "rPh":
                continue
            if ln == "t":
                yield ch.text or ""
            else:
                yield from texts(ch)

    for si in root:
        if local(si.tag) == "si":
            out.append("".join(texts(si)))
    return out


def col_of(ref):
    n = 0
    for ch in ref:
        if "A" <= ch.upper() <= "Z":
            n = n * 26 + ord(ch.upper()) - 64
        else:
            break
    return n - 1 if n else None


def sheet_cells(zf, member, sst):
    """Yields "line:col=value" for each non-empty cell, rows in order,
    cells by column (a later duplicate wins, an empty one blanks)."""
    last_line = 0
    for row in iter_rows(zf.open(member)):
        r = row.get("r")
        line = int(r) if r is not None else last_line + 1
        last_line = line
        cells = {}
        col = -1
        for c in row:
            if local(c.tag) != "c":
                continue
            ref = c.get("r")
            k = col_of(ref) if ref else None
            col = col + 1 if k is None else k
            t = c.get("t")
            value = ""
            for ch in c:
                ln = local(ch.tag)
                if ln == "v" and t != "inlineStr":
                    value += "".join(ch.itertext())
                elif ln == "is":
                    for part in ch.iter():
                        if local(part.tag) == "t":
                            value += part.text or ""
            if t == "s" and value != "":
                value = sst[int(value)]
            cells[col] = value
        for k in sorted(cells):
            if cells[k] != "":
                yield "%d:%d=%s" % (line, k, escape(cells[k]))
        row.clear()


def iter_rows(f):
    for _, el in ET.iterparse(f, events=("end",)):
        if local(el.tag) == "row":
            yield el


def workbooks(mirror):
    """(label, zip path, member or None, zipfile of the workbook)."""
    for dirpath, _, files in sorted(os.walk(mirror)):
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            if name.endswith(".xlsx"):
                yield path, path, None, zipfile.ZipFile(path)
            elif name.endswith(".zip"):
                outer = zipfile.ZipFile(path)
                for m in sorted(outer.namelist()):
                    if m.endswith(".xlsx"):
                        yield path + ":" + m, path, m, zipfile.ZipFile(io.BytesIO(outer.read(m)))


def sheets(zf):
    wb = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target, sst = {}, "xl/sharedStrings.xml"
    for rel in rels:
        if rel.get("TargetMode") == "External":
            continue
        target[rel.get("Id")] = rel.get("Target")
        if rel.get("Type", "").endswith("/sharedStrings"):
            sst = resolve(rel.get("Target"))
    for el in wb.iter():
        if local(el.tag) == "sheet":
            yield el.get("name"), resolve(target[el.get("{%s}id" % NS_REL)]), sst


def main():
    dump, mirror = sys.argv[1], sys.argv[2]
    chunks = [None] + ([sys.argv[3]] if len(sys.argv) > 3 else [])
    failed = total = 0
    for label, path, member, zf in workbooks(mirror):
        for name, part, sst_member in sheets(zf):
            want = list(sheet_cells(zf, part, shared_strings(zf, sst_member)))
            for chunk in chunks:
                cmd = [dump] + (["--chunk", chunk] if chunk else []) + \
                      (["--member", member] if member else []) + [path, name]
                got = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
                lines = got.stdout.splitlines()
                total += 1
                what = "%s [%s]%s: %d cells" % (label, name, " chunk " + chunk if chunk else "",
                                                 len(want))
                if got.returncode != 0:
                    failed += 1
                    print("not ok - %s: sheetdump exit %d: %s" % (what, got.returncode,
                                                                 got.stderr.strip()))
                elif lines != want:
                    failed += 1
                    i = next((i for i, (a, b) in enumerate(zip(lines, want)) if a != b),
                             min(len(lines), len(want)))
                    print("not ok - %s: differs at cell %d: got %r, expected %r (%d vs %d cells)"
                          % (what, i, lines[i] if i < len(lines) else None,
                             want[i] if i < len(want) else None, len(lines), len(want)))
                else:
                    print("ok - %s" % what)
    print("%d sheet reads, %d differ" % (total, failed))
    if total == 0:
        print("not ok - no worksheets found under %s" % mirror)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
