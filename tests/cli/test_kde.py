#!/usr/bin/python3
"""End-to-end tests of `hotspot kde`: outputs, validator, grid rule, exactness against a numpy
brute force, thread identity, filters, mask, and the refusal of degrees.

Usage: test_kde.py HOTSPOT_BINARY REPO_ROOT   (run by ctest; needs python3-gdal and numpy)
"""
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest
import zipfile

import numpy as np
from osgeo import gdal, ogr

HOTSPOT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SAMPLE = os.path.join(ROOT, "data", "sample")
gdal.UseExceptions()


def run(*args):
    p = subprocess.run([HOTSPOT, "kde", *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def sample(*extra):
    return ["--incidents", f"{SAMPLE}/incidents.csv", "--communes", f"{SAMPLE}/communes.gpkg",
            "--zones", f"{SAMPLE}/zones.geojson", *extra]


def read_raster(path):
    ds = gdal.Open(path)
    b = ds.GetRasterBand(1)
    return ds, b.ReadAsArray(), b.GetNoDataValue()


def quartic_oracle(xs, ys, gt, cols, rows, h, scale=1e6):
    cx = gt[0] + (np.arange(cols) + 0.5) * gt[1]
    cy = gt[3] + (np.arange(rows) + 0.5) * gt[5]
    out = np.zeros((rows, cols))
    for x, y in zip(xs, ys):
        d2 = ((cx[None, :] - x) ** 2 + (cy[:, None] - y) ** 2) / (h * h)
        out += np.where(d2 < 1, 3 / np.pi * (1 - d2) ** 2, 0)
    return out / (h * h) * scale


class SampleGpkg(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hotspot-kde-")
        cls.out = os.path.join(cls.tmp, "kde.gpkg")
        cls.rc, cls.stdout, cls.stderr = run(*sample("--cell-size", "50", "--bandwidth", "auto",
                                                     "--top-percent", "25", "--out", cls.out, "--threads", "2"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_exit_and_summary(self):
        self.assertEqual(self.rc, 0, self.stderr)
        self.assertIn("quartic kernel, bandwidth", self.stdout)
        self.assertRegex(self.stdout, r"hotspot zones at density ≥ [0-9.e+]+ incidents per km² \(")

    def test_passes_gdal_validator_with_the_coverage_extension(self):
        p = subprocess.run([sys.executable, "-m", "osgeo_utils.samples.validate_gpkg", self.out],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        db = sqlite3.connect(self.out)
        ext = {r[0] for r in db.execute("SELECT table_name FROM gpkg_extensions WHERE extension_name = 'gpkg_2d_gridded_coverage'")}
        self.assertEqual(ext, {"density", "gpkg_2d_gridded_coverage_ancillary", "gpkg_2d_gridded_tile_ancillary"})
        kinds = dict(db.execute("SELECT table_name, data_type FROM gpkg_contents"))
        self.assertEqual(kinds["density"], "2d-gridded-coverage")
        self.assertEqual(kinds["hotspot_zones"], "features")
        db.close()

    def test_density_is_float32_with_nodata_and_the_bandwidth_is_recorded(self):
        ds, a, nodata = read_raster(f"GPKG:{self.out}:density")
        self.assertEqual(ds.GetRasterBand(1).DataType, gdal.GDT_Float32)
        self.assertEqual(nodata, -9999)
        db = sqlite3.connect(self.out)
        params = json.loads(db.execute("SELECT value FROM run_metadata WHERE key = 'parameters'").fetchone()[0])
        db.close()
        self.assertEqual(params["kernel"], "quartic")
        self.assertEqual(params["bandwidth_rule"], "auto")
        self.assertGreater(params["bandwidth_m"], 100)
        g = params["grid"]
        self.assertEqual((ds.RasterXSize, ds.RasterYSize), (g["cols"], g["rows"]))
        gt = ds.GetGeoTransform()
        self.assertAlmostEqual(gt[0], g["xmin"], 6)
        self.assertAlmostEqual(gt[3], g["ymax"], 6)
        self.assertAlmostEqual(a.max(), float(self.stdout.split("peak ")[1].split()[0]), delta=0.5)

    def test_hotspot_zones_hold_the_requested_share(self):
        ds = ogr.Open(self.out)
        lyr = ds.GetLayerByName("hotspot_zones")
        self.assertEqual(lyr.GetGeomType(), ogr.wkbMultiPolygon)
        total = 0
        for f in lyr:
            total += f["incidents"]
            self.assertGreater(f["pai"], 1)
            self.assertGreaterEqual(f["peak_density"], f["mean_density"])
            self.assertGreaterEqual(f["mean_density"], f["threshold"])
            self.assertAlmostEqual(f.GetGeometryRef().GetArea() / 1e6, f["area_km2"], 6)
            self.assertTrue(f["communes"])
        self.assertGreaterEqual(total, 0.25 * 50003)
        # planted.json puts hotspots inside industrial zones: at least one zone names one.
        lyr.ResetReading()
        self.assertTrue(any(f["industrial_zones"] for f in lyr))

    def test_zone_profiles_count_the_incidents_left_after_mask_and_filters(self):
        out = os.path.join(self.tmp, "masked.gpkg")
        rc, _, err = run(*sample("--mask", f"{SAMPLE}/communes.gpkg", "--category", "theft", "--cell-size", "50",
                                 "--top-percent", "25", "--out", out))
        self.assertEqual(rc, 0, err)
        db = sqlite3.connect(out)
        in_zones = db.execute("SELECT sum(incidents) FROM hotspot_zones").fetchone()[0]
        self.assertGreater(in_zones, 0)
        self.assertEqual(db.execute("SELECT sum(incidents) FROM temporal_profiles").fetchone()[0], in_zones)
        self.assertEqual([r[0] for r in db.execute("SELECT hotspot_id FROM hotspot_zones ORDER BY zone_rank")],
                         [f"Z{k}" for k in range(1, db.execute("SELECT count(*) FROM hotspot_zones").fetchone()[0] + 1)])
        db.close()

    def test_qgis_project_is_stored(self):
        db = sqlite3.connect(self.out)
        name, content = db.execute("SELECT name, content FROM qgis_projects").fetchone()
        db.close()
        self.assertEqual(name, "hotspot")
        self.assertTrue(bytes.fromhex(content).startswith(b"PK"))


class PlanarExactness(unittest.TestCase):
    """Planar input, so the oracle sees the same coordinates: every cell against numpy."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hotspot-kde-")
        rng = np.random.default_rng(2024)
        cls.x = rng.uniform(1000, 1600, 300)
        cls.y = rng.uniform(5000, 5400, 300)
        cls.csv = os.path.join(cls.tmp, "pts.csv")
        with open(cls.csv, "w") as f:
            f.write("id,x,y,time,category\n")
            for i, (x, y) in enumerate(zip(cls.x, cls.y)):
                hour = i % 24
                f.write(f"{i},{x!r},{y!r},2024-03-{1 + i % 28:02d}T{hour:02d}:30:00+07:00,{'theft' if i % 3 else 'fight'}\n")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def kde(self, out, *extra):
        rc, so, se = run("--incidents", self.csv, "--incidents-crs", "planar", "--cell-size", "7.5",
                         "--bandwidth", "61.3", "--out", out, *extra)
        self.assertEqual(rc, 0, se)
        return so

    def test_every_cell_matches_the_closed_form(self):
        out = os.path.join(self.tmp, "a.tif")
        self.kde(out, "--extent", "950,4950,1650,5450")
        ds, a, nodata = read_raster(out)
        # The grid rule: top-left (xmin, ymax), ceil(700 / 7.5) × ceil(500 / 7.5) cells.
        self.assertEqual((ds.RasterXSize, ds.RasterYSize), (94, 67))
        gt = ds.GetGeoTransform()
        self.assertEqual((gt[0], gt[3], gt[1], gt[5]), (950, 5450, 7.5, -7.5))
        want = quartic_oracle(self.x, self.y, gt, 94, 67, 61.3)
        np.testing.assert_allclose(a, want, rtol=1e-5, atol=0)
        self.assertTrue(os.path.exists(os.path.join(self.tmp, "a.qml")))
        md = ds.GetMetadata()
        self.assertEqual(float(md["HOTSPOT_BANDWIDTH_M"]), 61.3)
        self.assertEqual(json.loads(md["HOTSPOT_PARAMETERS"])["kernel"], "quartic")

    def test_byte_identical_at_one_and_two_threads(self):
        outs = []
        for t in ("1", "2"):
            out = os.path.join(self.tmp, f"t{t}.gpkg")
            self.kde(out, "--threads", t, "--threshold", "100")
            db = sqlite3.connect(out)
            outs.append((db.execute("SELECT group_concat(hex(tile_data)) FROM density ORDER BY id").fetchone()[0],
                         db.execute("SELECT group_concat(hex(geom)) FROM hotspot_zones ORDER BY fid").fetchone()[0]))
            project = db.execute("SELECT content FROM qgis_projects").fetchone()[0]
            db.close()
            with zipfile.ZipFile(io.BytesIO(bytes.fromhex(project))) as z:
                qgs = b"".join(z.read(n) for n in z.namelist()).decode()
            # The layer's title names the rule with the density's unit: planar input, so areas
            # are in (1000 data units)², not km².
            self.assertIn("Hotspot zones (KDE density ≥ 100 incidents per (1000 data units)²)", qgs)
        self.assertEqual(outs[0], outs[1])

    def test_filters(self):
        so = self.kde(os.path.join(self.tmp, "f.tif"), "--category", "fight")
        self.assertIn("100 incidents used", so)
        so = self.kde(os.path.join(self.tmp, "h.tif"), "--hours", "22:00-02:00")  # 22, 23, 0, 1
        self.assertIn(f"{sum(1 for i in range(300) if i % 24 in (22, 23, 0, 1))} incidents used", so)
        so = self.kde(os.path.join(self.tmp, "d.tif"), "--from", "2024-03-01", "--to", "2024-03-02")
        self.assertIn(f"{sum(1 for i in range(300) if i % 28 < 2)} incidents used", so)

    def test_area_unit(self):
        self.kde(os.path.join(self.tmp, "km.tif"))
        self.kde(os.path.join(self.tmp, "ha.tif"), "--area-unit", "ha")
        _, km, _ = read_raster(os.path.join(self.tmp, "km.tif"))
        _, ha, _ = read_raster(os.path.join(self.tmp, "ha.tif"))
        np.testing.assert_allclose(km, ha * 100, rtol=1e-6)

    def test_mask_makes_outside_cells_nodata_and_edge_correction_lifts_the_edge(self):
        mask = os.path.join(self.tmp, "mask.geojson")
        with open(mask, "w") as f:
            json.dump({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": 1},
                       "geometry": {"type": "Polygon", "coordinates": [[[1000, 5000], [1600, 5000], [1600, 5400],
                                                                        [1000, 5400], [1000, 5000]]]}}]}, f)
        rc, so, se = run("--incidents", self.csv, "--incidents-crs", "planar", "--cell-size", "7.5", "--bandwidth",
                         "61.3", "--mask", mask, "--mask-crs", "planar", "--out", os.path.join(self.tmp, "m.tif"))
        self.assertEqual(rc, 0, se)
        rc, so, se = run("--incidents", self.csv, "--incidents-crs", "planar", "--cell-size", "7.5", "--bandwidth",
                         "61.3", "--mask", mask, "--mask-crs", "planar", "--edge-correction", "--out", os.path.join(self.tmp, "e.tif"))
        self.assertEqual(rc, 0, se)
        ds, m, nodata = read_raster(os.path.join(self.tmp, "m.tif"))
        _, e, _ = read_raster(os.path.join(self.tmp, "e.tif"))
        gt = ds.GetGeoTransform()
        cx = gt[0] + (np.arange(m.shape[1]) + 0.5) * gt[1]
        cy = gt[3] + (np.arange(m.shape[0]) + 0.5) * gt[5]
        inside = ((cx[None, :] > 1000) & (cx[None, :] < 1600)) & ((cy[:, None] > 5000) & (cy[:, None] < 5400))
        self.assertTrue(np.all(m[~inside] == nodata))
        self.assertTrue(np.all(m[inside] >= 0))
        self.assertTrue(np.all(e[inside] >= m[inside] - 1e-3))
        edge = inside & ((np.abs(cx[None, :] - 1000) < 8) | (np.abs(cx[None, :] - 1600) < 8))
        self.assertGreater(e[edge].mean(), 1.5 * m[edge].mean())

    def test_bandwidth_selectors_run_and_are_recorded(self):
        for rule in ("auto", "scott", "cv"):
            out = os.path.join(self.tmp, f"bw_{rule}.gpkg")
            rc, so, se = run("--incidents", self.csv, "--incidents-crs", "planar", "--cell-size", "10",
                             "--bandwidth", rule, "--out", out)
            self.assertEqual(rc, 0, se)
            self.assertIn(f"[{rule}", so)
            db = sqlite3.connect(out)
            p = json.loads(db.execute("SELECT value FROM run_metadata WHERE key = 'parameters'").fetchone()[0])
            db.close()
            self.assertEqual(p["bandwidth_rule"], rule)
            self.assertGreater(p["bandwidth_m"], 0)


class Refusals(unittest.TestCase):
    def check(self, code, *args, message=""):
        with tempfile.TemporaryDirectory() as tmp:
            rc, so, se = run(*sample("--out", os.path.join(tmp, "x.gpkg"), *args))
        self.assertEqual(rc, code, so + se)
        self.assertIn(message, se)

    def test_degrees_are_refused(self):
        self.check(2, "--cell-size", "50", "--bandwidth", "0.005deg", message="degrees are refused")
        self.check(2, "--cell-size", "50", "--bandwidth", "0.005", message="looks like degrees")
        self.check(2, "--cell-size", "0.0001", "--bandwidth", "500", message="looks like degrees")

    def test_a_failed_style_write_fails_the_command(self):
        # QGIS styles OUT.tif from OUT.qml; a .qml that cannot be written is an I/O error (exit 4).
        with tempfile.TemporaryDirectory() as tmp:
            os.mkdir(os.path.join(tmp, "x.qml"))
            rc, so, se = run(*sample("--cell-size", "50", "--bandwidth", "300", "--out", os.path.join(tmp, "x.tif")))
            self.assertEqual(rc, 4, so + se)
            self.assertIn("x.qml", se)
            self.assertFalse(os.path.exists(os.path.join(tmp, "x.tif")))

    def test_bad_options(self):
        self.check(2, "--cell-size", "50", "--kernel", "biweight", message="--kernel")
        self.check(2, "--cell-size", "50", "--edge-correction", message="--edge-correction: needs a mask")
        self.check(2, "--cell-size", "50", "--area-unit", "acre", message="--area-unit")
        self.check(2, "--cell-size", "50", "--category", "nope", message="--category: 'nope'")
        self.check(2, "--cell-size", "50", "--hours", "25:00-02:00", message="--hours")
        self.check(2, "--cell-size", "50", "--top-percent", "10", "--threshold", "3")


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
