#!/usr/bin/python3
"""hotspot evaluate end to end on a small generated case, against an independent NumPy
re-implementation of the same rules (grid on multiples of the cell size clipped to the study
area, folds back from the last incident date, ranking by score then cell id, flagging until the
clipped area reaches the coverage): naive and KDE hit rates must be equal. Also: the JSON schema,
the GeoPackage table, the plot, and the errors (too many folds, too few incidents, a resource
bomb, bad options) with their exit codes.

Usage: test_evaluate.py HOTSPOT_BINARY REPO_ROOT   (run by ctest; needs python3-gdal, numpy)
"""
import datetime
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import unittest

import numpy as np
from osgeo import ogr, osr

HOTSPOT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
XMIN, XMAX, YMIN, YMAX = 500030.0, 500970.0, 2300045.0, 2300655.0  # EPSG:32648, not on the lattice
CELL, BW = 100.0, 150.0
LAST = datetime.date(2024, 3, 31)


def make_case(d, n=900, seed=7, weeks=10):
    rng = np.random.default_rng(seed)
    centres = np.array([[500200.0, 2300200.0], [500700.0, 2300500.0], [500450.0, 2300350.0]])
    pick = rng.integers(0, 4, n)
    x = np.where(pick < 3, centres[np.minimum(pick, 2), 0] + rng.normal(0, 60, n), rng.uniform(XMIN, XMAX, n))
    y = np.where(pick < 3, centres[np.minimum(pick, 2), 1] + rng.normal(0, 60, n), rng.uniform(YMIN, YMAX, n))
    x, y = np.clip(x, XMIN + 1, XMAX - 1), np.clip(y, YMIN + 1, YMAX - 1)  # all inside the study area
    # Days and minutes uniform over the weeks.
    day = rng.integers(0, 7 * weeks, n)
    minute = rng.integers(0, 24 * 60, n)
    first = LAST - datetime.timedelta(days=7 * weeks - 1)
    rows = ["id,x,y,time,category"]
    for k in range(n):
        t = datetime.datetime.combine(first + datetime.timedelta(days=int(day[k])), datetime.time()) + \
            datetime.timedelta(minutes=int(minute[k]))
        rows.append(f"I{k},{x[k]:.3f},{y[k]:.3f},{t.isoformat()}+07:00,theft")
    # Outside the study area: counted and left out.
    for k in range(5):
        rows.append(f"O{k},{XMAX + 500 + k:.3f},{YMIN + 100:.3f},{LAST.isoformat()}T10:00:00+07:00,theft")
    with open(os.path.join(d, "incidents.csv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32648)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(os.path.join(d, "communes.gpkg"))
    lyr = ds.CreateLayer("communes", srs, ogr.wkbMultiPolygon)
    lyr.CreateField(ogr.FieldDefn("name", ogr.OFTString))
    f = ogr.Feature(lyr.GetLayerDefn())
    f.SetField("name", "A")
    f.SetGeometry(ogr.CreateGeometryFromWkt(
        f"MULTIPOLYGON((({XMIN} {YMIN},{XMAX} {YMIN},{XMAX} {YMAX},{XMIN} {YMAX},{XMIN} {YMIN})))"))
    lyr.CreateFeature(f)
    ds = None
    config = {
        "inputs": {"communes": {"path": "communes.gpkg", "name_field": "name"},
                   "incidents": {"path": "incidents.csv", "crs": "EPSG:32648", "x_field": "x", "y_field": "y",
                                 "utc_offset": "+07:00"}},
        "work_crs": "EPSG:32648",
        "output": {"path": "run.gpkg", "quicklook": False},
        "analyses": [{"type": "aggregate"}]}
    with open(os.path.join(d, "run.json"), "w") as f:
        json.dump(config, f)
    return os.path.join(d, "run.json"), x, y, np.array([first + datetime.timedelta(days=int(v)) for v in day])


def reference(x, y, dates, folds, train, test, coverages, method):
    """Hit rates [fold][coverage] by the rules of the README, in NumPy."""
    i0, i1 = int(np.floor(XMIN / CELL)), int(np.floor(XMAX / CELL))
    j0, j1 = int(np.floor(YMIN / CELL)), int(np.floor(YMAX / CELL))
    cells = []  # (j, i, area), id order
    for j in range(j0, j1 + 1):
        for i in range(i0, i1 + 1):
            w = min((i + 1) * CELL, XMAX) - max(i * CELL, XMIN)
            h = min((j + 1) * CELL, YMAX) - max(j * CELL, YMIN)
            if w > 0 and h > 0:
                cells.append((j, i, w * h))
    index = {(j, i): k for k, (j, i, _) in enumerate(cells)}
    area = np.array([a for _, _, a in cells])
    cx = np.array([(i + 0.5) * CELL for _, i, _ in cells])
    cy = np.array([(j + 0.5) * CELL for j, _, _ in cells])
    cell_of = np.array([index[(int(np.floor(b / CELL)), int(np.floor(a / CELL)))] for a, b in zip(x, y)])
    last = max(dates)
    out = []
    for k in range(1, folds + 1):
        t1 = last - datetime.timedelta(days=(k - 1) * test)
        t0 = t1 - datetime.timedelta(days=test - 1)
        r1 = t0 - datetime.timedelta(days=1)
        r0 = t0 - datetime.timedelta(days=train)
        tr = np.array([r0 <= d <= r1 for d in dates])
        te = np.array([t0 <= d <= t1 for d in dates])
        truth = np.bincount(cell_of[te], minlength=len(cells)).astype(float)
        if method == "naive":
            score = np.bincount(cell_of[tr], minlength=len(cells)).astype(float)
        else:
            d2 = (cx[:, None] - x[tr][None, :]) ** 2 + (cy[:, None] - y[tr][None, :]) ** 2
            u2 = d2 / BW ** 2
            score = np.where(u2 < 1, (1 - u2) ** 2, 0).sum(axis=1)
        order = np.lexsort((np.arange(len(cells)), -score))
        row = []
        for c in coverages:
            target = c / 100 * area.sum() * (1 - 1e-12)
            cum, m = 0.0, 0
            while m < len(order) and cum < target:
                cum += area[order[m]]
                m += 1
            row.append(truth[order[:m]].sum() / te.sum())
        out.append(row)
    return np.array(out)


def run(*args):
    return subprocess.run([HOTSPOT, "evaluate", *args], capture_output=True, text=True)


class Evaluate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.d = cls.tmp.name
        cls.config, cls.x, cls.y, cls.dates = make_case(cls.d)
        cls.args = ["--config", cls.config, "--cell", "100", "--train", "4w", "--test", "1w", "--folds", "5",
                    "--coverage", "1,2,5,10,20", "--methods", f"naive,kde:{BW:g},prospective,gi"]
        p = run(*cls.args, "--format", "json", "--out", os.path.join(cls.d, "eval.gpkg"),
                "--plot", os.path.join(cls.d, "eval.png"))
        assert p.returncode == 0, p.stderr
        cls.j = json.loads(p.stdout)

    def rates(self, method):
        cov = self.j["parameters"]["coverage_pct"]
        got = np.zeros((5, len(cov)))
        for r in self.j["rows"]:
            if r["method"] == method:
                got[r["fold"] - 1, cov.index(r["coverage_pct"])] = r["hit_rate"]
        return got

    def test_naive_and_kde_equal_numpy(self):
        cov = [1, 2, 5, 10, 20]
        for method, name in (("naive", "naive"), ("kde", f"kde:{BW:g}")):
            want = reference(self.x, self.y, self.dates, 5, 28, 7, cov, method)
            np.testing.assert_allclose(self.rates(name), want, rtol=0, atol=1e-6, err_msg=method)
            self.assertGreater(want.max(), 0.05)  # a case where the hit rates say something

    def test_counts_and_folds(self):
        inc = self.j["incidents"]
        self.assertEqual(inc["outside"], 5)
        self.assertEqual(inc["used"], len(self.x))
        self.assertEqual(inc["read"], inc["used"] + inc["outside"] + inc["without_time"] + inc["outside_window"])
        self.assertEqual(self.j["last_date"], "2024-03-31")
        folds = self.j["folds"]
        self.assertEqual([f["test_to"] for f in folds], ["2024-03-31", "2024-03-24", "2024-03-17", "2024-03-10", "2024-03-03"])
        for f in folds:  # training ends the day before testing begins: no test incident trains
            self.assertLess(f["train_to"], f["test_from"])
            self.assertEqual(f["test_incidents"], sum(1 for d in self.dates if f["test_from"] <= d.isoformat() <= f["test_to"]))
            self.assertEqual(f["train_incidents"], sum(1 for d in self.dates if f["train_from"] <= d.isoformat() <= f["train_to"]))

    def test_measures_consistent(self):
        for r in self.j["rows"]:
            self.assertAlmostEqual(r["pai"], round(r["hit_rate"] / (r["coverage_pct"] / 100), 4), places=3)
            self.assertLessEqual(r["pei"], 1 + 1e-9)
            if r["fold"] == 5:
                self.assertIsNone(r["rri"])
        s = [x for x in self.j["summary"] if x["method"] == "naive" and x["coverage_pct"] == 5][0]
        h = [r["hit_rate"] for r in self.j["rows"] if r["method"] == "naive" and r["coverage_pct"] == 5]
        self.assertAlmostEqual(s["hit_rate"]["mean"], np.mean(h), places=5)
        self.assertAlmostEqual(s["hit_rate"]["sd"], np.std(h, ddof=1), places=5)
        self.assertEqual(s["hit_rate"]["min"], min(h))
        self.assertIn(self.j["recommendation"]["best_method"], self.j["parameters"]["methods"])

    def test_schema(self):
        import jsonschema
        with open(os.path.join(ROOT, "schemas", "evaluate.schema.json")) as f:
            jsonschema.validate(self.j, json.load(f))

    def test_gpkg_and_plot(self):
        db = sqlite3.connect(os.path.join(self.d, "eval.gpkg"))
        n = db.execute("SELECT count(*) FROM evaluation").fetchone()[0]
        self.assertEqual(n, 4 * 5 * 5)
        got = db.execute("SELECT hit_rate FROM evaluation WHERE method='naive' AND coverage_pct=5 ORDER BY fold").fetchall()
        self.assertEqual([round(g[0], 6) for g in got], [round(v, 6) for v in self.rates("naive")[:, 2]])
        self.assertEqual(db.execute("SELECT count(*) FROM evaluation_summary").fetchone()[0], 4 * 5)
        with open(os.path.join(self.d, "eval.png"), "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")

    def test_table_and_csv(self):
        p = run(*self.args)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("At 5 % of the area", p.stdout)
        p = run(*self.args, "--format", "csv")
        lines = p.stdout.splitlines()  # text mode: CRLF read as one line end
        self.assertTrue(lines[0].startswith("method,coverage_pct,fold"))
        self.assertEqual(len([l for l in lines if l]), 1 + 4 * 5 * 5)

    def test_errors(self):
        p = run("--config", self.config, "--folds", "12")  # 10 weeks hold 0 folds of 12w + 1w
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("12 folds asked, 0 possible", p.stderr)
        self.assertIn("70 days", p.stderr)
        p = run("--config", self.config, "--train", "4w", "--folds", "7")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("7 folds asked, 6 possible", p.stderr)
        p = run("--config", self.config, "--train", "4w", "--folds", "2", "--test", "1d", "--hours", "03:00-03:05")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("test incidents", p.stderr)
        p = run("--config", self.config, "--cell", "0.05")  # 18 800 × 12 200 lattice cells: refused
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--cell", p.stderr)
        self.assertIn("lattice cells", p.stderr)
        for bad in (["--methods", "kde:-3"], ["--methods", "magic"], ["--train", "3x"], ["--coverage", "0"],
                    ["--methods", "naive,naive"]):
            p = run("--config", self.config, *bad)
            self.assertEqual(p.returncode, 2, (bad, p.stderr))
        self.assertFalse(os.path.exists(os.path.join(self.d, "never.gpkg")))
        p = run("--config", self.config, "--folds", "12", "--out", os.path.join(self.d, "never.gpkg"))
        self.assertEqual(p.returncode, 3)
        self.assertFalse(os.path.exists(os.path.join(self.d, "never.gpkg")))


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
