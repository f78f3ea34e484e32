#!/usr/bin/python3
"""Emerging hot spots, 100k cells x 52 weekly steps: hotspot's kernel vs a straightforward NumPy /
SciPy implementation of the same space-time Gi* and per-cell Mann-Kendall, on the same cube, in
one run. Prints both times, the ratio and the largest difference between the two sets of z-scores.

    /usr/bin/python3 benchmarks/compare/emerging_vs_numpy.py [--build build] [--rows 400 --cols 250 --steps 52]

What is timed, on both sides: building the weights (8 neighbours + self on a lattice), the
space-time Gi* of every bin (neighbourhood: those cells, this and the previous step), and
Mann-Kendall on every cell's z series (plus, for hotspot, the counts' trend and the 17-way
classification). hotspot runs on 2 threads (its results do not depend on the number); NumPy's
sparse product and element-wise work run on one.
"""
import argparse
import os
import subprocess
import tempfile
import time

import numpy as np
from scipy import sparse


def lattice_weights(rows, cols):
    """Binary weights of a rows x cols lattice: the 8 neighbours and the cell itself."""
    idx = np.arange(rows * cols).reshape(rows, cols)
    r_list, c_list = [], []
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            src = idx[max(0, -dr):rows - max(0, dr), max(0, -dc):cols - max(0, dc)]
            dst = idx[max(0, dr):rows + min(0, dr), max(0, dc):cols + min(0, dc)]
            r_list.append(src.ravel()), c_list.append(dst.ravel())
    return sparse.csr_matrix((np.ones(sum(len(x) for x in r_list)), (np.concatenate(r_list), np.concatenate(c_list))),
                             shape=(rows * cols, rows * cols))


def space_time_gi(cube, W):
    """Space-time Gi* of every bin of cube (steps x cells) under binary weights W (with self),
    over this and the previous step."""
    steps = cube.shape[0]
    nb = np.asarray(W.sum(axis=1)).ravel()
    lag = (W @ cube.T).T                                  # steps x cells
    window = lag.copy()
    window[1:] += lag[:-1]                                # this and the previous step
    m = np.minimum(np.arange(steps), 1)[:, None] + 1
    Wi = nb[None, :] * m
    n = cube.size
    mean = cube.mean()
    s = np.sqrt((cube ** 2).mean() - mean ** 2)
    return (window - mean * Wi) / (s * np.sqrt((n * Wi - Wi ** 2) / (n - 1)))


def mann_kendall_z(z):
    """Mann-Kendall z of every cell's series (columns of z, steps x cells); no ties in continuous z."""
    steps = z.shape[0]
    S = np.zeros(z.shape[1])
    for i in range(steps):
        S += np.sign(z[i + 1:] - z[i]).sum(axis=0)
    var = steps * (steps - 1) * (2 * steps + 5) / 18.0
    return S / np.sqrt(var)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--rows", type=int, default=400)
    ap.add_argument("--cols", type=int, default=250)
    ap.add_argument("--steps", type=int, default=52)
    a = ap.parse_args()
    rows, cols, steps = a.rows, a.cols, a.steps
    cells = rows * cols

    rng = np.random.default_rng(20240101)
    lam = rng.gamma(2.0, 1.5, size=cells)  # each cell its own rate
    trend = np.linspace(0.5, 1.5, steps)[:, None]
    cube = rng.poisson(lam[None, :] * np.where(np.arange(cells) % 7 == 0, trend, 1.0)).astype(np.float64)

    tmp = tempfile.mkdtemp(prefix="hotspot-emerging-bench-")
    cube_path, z_path = os.path.join(tmp, "cube.f64"), os.path.join(tmp, "z.f64")
    cube.tofile(cube_path)

    # --- NumPy / SciPy -------------------------------------------------------------------------
    t0 = time.perf_counter()
    W = lattice_weights(rows, cols)
    t1 = time.perf_counter()
    z = space_time_gi(cube, W)
    t2 = time.perf_counter()
    mann_kendall_z(z)
    t3 = time.perf_counter()
    numpy_total = t3 - t0
    print(f"numpy/scipy  weights {t1 - t0:.3f} s, space-time Gi* {t2 - t1:.3f} s, Mann-Kendall {t3 - t2:.3f} s, "
          f"total {numpy_total:.3f} s")

    # --- hotspot -------------------------------------------------------------------------------
    binary = os.path.join(a.build, "bin", "emerging_kernel")
    t0 = time.perf_counter()
    out = subprocess.run([binary, cube_path, str(rows), str(cols), str(steps), z_path], check=True,
                         capture_output=True, text=True).stdout
    ours_total = time.perf_counter() - t0
    print("hotspot      " + out.splitlines()[0] + f" (process {ours_total:.3f} s)")
    ours_z = np.fromfile(z_path).reshape(steps, cells)
    print(f"max |z difference| {np.nanmax(np.abs(ours_z - z)):.2e} over {z.size} bins")
    print(f"ratio (numpy total / hotspot process) {numpy_total / ours_total:.1f}x for {cells} cells x {steps} steps")


if __name__ == "__main__":
    main()
