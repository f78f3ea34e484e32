#!/usr/bin/python3
"""DBSCAN side by side: scikit-learn (n_jobs=2) and hotspot on the same ~1M generated incidents.

    /usr/bin/python3 benchmarks/compare/cluster_dbscan_vs_sklearn.py build/bin [N] [EPS] [MIN_POINTS] [COMMUNES]

Defaults: N = 1,000,000, eps = 50 m, min_points = 10, COMMUNES = 200 (hotspot-datagen's district
grows ~6.5 km² per commune, so this sets the density: 200 gives ~1,300 km², about 280 neighbours
within 50 m per incident on average; 40 gives ~1,400, and makes scikit-learn need ~11 GB). Each tool runs in its own process under
/usr/bin/time -v on the same float64 coordinates (UTM 48N metres); the script prints wall time,
fit time and peak RSS of both, the ratios, and checks that core and noise sets are identical.
"""
import json
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster_common import SKLEARN_DBSCAN, make_points, timed, write_points  # noqa: E402

build_bin = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
eps = float(sys.argv[3]) if len(sys.argv) > 3 else 50.0
minpts = int(sys.argv[4]) if len(sys.argv) > 4 else 10
communes = int(sys.argv[5]) if len(sys.argv) > 5 else 200
work = os.environ.get("HOTSPOT_BENCH_DIR") or tempfile.mkdtemp(prefix="hotspot-cluster-bench-")
os.makedirs(work, exist_ok=True)

x, y = make_points(build_bin, work, n, communes=communes)
stem = os.path.join(work, f"points_{n}_{communes}")
write_points(stem, x, y)

sk_out, sk_wall, sk_rss = timed(["/usr/bin/python3", "-c", SKLEARN_DBSCAN, stem + ".npy", str(eps), str(minpts),
                                 os.path.join(work, "sk_labels.npy")])
sk = json.loads(sk_out)
env = dict(os.environ, HOTSPOT_LABELS_OUT=os.path.join(work, "hs_labels.txt"))
hs_out, hs_wall, hs_rss = timed([os.path.join(build_bin, "hotspot-cluster-kernel"), stem + ".bin", "dbscan", str(eps),
                                 str(minpts), "2"], env=env)
hs = json.loads(hs_out)

sk_lab = np.load(os.path.join(work, "sk_labels.npy"))
hs_lab = np.loadtxt(os.path.join(work, "hs_labels.txt"), dtype=np.int64)
same_noise = bool(np.array_equal(sk_lab[:, 0] < 0, hs_lab < 0))
print(f"DBSCAN n={n} eps={eps} min_points={minpts} communes={communes}, threads 2 (sklearn n_jobs=2)")
print(f"{'':12}{'wall s':>10}{'fit s':>10}{'peak MiB':>10}{'clusters':>10}{'noise':>10}{'core':>10}")
print(f"{'sklearn':12}{sk_wall:10.2f}{sk['seconds']:10.3f}{sk_rss:10.0f}{sk['clusters']:10d}{sk['noise']:10d}{sk['core']:10d}")
print(f"{'hotspot':12}{hs_wall:10.2f}{hs['seconds']:10.3f}{hs_rss:10.0f}{hs['clusters']:10d}{hs['noise']:10d}{hs['core']:10d}")
print(f"ratio sklearn/hotspot: wall {sk_wall / hs_wall:.1f}x, fit {sk['seconds'] / hs['seconds']:.1f}x, "
      f"peak RSS {sk_rss / hs_rss:.1f}x")
print(f"identical noise set: {same_noise}; identical core count: {sk['core'] == hs['core']}; "
      f"cluster count equal: {sk['clusters'] == hs['clusters']}")
sys.exit(0 if same_noise and sk["core"] == hs["core"] else 1)
