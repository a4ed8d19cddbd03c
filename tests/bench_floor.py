#!/usr/bin/env python3
"""Write the decompression floor of a snapshot as a shell script (for make bench).

usage: bench_floor.py MANIFEST MIRROR TMPDIR > floor.sh
The files are exactly those the snapshot read, from its manifest's tables
(status ok): `unzip -p` of every member of each xlsx (an xlsx inside a zip is
first taken out with `unzip -p`, then all its members), `unzip -p` of each zip
member, `cat` of each csv; each once, one after the other, to /dev/null.
"""
import json
import shlex
import sys
import urllib.parse

def main():
    manifest, mirror, tmp = sys.argv[1:4]
    m = json.load(open(manifest))
    seen, lines = set(), ["set -e"]
    for t in m["tables"]:
        if t["status"] != "ok":
            continue
        u = urllib.parse.urlsplit(t["url"])
        local = mirror + "/" + u.netloc + urllib.parse.unquote(u.path)
        spec = t["file"].split(" [sheet ", 1)[0]
        member = spec.split("/", 1)[1] if local.endswith(".zip") and "/" in spec else None
        key = (local, member)
        if key in seen:
            continue
        seen.add(key)
        q = shlex.quote
        if member and member.endswith(".xlsx"):
            inner = tmp + "/inner.xlsx"
            lines.append("unzip -p %s %s > %s" % (q(local), q(member), q(inner)))
            lines.append("unzip -p %s > /dev/null" % q(inner))
        elif member:
            lines.append("unzip -p %s %s > /dev/null" % (q(local), q(member)))
        elif local.endswith(".xlsx"):
            lines.append("unzip -p %s > /dev/null" % q(local))
        else:
            lines.append("cat %s > /dev/null" % q(local))
    print("\n".join(lines))
    print("# %d files" % len(seen), file=sys.stderr)

if __name__ == "__main__":
    main()
