#!/usr/bin/python3
"""hotspot validate / aggregate vs geopandas read_csv + sjoin, on the same generated input.

Run with Debian's Python (it has python3-geopandas and python3-rtree):
    /usr/bin/python3 benchmarks/compare/aggregate_vs_geopandas.py [--build build]

Input: hotspot-datagen --communes 2000 --incidents 1000000 --no-bad-rows, generated once into the
work dir (default /tmp/hotspot-bench) and reused while the generator binary is unchanged.

What is timed (wall clock, one run each, back to back):
  peer       geopandas, inside this process (interpreter start and `import geopandas` not timed):
             gpd.read_file(communes.gpkg) + pd.read_csv(incidents.csv)
             + gpd.points_from_xy(lon, lat) in EPSG:4326 + .to_crs(communes.crs)
             + gpd.sjoin(points, communes, predicate="within")
  validate   the whole `hotspot validate` process: read communes and zones, read + check the CSV,
             project, assign every incident to its commune and zone; writes nothing
             (run twice: with --threads as given, default all cores, and with --threads 1, since
             geopandas uses one core)
  aggregate  the whole `hotspot aggregate` process: the same, plus the aggregation and the
             GeoPackage write (all layers, spatial indexes, fsync)
Our runs pass --zones too (the peer has no zones), so they do slightly more work than the peer.

Then it checks that the per-commune counts agree: geopandas' sjoin counts against the `incidents`
field of our output's `communes` layer.
"""
import argparse
import os
import sqlite3
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from common import generate, run_hotspot  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default="build", help="CMake build dir holding bin/hotspot (default: build)")
    p.add_argument("--work", default="/tmp/hotspot-bench", help="work dir for data and outputs")
    p.add_argument("--communes", type=int, default=2000)
    p.add_argument("--incidents", type=int, default=1_000_000)
    p.add_argument("--threads", type=int, default=0, help="hotspot --threads (default 0: all cores)")
    return p.parse_args()


def run_geopandas(data):
    """The peer. Returns (seconds per phase, per-commune counts, points unmatched, points matched twice)."""
    import geopandas as gpd
    import pandas as pd

    t = {}
    t0 = time.perf_counter()
    communes = gpd.read_file(os.path.join(data, "communes.gpkg"))[["commune_id", "geometry"]]
    df = pd.read_csv(os.path.join(data, "incidents.csv"))
    t1 = time.perf_counter()
    points = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")
    points = points.to_crs(communes.crs)
    t2 = time.perf_counter()
    joined = gpd.sjoin(points, communes, predicate="within")
    t3 = time.perf_counter()
    t["read"], t["points+to_crs"], t["sjoin"], t["total"] = t1 - t0, t2 - t1, t3 - t2, t3 - t0
    counts = joined.groupby("commune_id").size().to_dict()
    unmatched = len(df) - joined.index.nunique()  # in no commune (e.g. exactly on a shared edge)
    twice = int(joined.index.duplicated().sum())  # in more than one commune
    return t, counts, unmatched, twice


def our_counts(gpkg):
    db = sqlite3.connect(gpkg)
    try:
        return dict(db.execute("SELECT commune_id, incidents FROM communes"))
    finally:
        db.close()


def main():
    a = parse_args()
    hotspot = os.path.join(a.build, "bin", "hotspot")
    if not os.access(hotspot, os.X_OK):
        sys.exit(f"missing {hotspot}: build it first (make build, or cmake --build {a.build})")
    os.makedirs(a.work, exist_ok=True)
    data = generate(a.build, a.work, a.communes, a.incidents)
    out = os.path.join(a.work, "aggregate_vs_geopandas.gpkg")
    inputs = ["--communes", os.path.join(data, "communes.gpkg"), "--zones", os.path.join(data, "zones.geojson"),
              "--incidents", os.path.join(data, "incidents.csv"), "--population-field", "population"]
    threads = ["--threads", str(a.threads)]

    print(f"input: {a.incidents:,} incidents, {a.communes:,} communes ({data})", flush=True)
    print("running geopandas (read_file + read_csv + points_from_xy + to_crs + sjoin within) ...", flush=True)
    peer, peer_counts, unmatched, twice = run_geopandas(data)
    print("running hotspot validate ...", flush=True)
    v_wall, v_steps, _ = run_hotspot([hotspot, "validate", *inputs, *threads])
    print("running hotspot validate --threads 1 ...", flush=True)
    v1_wall, _, _ = run_hotspot([hotspot, "validate", *inputs, "--threads", "1"])
    print("running hotspot aggregate ...", flush=True)
    if os.path.exists(out):
        os.remove(out)
    g_wall, g_steps, _ = run_hotspot([hotspot, "aggregate", *inputs, *threads, "--out", out])

    print()
    print("geopandas phases: " + ", ".join(f"{k} {v:.2f}s" for k, v in peer.items()))
    print("validate steps:   " + ", ".join(f"{k} {v:.2f}s" for k, v in v_steps.items()))
    print("aggregate steps:  " + ", ".join(f"{k} {v:.2f}s" for k, v in g_steps.items()))
    print()
    print(f"| {'comparison (1 run each)':<44} | {'peer s':>7} | {'ours s':>7} | {'ratio':>6} |")
    print(f"|{'-' * 46}|{'-' * 9}|{'-' * 9}|{'-' * 8}|")
    for name, ours in [("geopandas read+sjoin vs hotspot validate", v_wall),
                       ("  (same, hotspot validate --threads 1)", v1_wall),
                       ("geopandas read+sjoin vs hotspot aggregate", g_wall)]:
        print(f"| {name:<44} | {peer['total']:7.2f} | {ours:7.2f} | {peer['total'] / ours:5.1f}x |")
    print("(ratio = peer seconds / our seconds; issue target for validate: >= 20x)")

    ours = our_counts(out)
    ids = sorted(set(ours) | set(peer_counts))
    bad = [(c, peer_counts.get(c, 0), ours.get(c, 0)) for c in ids if peer_counts.get(c, 0) != ours.get(c, 0)]
    print()
    print(f"count check: {len(ids)} communes, {len(bad)} with different counts; "
          f"geopandas: {sum(peer_counts.values()):,} matches, {unmatched:,} points in no commune, "
          f"{twice:,} in two or more; hotspot: {sum(ours.values()):,} assigned")
    for c, p, o in bad[:10]:
        print(f"  {c}: geopandas {p}, hotspot {o}")
    if bad and (unmatched or twice):
        print("  a point exactly on a shared edge is 'within' no commune for geopandas, while hotspot puts it"
              " in exactly one; such boundary points explain differences of that size")


if __name__ == "__main__":
    main()
