#!/usr/bin/env python3
"""seeds.py - make the fuzz corpus: committed hand-made seeds plus small slices
of the mirror's real files (copied at run time into build-fuzz/, never into
the repository); the inputs earlier runs added stay. Usage: seeds.py MIRROR OUTDIR"""
import hashlib, io, os, re, shutil, sys, zipfile

SEP = b"\n====\n"
SLICE = 8192  # bytes of a real file per seed


def put(out, target, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "m-" + hashlib.sha1(data).hexdigest()[:12]), "wb") as f:
        f.write(data)


def cut_xml(data, close):
    """The first SLICE bytes of an XML part, cut after its last complete row or
    string and closed again, so the seed is still well-formed."""
    head = data[:SLICE]
    end = max(head.rfind(b"</row>") + 6, head.rfind(b"</si>") + 5)
    return head[:end] + close if end > 5 else head


def main():
    mirror, out = sys.argv[1], sys.argv[2]
    root = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(root))
    # added to, not replaced: what earlier runs found stays in the corpus
    for t in os.listdir(os.path.join(root, "seeds")):
        shutil.copytree(os.path.join(root, "seeds", t), os.path.join(out, t), dirs_exist_ok=True)
    for name in os.listdir(os.path.join(repo, "config")):
        if name.endswith(".ini"):
            with open(os.path.join(repo, "config", name), "rb") as f:
                put(out, "config", f.read())
    files = []
    if mirror and os.path.isdir(mirror):
        for d, _, names in os.walk(mirror):
            files += [os.path.join(d, n) for n in sorted(names)]
    codes = set()
    for path in sorted(files):
        low = path.lower()
        if low.endswith((".csv", ".tsv", ".txt")):
            with open(path, "rb") as f:
                head = f.read(SLICE)
            opt = b"\x02" if low.endswith(".csv") else b"\x05"  # csv quoted / tab ragged
            put(out, "csvread", opt + head)
            for m in re.finditer(rb"\b\d\d-\d{4}(?:\.\d\d)?\b", head):
                codes.add(m.group(0))
        elif low.endswith((".xlsx", ".zip")):
            try:
                z = zipfile.ZipFile(path)
            except zipfile.BadZipFile:
                continue
            books = [z] if low.endswith(".xlsx") else []
            for info in z.infolist()[:40]:
                if info.filename.endswith(".xlsx") and info.file_size < (8 << 20):
                    books.append(zipfile.ZipFile(io.BytesIO(z.read(info))))
                elif info.filename.endswith(".txt") and len(codes) < 400:
                    put(out, "csvread", b"\x05" + z.open(info).read(SLICE))
            for b in books[:4]:
                names = b.namelist()
                sheet = next((n for n in names if n.startswith("xl/worksheets/sheet")), None)
                if not sheet or "xl/workbook.xml" not in names:
                    continue
                parts = [cut_xml(b.read(sheet), b"</sheetData></worksheet>")]
                sst = b.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in names else b""
                parts.append(cut_xml(sst, b"</sst>") if sst else b"")
                if "xl/_rels/workbook.xml.rels" in names:
                    parts.append(b.read("xl/_rels/workbook.xml.rels")[:SLICE])
                    parts.append(b.read("xl/workbook.xml")[:SLICE])
                put(out, "xlsx", SEP.join(parts))
                # the same slices as a real (deflated) archive for the zip reader
                zb = io.BytesIO()
                with zipfile.ZipFile(zb, "w", zipfile.ZIP_DEFLATED) as w:
                    for n in names[:8]:
                        w.writestr(n, b.read(n)[:SLICE])
                put(out, "zipfile", zb.getvalue())
    for c in sorted(codes)[:400]:
        put(out, "occode", c)
    for t in sorted(os.listdir(out)):
        print("%s: %d seeds" % (t, len(os.listdir(os.path.join(out, t)))))


main()
