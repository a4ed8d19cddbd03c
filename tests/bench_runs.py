#!/usr/bin/env python3
"""Time commands in turn, round after round, for make bench (tests/bench.sh).

usage: bench_runs.py RUNS OUT.json NAME PREPARE COMMAND [NAME PREPARE COMMAND]...

Each round runs every command once, in the order given, each after its
PREPARE (a shell line, not timed); RUNS rounds. Taking turns, rather than all
runs of one command and then all of the next (as hyperfine does), puts the
two sides of a ratio in the same minutes of the machine's life: on a shared
virtual machine whose speed drifts by a third within minutes, a ratio of two
medians taken minutes apart measures the drift as much as the program.

OUT.json: {"results": [{"name", "median", "min", "max", "times"}...],
"ratio": {"median", "min", "max"}} where ratio is command 0's time over
command 1's within each round (present with two commands or more).
COMMAND is split like a shell word list (shlex) and run without a shell;
its output is discarded; a command that fails stops the bench (exit 1).
"""
import json
import shlex
import statistics
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 6 or (len(sys.argv) - 3) % 3:
        sys.exit(__doc__)
    runs, out = int(sys.argv[1]), sys.argv[2]
    specs = [sys.argv[i:i + 3] for i in range(3, len(sys.argv), 3)]
    times = [[] for _ in specs]
    for _ in range(runs):
        for k, (name, prep, cmd) in enumerate(specs):
            subprocess.run(prep, shell=True, check=True)
            t0 = time.perf_counter()
            r = subprocess.run(shlex.split(cmd), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
            t = time.perf_counter() - t0
            if r.returncode != 0:
                sys.exit("bench: '%s' failed (exit %d): %s" % (name, r.returncode, cmd))
            times[k].append(t)
    res = {"results": [{"name": s[0], "median": statistics.median(t), "min": min(t),
                        "max": max(t), "times": t} for s, t in zip(specs, times)]}
    if len(specs) > 1:
        ratios = [a / b for a, b in zip(times[0], times[1])]
        res["ratio"] = {"median": statistics.median(ratios), "min": min(ratios),
                        "max": max(ratios)}
    with open(out, "w") as f:
        json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
