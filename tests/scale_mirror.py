#!/usr/bin/env python3
"""Make a copy of the mirror with the big inputs multiplied K times (tests/scale.sh).

usage: scale_mirror.py MIRROR DEST K
DEST becomes a tree of symlinks into MIRROR, except the O*NET text and Excel
zips and the Economic Index v1 task file, rewritten with every data row K
times, each copy j > 0 re-keyed so it is a new row and not a duplicate:
Task Statements (Task ID + j*1000000, task text + " [j]"), Alternate and
Reported Titles, Technology Skills (title or example + " [j]"), and the
Knowledge and Skills workbooks (Element ID + "~j", a new shared string);
the Economic Index tasks get task name + " [j]" and pct / K, so the shares
still add up to what they did. Never writes into MIRROR.
"""
import io
import os
import re
import shutil
import sys
import zipfile

ONET = "www.onetcenter.org/dl_files/database/"
AEI = "huggingface.co/datasets/Anthropic/EconomicIndex/resolve/main/release_2025_02_10/onet_task_mappings.csv"
TEXT_KEYS = {  # member suffix -> (column to re-key, how)
    "Task Statements.txt": [("Task ID", "id"), ("Task", "text")],
    "Alternate Titles.txt": [("Alternate Title", "text")],
    "Sample of Reported Titles.txt": [("Reported Job Title", "text")],
    "Technology Skills.txt": [("Example", "text")],
}

def scale_tsv(data, keys, k):
    lines = data.decode("utf-8").split("\n")
    head, rows = lines[0], [l for l in lines[1:] if l.strip()]
    cols = head.rstrip("\r").split("\t")
    idx = [(cols.index(name), how) for name, how in keys]
    out = [head]
    for j in range(k):
        for l in rows:
            if j == 0:
                out.append(l)
                continue
            end = "\r" if l.endswith("\r") else ""
            f = l.rstrip("\r").split("\t")
            for i, how in idx:
                f[i] = str(int(f[i]) + j * 1000000) if how == "id" else "%s [%d]" % (f[i], j)
            out.append("\t".join(f) + end)
    return ("\n".join(out) + "\n").encode("utf-8")

ROW = re.compile(rb'<row r="(\d+)"(.*?)</row>', re.S)
CELL_REF = re.compile(rb'(<c r=")([A-Z]+)\d+(")')

def scale_sheet(sheet, sst, k):
    """Rows 2.. of the sheet k times (renumbered); column C (Element ID)
    of copy j points at a new shared string "<id>~j"."""
    strings = re.findall(rb"<si>.*?</si>", sst, re.S)
    n = len(strings)
    extra = []
    for j in range(1, k):
        for s in strings:
            extra.append(re.sub(rb"</t>", b"~%d</t>" % j, s, count=1))
    head_end = sheet.index(b"<sheetData>") + len(b"<sheetData>")
    tail_start = sheet.index(b"</sheetData>")
    rows = ROW.findall(sheet[head_end:tail_start])
    out, r = [], 0
    for j in range(k):
        for num, body in rows:
            if num == b"1" and j > 0:
                continue
            r += 1
            body = CELL_REF.sub(lambda m: m.group(1) + m.group(2) + b"%d" % r + m.group(3), body)
            if j > 0:
                body = re.sub(rb'(<c r="C\d+"[^>]*t="s"[^>]*><v>)(\d+)(</v>)',
                              lambda m: m.group(1) + b"%d" % (int(m.group(2)) + j * n) + m.group(3),
                              body)
            out.append(b'<row r="%d"%s</row>' % (r, body))
    new_sheet = sheet[:head_end] + b"".join(out) + sheet[tail_start:]
    new_sheet = re.sub(rb'<dimension ref="A1:([A-Z]+)\d+"/>',
                       lambda m: b'<dimension ref="A1:%s%d"/>' % (m.group(1), r), new_sheet, count=1)
    close = sst.rindex(b"</sst>")
    new_sst = sst[:close] + b"".join(extra) + sst[close:]
    new_sst = re.sub(rb'uniqueCount="\d+"', b'uniqueCount="%d"' % (n * k), new_sst, count=1)
    return new_sheet, new_sst

def rezip(src, dest, change):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, change(info.filename, data), compress_type=zipfile.ZIP_DEFLATED)

def scale_xlsx(data, k):
    src = zipfile.ZipFile(io.BytesIO(data))
    sheet, sst = src.read("xl/worksheets/sheet1.xml"), src.read("xl/sharedStrings.xml")
    sheet, sst = scale_sheet(sheet, sst, k)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            body = {"xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": sst}.get(
                info.filename) or src.read(info)
            out.writestr(info, body, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()

def replace(dest, rel):
    p = os.path.join(dest, rel)
    os.unlink(p)  # a symlink into the mirror: never written through
    return p

def main():
    mirror, dest, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
    shutil.copytree(os.path.abspath(mirror), dest, symlinks=True,
                    copy_function=lambda s, d: os.symlink(os.path.abspath(s), d))
    for top, dirs, _ in os.walk(dest):  # the mirror's folders are read-only
        os.chmod(top, 0o755)
    for name in ("db_30_1_text.zip", "db_30_1_excel.zip"):
        src = os.path.join(mirror, ONET, name)
        p = replace(dest, ONET + name)

        def change(member, data):
            for suffix, keys in TEXT_KEYS.items():
                if member.endswith("/" + suffix):
                    return scale_tsv(data, keys, k)
            if member.endswith("/Knowledge.xlsx") or member.endswith("/Skills.xlsx"):
                return scale_xlsx(data, k)
            return data
        rezip(src, p, change)
    with open(os.path.join(mirror, AEI), encoding="utf-8") as f:
        head, *rows = f.read().splitlines()
    p = replace(dest, AEI)
    with open(p, "w", encoding="utf-8") as f:
        f.write(head + "\n")
        for j in range(k):
            for l in rows:
                name, pct = l.rsplit(",", 1)
                if j:
                    name = name[:-1] + ' [%d]"' % j if name.endswith('"') else "%s [%d]" % (name, j)
                f.write("%s,%r\n" % (name, float(pct) / k))

if __name__ == "__main__":
    main()
