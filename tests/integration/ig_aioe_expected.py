#!/usr/bin/env python3
"""Hand-checked expected figures for felten_ig_aioe, computed from the
mirror's raw files alone (no occsnap code, standard library only).

  Felten et al., Image Generation AIOE ("Image Generation AIOE and AIIE.xlsx",
  sheet "IG AIOE", column "Image Generation AIOE", SOC 2010 6-digit codes)
  -> BLS SOC 2010 -> 2018 crosswalk ("soc_2010_to_2018_crosswalk.xlsx",
     sheet "Sorted by 2010"): a 2018 target with several 2010 origins takes
     the unweighted mean of their values; a split gives every target the
     same value
  -> every O*NET 30.1 occupation whose first 7 characters are the SOC 2018
     code (universe: "Occupation Data.txt" of db_30_1_text.zip)
  -> pct = 100 * (below + 0.5 * equal) / N over occupations with a value.

Usage: ig_aioe_expected.py [MIRROR] [--sheet S --column C --file F] [--all]
(--sheet/--column/--file compute the same for another Felten sheet, e.g.
"LM AIOE" / "Language Modeling AIOE", to check the method against a measure
occsnap already publishes; --all prints every occupation as TSV.)
"""
import argparse
import csv
import io
import os
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "pr": "http://schemas.openxmlformats.org/package/2006/relationships"}
CHECK = ["27-4014.00", "15-1252.00", "15-1253.00", "13-2022.00", "11-1011.03"]


def col_index(ref):
    """'AB12' -> 27 (0-based column of a cell reference)."""
    n = 0
    for ch in re.match(r"[A-Z]+", ref).group(0):
        n = n * 26 + ord(ch) - 64
    return n - 1


def read_sheet(path, sheet_name):
    """Rows of one worksheet as lists of strings ('' for an empty cell);
    each row is (excel_row_number, [cells])."""
    z = zipfile.ZipFile(path)
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
            shared.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rid = None
    for s in wb.find("m:sheets", NS):
        if s.get("name") == sheet_name:
            rid = s.get("{%s}id" % NS["r"])
    if rid is None:
        sys.exit("%s: no sheet %r" % (path, sheet_name))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels if r.get("Id") == rid)
    target = target.lstrip("/")
    if not target.startswith("xl/"):
        target = "xl/" + target
    rows = []
    for row in ET.fromstring(z.read(target)).iter("{%s}row" % NS["m"]):
        cells = {}
        for c in row.findall("m:c", NS):
            t = c.get("t")
            v = c.find("m:v", NS)
            if t == "s":
                val = shared[int(v.text)]
            elif t == "inlineStr":
                val = "".join(x.text or "" for x in c.iter("{%s}t" % NS["m"]))
            else:
                val = v.text if v is not None and v.text is not None else ""
            cells[col_index(c.get("r"))] = val
        width = max(cells) + 1 if cells else 0
        rows.append((int(row.get("r")), [cells.get(i, "") for i in range(width)]))
    return rows


def find_header(rows, names, what):
    """The first row (of the first 30) holding every name; returns
    (index into rows, {name: column})."""
    for i, (_, cells) in enumerate(rows[:30]):
        stripped = [c.strip() for c in cells]
        if all(n in stripped for n in names):
            return i, {n: stripped.index(n) for n in names}
    sys.exit("%s: no header row with %s" % (what, names))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("mirror", nargs="?",
                    default=os.path.join(here, "..", "..", "..", "shared", "mirror"))
    ap.add_argument("--file", default="Image Generation AIOE and AIIE.xlsx")
    ap.add_argument("--sheet", default="IG AIOE")
    ap.add_argument("--column", default="Image Generation AIOE")
    ap.add_argument("--all", action="store_true")
    a = ap.parse_args()
    felten = os.path.join(a.mirror, "raw.githubusercontent.com/AIOE-Data/AIOE/main", a.file)
    xwalk = os.path.join(a.mirror, "www.bls.gov/soc/2018/soc_2010_to_2018_crosswalk.xlsx")
    onet = os.path.join(a.mirror, "www.onetcenter.org/dl_files/database/db_30_1_text.zip")

    # 1. the Felten sheet, SOC 2010 -> value
    rows = read_sheet(felten, a.sheet)
    hi, hc = find_header(rows, ["SOC Code", a.column], a.sheet)
    header_rowno, header = rows[hi]
    data = [(n, c) for n, c in rows[hi + 1:] if any(x.strip() for x in c)]
    soc2010 = {}
    for n, c in data:
        code = c[hc["SOC Code"]].strip()
        val = float(c[hc[a.column]])
        if code in soc2010:
            sys.exit("%s row %d: duplicate SOC code %s" % (a.sheet, n, code))
        soc2010[code] = val
    print("sheet %r header (row %d): %s" % (a.sheet, header_rowno, " | ".join(header)))
    print("rows in: %d (data rows below the header, excel rows %d-%d)"
          % (len(data), data[0][0], data[-1][0]))
    cell = next(c for n, c in data if c[hc["SOC Code"]].strip() == "27-4014")
    rowno = next(n for n, c in data if c[hc["SOC Code"]].strip() == "27-4014")
    colletter = chr(65 + hc[a.column])
    print("cell %s%d (SOC 2010 27-4014, %s): %s" % (colletter, rowno, cell[1] if len(cell) > 1 else "",
                                                  cell[hc[a.column]]))

    # 2. SOC 2010 -> 2018 crosswalk
    xr = read_sheet(xwalk, "Sorted by 2010")
    xi, xc = find_header(xr, ["2010 SOC Code", "2018 SOC Code"], "Sorted by 2010")
    targets = {}  # 2010 -> [2018]
    for _, c in xr[xi + 1:]:
        if len(c) <= max(xc.values()):
            continue
        o, t = c[xc["2010 SOC Code"]].strip(), c[xc["2018 SOC Code"]].strip()
        if re.fullmatch(r"\d\d-\d{4}", o) and re.fullmatch(r"\d\d-\d{4}", t):
            targets.setdefault(o, [])
            if t not in targets[o]:
                targets[o].append(t)
    origins = {}  # 2018 -> [values of the 2010 origins that have one]
    unmatched = []
    for code, val in soc2010.items():
        if code not in targets:
            unmatched.append(code)
            continue
        for t in targets[code]:
            origins.setdefault(t, []).append(val)
    soc2018 = {t: sum(v) / len(v) for t, v in origins.items()}
    print("SOC 2010 codes with no crosswalk row: %d %s" % (len(unmatched), " ".join(sorted(unmatched))))
    print("SOC 2018 codes with a value: %d" % len(soc2018))

    # 3. O*NET universe, value by the first 7 characters
    z = zipfile.ZipFile(onet)
    text = z.read("db_30_1_text/Occupation Data.txt").decode("utf-8")
    occ = [r for r in csv.DictReader(io.StringIO(text), delimiter="\t")]
    codes = [r["O*NET-SOC Code"] for r in occ]
    titles = {r["O*NET-SOC Code"]: r["Title"] for r in occ}
    print("O*NET occupations: %d" % len(codes))
    value = {c: soc2018[c[:7]] for c in codes if c[:7] in soc2018}
    vals = sorted(value.values())
    N = len(vals)

    def pct(v):
        below = sum(1 for x in vals if x < v)
        equal = sum(1 for x in vals if x == v)
        return 100.0 * (below + 0.5 * equal) / N

    print("N: %d (occupations with a value)" % N)
    for c in CHECK:
        if c in value:
            print("%s %s: value %r pct %r" % (c, titles[c], value[c], pct(value[c])))
        else:
            print("%s %s: no value" % (c, titles.get(c, "?")))
    if a.all:
        for c in sorted(value):
            print("%s\t%r\t%r" % (c, value[c], pct(value[c])))


if __name__ == "__main__":
    main()
