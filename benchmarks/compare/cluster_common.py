"""Shared helpers for the side-by-side cluster benchmarks: generated incidents projected to metres,
one process per tool under /usr/bin/time -v (wall time and peak RSS)."""
import csv
import os
import re
import subprocess
import time

import numpy as np
from pyproj import Transformer


def make_points(build_bin, workdir, n, communes=None):
    """hotspot-datagen incidents (synthetic An Duong district), projected to UTM 48N metres."""
    out = os.path.join(workdir, f"datagen_{n}_{communes}")
    if not os.path.exists(os.path.join(out, "incidents.csv")):
        args = [os.path.join(build_bin, "hotspot-datagen"), "--out", out, "--incidents", str(n), "--no-bad-rows"]
        if communes:
            args += ["--communes", str(communes)]
        subprocess.run(args, check=True, capture_output=True)
    lon, lat = [], []
    with open(os.path.join(out, "incidents.csv"), newline="") as f:
        for row in csv.DictReader(f):
            lon.append(float(row["lon"]))
            lat.append(float(row["lat"]))
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True).transform(np.array(lon), np.array(lat))
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def write_points(path_stem, x, y):
    """points.npy (n x 2, for the peers) and points.bin (int64 n, x[], y[], for hotspot)."""
    np.save(path_stem + ".npy", np.column_stack([x, y]))
    with open(path_stem + ".bin", "wb") as f:
        np.array([len(x)], dtype=np.int64).tofile(f)
        x.astype(np.float64).tofile(f)
        y.astype(np.float64).tofile(f)
    np.savetxt(path_stem + ".csv", np.column_stack([x, y]), delimiter=",", header="x,y", comments="", fmt="%.17g")


def timed(cmd, env=None):
    """Runs cmd under /usr/bin/time -v; returns (stdout, wall seconds, peak RSS MiB). The seconds
    are this process's clock around the run (time -v prints only hundredths, too coarse for a
    0.1 s command); the fork of /usr/bin/time they include is the same for both sides."""
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, env=env)
    secs = time.perf_counter() - t
    if p.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({p.returncode}): {p.stderr[-2000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) / 1024
    return p.stdout, secs, rss


# scikit-learn's DBSCAN in its own process: argv points.npy eps min_samples labels_out.npy; prints
# the fit's seconds and counts as JSON and saves (label, is_core) per point.
SKLEARN_DBSCAN = r"""
import json, sys, time
import numpy as np
from sklearn.cluster import DBSCAN
X = np.load(sys.argv[1]); eps = float(sys.argv[2]); m = int(sys.argv[3])
t0 = time.perf_counter()
model = DBSCAN(eps=eps, min_samples=m, n_jobs=2).fit(X)
secs = time.perf_counter() - t0
core = np.zeros(len(X), dtype=np.int8); core[model.core_sample_indices_] = 1
np.save(sys.argv[4], np.column_stack([model.labels_, core]))
print(json.dumps({"seconds": secs, "clusters": int(model.labels_.max() + 1), "noise": int((model.labels_ < 0).sum()),
                  "core": int(core.sum())}))
"""
