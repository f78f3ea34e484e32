#!/usr/bin/python3
"""The full run: `hotspot run` with every analysis on generated incidents, timed per step, against
the peers doing the same work one after the other ("chained"), each timed on its own.

    /usr/bin/python3 benchmarks/compare/full_run_vs_peers.py [--build build] [--work /tmp/hotspot-bench]
        [--communes 500] [--incidents 1000000] [--threads 0] [--skip PEER ...]
        [--communes-permutations 999] [--grid-permutations 999]

Needs a Release build and Debian's Python with numpy, pyproj and GDAL (python3-numpy,
python3-pyproj, python3-gdal); each peer needs its own packages (scripts/install-deps.sh bench).
Takes about five minutes, most of it the peers.

Input: hotspot-datagen --communes 500 --incidents 1000000 --no-bad-rows (3,250 km², 5 industrial
zones), generated once into the work dir and reused while the generator binary is unchanged.

Ours: one `hotspot run --config full_run.json --json --quiet` (the configuration is written next to
the output; quick-look map off, since no peer draws one). The per-step seconds come from its JSON
summary (`timings_s`, `analyses.*.seconds`), the total from `total_s`; the process is also timed.

The peers, each in its own process under /usr/bin/time -v (peak RSS), on the same input:
  aggregate      geopandas (aggregate_vs_geopandas.run_geopandas): read_file + read_csv +
                 points_from_xy + to_crs + sjoin within, then the per-commune groupby; timed inside
                 the process from after `import geopandas`. Our row is the load (read, check,
                 project), the assignment and the aggregate step with its layers.
  kde            QGIS qgis:heatmapkerneldensityestimation (kde_vs_qgis_spatstat.qgis_heatmap_cmd),
                 quartic, same radius and cell size, the whole qgis_process command. Its input is the
                 incidents projected to the work CRS by ogr2ogr beforehand (not timed). QGIS has no
                 mask, edge correction or hotspot zones; ours does all three.
  clusters       scikit-learn DBSCAN(n_jobs=2) (cluster_common.SKLEARN_DBSCAN), same eps and
                 min_points, on the same coordinates (projected with pyproj, not timed); the fit.
  local_*        R spdep on our output's units (the same polygons and counts): poly2nb (queen,
                 snap 0.5 m) + nb2listw, then localG (Gi* z, self included) + localG_perm +
                 localmoran_perm with the same number of permutations; system.time of the weights and of the
                 statistics (R start-up and st_read not timed). Ours computes both statistics with
                 conditional permutations, so spdep's *_perm pair is the same work.
  emerging       NumPy/SciPy (emerging_vs_numpy.space_time_gi, mann_kendall_z) on our output's cube
                 (cells x weekly steps) and cell centroids: band weights (cKDTree, 1.5 x cell size,
                 self included), space-time Gi*, Mann-Kendall; timed inside the process. Our row
                 also bins the incidents into the cube, classifies and writes 1.6M cube rows.
  near_repeat    No peer exists in this repository, so a NumPy/SciPy Knox test written here:
                 cKDTree.query_pairs within the last space band, then as many permutations of the
                 times as ours, counted with bincount; timed inside the process.
The chained total is the sum of the peers' seconds; the overall ratio divides it by our total_s.
Our 24 x 7 profiles (counted while the run finishes its output, so they fall in the last row with
the run metadata, the QGIS project and the commit) have no peer. Each row also checks that both
sides agree where they compute the same thing (counts, z-scores, Knox counts) and prints the result.

A peer that is not installed is skipped (with the Debian package to install); the total then says
which peers are missing. Timings are from one run on a shared machine: read the ratios.
"""
import argparse
import csv
import json
import os
import sqlite3
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import numpy as np  # noqa: E402
from pyproj import Transformer  # noqa: E402

from aggregate_vs_geopandas import our_counts  # noqa: E402
from cluster_common import SKLEARN_DBSCAN, timed  # noqa: E402
from common import generate  # noqa: E402
from kde_vs_qgis_spatstat import project_points, qgis_heatmap_cmd  # noqa: E402

PY = "/usr/bin/python3"  # Debian's Python: the peers' packages live there
WORK_CRS = "EPSG:9210"   # the generated district's VN-2000 / TM-3 zone, metres

# The analyses, with parameters sensible for 1M incidents over 3,250 km². DBSCAN's eps is 30 m, not
# the 50 m of cluster_dbscan_vs_sklearn.py: this district is denser (about 190 neighbours within
# 30 m per incident on average, 510 within 50 m), and scikit-learn keeps every neighbour list in
# memory. The Knox bands stop at 20 m (about 43M close pairs; 100 m would give about 890M).
KDE = {"cell_size": 50, "bandwidth": 500, "kernel": "quartic", "mask": "communes", "edge_correction": True,
       "top_percent": 20}
DBSCAN = {"eps": 30, "min_points": 20}
GRID = "hex:500"
KNOX = {"space_bands": [0, 5, 10, 20], "time_bands": [0, 7, 14, 28], "permutations": 99, "seed": 20240101}

# What each peer needs, and the Debian packages that provide it (scripts/install-deps.sh bench).
NEEDS = {
    "aggregate": ("import geopandas, rtree", "python3-geopandas python3-rtree"),
    "kde": (None, "qgis gdal-bin"),
    "clusters": ("import sklearn", "python3-sklearn"),
    "local": (None, "r-cran-spdep r-cran-sf"),
    "emerging": ("import scipy", "python3-scipy"),
    "near_repeat": ("import scipy", "python3-scipy"),
}

GEOPANDAS = r"""
import json, sys, time
import geopandas  # noqa: F401 (imported before the clock starts)
sys.path.insert(0, sys.argv[1])
from aggregate_vs_geopandas import run_geopandas
t0 = time.perf_counter()
phases, counts, unmatched, twice = run_geopandas(sys.argv[2])  # ends with the groupby
print(json.dumps({"seconds": time.perf_counter() - t0, "phases": phases, "counts": counts}))
"""

SPDEP = r"""
suppressMessages({library(spdep); library(sf)})
args <- commandArgs(trailingOnly = TRUE)  # gpkg layer permutations
g <- st_read(args[1], layer = args[2], quiet = TRUE)
nsim <- as.integer(args[3])
x <- g$incidents
tw <- system.time({
  nb <- poly2nb(g, queen = TRUE, snap = 0.5)
  lw <- nb2listw(nb, style = "W", zero.policy = TRUE)
  lw_star <- nb2listw(include.self(nb), style = "B", zero.policy = TRUE)
})
stopifnot(all(card(nb) == g$NNeighbors))  # the same weights as ours
set.seed(1)
ts <- system.time({
  gi <- localG(x, lw_star, zero.policy = TRUE)  # Gi* z (localG_perm's value is the permutation z)
  gi_perm <- localG_perm(x, lw_star, nsim = nsim, zero.policy = TRUE)
  lm <- localmoran_perm(x, lw, nsim = nsim, zero.policy = TRUE)
})
cat(sprintf('{"weights": %.3f, "statistics": %.3f, "units": %d, "max_dz_gi": %.3g, "max_d_ii": %.3g}\n',
            tw[["elapsed"]], ts[["elapsed"]], nrow(g), max(abs(as.numeric(gi) - g$GiZScore), na.rm = TRUE),
            max(abs(lm[, "Ii"] - g$LMiIndex), na.rm = TRUE)))
"""

EMERGING = r"""
import json, sys, time
import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree
sys.path.insert(0, sys.argv[1])
from emerging_vs_numpy import mann_kendall_z, space_time_gi
d = np.load(sys.argv[2]); xy, cube = d["xy"], d["cube"]; band = float(sys.argv[3])
t0 = time.perf_counter()
n = len(xy)
p = cKDTree(xy).query_pairs(band, output_type="ndarray")
rows = np.concatenate([p[:, 0], p[:, 1], np.arange(n)])
cols = np.concatenate([p[:, 1], p[:, 0], np.arange(n)])
W = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
t1 = time.perf_counter()
z = space_time_gi(cube, W)
t2 = time.perf_counter()
mann_kendall_z(z)
t3 = time.perf_counter()
np.save(sys.argv[4], z)
print(json.dumps({"seconds": t3 - t0, "weights": t1 - t0, "gi": t2 - t1, "mann_kendall": t3 - t2}))
"""

KNOX_NUMPY = r"""
import json, sys, time
import numpy as np
from scipy.spatial import cKDTree
d = np.load(sys.argv[1]); xy, t = d["xy"], d["t"]
space, days = np.array(json.loads(sys.argv[2]), float), np.array(json.loads(sys.argv[3]), float)
nperm, seed = int(sys.argv[4]), int(sys.argv[5])
ns, nt = len(space) - 1, len(days) - 1

def band(edges, v):  # band k holds e_k < v <= e_k+1, the first band also v == e_0; -1 beyond
    b = np.searchsorted(edges, v, side="left") - 1
    b[v == edges[0]] = 0
    b[v > edges[-1]] = -1
    return b

t0 = time.perf_counter()
p = cKDTree(xy).query_pairs(space[-1], output_type="ndarray")
i, j = p[:, 0].astype(np.int32), p[:, 1].astype(np.int32)
del p
sb = band(space, np.hypot(xy[i, 0] - xy[j, 0], xy[i, 1] - xy[j, 1]))
keep = sb >= 0
i, j, sb = i[keep], j[keep], sb[keep]
t1 = time.perf_counter()

def count(times):
    tb = band(days, np.abs(times[i] - times[j]) / 86400.0)
    ok = tb >= 0
    return np.bincount(sb[ok] * nt + tb[ok], minlength=ns * nt)

observed = count(t)
rng = np.random.default_rng(seed)
as_extreme = np.zeros(ns * nt, dtype=np.int64)
for _ in range(nperm):
    as_extreme += count(rng.permutation(t)) >= observed
t2 = time.perf_counter()
print(json.dumps({"seconds": t2 - t0, "pairs": t1 - t0, "permutations": t2 - t1, "close_pairs": int(len(i)),
                  "observed": observed.tolist()}))
"""


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default="build", help="CMake build dir holding bin/hotspot (default: build)")
    p.add_argument("--work", default="/tmp/hotspot-bench", help="work dir for data and outputs")
    p.add_argument("--communes", type=int, default=500)
    p.add_argument("--incidents", type=int, default=1_000_000)
    p.add_argument("--threads", type=int, default=0, help="hotspot threads (default 0: all cores)")
    p.add_argument("--communes-permutations", type=int, default=999,
                   help="local statistics on the communes, ours and spdep's (default 999)")
    p.add_argument("--grid-permutations", type=int, default=999,
                   help="local statistics on the grid, ours and spdep's (default 999)")
    p.add_argument("--skip", nargs="*", default=[], choices=sorted(NEEDS),
                   help="peers not to run (their rows say so)")
    return p.parse_args()


def have(cmd):
    return subprocess.run(["sh", "-c", f"command -v {cmd}"], capture_output=True).returncode == 0


def missing(peer):
    """'' when the peer can run, else the command that installs what it lacks."""
    code, pkgs = NEEDS[peer]
    if peer == "kde":
        ok = os.access("/usr/bin/qgis_process.bin", os.X_OK) and have("ogr2ogr")
    elif peer == "local":
        ok = have("Rscript") and subprocess.run(["Rscript", "-e", "suppressMessages({library(spdep); library(sf)})"],
                                                capture_output=True).returncode == 0
    else:
        ok = subprocess.run([PY, "-c", code], capture_output=True).returncode == 0
    return "" if ok else f"apt-get install {pkgs}"


def load_average():
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def write_config(path, data, out, a):
    analyses = [
        {"type": "aggregate", "zone_buffer_m": 1000},
        {"type": "profiles"},
        {"type": "kde", **KDE},
        {"type": "clusters", "method": "dbscan", **DBSCAN},
        {"type": "local", "units": "communes", "weights": "queen", "permutations": a.communes_permutations,
         "seed": 12345},
        {"type": "local", "units": "grid", "grid": GRID, "weights": "queen", "permutations": a.grid_permutations,
         "seed": 12345},
        {"type": "emerging", "grid": GRID, "time_step": "1w"},
        {"type": "near_repeat", **KNOX},
    ]
    config = {
        "title": f"full-run benchmark: {a.incidents:,} incidents, {a.communes:,} communes",
        "inputs": {"communes": {"path": os.path.join(data, "communes.gpkg"), "population_field": "population"},
                   "zones": {"path": os.path.join(data, "zones.geojson")},
                   "incidents": {"path": os.path.join(data, "incidents.csv"), "utc_offset": "+07:00"}},
        "work_crs": WORK_CRS,
        "threads": a.threads,
        "output": {"path": out, "quicklook": False},
        "analyses": analyses,
    }
    with open(path, "w") as f:
        json.dump(config, f, indent=2)


def our_seconds(summary):
    """Our seconds per row of the table, from the run's JSON summary; and the load's share."""
    t = summary["timings_s"]
    step = {name: a["seconds"] for name, a in summary["analyses"].items()}
    load = sum(v for k, v in t.items() if ": " not in k and k not in ("assign", "write", "quick-look map"))
    rows = {"aggregate": load + t.get("assign", 0) + step["aggregate"]}
    for name in ("kde", "clusters", "local_communes", "local_grid", "emerging", "near_repeat"):
        rows[name] = step[name]
    # The profiles are counted while the run finishes its output, after the last timed step.
    rows["write"] = summary["total_s"] - sum(rows.values())
    return rows, load


class Context:
    """What the peers share: the input, our output and its summary, the work dir."""

    def __init__(self, data, out, work, summary):
        self.data, self.out, self.work, self.summary = data, out, work, summary
        self.csv = os.path.join(data, "incidents.csv")

    def fresh(self, path):
        """True when path exists and is newer than the incidents (a cached preparation)."""
        return os.path.exists(path) and os.path.getmtime(path) > os.path.getmtime(self.csv)

    def points(self):
        """The incidents projected to the work CRS (pyproj: the same PROJ operation as ours) and their
        times in seconds (every row is +07:00, with or without the offset written, so local seconds
        keep the differences): xy.npy and xy_t.npz. Preparation, not timed."""
        npy, npz = os.path.join(self.work, "xy.npy"), os.path.join(self.work, "xy_t.npz")
        if self.fresh(npy) and self.fresh(npz):
            return npy, npz
        lon, lat, times = [], [], []
        with open(self.csv, newline="") as f:
            for row in csv.DictReader(f):
                lon.append(float(row["lon"]))
                lat.append(float(row["lat"]))
                times.append(row["time"][:19].replace(" ", "T"))
        x, y = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True).transform(np.array(lon), np.array(lat))
        xy = np.column_stack([x, y])
        np.save(npy, xy)
        np.savez(npz, xy=xy, t=np.array(times, dtype="datetime64[s]").astype(np.int64))
        return npy, npz

    def query(self, sql):
        db = sqlite3.connect(self.out)
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()


# Each peer returns (seconds, peak RSS MiB, what was timed and how it agrees with ours).

def peer_aggregate(c):
    stdout, _, rss = timed([PY, "-c", GEOPANDAS, HERE, c.data])
    r = json.loads(stdout)
    ours, peer = our_counts(c.out), r["counts"]
    bad = sum(1 for k in set(ours) | set(peer) if ours.get(k, 0) != peer.get(k, 0))
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in r["phases"].items() if k != "total")
    return r["seconds"], rss, f"{phases}, then groupby; {bad} of {len(ours)} communes with other counts than ours"


def peer_kde(c):
    points = os.path.join(c.work, "incidents_work_crs.gpkg")
    if not c.fresh(points):
        if os.path.exists(points):
            os.remove(points)
        project_points(c.csv, WORK_CRS, points)
    tif = os.path.join(c.work, "qgis_heatmap.tif")
    if os.path.exists(tif):
        os.remove(tif)
    _, wall, rss = timed(*qgis_heatmap_cmd(points, KDE["bandwidth"], KDE["cell_size"], tif))
    return wall, rss, "whole qgis_process command (start-up and reading the projected points included)"


def peer_clusters(c):
    npy, _ = c.points()
    stdout, _, rss = timed([PY, "-c", SKLEARN_DBSCAN, npy, str(DBSCAN["eps"]), str(DBSCAN["min_points"]),
                            os.path.join(c.work, "sklearn_labels.npy")])
    r = json.loads(stdout)
    ours = c.summary["analyses"]["clusters"]["counts"]
    if r["clusters"] == ours["clusters"] and r["noise"] == ours["noise"]:
        agree = "the same as ours"
    else:
        agree = f"ours: {ours['clusters']:,} clusters, {ours['noise']:,} noise"
    return r["seconds"], rss, f"fit; {r['clusters']:,} clusters, {r['noise']:,} noise ({agree})"


def peer_local(c, layer, permutations):
    stdout, _, rss = timed(["Rscript", "--vanilla", "-e", SPDEP, c.out, layer, str(permutations)])
    r = json.loads(stdout.strip().splitlines()[-1])
    return r["weights"] + r["statistics"], rss, (
        f"{r['units']:,} units: weights {r['weights']:.2f} s + localG, localG_perm and localmoran_perm "
        f"({permutations} permutations) {r['statistics']:.2f} s; max |Δ| against ours: Gi* z {r['max_dz_gi']:.1e}, "
        f"Ii {r['max_d_ii']:.1e}")


def peer_emerging(c):
    from osgeo import ogr
    cube_npz, z_npy = os.path.join(c.work, "emerging_cube.npz"), os.path.join(c.work, "emerging_z.npy")
    ds = ogr.Open(c.out)
    xy = {}
    for f in ds.GetLayerByName("emerging"):
        p = f.GetGeometryRef().Centroid()
        xy[f.GetField("cell")] = (p.GetX(), p.GetY())
    ds = None
    cells = len(xy)
    rows = np.array(c.query("SELECT cell, step, count, gi_z FROM emerging_cube"), dtype=np.float64)
    steps = int(rows[:, 1].max()) + 1
    cube, ours_z = np.zeros((steps, cells)), np.full((steps, cells), np.nan)
    cell, step = rows[:, 0].astype(np.int64), rows[:, 1].astype(np.int64)
    cube[step, cell], ours_z[step, cell] = rows[:, 2], rows[:, 3]
    np.savez(cube_npz, xy=np.array([xy[i] for i in range(cells)]), cube=cube)
    band = c.summary["analyses"]["emerging"]["parameters"]["band"]
    stdout, _, rss = timed([PY, "-c", EMERGING, HERE, cube_npz, str(band), z_npy])
    r = json.loads(stdout)
    dz = np.nanmax(np.abs(np.load(z_npy) - ours_z))
    return r["seconds"], rss, (f"{cells:,} cells x {steps} weeks: weights {r['weights']:.2f} s, space-time Gi* "
                               f"{r['gi']:.2f} s, Mann-Kendall {r['mann_kendall']:.2f} s; max |Δz| against ours "
                               f"{dz:.1e}")


def peer_near_repeat(c):
    _, npz = c.points()
    stdout, _, rss = timed([PY, "-c", KNOX_NUMPY, npz, json.dumps(KNOX["space_bands"]),
                            json.dumps(KNOX["time_bands"]), str(KNOX["permutations"]), str(KNOX["seed"])])
    r = json.loads(stdout)
    ours = [n for (n,) in c.query("SELECT observed FROM near_repeat ORDER BY fid")]
    same = "the same as ours" if ours == r["observed"] else f"ours {ours}, NumPy {r['observed']}"
    return r["seconds"], rss, (f"{r['close_pairs']:,} close pairs {r['pairs']:.2f} s + {KNOX['permutations']} "
                               f"permutations {r['permutations']:.2f} s; observed counts {same}")


def main():
    a = parse_args()
    hotspot = os.path.join(a.build, "bin", "hotspot")
    if not os.access(hotspot, os.X_OK):
        sys.exit(f"missing {hotspot}: build it first (make build, or cmake --build {a.build})")
    work = os.path.join(os.path.abspath(a.work), "full-run")
    os.makedirs(work, exist_ok=True)
    data = os.path.abspath(generate(a.build, a.work, a.communes, a.incidents))
    out, config = os.path.join(work, "full_run.gpkg"), os.path.join(work, "full_run.json")
    write_config(config, data, out, a)

    print(f"input: {a.incidents:,} incidents, {a.communes:,} communes ({data}); config {config}", flush=True)
    print(f"load average at the start: {load_average()} on {os.cpu_count()} cores", flush=True)
    print("running hotspot run ...", flush=True)
    stdout, wall, rss = timed([hotspot, "run", "--config", config, "--json", "--quiet"])
    summary = json.loads(stdout)
    with open(os.path.join(work, "full_run_summary.json"), "w") as f:
        f.write(stdout)
    ours, load = our_seconds(summary)
    print(f"hotspot run: total_s {summary['total_s']:.2f}, process {wall:.2f} s, peak RSS {rss:.0f} MiB")
    print("  " + ", ".join(f"{k} {v:.2f}" for k, v in summary["timings_s"].items()))

    c = Context(data, out, work, summary)
    table = [  # row, our seconds, peer, peer key, how to run it
        ("load + aggregate", ours["aggregate"], "geopandas read + sjoin + groupby", "aggregate", peer_aggregate),
        ("kde", ours["kde"], "QGIS heatmap", "kde", peer_kde),
        ("clusters (DBSCAN)", ours["clusters"], "scikit-learn DBSCAN", "clusters", peer_clusters),
        ("local, communes", ours["local_communes"], "spdep localG(_perm) + localmoran_perm", "local",
         lambda c: peer_local(c, "local_communes", a.communes_permutations)),
        ("local, hex grid", ours["local_grid"], "spdep localG(_perm) + localmoran_perm", "local",
         lambda c: peer_local(c, "local_grid", a.grid_permutations)),
        ("emerging", ours["emerging"], "NumPy/SciPy space-time Gi* + Mann-Kendall", "emerging", peer_emerging),
        ("near_repeat (Knox)", ours["near_repeat"], "NumPy/SciPy Knox (written here)", "near_repeat",
         peer_near_repeat),
        ("profiles + final write and commit", ours["write"], None, None, None),
    ]
    results, not_run = [], []
    for row, mine, peer, key, run in table:
        if run is None:
            results.append((row, mine, "—", None, None, "no peer (24 x 7 profiles, run metadata, QGIS project, commit)"))
            continue
        why = "skipped (--skip)" if key in a.skip else missing(key)
        if why:
            results.append((row, mine, peer, None, None, why))
            not_run.append(f"{peer} ({why})")
            continue
        print(f"running {peer} for {row} ...", flush=True)
        try:
            secs, peak, note = run(c)
        except (RuntimeError, SystemExit, subprocess.CalledProcessError) as e:
            results.append((row, mine, peer, None, None, f"failed: {str(e)[-300:]}"))
            not_run.append(f"{peer} (failed)")
            continue
        results.append((row, mine, peer, secs, peak, note))

    print()
    print(f"load average at the end: {load_average()}")
    print(f"load (read, check, project: {load:.2f} s) is in the first row; hotspot peak RSS {rss:.0f} MiB")
    print(f"| {'step':<34} | {'hotspot s':>9} | {'peer':<42} | {'peer s':>8} | {'ratio':>7} | {'peer MiB':>8} |")
    print(f"|{'-' * 36}|{'-' * 10}:|{'-' * 44}|{'-' * 9}:|{'-' * 8}:|{'-' * 9}:|")
    for row, mine, peer, secs, peak, note in results:
        if secs is None:
            print(f"| {row:<34} | {mine:9.2f} | {peer:<42} | {'—':>8} | {'—':>7} | {'—':>8} |")
        else:
            print(f"| {row:<34} | {mine:9.2f} | {peer:<42} | {secs:8.2f} | {secs / mine:6.1f}x | {peak:8.0f} |")
    chained = sum(r[3] for r in results if r[3] is not None)
    print(f"| {'**total**':<34} | {summary['total_s']:9.2f} | {'peers chained':<42} | {chained:8.2f} | "
          f"{chained / summary['total_s']:6.1f}x | {'':>8} |")
    print(f"(ratio = peer seconds / hotspot seconds; hotspot total = total_s of the run, process {wall:.2f} s)")
    paired = sum(r[1] for r in results if r[3] is not None)
    if paired > 0:
        print(f"rows with a peer only: hotspot {paired:.2f} s, peers {chained:.2f} s, {chained / paired:.1f}x")
    if not_run:
        print("the chained total is missing: " + "; ".join(not_run))
    print()
    for row, _, _, _, _, note in results:
        print(f"{row}: {note}")


if __name__ == "__main__":
    main()
