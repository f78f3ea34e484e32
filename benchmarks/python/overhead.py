#!/usr/bin/python3
"""Overhead of the Python module over the C++ call, on 1M points (issue 18: under 5 %).

Runs hs.dbscan and hs.kde on one set of points, and the same engine calls from C++
(build/bin/python_overhead_bench) on the same points. The two sides alternate PAIRS times, each
side the best of REPEATS calls in a warm process, so both see the same machine load; the
overhead is the median of the pairs' ratios.

Usage: PYTHONPATH=build/python /usr/bin/python3 benchmarks/python/overhead.py [BUILD_DIR] [N] [THREADS]
"""
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

import hotspot as hs

build = sys.argv[1] if len(sys.argv) > 1 else "build"
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
PAIRS, REPEATS, EPS, MIN_POINTS, CELL, H = 5, 3, 25.0, 10, 50.0, 400.0

# Incidents in a 20 km square: half uniform, half in 200 Gaussian hotspots of 150 m.
rng = np.random.default_rng(18)
centres = rng.uniform(0, 20_000, (200, 2))
k = rng.integers(0, 200, n // 2)
x = np.concatenate([rng.uniform(0, 20_000, n - n // 2), centres[k, 0] + rng.normal(0, 150, n // 2)])
y = np.concatenate([rng.uniform(0, 20_000, n - n // 2), centres[k, 1] + rng.normal(0, 150, n // 2)])


def best(f):
    t = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        f()
        t.append(time.perf_counter() - t0)
    return min(t)


with tempfile.NamedTemporaryFile(suffix=".f64") as f:
    f.write(x.tobytes())
    f.write(y.tobytes())
    f.flush()
    ratios = {"dbscan": [], "kde": []}
    loads = []
    for _ in range(PAIRS):
        loads.append(os.getloadavg()[0])
        out = subprocess.run([os.path.join(build, "bin", "python_overhead_bench"), f.name, str(EPS),
                              str(MIN_POINTS), str(CELL), str(H), str(threads), str(REPEATS)],
                             capture_output=True, text=True, check=True).stdout.split()
        cpp = {"dbscan": float(out[1]), "kde": float(out[5])}
        py = {"dbscan": best(lambda: hs.dbscan(x, y, eps=EPS, min_points=MIN_POINTS, threads=threads)),
              "kde": best(lambda: hs.kde(x, y, cell_size=CELL, bandwidth=H, threads=threads))}
        for name in ratios:
            ratios[name].append((cpp[name], py[name]))
print(f"{n:,} points, {threads} threads, {PAIRS} pairs of best-of-{REPEATS}; "
      f"load average {min(loads):.1f}-{max(loads):.1f}")
print(f"{'call':8} {'C++ s':>9} {'Python s':>9} {'overhead':>9}  (median pair; all pairs' ratios)")
for name, pairs in ratios.items():
    r = sorted(p / c for c, p in pairs)
    c, p = sorted(pairs, key=lambda cp: cp[1] / cp[0])[len(pairs) // 2]
    print(f"{name:8} {c:9.3f} {p:9.3f} {100 * (p / c - 1):8.1f}%  " + " ".join(f"{v:.3f}" for v in r))
