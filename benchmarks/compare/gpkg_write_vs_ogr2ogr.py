#!/usr/bin/python3
"""Writing 1M points to a GeoPackage with a spatial index: hotspot vs ogr2ogr, same input.

    /usr/bin/python3 benchmarks/compare/gpkg_write_vs_ogr2ogr.py [--build build]

Input: the incidents.csv of hotspot-datagen --communes 2000 --incidents 1000000 --no-bad-rows
(shared with aggregate_vs_geopandas.py, cached in the work dir, default /tmp/hotspot-bench).

What is timed (wall clock, one run each, back to back):
  peer        the whole command `ogr2ogr -f GPKG out.gpkg incidents.csv -oo X_POSSIBLE_NAMES=lon
              -oo Y_POSSIBLE_NAMES=lat -a_srs EPSG:4326 -nln incidents`: reading the CSV, 1M points
              with 5 text fields, GDAL's R-tree spatial index (on by default). Nothing is projected.
  write step  the `write` step of `hotspot aggregate` on the same CSV, from its printed time line:
              all output layers (communes, zones, zone_communes, incidents with 8 fields and
              1M projected points, rejected_incidents), every layer's R-tree; not the final
              run_metadata row, COMMIT and fsync, which come after the timer
  kernel      gpkg_write_bench's 1M case: 1M points with 5 fields through GpkgWriter, including
              the R-tree, COMMIT, fsync and rename
  aggregate   the whole `hotspot aggregate` process, for context (it also reads, projects, assigns)
"""
import argparse
import json
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from common import generate, run_hotspot  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default="build", help="CMake build dir holding bin/ (default: build)")
    p.add_argument("--work", default="/tmp/hotspot-bench", help="work dir for data and outputs")
    p.add_argument("--incidents", type=int, default=1_000_000)
    return p.parse_args()


def run_ogr2ogr(csv, out):
    if os.path.exists(out):
        os.remove(out)
    cmd = ["ogr2ogr", "-f", "GPKG", out, csv, "-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat",
           "-a_srs", "EPSG:4326", "-nln", "incidents"]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - t0


def run_kernel(build):
    """gpkg_write_bench, 1M points, one iteration; returns (seconds, counters)."""
    bench = os.path.join(build, "bin", "gpkg_write_bench")
    if not os.access(bench, os.X_OK):
        print(f"  (no {bench}: skipped; build the gpkg_write_bench target)")
        return None, {}
    r = subprocess.run([bench, "--benchmark_filter=BM_GpkgWritePoints/points:1000000",
                        "--benchmark_min_time=0.01", "--benchmark_format=json"],
                       check=True, capture_output=True, text=True)
    b = json.loads(r.stdout)["benchmarks"][0]
    return b["real_time"], b  # Unit(kSecond): real_time is in seconds


def main():
    a = parse_args()
    hotspot = os.path.join(a.build, "bin", "hotspot")
    if not os.access(hotspot, os.X_OK):
        sys.exit(f"missing {hotspot}: build it first (make build, or cmake --build {a.build})")
    os.makedirs(a.work, exist_ok=True)
    data = generate(a.build, a.work, 2000, a.incidents)
    csv = os.path.join(data, "incidents.csv")

    print(f"input: {csv} ({a.incidents:,} points)", flush=True)
    print("running ogr2ogr ...", flush=True)
    peer = run_ogr2ogr(csv, os.path.join(a.work, "ogr2ogr.gpkg"))
    print("running hotspot aggregate ...", flush=True)
    out = os.path.join(a.work, "gpkg_write_vs_ogr2ogr.gpkg")
    if os.path.exists(out):
        os.remove(out)
    agg_wall, steps, _ = run_hotspot([hotspot, "aggregate", "--communes", os.path.join(data, "communes.gpkg"),
                                      "--zones", os.path.join(data, "zones.geojson"), "--incidents", csv,
                                      "--population-field", "population", "--out", out])
    print("running gpkg_write_bench (1M points) ...", flush=True)
    kernel, counters = run_kernel(a.build)

    print()
    print("aggregate steps: " + ", ".join(f"{k} {v:.2f}s" for k, v in steps.items()))
    if counters:
        print(f"kernel split:    rows {counters['rows_s']:.2f}s, commit (R-tree fill, COMMIT, fsync) "
              f"{counters['commit_s']:.2f}s")
    print()
    print(f"| {'comparison (1 run each)':<44} | {'peer s':>7} | {'ours s':>7} | {'ratio':>6} |")
    print(f"|{'-' * 46}|{'-' * 9}|{'-' * 9}|{'-' * 8}|")
    rows = [("ogr2ogr vs aggregate's write step", steps.get("write")),
            ("ogr2ogr vs gpkg_write_bench 1M", kernel),
            ("ogr2ogr vs whole hotspot aggregate", agg_wall)]
    for name, ours in rows:
        if ours:
            print(f"| {name:<44} | {peer:7.2f} | {ours:7.2f} | {peer / ours:5.1f}x |")
    print("(ratio = peer seconds / our seconds; issue target for the write: >= 3x)")


if __name__ == "__main__":
    main()
