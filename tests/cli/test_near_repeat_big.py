#!/usr/bin/python3
"""hotspot near-repeat on more close pairs than the old ceiling held (200 million pairs within the
last distance edge were refused before issue 17): the count completes, its number of close pairs
equals scipy's cKDTree.count_neighbors, and on a subsample (selected with --category, the new
filter) every observed cell equals a brute-force numpy count of every pair.

Usage: test_near_repeat_big.py HOTSPOT_BINARY
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np
from osgeo import ogr
from scipy.spatial import cKDTree

HOTSPOT = os.path.abspath(sys.argv[1])
N, SIDE, SUB = 200_000, 3000.0, 3000   # 200,000 incidents on 3 km x 3 km: ~280 M pairs within 200 m
SPACE, TIME = [0, 100, 200], [0, 7, 14]


def band(edges, v):
    """Band index under the README's rule (e_k, e_k+1], the first including e_0; -1 outside."""
    out = np.searchsorted(np.asarray(edges, float), v, side="left") - 1
    out[v == edges[0]] = 0
    out[(v < edges[0]) | (v > edges[-1])] = -1
    return out


class BeyondTheOldCeiling(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hotspot-knox-big-")
        rng = np.random.default_rng(17)
        cls.x = rng.uniform(0, SIDE, N) + 500_000.0
        cls.y = rng.uniform(0, SIDE, N) + 2_300_000.0
        cls.t = 1_704_067_200 + rng.integers(0, 365 * 86400, N)
        cls.cat = np.where(np.arange(N) < SUB, "sub", "rest")
        rng.shuffle(cls.cat)
        cls.csv = os.path.join(cls.tmp, "big.csv")
        with open(cls.csv, "w") as f:
            f.write("id,x,y,time,category\n")
            for i in range(N):
                stamp = np.datetime_as_string(np.datetime64(int(cls.t[i]), "s")) + "Z"
                f.write(f"{i},{cls.x[i]:.3f},{cls.y[i]:.3f},{stamp},{cls.cat[i]}\n")
        # The coordinates as written (3 decimals), for the references.
        data = np.genfromtxt(cls.csv, delimiter=",", skip_header=1, usecols=(1, 2))
        cls.x, cls.y = data[:, 0], data[:, 1]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def near_repeat(self, *extra):
        out = os.path.join(self.tmp, f"nr{len(extra)}.gpkg")
        p = subprocess.run([HOTSPOT, "near-repeat", "--incidents", self.csv, "--x-field", "x", "--y-field", "y",
                            "--incidents-crs", "EPSG:32648", "--space-bands", ",".join(map(str, SPACE)),
                            "--time-bands", ",".join(map(str, TIME)), "--permutations", "9", "--threads", "2",
                            "--out", out, *extra], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        ds = ogr.Open(out)
        observed = {(f.GetField("space_from"), f.GetField("days_from")): f.GetField("observed")
                    for f in ds.GetLayerByName("near_repeat")}
        return p.stdout, observed

    def test_all_pairs_counted_and_subsample_agrees_with_brute_force(self):
        stdout, _ = self.near_repeat()
        close = int(re.search(r"(\d+) close pairs", stdout).group(1))
        self.assertGreater(close, 200_000_000)
        tree = cKDTree(np.column_stack([self.x, self.y]))
        self.assertEqual(close, (int(tree.count_neighbors(tree, SPACE[-1])) - N) // 2)

        _, observed = self.near_repeat("--category", "sub")
        keep = self.cat == "sub"
        x, y, t = self.x[keep], self.y[keep], self.t[keep]
        i, j = np.triu_indices(len(x), 1)
        d = np.hypot(x[i] - x[j], y[i] - y[j])
        days = np.abs(t[i] - t[j]).astype(float) / 86400.0
        sb, tb = band(SPACE, d), band(TIME, days)
        ok = (sb >= 0) & (tb >= 0)
        counts = np.zeros((len(SPACE) - 1, len(TIME) - 1), int)
        np.add.at(counts, (sb[ok], tb[ok]), 1)
        self.assertGreater(counts.sum(), 100)
        for a in range(len(SPACE) - 1):
            for b in range(len(TIME) - 1):
                self.assertEqual(observed[(SPACE[a], TIME[b])], counts[a, b], (a, b))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
