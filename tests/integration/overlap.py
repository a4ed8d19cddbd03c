#!/usr/bin/env python3
"""The most requests of a mirror_server.py --log being answered at once.

usage: overlap.py LOG [REGEX]
Only requests whose "METHOD PATH" matches REGEX (default: all). Each interval is trimmed by 0.05 s at both ends, so a request
that starts as another one's last bytes leave (a client's next request on
the heels of the last) does not count as overlapping: with every answer
delayed 0.3 s (--delay-all), requests really at once overlap by far more.
"""
import re
import sys

def main():
    log = sys.argv[1]
    pat = re.compile(sys.argv[2]) if len(sys.argv) > 2 else None
    edges = []
    for line in open(log):
        m, path, start, end = line.split()
        if pat and not pat.search(m + " " + path):
            continue
        a, b = float(start) + 0.05, float(end) - 0.05
        if b > a:
            edges += [(a, 1), (b, -1)]
    most = now = 0
    for _, d in sorted(edges, key=lambda e: (e[0], e[1])):
        now += d
        most = max(most, now)
    print(most)

if __name__ == "__main__":
    main()
