#!/usr/bin/python3
"""Issue 17's whole-command goals: each hotspot command against its peer, process start to exit,
on the same input files, one after the other in one run. Each side runs in its own process under
/usr/bin/time -v (wall seconds and peak RSS); nothing is prepared for either side beyond the
generated input files, and both write their result to a file.

| case      | hotspot command                                         | peer (its own process)                              | goal |
|-----------|---------------------------------------------------------|-----------------------------------------------------|------|
| aggregate | `hotspot aggregate`, 1M incidents x 2,000 communes -> GPKG | geopandas read_file + read_csv + to_crs + sjoin + to_file (communes with counts, the joined points) | >= 20x |
| cluster   | `hotspot cluster --method dbscan --eps 50 --min-points 10`, 1M incidents -> GPKG | pandas read_csv + pyproj + scikit-learn DBSCAN(n_jobs=2) + geopandas to_file of the labelled points | >= 30x, <= 1/10 memory |
| local     | `hotspot local --grid hex:300 --weights queen --stat both --permutations 999` on the sample | R: sf reads and projects, st_make_grid hexagons, counts, spdep poly2nb + localG_perm + localmoran_perm (999), st_write | >= 50x |
| kde       | `hotspot kde`, 200k incidents, quartic r = 500 m, 10 m cells -> GeoTIFF | QGIS's heatmap through qgis_process (the points projected beforehand, not timed) | >= 30x |

Usage: /usr/bin/python3 benchmarks/compare/whole_commands.py [--build build] [--work /tmp/hotspot-bench]
           [--only aggregate cluster local kde] [--incidents 1000000] [--before OLD_BUILD [--pairs 5]]
           [--repeat N]
With --repeat N, ours and the peer are each timed N times, alternately, and the table shows the
medians (one run of a sub-second command moves by a third with the machine's state).
With --before, each hotspot command is also timed as alternating pairs (OLD_BUILD's binary, then
--build's, --pairs times; the same inputs, outputs in separate folders under the same name), and the
medians, minima and after/before ratio are printed per case; the table's "ours" is --build's median.
Needs python3-geopandas, python3-sklearn, python3-pyproj, Rscript with sf and spdep, QGIS and ogr2ogr for kde.
The machine is shared: read the ratios, and say how loaded it was (printed at the start and end).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster_common import timed  # noqa: E402
from common import generate  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

PEER_AGGREGATE = r"""
import sys
import geopandas as gpd, pandas as pd
communes_path, csv, out = sys.argv[1:4]
communes = gpd.read_file(communes_path)[["commune_id", "geometry"]]
df = pd.read_csv(csv)
points = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326").to_crs(communes.crs)
joined = gpd.sjoin(points, communes, predicate="within", how="left")
counts = joined.groupby("commune_id").size()
communes["incidents"] = communes["commune_id"].map(counts).fillna(0).astype("int64")
communes.to_file(out, layer="communes", driver="GPKG")
joined.drop(columns="index_right").to_file(out, layer="incidents", driver="GPKG")
print(int(communes["incidents"].sum()))
"""

PEER_CLUSTER = r"""
import sys
import geopandas as gpd, numpy as np, pandas as pd
from pyproj import Transformer
from sklearn.cluster import DBSCAN
csv, eps, minpts, out = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
df = pd.read_csv(csv)
x, y = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True).transform(df["lon"].to_numpy(), df["lat"].to_numpy())
model = DBSCAN(eps=eps, min_samples=minpts, n_jobs=2).fit(np.column_stack([x, y]))
df["cluster"] = model.labels_
core = np.zeros(len(df), dtype=bool)
core[model.core_sample_indices_] = True
df["core"] = core
gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(x, y), crs="EPSG:32648").to_file(out, layer="cluster_members", driver="GPKG")
print(int(model.labels_.max()) + 1, int((model.labels_ < 0).sum()))
"""

PEER_LOCAL = r"""
args <- commandArgs(trailingOnly = TRUE)
suppressMessages({library(sf); library(spdep)})
inc <- read.csv(args[1])
inc$lon <- suppressWarnings(as.numeric(inc$lon))  # the sample has bad rows: keep the usable ones
inc$lat <- suppressWarnings(as.numeric(inc$lat))
inc <- inc[is.finite(inc$lon) & is.finite(inc$lat) & abs(inc$lat) <= 90 & abs(inc$lon) <= 180, ]
com <- st_read(args[2], quiet = TRUE)
pts <- st_transform(st_as_sf(inc, coords = c("lon", "lat"), crs = 4326), st_crs(com))
area <- st_union(com)
grid <- st_make_grid(area, cellsize = as.numeric(args[3]), square = FALSE)
grid <- grid[lengths(st_intersects(grid, area)) > 0]
n <- lengths(st_intersects(grid, pts))
nb <- poly2nb(grid, queen = TRUE)
lw <- nb2listw(nb, style = "W", zero.policy = TRUE)
lwb <- nb2listw(include.self(nb), style = "B", zero.policy = TRUE)
set.seed(1)
g <- localG_perm(n, lwb, nsim = 999, zero.policy = TRUE)
m <- localmoran_perm(n, lw, nsim = 999, zero.policy = TRUE)
st_write(st_sf(incidents = n, gi = as.numeric(g), ii = m[, 1], p_ii = m[, 5], geometry = grid), args[4], quiet = TRUE)
cat(length(grid), "\n")
"""


def fresh(path):
    if os.path.exists(path):
        os.remove(path)
    return path


def ours(a, name, args, out_name):
    """Times `hotspot ARGS --out OUT`: once, or with --before as alternating before/after pairs.
    Returns (stdout, seconds, MiB) of --build's binary (medians over the pairs)."""
    if not a.before:
        out = fresh(os.path.join(a.work, "whole", out_name))
        if out.endswith(".tif"):
            fresh(out[:-4] + ".qml")
        return timed([os.path.join(a.build, "bin", "hotspot"), *args, "--out", out])
    runs = {"before": [], "after": []}
    for _ in range(a.pairs):
        for side, build in (("before", a.before), ("after", a.build)):
            folder = os.path.join(a.work, "whole", side)
            os.makedirs(folder, exist_ok=True)
            out = fresh(os.path.join(folder, out_name))
            if out.endswith(".tif"):
                fresh(out[:-4] + ".qml")
            runs[side].append(timed([os.path.join(build, "bin", "hotspot"), *args, "--out", out]))
    med = {k: statistics.median(r[1] for r in v) for k, v in runs.items()}
    print(f"{name}: {a.pairs} pairs, before median {med['before']:.3f} s (min "
          f"{min(r[1] for r in runs['before']):.3f}), after median {med['after']:.3f} s (min "
          f"{min(r[1] for r in runs['after']):.3f}), after/before {med['after'] / med['before']:.3f}; "
          f"load {' '.join(f'{v:.1f}' for v in os.getloadavg())}", flush=True)
    last = runs["after"][-1]
    return last[0], med["after"], statistics.median(r[2] for r in runs["after"])


def alternate(a, name, ours_fn, peer_fn):
    """Ours, then the peer, --repeat times; returns ((stdout, median s, median MiB) of ours, the same
    of the peer). One run of a sub-second command is noisy: the medians are what the table shows."""
    o_runs, p_runs = [], []
    for _ in range(a.repeat):
        print(f"{name}: hotspot ...", flush=True)
        o_runs.append(ours_fn())
        print(f"{name}: peer ...", flush=True)
        p_runs.append(peer_fn())
    if a.repeat > 1:
        print(f"{name}: ours {', '.join(f'{r[1]:.3f}' for r in o_runs)} s; peer "
              f"{', '.join(f'{r[1]:.3f}' for r in p_runs)} s (medians in the table)", flush=True)
    med = lambda runs: (runs[-1][0], statistics.median(r[1] for r in runs), statistics.median(r[2] for r in runs))
    return med(o_runs), med(p_runs)


def row(name, ours, peer, goal):
    (o_s, o_mb), (p_s, p_mb) = ours, peer
    print(f"| {name:<9} | {o_s:8.3f} | {p_s:8.3f} | {p_s / o_s:6.1f}x | {o_mb:8.0f} | {p_mb:8.0f} | "
          f"1/{p_mb / o_mb:4.1f} | {goal} |", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--work", default="/tmp/hotspot-bench")
    ap.add_argument("--only", nargs="*", default=["aggregate", "cluster", "local", "kde"])
    ap.add_argument("--incidents", type=int, default=1_000_000)
    ap.add_argument("--before", help="an earlier build directory: time alternating before/after pairs")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=1,
                    help="time ours and the peer this many times, alternately, and report the medians")
    a = ap.parse_args()
    hotspot = os.path.join(a.build, "bin", "hotspot")
    work = os.path.join(a.work, "whole")
    os.makedirs(work, exist_ok=True)
    print(f"load average at the start: {' '.join(f'{v:.1f}' for v in os.getloadavg())} on {os.cpu_count()} cores",
          flush=True)
    results, notes = [], []

    if "aggregate" in a.only:
        data = generate(a.build, a.work, 2000, a.incidents)
        com, csv = os.path.join(data, "communes.gpkg"), os.path.join(data, "incidents.csv")
        (out, s, mb), (p_out, p_s, p_mb) = alternate(
            a, "aggregate",
            lambda: timed([hotspot, "aggregate", "--communes", com, "--incidents", csv,
                           "--out", fresh(os.path.join(work, "aggregate.gpkg"))]),
            lambda: timed(["/usr/bin/python3", "-c", PEER_AGGREGATE, com, csv,
                           fresh(os.path.join(work, "aggregate_peer.gpkg"))]))
        results.append(("aggregate", (s, mb), (p_s, p_mb), ">= 20x"))
        notes.append(f"aggregate: {a.incidents:,} incidents, 2,000 communes; geopandas counted {p_out.strip()} "
                     "incidents in communes")

    if "cluster" in a.only:
        data = generate(a.build, a.work, 200, a.incidents)
        csv = os.path.join(data, "incidents.csv")
        (out, s, mb), (p_out, p_s, p_mb) = alternate(
            a, "cluster",
            lambda: timed([hotspot, "cluster", "--method", "dbscan", "--eps", "50", "--min-points", "10",
                           "--incidents", csv, "--work-crs", "EPSG:32648",
                           "--out", fresh(os.path.join(work, "cluster.gpkg"))]),
            lambda: timed(["/usr/bin/python3", "-c", PEER_CLUSTER, csv, "50", "10",
                           fresh(os.path.join(work, "cluster_peer.gpkg"))]))
        ours_line = next((ln for ln in out.splitlines() if ln.startswith("clusters")), "")
        k, noise = p_out.split()
        results.append(("cluster", (s, mb), (p_s, p_mb), ">= 30x, <= 1/10 memory"))
        notes.append(f"cluster: {a.incidents:,} incidents, 200 communes' district, eps 50 m, 10 points; "
                     f"scikit-learn {int(k):,} clusters and {int(noise):,} noise; ours: {ours_line.strip()}")

    if "local" in a.only:
        sample = os.path.join(ROOT, "data", "sample")
        csv, com = os.path.join(sample, "incidents.csv"), os.path.join(sample, "communes.gpkg")
        r_script = os.path.join(work, "local_peer.R")
        with open(r_script, "w") as f:
            f.write(PEER_LOCAL)
        (out, s, mb), (p_out, p_s, p_mb) = alternate(
            a, "local",
            lambda: ours(a, "local", ["local", "--grid", "hex:300", "--weights", "queen", "--stat", "both",
                                      "--permutations", "999", "--incidents", csv, "--communes", com],
                         "local.gpkg"),
            lambda: timed(["Rscript", r_script, csv, com, "300", fresh(os.path.join(work, "local_peer.gpkg"))]))
        units = re.search(r"^units\s+(\d+)", out, re.M)
        results.append(("local", (s, mb), (p_s, p_mb), ">= 50x"))
        notes.append(f"local: the sample (50,006 incidents), hex 300 m: ours {units.group(1) if units else '?'} "
                     f"cells, R {p_out.strip()} cells (the lattices' origins differ)")

    if "kde" in a.only:
        # As kde_vs_qgis_spatstat.py's QGIS part (that script also needs R's spatstat): 200k
        # incidents, quartic r = 500 m, 10 m cells -> GeoTIFF; QGIS reads the points projected
        # beforehand (not timed), hotspot reads the lon/lat CSV and projects it itself.
        from kde_vs_qgis_spatstat import CRS, project_points, qgis_heatmap_cmd
        data = os.path.join(work, "kde-data")
        if not os.path.exists(os.path.join(data, "incidents.csv")):
            subprocess.run([os.path.join(a.build, "bin", "hotspot-datagen"), "--out", data, "--incidents", "200000",
                            "--no-bad-rows"], check=True, capture_output=True)
        csv, pts = os.path.join(data, "incidents.csv"), os.path.join(work, "kde_points.gpkg")
        if not os.path.exists(pts):
            project_points(csv, CRS, pts)
        def qgis():
            cmd, env = qgis_heatmap_cmd(pts, 500.0, 10.0, fresh(os.path.join(work, "kde_qgis.tif")))
            return timed(cmd, env=env)

        (_, s, mb), (_, p_s, p_mb) = alternate(
            a, "kde",
            lambda: ours(a, "kde", ["kde", "--incidents", csv, "--work-crs", CRS, "--cell-size", "10",
                                    "--bandwidth", "500", "--kernel", "quartic"], "kde.tif"),
            qgis)
        results.append(("kde", (s, mb), (p_s, p_mb), ">= 30x"))
        notes.append("kde: 200,000 incidents, quartic r = 500 m, 10 m cells, GeoTIFF")

    if results:
        print()
        print("| case      |   ours s |   peer s |   ratio | ours MiB | peer MiB | memory | goal |")
        print("|-----------|---------:|---------:|--------:|---------:|---------:|-------:|------|")
        for r in results:
            row(*r)
        for n in notes:
            print(n)
    print(f"load average at the end: {' '.join(f'{v:.1f}' for v in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"({time.perf_counter() - t0:.0f} s in all)")
