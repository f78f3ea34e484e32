#!/usr/bin/python3
"""`eps: "auto"` against the numpy/scikit-learn reference (kdistance_reference.py), the value
recorded in run_metadata; the oversized-cluster warning (summary and run_metadata; `hotspot run
--json` carries the same warnings, see test_run.py) with the
k-distance estimate; concave footprints by default.

Usage: test_eps_auto.py HOTSPOT_BINARY REPO_ROOT   (needs python3-gdal, sklearn)
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

HOTSPOT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SAMPLE = os.path.join(ROOT, "data", "sample")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kdistance_reference import knee_eps, layer_points  # noqa: E402


def metadata(path):
    with sqlite3.connect(path) as db:
        rows = dict(db.execute("SELECT key, value FROM run_metadata"))
    return {k: json.loads(v) for k, v in rows.items()}


class EpsAuto(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hotspot-eps-auto-")
        # The first 6,000 sample rows: quick, and still corridors and planted hotspots.
        cls.csv = os.path.join(cls.tmp, "incidents.csv")
        with open(f"{SAMPLE}/incidents.csv", encoding="utf-8") as src, open(cls.csv, "w", encoding="utf-8") as dst:
            for k, line in enumerate(src):
                if k > 6000:
                    break
                dst.write(line)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def cluster(self, name, *args, csv=None):
        out = os.path.join(self.tmp, name)
        p = subprocess.run([HOTSPOT, "cluster", "--incidents", csv or self.csv, "--communes", f"{SAMPLE}/communes.gpkg",
                            "--method", "dbscan", "--out", out, "--threads", "2", *args],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        return out, p

    def test_auto_matches_the_reference_and_is_recorded(self):
        for k in (4, 15):
            out, _ = self.cluster(f"auto{k}.gpkg", "--eps", "auto", "--min-points", str(k))
            params = metadata(out)["parameters"]
            want = knee_eps(layer_points(out, "incidents"), k)
            self.assertAlmostEqual(params["eps_m"], want, delta=1e-6 * want, msg=f"k={k}")
            self.assertEqual(params["eps_auto"]["k"], k)
            self.assertEqual(params["hull"], "concave")  # the default footprint

    def test_an_eps_that_chains_the_district_is_warned_about(self):
        out, p = self.cluster("wide.gpkg", "--eps", "400", "--min-points", "4")
        estimate = knee_eps(layer_points(out, "incidents"), 4)
        warnings = metadata(out)["warnings"]
        big = [w for w in warnings if "of the incidents" in w]
        self.assertTrue(big, warnings)
        self.assertIn("try a smaller eps", big[0])
        self.assertIn(f"is {estimate:.0f} m", big[0])
        self.assertIn("hdbscan", big[0])
        self.assertIn(big[0], p.stdout + p.stderr)  # the summary prints it

    def test_the_sample_configuration_gives_distinct_clusters(self):
        # data/sample/run.json's clusters: no cluster over a quarter of the district or incidents.
        with open(os.path.join(SAMPLE, "run.json")) as f:
            c = next(a for a in json.load(f)["analyses"] if a["type"] == "clusters")
        out, _ = self.cluster("sample.gpkg", "--eps", str(c["eps"]), "--min-points", str(c["min_points"]),
                              csv=f"{SAMPLE}/incidents.csv")
        self.assertFalse([w for w in metadata(out)["warnings"] if "of the incidents" in w])
        with sqlite3.connect(out) as db:
            self.assertGreaterEqual(db.execute("SELECT COUNT(*) FROM clusters").fetchone()[0], 5)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
