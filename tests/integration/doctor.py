#!/usr/bin/env python3
r"""Make a doctored copy of a mirror: every file symlinked, one file rewritten.

usage: doctor.py MIRROR OUT EDIT ARG...

EDIT is one of (paths are mirror paths, <host>/<url path>; any argument may
write a byte as \xHH, a blank as \x20):
  csv-cell PATH KEYCOL KEYVAL COL VALUE   set COL of the data row whose KEYCOL is
                                          KEYVAL (the first such row)
  csv-header PATH OLD NEW                 rename the header cell OLD to NEW
  csv-dup-row PATH KEYCOL KEYVAL          repeat that row right after itself
  csv-add-col PATH HEADER VALUE           append a column HEADER holding VALUE
  truncate PATH BYTES                     keep only the first BYTES bytes
  append PATH TEXT                        add TEXT (escapes allowed) at the end
  replace PATH TEXT                       the file becomes TEXT
  zip-bytes PATH MEMBER OLD NEW           replace bytes in a zip member (OLD and
                                          NEW take \\xHH escapes)
  xlsx-cell PATH MEMBER SHEET KEYCOL KEYVAL COL VALUE
                                          set a numeric cell of a sheet of an xlsx
                                          (MEMBER "-" for an xlsx file itself, else
                                          the xlsx member of a zip; SHEET is the
                                          worksheet part, e.g. sheet1.xml); the row
                                          is the first whose KEYCOL cell is KEYVAL
The copy is for a test: nothing under MIRROR is changed.
"""
import csv
import io
import os
import re
import sys
import zipfile


def overlay(mirror, out, skip):
    for root, dirs, files in os.walk(mirror):
        for fn in files:
            rel = os.path.relpath(os.path.join(root, fn), mirror)
            if rel == skip:
                continue
            dst = os.path.join(out, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            os.symlink(os.path.abspath(os.path.join(root, fn)), dst)


def unescape(s):
    return s.encode("latin-1").decode("unicode_escape").encode("latin-1")


def csv_rewrite(data, fn):
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    fn(rows)
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def find_row(rows, keycol, keyval):
    k = rows[0].index(keycol)
    for i, r in enumerate(rows[1:], 1):
        if len(r) > k and r[k] == keyval:
            return i
    sys.exit("no row with %s = %s" % (keycol, keyval))


def rezip(data, member, fn):
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for zi in src.infolist():
            body = src.read(zi.filename)
            if zi.filename == member:
                body = fn(body)
            z.writestr(zi, body)
    return buf.getvalue()


def xlsx_set(data, sheet, keycol, keyval, col, value):
    src = zipfile.ZipFile(io.BytesIO(data))
    sst = []
    if "xl/sharedStrings.xml" in src.namelist():
        for si in re.findall(r"<si>(.*?)</si>", src.read("xl/sharedStrings.xml").decode("utf-8"), re.S):
            sst.append(re.sub(r"<[^>]+>", "", si))
    xml = src.read("xl/worksheets/" + sheet).decode("utf-8")

    def cells(row_xml):
        out = {}
        for m in re.finditer(r'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', row_xml, re.S):
            letters, attrs, inner = m.group(1), m.group(3), m.group(4) or ""
            v = re.search(r"<v>([^<]*)</v>", inner)
            t = re.search(r"<t[^>]*>([^<]*)</t>", inner)
            val = v.group(1) if v else (t.group(1) if t else "")
            if 't="s"' in attrs and v:
                val = sst[int(val)]
            out[letters] = val
        return out

    rows = re.findall(r"<row [^>]*>.*?</row>", xml, re.S)
    header = None
    for r in rows:
        c = cells(r)
        if keycol in c.values() and col in c.values():
            header = {v: k for k, v in c.items()}
            continue
        if header and c.get(header[keycol]) == keyval:
            rownum = re.search(r'<row [^>]*r="(\d+)"', r).group(1)
            ref = header[col] + rownum
            new = re.sub(r'<c r="%s"[^>]*?(?:/>|>.*?</c>)' % ref,
                         '<c r="%s"><v>%s</v></c>' % (ref, value), r, count=1, flags=re.S)
            xml = xml.replace(r, new, 1)
            print("set %s (%s of %s %s) to %s" % (ref, col, keycol, keyval, value))
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                for zi in src.infolist():
                    body = src.read(zi.filename)
                    if zi.filename == "xl/worksheets/" + sheet:
                        body = xml.encode("utf-8")
                    z.writestr(zi, body)
            return buf.getvalue()
    sys.exit("no row with %s = %s in %s" % (keycol, keyval, sheet))


def main():
    mirror, out, edit = sys.argv[1], sys.argv[2], sys.argv[3]
    # every argument may carry \xHH escapes (a case file's fields have no blanks)
    raw = [unescape(a) for a in sys.argv[4:]]
    args = [b.decode("utf-8", "surrogateescape") for b in raw]
    path = args[0]
    overlay(mirror, out, path)
    with open(os.path.join(mirror, path), "rb") as f:
        data = f.read()
    if edit == "csv-cell":
        keycol, keyval, col, value = args[1:5]

        def fn(rows):
            rows[find_row(rows, keycol, keyval)][rows[0].index(col)] = value
        data = csv_rewrite(data, fn)
    elif edit == "csv-header":
        old, new = args[1:3]

        def fn(rows):
            rows[0][rows[0].index(old)] = new
        data = csv_rewrite(data, fn)
    elif edit == "csv-add-col":
        header, value = args[1:3]

        def fn(rows):
            rows[0].append(header)
            for r in rows[1:]:
                r.append(value)
        data = csv_rewrite(data, fn)
    elif edit == "truncate":
        data = data[:int(args[1])]
    elif edit == "append":
        data = data + raw[1]
    elif edit == "replace":
        data = raw[1]
    elif edit == "csv-dup-row":
        keycol, keyval = args[1:3]

        def fn(rows):
            i = find_row(rows, keycol, keyval)
            rows.insert(i + 1, list(rows[i]))
        data = csv_rewrite(data, fn)
    elif edit == "zip-bytes":
        member, old, new = args[1], raw[2], raw[3]

        def fn(body):
            if old not in body:
                sys.exit("%s has no %r" % (member, old))
            return body.replace(old, new, 1)
        data = rezip(data, member, fn)
    elif edit == "xlsx-cell":
        member, sheet, keycol, keyval, col, value = args[1:7]
        if member == "-":
            data = xlsx_set(data, sheet, keycol, keyval, col, value)
        else:
            data = rezip(data, member, lambda b: xlsx_set(b, sheet, keycol, keyval, col, value))
    else:
        sys.exit("unknown edit " + edit)
    dst = os.path.join(out, path)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(dst, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
