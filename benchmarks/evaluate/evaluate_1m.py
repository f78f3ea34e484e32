#!/usr/bin/python3
"""hotspot evaluate on 1M incidents: 12 folds, 4 methods (naive, kde, prospective, gi), 100 m
cells, the whole command timed (load, grid, 48 scorings, measures, outputs). Prints the wall time,
the machine's load average before and after, and the command's recommendation line. Nothing is
asserted: the machine is shared (see ../README.md).

Input: hotspot-datagen --communes 500 --incidents 1000000 --no-bad-rows (the full-run benchmark's
data, cached in WORK).

Usage: evaluate_1m.py [--build BUILD] [--work DIR] [--threads N]
"""
import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "compare"))
import common  # noqa: E402


def load():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--work", default="/tmp/hotspot-bench")
    ap.add_argument("--threads", default="2")
    a = ap.parse_args()
    data = common.generate(a.build, a.work, 500, 1_000_000)
    config = os.path.join(data, "evaluate.json")
    with open(config, "w") as f:
        json.dump({"inputs": {"communes": {"path": "communes.gpkg"},
                              "incidents": {"path": "incidents.csv", "utc_offset": "+07:00"}},
                   "output": {"path": "unused.gpkg", "quicklook": False},
                   "analyses": [{"type": "aggregate"}]}, f)
    cmd = [os.path.join(a.build, "bin", "hotspot"), "evaluate", "--config", config, "--cell", "100",
           "--methods", "naive,kde,prospective,gi", "--folds", "12", "--train", "12w", "--test", "1w",
           "--threads", a.threads, "--out", os.path.join(a.work, "eval-1m.gpkg"), "--overwrite",
           "--plot", os.path.join(a.work, "eval-1m.png")]
    before = load()
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stderr}")
    print(r.stdout.splitlines()[0])
    print(r.stdout.splitlines()[1])
    print(r.stdout.strip().splitlines()[-1])
    print(f"hotspot evaluate, 1M incidents, 12 folds, 4 methods, --threads {a.threads}: {wall:.1f} s "
          f"(whole command; load average {before} before, {load()} after)")


if __name__ == "__main__":
    main()
