#!/usr/bin/python3
"""HDBSCAN side by side: R dbscan::hdbscan and hotspot on the same generated incidents, and
hotspot alone on 250k.

    /usr/bin/python3 benchmarks/compare/cluster_hdbscan_vs_r.py build/bin [R_N] [MIN_CLUSTER_SIZE]

R's hdbscan builds the full mutual-reachability distance matrix (n(n-1)/2 doubles, twice), so it
runs at R_N points (default 20,000: about 3.2 GB per matrix copy; 50k would need ~20 GB, more than
this shared machine can give). The R process runs under `ulimit -v` so it fails rather than
swapping others out. Prints wall time and peak RSS of both, the ratios, and the ARI between them.
"""
import json
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster_common import make_points, timed, write_points  # noqa: E402

build_bin = sys.argv[1]
r_n = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
mcs = int(sys.argv[3]) if len(sys.argv) > 3 else 25
work = os.environ.get("HOTSPOT_BENCH_DIR") or tempfile.mkdtemp(prefix="hotspot-hdbscan-bench-")
os.makedirs(work, exist_ok=True)

x, y = make_points(build_bin, work, 250_000, communes=20)


def ari(a, b):
    from sklearn.metrics import adjusted_rand_score
    return adjusted_rand_score(a, b)


R = r"""
suppressMessages(library(dbscan))
a <- commandArgs(TRUE)
X <- as.matrix(read.csv(a[1]))
t0 <- Sys.time()
h <- hdbscan(X, minPts = as.integer(a[2]))
secs <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
writeLines(as.character(h$cluster), a[3])
cat(sprintf('{"seconds": %f, "clusters": %d}\n', secs, length(setdiff(unique(h$cluster), 0))))
"""
pick = np.sort(np.random.default_rng(1).choice(len(x), size=r_n, replace=False))  # seeded subset
sub = os.path.join(work, f"points_{r_n}")
write_points(sub, x[pick], y[pick])
r_labels = os.path.join(work, "r_labels.txt")
r_out, r_wall, r_rss = timed(["bash", "-c", 'ulimit -v 16000000; exec Rscript -e "$0" "$@"', R, sub + ".csv", str(mcs),
                              r_labels])
r = json.loads(r_out.strip().splitlines()[-1])
env = dict(os.environ, HOTSPOT_LABELS_OUT=os.path.join(work, "hs_labels.txt"))
hs_out, hs_wall, hs_rss = timed([os.path.join(build_bin, "hotspot-cluster-kernel"), sub + ".bin", "hdbscan", str(mcs), "2"],
                                env=env)
hs = json.loads(hs_out)
agreement = ari(np.loadtxt(r_labels, dtype=np.int64), np.loadtxt(os.path.join(work, "hs_labels.txt"), dtype=np.int64))

big = os.path.join(work, "points_250000")
write_points(big, x, y)
b_out, b_wall, b_rss = timed([os.path.join(build_bin, "hotspot-cluster-kernel"), big + ".bin", "hdbscan", str(mcs), "2"])
b = json.loads(b_out)

print(f"HDBSCAN min_cluster_size = min_samples = {mcs}; hotspot threads 2")
print(f"{'':22}{'wall s':>10}{'fit s':>10}{'peak MiB':>10}{'clusters':>10}")
print(f"{'R dbscan n=' + str(r_n):22}{r_wall:10.2f}{r['seconds']:10.2f}{r_rss:10.0f}{r['clusters']:10d}")
print(f"{'hotspot n=' + str(r_n):22}{hs_wall:10.2f}{hs['seconds']:10.3f}{hs_rss:10.0f}{hs['clusters']:10d}")
print(f"{'hotspot n=250000':22}{b_wall:10.2f}{b['seconds']:10.3f}{b_rss:10.0f}{b['clusters']:10d}")
print(f"ratio R/hotspot at n={r_n}: wall {r_wall / hs_wall:.1f}x, fit {r['seconds'] / hs['seconds']:.1f}x, "
      f"peak RSS {r_rss / hs_rss:.1f}x; ARI(R, hotspot) = {agreement:.4f}")
