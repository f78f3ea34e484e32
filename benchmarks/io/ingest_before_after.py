#!/usr/bin/python3
"""Did the new ingest (time formats, category folding, pass-through columns, the reject gate) slow
reading incidents? Times the whole command `hotspot validate` (read, check, project, assign; no
output file) with two binaries on the same 1M-row CSV, alternating them so that a change in the
machine's load hits both alike. Prints every run, per binary the minimum and median seconds, the
after/before ratio of the medians, and the load average before and after.

    /usr/bin/python3 benchmarks/io/ingest_before_after.py --before OLD/hotspot --after build/release/bin/hotspot
        [--runs 5] [--data /tmp/hotspot-bench/data-500c-1000000i]

--data is a directory with communes.gpkg and incidents.csv, as hotspot-datagen writes them
(benchmarks/compare/common.py generates it for the other benchmarks).
"""
import argparse
import os
import statistics
import subprocess
import time


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--before", required=True)
    p.add_argument("--after", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--data", default="/tmp/hotspot-bench/data-500c-1000000i")
    p.add_argument("--command", default="validate", help="validate or aggregate")
    a = p.parse_args()
    communes = os.path.join(a.data, "communes.gpkg")
    incidents = os.path.join(a.data, "incidents.csv")
    print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    seconds = {"before": [], "after": []}
    for run in range(a.runs):
        for side in ("before", "after"):
            cmd = [getattr(a, side), a.command, "--communes", communes, "--incidents", incidents,
                   "--threads", "2"]
            if a.command == "aggregate":
                out = f"/tmp/ingest_before_after_{side}.gpkg"
                if os.path.exists(out):
                    os.remove(out)
                cmd += ["--out", out]
            t0 = time.perf_counter()
            r = subprocess.run(cmd, capture_output=True, text=True)
            dt = time.perf_counter() - t0
            if r.returncode not in (0,):
                raise SystemExit(f"{side}: exit {r.returncode}\n{r.stderr[-2000:]}")
            seconds[side].append(dt)
            print(f"run {run + 1} {side:6s} {dt:7.2f} s")
    for side in ("before", "after"):
        v = seconds[side]
        print(f"{side:6s} min {min(v):.2f} s, median {statistics.median(v):.2f} s")
    ratio = statistics.median(seconds["after"]) / statistics.median(seconds["before"])
    ratio_min = min(seconds["after"]) / min(seconds["before"])
    print(f"after/before: median {ratio:.3f}, min {ratio_min:.3f}")
    print(f"load average at end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
