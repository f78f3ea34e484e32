#!/usr/bin/python3
"""End-to-end tests of `hotspot local` against spdep's values on spData (tests/golden/local), plus
exit codes, islands, zero variance, grids, styles and GDAL's validator.

Usage: test_local.py HOTSPOT_BINARY REPO_ROOT   (run by ctest; needs python3-gdal)
"""
import csv
import hashlib
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

from osgeo import gdal, ogr

HOTSPOT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SAMPLE = os.path.join(ROOT, "data", "sample")
G = os.path.join(ROOT, "tests", "golden", "local")
gdal.UseExceptions()


def run(*args):
    p = subprocess.run([HOTSPOT, "local", *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def reference(case):
    with open(os.path.join(G, "reference.csv")) as f:
        return [r for r in csv.DictReader(f) if r["case"] == case]


def features(path):
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName("local_stats")
    out = [{k: f.GetField(k) for k in f.keys()} for f in lyr]
    ds = None
    return out


def num(s):
    return float(s) if s not in ("", "NA") else None


class Local(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hotspot-local-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def out(self, name):
        return os.path.join(self.tmp, name)

    def test_columbus_queen_equals_spdep(self):
        # Default snap (1e-7 of the extent for planar data) gives spdep's neighbours here.
        o = self.out("columbus.gpkg")
        rc, so, se = run("--units", f"{G}/columbus.geojson", "--units-crs", "planar", "--field", "CRIME",
                         "--weights", "queen", "--permutations", "0", "--out", o)
        self.assertEqual(rc, 0, se)
        self.assertIn("Global Moran's I 0.500189", so)
        got = features(o)
        ref = reference("columbus_queen")
        self.assertEqual(len(got), len(ref))
        worst = 0
        for g, r in zip(got, ref):
            self.assertEqual(g["NNeighbors"], len(r["neighbours"].split()))
            for ours, theirs in [("GiZScore", "gi_z"), ("LMiIndex", "Ii"), ("LMiExpected", "EIi"),
                                 ("LMiVariance", "VarIi"), ("LMiZScore", "ZIi"), ("LMiPValue", "p")]:
                worst = max(worst, abs(g[ours] - float(r[theirs])) / max(1, abs(float(r[theirs]))))
            # Without permutations, GiPValue is the two-sided normal p of GiZScore.
            self.assertAlmostEqual(g["GiPValue"], math.erfc(abs(g["GiZScore"]) / math.sqrt(2)), places=14)
            self.assertEqual(g["POLYID"], int(float(g["POLYID"])))  # the units' own fields are kept
        self.assertLess(worst, 1e-12)

    def test_ny8_default_snap_gives_spdeps_neighbours(self):
        # NY8 census tracts (UTM 18N, metres): the default 0.5 m snap finds exactly poly2nb's queen
        # neighbours, and the values match spdep's.
        o = self.out("ny8.gpkg")
        rc, so, se = run("--units", f"{G}/ny8.gpkg", "--field", "Z", "--weights", "queen", "--permutations", "0",
                         "--out", o)
        self.assertEqual(rc, 0, se)
        self.assertIn("snap 0.5 m", so)
        self.assertIn("Global Moran's I 0.195686", so)
        got = features(o)
        ref = reference("ny8_queen")
        for g, r in zip(got, ref):
            self.assertEqual(g["NNeighbors"], len(r["neighbours"].split()))
            self.assertAlmostEqual(g["GiZScore"], float(r["gi_z"]), delta=1e-12 * max(1, abs(float(r["gi_z"]))))
            self.assertAlmostEqual(g["LMiZScore"], float(r["ZIi"]), delta=1e-12 * max(1, abs(float(r["ZIi"]))))
        src = ogr.Open(f"{G}/ny8.gpkg")  # kept alive while its layer is read (GDAL's Python rule)
        first = src.GetLayer(0).GetNextFeature()
        self.assertEqual(got[0]["AREANAME"], first["AREANAME"])  # the units' own fields come along
        first = src = None

    def test_boston_knn_points_csv_with_fdr(self):
        o = self.out("boston.gpkg")
        rc, so, se = run("--units", f"{G}/boston.csv", "--units-crs", "planar", "--field", "cmedv",
                         "--weights", "knn:6", "--stat", "lisa", "--permutations", "0", "--fdr", "--out", o)
        self.assertEqual(rc, 0, se)
        got = features(o)
        ref = reference("boston_knn6")
        self.assertTrue(all("GiZScore" not in g for g in got))
        for g, r in zip(got, ref):
            self.assertAlmostEqual(g["LMiZScore"], float(r["ZIi"]), delta=1e-12 * max(1, abs(float(r["ZIi"]))))
            self.assertAlmostEqual(g["LMiPValueFDR"], float(r["p_bh"]), delta=1e-12)
            sig = float(r["p_bh"]) < 0.05
            self.assertEqual(g["COType"] != "" and g["COType"] is not None, sig)

    def test_lon_lat_points_are_projected_to_utm(self):
        # Boston tracts by longitude/latitude (CSV default EPSG:4326): worked in UTM 19N, metres.
        o = self.out("bll.gpkg")
        rc, so, se = run("--units", f"{G}/boston.csv", "--x-field", "lon", "--y-field", "lat", "--field", "cmedv",
                         "--weights", "knn:6", "--permutations", "0", "--out", o)
        self.assertEqual(rc, 0, se)
        self.assertIn("UTM zone 19N", so)
        got = features(o)
        self.assertTrue(all(g["NNeighbors"] == 6 for g in got))
        # spData's own UTM coordinates (km) give nearly the same neighbours, hence a close Moran's I.
        self.assertIn("Global Moran's I 0.58", so)

    def test_inverse_distance_equals_spdep_glist(self):
        # nb2listw(knn6, glist = 1/d, style = "W") in spdep.
        o = self.out("idw.gpkg")
        rc, so, se = run("--units", f"{G}/boston.csv", "--units-crs", "planar", "--field", "cmedv",
                         "--weights", "knn:6", "--inverse-distance", "1", "--permutations", "0", "--out", o)
        self.assertEqual(rc, 0, se)
        self.assertIn("inverse distance d^-1", so)
        for g, r in zip(features(o), reference("boston_knn6_idw")):
            for ours, theirs in [("LMiIndex", "Ii"), ("LMiVariance", "VarIi"), ("LMiZScore", "ZIi")]:
                self.assertAlmostEqual(g[ours], float(r[theirs]), delta=1e-12 * max(1, abs(float(r[theirs]))))
        rc, so, se = run("--units", f"{G}/boston.csv", "--units-crs", "planar", "--field", "cmedv",
                         "--weights", "knn:6", "--inverse-distance", "-1", "--out", o)
        self.assertEqual(rc, 2, se)

    def test_islands_keep_and_nearest(self):
        o = self.out("isl.gpkg")
        rc, so, se = run("--units", f"{G}/baltim.csv", "--units-crs", "planar", "--field", "price",
                         "--weights", "band:4", "--permutations", "99", "--out", o)
        self.assertEqual(rc, 0, se)
        self.assertIn("islands    64 (keep)", so)
        ref = reference("baltim_band4_islands")
        got = features(o)
        for g, r in zip(got, ref):
            if r["island"] == "1":
                self.assertIsNone(g["GiZScore"])
                self.assertIsNone(g["LMiIndex"])
                self.assertIsNone(g["Gi_Bin"])
                self.assertEqual(g["NNeighbors"], 0)
            else:
                self.assertAlmostEqual(g["GiZScore"], float(r["gi_z"]), delta=1e-12 * max(1, abs(float(r["gi_z"]))))
                self.assertAlmostEqual(g["LMiIndex"], float(r["Ii"]), delta=1e-12 * max(1, abs(float(r["Ii"]))))
        o2 = self.out("isl2.gpkg")
        rc, so, se = run("--units", f"{G}/baltim.csv", "--units-crs", "planar", "--field", "price",
                         "--weights", "band:4", "--islands", "nearest", "--permutations", "99", "--out", o2)
        self.assertEqual(rc, 0, se)
        self.assertIn("warning: 64 island(s) attached", se)  # warnings go to stderr
        self.assertTrue(all(g["NNeighbors"] >= 1 and g["GiZScore"] is not None for g in features(o2)))

    def test_zero_variance_and_usage_errors(self):
        path = self.out("const.csv")
        with open(path, "w") as f:
            f.write("id,x,y,v\n" + "".join(f"{i},{i % 5},{i // 5},3\n" for i in range(25)))
        rc, so, se = run("--units", path, "--units-crs", "planar", "--field", "v", "--weights", "knn:4",
                         "--out", self.out("c.gpkg"))
        self.assertEqual(rc, 3, se)
        self.assertIn("zero variance", se)
        self.assertFalse(os.path.exists(self.out("c.gpkg")))
        for args in (["--weights", "queen"], ["--weights", "knn:0"], ["--weights", "ring:3"],
                     ["--weights", "knn:4", "--stat", "moran"], ["--weights", "knn:4", "--islands", "drop"]):
            rc, so, se = run("--units", path, "--units-crs", "planar", "--field", "v", *args,
                             "--out", self.out("u.gpkg"))
            self.assertEqual(rc, 2, f"{args}: {se}")
        rc, so, se = run("--units", path, "--units-crs", "planar", "--field", "nope", "--weights", "knn:4",
                         "--out", self.out("u.gpkg"))
        self.assertEqual(rc, 2, se)
        self.assertIn("no field 'nope'", se)

    def test_grid_over_the_hull_counts_the_incidents_on_its_boundary(self):
        # Without communes the study area is the incidents' convex hull, grown by half a cell: the
        # incidents that make the hull's corners and edges are counted, not "outside" (13 of these
        # 300 were, when cells were clipped to the bare hull).
        path = self.out("first300.csv")
        with open(f"{SAMPLE}/incidents.csv", encoding="utf-8") as src, open(path, "w", encoding="utf-8") as dst:
            dst.writelines(line for _, line in zip(range(301), src))
        for grid in ("hex:500", "square:500", "hex:173"):
            with self.subTest(grid):
                o = self.out("hull.gpkg")
                rc, so, se = run("--grid", grid, "--weights", "queen", "--incidents", path,
                                 "--permutations", "0", "--out", o)
                self.assertEqual(rc, 0, se)
                self.assertIn("counted 300, outside the study area 0", so)
                self.assertEqual(sum(g["incidents"] for g in features(o)), 300)

    def test_grid_counts_styles_metadata_and_validator(self):
        o = self.out("grid.gpkg")
        rc, so, se = run("--grid", "hex:300", "--weights", "queen", "--incidents", f"{SAMPLE}/incidents.csv",
                         "--communes", f"{SAMPLE}/communes.gpkg", "--permutations", "199", "--seed", "7",
                         "--out", o)
        self.assertEqual(rc, 0, se)
        self.assertIn("counted 50006, outside the study area 0", so)
        got = features(o)
        self.assertEqual(sum(g["incidents"] for g in got), 50006)
        self.assertTrue(all(-3 <= g["Gi_Bin"] <= 3 for g in got))
        self.assertTrue({g["COType"] for g in got} <= {"HH", "HL", "LH", "LL", "", None})
        # Pseudo p-values lie on the grid (k + 1) / 200.
        self.assertTrue(all(abs(g["GiPValue"] * 200 - round(g["GiPValue"] * 200)) < 1e-9 for g in got))
        db = sqlite3.connect(o)
        styles = db.execute("SELECT styleName, useAsDefault, styleQML FROM layer_styles WHERE f_table_name = "
                            "'local_stats' ORDER BY useAsDefault DESC").fetchall()
        self.assertEqual(len(styles), 2)
        self.assertIn('attr="Gi_Bin"', styles[0][2])
        self.assertEqual(styles[0][1], 1)
        self.assertIn('attr="COType"', styles[1][2])
        self.assertEqual(styles[1][1], 0)
        meta = dict(db.execute("SELECT key, value FROM run_metadata").fetchall())
        db.close()
        self.assertEqual(json.loads(meta["seed"]), 7)
        self.assertEqual(json.loads(meta["parameters"])["permutations"], 199)
        self.assertIsNotNone(json.loads(meta["global_moran"]))
        # The CSV's hash is taken while it is parsed, not in a second read: still the file's SHA-256.
        with open(f"{SAMPLE}/incidents.csv", "rb") as f:
            self.assertEqual(json.loads(meta["inputs"])["incidents"]["sha256"], hashlib.sha256(f.read()).hexdigest())
        self.assertEqual(json.loads(meta["inputs"])["incidents"]["bytes"], os.path.getsize(f"{SAMPLE}/incidents.csv"))
        p = subprocess.run([sys.executable, "-m", "osgeo_utils.samples.validate_gpkg", o], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # Same seed, other thread count: identical output values.
        o2 = self.out("grid1.gpkg")
        rc, so, se = run("--grid", "hex:300", "--weights", "queen", "--incidents", f"{SAMPLE}/incidents.csv",
                         "--communes", f"{SAMPLE}/communes.gpkg", "--permutations", "199", "--seed", "7",
                         "--threads", "1", "--out", o2)
        self.assertEqual(rc, 0, se)
        self.assertEqual(features(o2), got)

    def test_grid_auto_reports_cell_size_and_band(self):
        o = self.out("auto.gpkg")
        rc, so, se = run("--grid", "auto", "--incidents", f"{SAMPLE}/incidents.csv", "--communes",
                         f"{SAMPLE}/communes.gpkg", "--permutations", "0", "--stat", "gi", "--out", o)
        self.assertEqual(rc, 0, se)
        # Every distance carries its unit.
        self.assertRegex(so, r"\ncell size  [0-9.]+ m\n")
        self.assertRegex(so, r"incremental spatial autocorrelation: band [0-9.]+ m, Moran z [0-9.]+  <- used")
        self.assertIn("first peak of incremental spatial autocorrelation", so)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
