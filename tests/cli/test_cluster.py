#!/usr/bin/python3
"""End-to-end tests of `hotspot cluster` on the bundled sample: layers, fields, id order, footprint
validity and coverage, thread independence, usage errors.

Usage: test_cluster.py HOTSPOT_BINARY REPO_ROOT   (run by ctest; needs python3-gdal)
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest
from collections import Counter

from osgeo import gdal, ogr

HOTSPOT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SAMPLE = os.path.join(ROOT, "data", "sample")
gdal.UseExceptions()


def run(*args):
    p = subprocess.run([HOTSPOT, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


SMALL = None


def incidents_args(*extra, small=False):
    return ["cluster", "--incidents", SMALL if small else f"{SAMPLE}/incidents.csv", *extra]


def setUpModule():
    # The first 12,000 sample rows keep the runs that need no commune fields fast.
    global SMALL, SMALL_DIR
    SMALL_DIR = tempfile.mkdtemp(prefix="hotspot-cluster-small-")
    SMALL = os.path.join(SMALL_DIR, "incidents.csv")
    with open(f"{SAMPLE}/incidents.csv", encoding="utf-8") as src, open(SMALL, "w", encoding="utf-8") as dst:
        for k, line in enumerate(src):
            if k > 12000:
                break
            dst.write(line)


def tearDownModule():
    shutil.rmtree(SMALL_DIR)


def labels(path, field="CLUSTER_ID"):
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName("incidents")
    return {f.GetField("incident_id"): f.GetField(field) for f in lyr}


class DbscanRun(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hotspot-cluster-")
        cls.out = os.path.join(cls.tmp, "db.gpkg")
        cls.rc, cls.stdout, cls.stderr = run(*incidents_args(
            "--communes", f"{SAMPLE}/communes.gpkg", "--zones", f"{SAMPLE}/zones.geojson",
            "--method", "dbscan", "--eps", "60", "--min-points", "12", "--threads", "2", "--out", cls.out))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_exit_and_summary(self):
        self.assertEqual(self.rc, 0, self.stderr)
        self.assertIn("clusters ", self.stdout)

    def test_ids_ordered_by_size_and_counts_match(self):
        ds = ogr.Open(self.out)
        inc = ds.GetLayerByName("incidents")
        by_id = Counter(f.GetField("CLUSTER_ID") for f in inc)
        self.assertIn(-1, by_id)
        cl = ds.GetLayerByName("clusters")
        rows = sorted((f.GetField("CLUSTER_ID"), f.GetField("count")) for f in cl)
        self.assertGreater(len(rows), 3)
        self.assertEqual([r[0] for r in rows], list(range(len(rows))))
        counts = [r[1] for r in rows]
        self.assertEqual(counts, sorted(counts, reverse=True))
        for cid, n in rows:
            self.assertEqual(by_id[cid], n)
        self.assertEqual(len(by_id) - 1, len(rows))

    def test_footprints_valid_and_cover_members(self):
        ds = ogr.Open(self.out)
        members = {}
        for f in ds.GetLayerByName("incidents"):
            members.setdefault(f.GetField("CLUSTER_ID"), ogr.Geometry(ogr.wkbMultiPoint)).AddGeometry(
                f.GetGeometryRef().Clone())
        for f in ds.GetLayerByName("clusters"):
            g = f.GetGeometryRef()
            self.assertTrue(g.IsValid(), f.GetField("CLUSTER_ID"))
            self.assertAlmostEqual(g.GetArea(), f.GetField("area_m2"), delta=1e-6 * g.GetArea())
            mp = members[f.GetField("CLUSTER_ID")]
            # Covers: members may lie on the hull boundary.
            self.assertTrue(g.Buffer(1e-6).Contains(mp), f.GetField("CLUSTER_ID"))
            self.assertAlmostEqual(f.GetField("per_km2"), f.GetField("count") / (f.GetField("area_m2") / 1e6), delta=1e-6)

    def test_cluster_attributes(self):
        ds = ogr.Open(self.out)
        cats = {}
        for f in ds.GetLayerByName("incidents"):
            cats.setdefault(f.GetField("CLUSTER_ID"), []).append((f.GetField("category"), f.GetField("time")))
        for f in ds.GetLayerByName("clusters"):
            m = cats[f.GetField("CLUSTER_ID")]
            top, n = Counter(c for c, _ in m).most_common(1)[0]
            self.assertEqual(f.GetField("category_share"), n / len(m))
            self.assertEqual(Counter(c for c, _ in m)[f.GetField("category")], n)
            times = sorted(t for _, t in m if t)
            self.assertEqual(f.GetField("first_time")[:19].replace("/", "-"), times[0][:19].replace("/", "-"))
            self.assertEqual(f.GetField("last_time")[:19].replace("/", "-"), times[-1][:19].replace("/", "-"))
            self.assertTrue(f.GetField("communes"), "every sample cluster lies in some commune")

    def test_styles_and_metadata(self):
        db = sqlite3.connect(self.out)
        styled = {r[0] for r in db.execute("SELECT f_table_name FROM layer_styles")}
        self.assertTrue({"incidents", "clusters"} <= styled)
        for (qml,) in db.execute("SELECT styleQML FROM layer_styles"):
            self.assertNotIn('type="singleSymbol"', qml)
        meta = dict(db.execute("SELECT key, value FROM run_metadata"))
        params = json.loads(meta["parameters"])
        self.assertEqual(params["method"], "dbscan")
        self.assertEqual(params["eps_m"], 60)
        counts = json.loads(meta["counts"])
        self.assertEqual(counts["clustered"] + counts["noise"], counts["accepted"])
        db.close()

    def test_same_result_with_one_thread(self):
        one = os.path.join(self.tmp, "one.gpkg")
        two = os.path.join(self.tmp, "two.gpkg")
        for path, threads in ((one, "1"), (two, "2")):
            rc, _, err = run(*incidents_args("--method", "dbscan", "--eps", "60", "--min-points", "12", "--threads",
                                             threads, "--hull", "concave", "--out", path, small=True))
            self.assertEqual(rc, 0, err)
        self.assertEqual(labels(one), labels(two))
        ds = ogr.Open(one)  # kept alive while its layer is read (GDAL's Python binding needs it)
        for f in ds.GetLayerByName("clusters"):
            self.assertTrue(f.GetGeometryRef().IsValid())


    def test_footprints_written_alongside_the_points_are_those_written_after_them(self):
        # With several threads the footprints are computed while the points layer is written, and
        # an oversized cluster's k-distance knee alongside them; with one thread both come after.
        # eps 400 m chains the sample into a cluster of over a quarter of the incidents.
        sys.path.insert(0, os.path.join(ROOT, "tests", "golden"))
        from layer_digest import digest
        got = {}
        for threads in ("1", "2"):
            os.makedirs(os.path.join(self.tmp, threads))
            path = os.path.join(self.tmp, threads, "c.gpkg")
            rc, _, err = run(*incidents_args("--method", "dbscan", "--eps", "400", "--min-points", "12",
                                             "--threads", threads, "--out", path, small=True))
            self.assertEqual(rc, 0, err)
            db = sqlite3.connect(path)
            warnings = json.loads(db.execute("SELECT value FROM run_metadata WHERE key = 'warnings'").fetchone()[0])
            db.close()
            got[threads] = (digest(path), warnings)
        self.assertEqual(got["1"], got["2"])
        self.assertTrue(any("the knee of the k-distance curve" in w for w in got["2"][1]), got["2"][1])


class OtherMethods(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="hotspot-cluster-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_hdbscan_adds_probability_and_outlier_score(self):
        out = os.path.join(self.tmp, "hd.gpkg")
        rc, _, err = run(*incidents_args("--method", "hdbscan", "--min-cluster-size", "40", "--out", out, small=True))
        self.assertEqual(rc, 0, err)
        ds = ogr.Open(out)
        lyr = ds.GetLayerByName("incidents")
        names = [lyr.GetLayerDefn().GetFieldDefn(i).GetName() for i in range(lyr.GetLayerDefn().GetFieldCount())]
        self.assertIn("probability", names)
        self.assertIn("outlier_score", names)
        for f in lyr:
            p, s = f.GetField("probability"), f.GetField("outlier_score")
            self.assertTrue(0 <= p <= 1 and 0 <= s <= 1)
            if f.GetField("CLUSTER_ID") == -1:
                self.assertEqual(p, 0)
        rc, _, err = run(*incidents_args("--method", "hdbscan", "--min-cluster-size", "40", "--selection", "leaf",
                                         "--threads", "1", "--out", os.path.join(self.tmp, "leaf.gpkg"), small=True))
        self.assertEqual(rc, 0, err)

    def test_st_dbscan(self):
        out = os.path.join(self.tmp, "st.gpkg")
        rc, _, err = run(*incidents_args("--method", "st-dbscan", "--eps", "80", "--eps-time", "7d", "--min-points", "8",
                                         "--out", out, small=True))
        self.assertEqual(rc, 0, err)
        meta = dict(sqlite3.connect(out).execute("SELECT key, value FROM run_metadata"))
        self.assertEqual(json.loads(meta["parameters"])["eps_time_s"], 7 * 86400)

    def test_usage_errors(self):
        out = os.path.join(self.tmp, "x.gpkg")
        for args in (["--method", "dbscan", "--out", out],
                     ["--method", "st-dbscan", "--eps", "50", "--out", out],
                     ["--method", "st-dbscan", "--eps", "50", "--eps-time", "soon", "--out", out],
                     ["--method", "dbscan", "--eps", "-1", "--out", out],
                     ["--method", "kmeans", "--eps", "1", "--out", out],
                     ["--method", "hdbscan", "--min-cluster-size", "1", "--out", out]):
            rc, _, err = run(*incidents_args(*args, small=True))
            self.assertEqual(rc, 2, (args, err))
            self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
