#!/usr/bin/python3
"""Is a change free? Times `hotspot run` (every analysis, the full-run benchmark's configuration) with
two builds on the same generated input, whole process against whole process, alternating the two so
that a change in the machine's load hits both alike, and checks that both wrote the same layers.
--command cluster or aggregate times that single command instead, with whole_commands.py's
arguments (cluster: 200 communes' data, DBSCAN eps 50 m, 10 points; aggregate: 2,000 communes).
Besides wall seconds it prints each process's CPU seconds (user + system), which a loaded machine
distorts less.

    /usr/bin/python3 benchmarks/compare/before_after.py --before OLD_BUILD --after build
        [--command run|cluster|aggregate] [--runs 3] [--communes 500] [--incidents 1000000]
        [--work /tmp/hotspot-bench]

OLD_BUILD is the build directory of the earlier commit, e.g.
    git worktree add /tmp/before <commit> && cmake -S /tmp/before -B /tmp/before/build \\
        -DCMAKE_BUILD_TYPE=Release && cmake --build /tmp/before/build --target hotspot hotspot-datagen
Without the launcher's malloc tunables (cli/launcher.cpp) against with them, same binary:
    mkdir -p /tmp/notune/bin && ln -sf "$PWD/build/bin/hotspot.bin" /tmp/notune/bin/hotspot
    ... --before /tmp/notune --after build
The input is generated with --after's hotspot-datagen. Prints each run, then per build the minimum
and median seconds and the after/before ratio of the medians; and the load average before and after.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "golden"))
from common import generate  # noqa: E402
from full_run_vs_peers import write_config  # noqa: E402
from layer_digest import digest  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--before", required=True)
    p.add_argument("--command", choices=("run", "cluster", "aggregate"), default="run")
    p.add_argument("--after", default="build")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--communes", type=int, default=500)
    p.add_argument("--incidents", type=int, default=1_000_000)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--communes-permutations", type=int, default=999)
    p.add_argument("--grid-permutations", type=int, default=999)
    p.add_argument("--work", default="/tmp/hotspot-bench")
    a = p.parse_args()
    if a.command != "run":
        a.communes = 200 if a.command == "cluster" else 2000
    data = generate(a.after, a.work, a.communes, a.incidents)
    print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    seconds = {"before": [], "after": []}
    cpu = {"before": [], "after": []}
    digests = {}
    for run in range(a.runs):
        for side in ("before", "after"):
            build = getattr(a, side)
            # The same file name on both sides: the QGIS project's data sources name the file.
            os.makedirs(os.path.join(a.work, side), exist_ok=True)
            out = os.path.join(a.work, side, f"before_after_{a.command}.gpkg" if a.command != "run" else "before_after.gpkg")
            for f in (out, out.replace(".gpkg", ".png")):
                if os.path.exists(f):
                    os.remove(f)
            hotspot = os.path.join(build, "bin", "hotspot")
            incidents = os.path.join(data, "incidents.csv")
            if a.command == "cluster":
                cmd = [hotspot, "cluster", "--method", "dbscan", "--eps", "50", "--min-points", "10",
                       "--incidents", incidents, "--work-crs", "EPSG:32648", "--out", out]
            elif a.command == "aggregate":
                cmd = [hotspot, "aggregate", "--communes", os.path.join(data, "communes.gpkg"),
                       "--incidents", incidents, "--out", out]
            else:
                config = os.path.join(a.work, side, "before_after.json")
                write_config(config, data, out, a)
                cmd = [hotspot, "run", "--config", config, "--quiet",
                       "--previous", os.path.join(a.work, "no-previous.gpkg")]
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            s = time.perf_counter() - t0
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            c = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
            seconds[side].append(s)
            cpu[side].append(c)
            print(f"run {run + 1} {side:6s} {s:7.2f} s  cpu {c:7.2f} s  load {os.getloadavg()[0]:.1f}", flush=True)
            if run == 0:
                digests[side] = digest(out)
    print(f"load average at end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    for side in ("before", "after"):
        print(f"{side:6s} min {min(seconds[side]):7.2f} s  median {statistics.median(seconds[side]):7.2f} s  "
              f"cpu median {statistics.median(cpu[side]):7.2f} s")
    ratio = statistics.median(seconds["after"]) / statistics.median(seconds["before"])
    print(f"after / before (medians): {ratio:.3f}")
    differ = [t for t in sorted(set(digests["before"]) | set(digests["after"]))
              if digests["before"].get(t) != digests["after"].get(t)]
    print("layers identical" if not differ else "layers that differ: " + ", ".join(differ))
    print(json.dumps({"before": seconds["before"], "after": seconds["after"], "ratio": ratio,
                      "cpu_before": cpu["before"], "cpu_after": cpu["after"],
                      "differ": differ}))


if __name__ == "__main__":
    main()
