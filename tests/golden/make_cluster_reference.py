#!/usr/bin/python3
"""Reference clusterings for the cluster tests, made by trusted peers on real public data.

Regenerate with (from the repository root; needs Rscript with dbscan and spatstat.data, and
Debian's python3-sklearn):
    /usr/bin/python3 tests/golden/make_cluster_reference.py tests/golden/cluster
Inputs exported (so the tests need neither R nor sklearn):
    ds3.csv     R dbscan's DS3 (Chameleon t7.10k, 8000 points), x,y
    moons.csv   R dbscan's moons (100 points), x,y
    bei.csv     spatstat.data's bei (3604 Beilschmiedia trees, metres), x,y
    lansing.csv spatstat.data's lansing (2251 trees, unit square), x,y
    random_grid.csv  seeded random integer points (many duplicates, ties at exactly eps), x,y
    random_frac.csv  seeded random points on a 0.1 lattice (ties that rounding decides), x,y
References:
    dbscan_<data>_<eps>_<minpts>.csv  scikit-learn DBSCAN(algorithm='kd_tree'): core (0/1), label
    hdbscan_<data>_<minpts>.csv       R dbscan::hdbscan(minPts): label (0 = noise), prob, glosh
"""
import os
import subprocess
import sys

import numpy as np
from sklearn.cluster import DBSCAN

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

R_EXPORT = r"""
suppressMessages({library(dbscan); library(spatstat.data)})
out <- commandArgs(TRUE)[1]
w <- function(d, f) write.csv(data.frame(x = d[, 1], y = d[, 2]), file.path(out, f), row.names = FALSE)
data(DS3); w(as.matrix(DS3), "ds3.csv")
data(moons); w(as.matrix(moons), "moons.csv")
data(bei); w(cbind(bei$x, bei$y), "bei.csv")
data(lansing); w(cbind(lansing$x, lansing$y), "lansing.csv")
"""
subprocess.run(["Rscript", "-e", R_EXPORT, out], check=True)

rng = np.random.default_rng(20261123)
grid = rng.integers(0, 60, size=(3000, 2)).astype(float)
np.savetxt(os.path.join(out, "random_grid.csv"), grid, delimiter=",", header="x,y", comments="", fmt="%.17g")
frac = rng.integers(0, 400, size=(3000, 2)) * 0.1
np.savetxt(os.path.join(out, "random_frac.csv"), frac, delimiter=",", header="x,y", comments="", fmt="%.17g")


def load(name):
    return np.loadtxt(os.path.join(out, name + ".csv"), delimiter=",", skiprows=1)


DBSCAN_CASES = [("ds3", 10.0, 10), ("ds3", 6.0, 4), ("bei", 15.0, 10), ("bei", 8.0, 3),
                ("lansing", 0.03, 8), ("random_grid", 2.0, 8), ("random_grid", 1.0, 3),
                ("random_grid", 1.5, 12), ("random_frac", 0.3, 4), ("random_frac", 0.5, 3)]
for data, eps, minpts in DBSCAN_CASES:
    X = load(data)
    m = DBSCAN(eps=eps, min_samples=minpts, algorithm="kd_tree").fit(X)
    core = np.zeros(len(X), dtype=int)
    core[m.core_sample_indices_] = 1
    np.savetxt(os.path.join(out, f"dbscan_{data}_{eps:g}_{minpts}.csv"), np.column_stack([core, m.labels_]),
               delimiter=",", header="core,label", comments="", fmt="%d")

R_HDBSCAN = r"""
suppressMessages(library(dbscan))
a <- commandArgs(TRUE); out <- a[1]
for (spec in a[-1]) {
  p <- strsplit(spec, ":")[[1]]; data <- p[1]; minpts <- as.integer(p[2])
  X <- as.matrix(read.csv(file.path(out, paste0(data, ".csv"))))
  h <- hdbscan(X, minPts = minpts)
  write.csv(data.frame(label = h$cluster, prob = h$membership_prob, glosh = h$outlier_scores),
            file.path(out, sprintf("hdbscan_%s_%d.csv", data, minpts)), row.names = FALSE)
}
"""
subprocess.run(["Rscript", "-e", R_HDBSCAN, out, "ds3:25", "moons:5", "bei:20", "lansing:15", "bei:50"], check=True)
