#!/usr/bin/python3
"""Undefined statistics, hostile numbers and resource bounds (issue 14, sections 2 and 3).

Usage: test_bounds.py HOTSPOT_BINARY REPO_ROOT   (run by ctest; needs python3-gdal and numpy)

Hostile values (±1e200, 1e308, -5, nan, inf as text) go through every command and a run: each such
row is a bad_number reject (read = accepted + rejected), and no output field or raster cell is NaN
or infinite. Undefined statistics (every unit a neighbour of all, a hub, values at the mean) are
null with Gi_Bin 0 and an empty COType, counted in the summary. Resource bombs (a 0.7 m KDE cell
over 30 km, 1e7 permutations, band:1e9, a daily cube over 10 years, an incident dated 0024, 10,000
analyses, 2**31 - 1 threads) are refused up front with exit 2 or 3, the estimate, the limit and the
option to change.
"""
import datetime
import json
import math
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

import numpy as np
from osgeo import gdal, ogr, osr

HOTSPOT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
COMMUNES = os.path.join(ROOT, "data", "sample", "communes.gpkg")
X0, Y0, X1, Y1 = 581100.0, 2301750.0, 597070.0, 2313080.0  # the sample communes, EPSG:9210
HOSTILE = ["1e200", "-1e200", "1e308", "-5", "nan", "inf", "-inf", "NaN", "Infinity", "1e400"]
gdal.UseExceptions()


def hs(*args, timeout=120):
    p = subprocess.run([HOTSPOT, *args], capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def write_incidents(path, n=400, seed=1, start=datetime.datetime(2024, 1, 1), days=180, extra=(),
                    box=(X0, Y0, X1, Y1)):
    rng = random.Random(seed)
    with open(path, "w") as f:
        f.write("id,x,y,time,category,w\n")
        for i in range(n):
            # Two dense spots and a background, so every statistic has something to find.
            if i % 3 == 0:
                x, y = 586000 + rng.gauss(0, 300), 2306000 + rng.gauss(0, 300)
            elif i % 3 == 1:
                x, y = 592000 + rng.gauss(0, 500), 2309000 + rng.gauss(0, 500)
            else:
                x, y = rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3])
            t = start + datetime.timedelta(seconds=rng.uniform(0, days * 86400))
            f.write(f"i{i},{x:.2f},{y:.2f},{t:%Y-%m-%dT%H:%M:%S},{'theft' if i % 2 else 'robbery'},"
                    f"{1 + i % 5}\n")
        for k, row in enumerate(extra):
            f.write(f"x{k},{row}\n")


def inc_args(path, weight=True):
    a = ["--incidents", path, "--incidents-crs", "EPSG:9210", "--x-field", "x", "--y-field", "y",
         "--time-field", "time", "--utc-offset", "+07:00"]
    return a + (["--weight-field", "w"] if weight else [])


def write_points(path, values, xy, srs=9210):
    if os.path.exists(path):
        os.remove(path)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    s = osr.SpatialReference()
    s.ImportFromEPSG(srs)
    lyr = ds.CreateLayer("units", s, ogr.wkbPoint)
    lyr.CreateField(ogr.FieldDefn("v", ogr.OFTString))  # text, so "nan" and "inf" stay as typed
    lyr.StartTransaction()
    for v, (x, y) in zip(values, xy):
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("v", v)
        g = ogr.Geometry(ogr.wkbPoint)
        g.AddPoint_2D(x, y)
        f.SetGeometry(g)
        lyr.CreateFeature(f)
    lyr.CommitTransaction()
    ds = None


def non_finite_cells(path):
    """Non-finite cells of every raster in a GeoTIFF or GeoPackage (nodata aside)."""
    bad = {}
    ds = gdal.Open(path)
    subs = [s for s, _ in (ds.GetSubDatasets() or [])] or [path]
    ds = None
    for s in subs:
        r = gdal.Open(s)
        a = r.GetRasterBand(1).ReadAsArray().astype(np.float64)
        n = int((~np.isfinite(a)).sum())
        if n:
            bad[s] = n
    return bad


def non_finite_fields(gpkg):
    """(table, column, count) of every REAL value that is ±inf (NaN is stored as NULL by SQLite,
    and a number in text), and every JSON text holding NaN or Infinity, over every table."""
    bad = []
    con = sqlite3.connect(gpkg)
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for t in tables:
        for cid, col, ctype, *_ in con.execute(f'PRAGMA table_info("{t}")'):
            n = con.execute(f'SELECT count(*) FROM "{t}" WHERE typeof("{col}") = \'real\' AND '
                            f'("{col}" > 1.7976931348623157e308 OR "{col}" < -1.7976931348623157e308 '
                            f'OR "{col}" != "{col}")').fetchone()[0]
            if n:
                bad.append((t, col, n))
            for (v,) in con.execute(f'SELECT "{col}" FROM "{t}" WHERE typeof("{col}") = \'text\' '
                                    f'AND substr(ltrim("{col}"), 1, 1) IN (\'{{\', \'[\')'):
                try:
                    json.loads(v, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
                except ValueError as e:
                    if "Expecting" not in str(e):
                        bad.append((t, col, "json " + str(e)))
    con.close()
    return bad


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hotspot_bounds_")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def p(self, name):
        return os.path.join(self.tmp, name)

    def refused(self, code, args, *needles, timeout=120):
        rc, out, err = hs(*args, timeout=timeout)
        self.assertEqual(rc, code, f"{args}\n{out}\n{err}")
        for n in needles:
            self.assertIn(n, err, f"{args}: '{n}' not in\n{err}")
        return err


class HostileValues(Base):
    """Every command on incidents with hostile weights, units with hostile values, communes with
    hostile populations: bad_number rejects, and nothing non-finite in any output."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inc = os.path.join(cls.tmp, "hostile.csv")
        extra = [f"586000,2306000,2024-02-01T10:00:00,theft,{v}" for v in HOSTILE]
        write_incidents(cls.inc, extra=extra)
        cls.communes = os.path.join(cls.tmp, "communes.gpkg")
        shutil.copy(COMMUNES, cls.communes)
        ds = ogr.Open(cls.communes, 1)  # through GDAL: the layer's triggers need its functions
        table = ds.GetLayer(0).GetName()
        for fid, v in zip((1, 2, 3, 4), ["9e999", "-9e999", "-5", "1e300"]):
            ds.ExecuteSQL(f'UPDATE "{table}" SET population = {v} WHERE fid = {fid}')
        ds = None

    def check_outputs(self, out, rejects=len(HOSTILE)):
        self.assertEqual(non_finite_fields(out), [], out)
        con = sqlite3.connect(out)
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        if "rejected_incidents" in names:
            reasons = [r[0] for r in con.execute("SELECT reason FROM rejected_incidents")]
            self.assertEqual(reasons.count("bad_number"), rejects, out)
        meta = {k: json.loads(v) for k, v in con.execute("SELECT key, value FROM run_metadata")} \
            if "run_metadata" in names else None
        con.close()
        if meta and "counts" in meta and "read" in meta["counts"]:
            c = meta["counts"]
            self.assertEqual(c["read"], c["accepted"] + c["rejected"], out)
        if any(n in names for n in ("density", "gpkg_tile_matrix")):
            self.assertEqual(non_finite_cells(out), {}, out)

    def test_kde_gpkg_and_tif(self):
        for out in ("kde.gpkg", "kde.tif"):
            zones = ["--top-percent", "10"] if out.endswith(".gpkg") else []
            rc, so, se = hs("kde", *inc_args(self.inc), "--cell-size", "100", "--bandwidth", "800",
                            *zones, "--out", self.p(out))
            self.assertEqual(rc, 0, se)
            self.assertIn(f"rejected {len(HOSTILE)}", so + se)
            if out.endswith(".tif"):
                self.assertEqual(non_finite_cells(self.p(out)), {})
                r = gdal.Open(self.p(out))  # kept: a band outlives no dataset
                a = r.GetRasterBand(1).ReadAsArray()
                r = None
                self.assertGreaterEqual(float(a[a != -9999].min()), 0.0)  # no negative density
            else:
                self.check_outputs(self.p(out))

    def test_every_command(self):
        cases = {
            "aggregate": ["aggregate", "--communes", self.communes, "--population-field", "population",
                          *inc_args(self.inc)],
            "local_grid": ["local", "--grid", "hex:800", "--weights", "queen", "--permutations", "99",
                           *inc_args(self.inc)],
            "local_communes_band": ["local", "--grid", "square:1000", "--weights", "band:2500",
                                    "--permutations", "0", "--communes", self.communes, *inc_args(self.inc)],
            "emerging": ["emerging", "--grid", "hex:1000", "--time-step", "2w", *inc_args(self.inc)],
            "cluster": ["cluster", "--method", "dbscan", "--eps", "300", "--min-points", "5",
                        *inc_args(self.inc)],
            "near_repeat": ["near-repeat", "--space-bands", "0,200,400", "--time-bands", "0,7,14",
                            "--permutations", "19", *inc_args(self.inc)],
        }
        for name, args in cases.items():
            with self.subTest(name):
                out = self.p(name + ".gpkg")
                rc, so, se = hs(*args, "--out", out)
                self.assertEqual(rc, 0, f"{name}\n{so}\n{se}")
                self.assertNotIn("nan", so.lower().replace("name", "").replace("nanh", ""), so)
                self.check_outputs(out)
        rc, so, se = hs("aggregate", "--communes", self.communes, "--population-field", "population",
                        *inc_args(self.inc), "--out", self.p("agg2.gpkg"))
        self.assertIn("4 commune population(s) are bad_number", so + se)

    def test_run_with_every_analysis(self):
        cfg = {"inputs": {"communes": {"path": self.communes, "population_field": "population"},
                          "incidents": {"path": self.inc, "crs": "EPSG:9210", "x_field": "x", "y_field": "y",
                                        "time_field": "time", "weight_field": "w"}},
               "output": {"path": self.p("run.gpkg"), "quicklook": False},
               "analyses": [{"type": "aggregate"}, {"type": "profiles"},
                            {"type": "kde", "cell_size": 100, "bandwidth": 800, "top_percent": 10},
                            {"type": "clusters", "method": "dbscan", "eps": 300, "min_points": 5},
                            {"type": "local", "units": "communes", "weights": "queen", "value": "per_1000",
                             "permutations": 99},
                            {"type": "local", "units": "grid", "grid": "hex:800", "weights": "queen",
                             "permutations": 99},
                            {"type": "emerging", "grid": "hex:1000", "time_step": "2w"},
                            {"type": "near_repeat", "space_bands": [0, 200], "time_bands": [0, 7],
                             "permutations": 19}]}
        path = self.p("run.json")
        with open(path, "w") as f:
            json.dump(cfg, f)
        rc, so, se = hs("run", "--config", path, "-q", timeout=300)
        if rc in (3, 5) and "per_1000" in se:  # a commune left without a population cannot be a rate (alone: exit 3; in a run: that analysis fails, exit 5)
            cfg["analyses"][4]["value"] = "count"
            with open(path, "w") as f:
                json.dump(cfg, f)
            rc, so, se = hs("run", "--config", path, "-q", timeout=300)
        self.assertEqual(rc, 0, so + se)
        self.check_outputs(self.p("run.gpkg"))

    def test_units_file_values(self):
        rng = random.Random(5)
        xy = [(rng.uniform(X0, X1), rng.uniform(Y0, Y1)) for _ in range(60)]
        values = [str(rng.randint(0, 20)) for _ in range(50)] + HOSTILE
        units = self.p("units.gpkg")
        write_points(units, values, xy)
        out = self.p("units_out.gpkg")
        rc, so, se = hs("local", "--units", units, "--field", "v", "--weights", "knn:6", "--out", out)
        self.assertEqual(rc, 0, se)
        # -5 is a fine value for a unit (a change, a residual); the other nine are bad_number.
        self.assertIn(f"dropped {len(HOSTILE) - 1}", so)
        self.assertEqual(so.count("bad_number"), len(HOSTILE) - 1, so)
        self.assertNotIn("-nan", so)
        self.assertNotIn(" nan", so)
        self.check_outputs(out)
        con = sqlite3.connect(out)
        self.assertEqual(con.execute("SELECT count(*) FROM local_stats").fetchone()[0], 51)
        con.close()

    def test_negative_weights_need_the_option(self):
        inc = self.p("negative.csv")
        write_incidents(inc, extra=["586000,2306000,2024-02-01T10:00:00,theft,-5",
                                    "586100,2306000,2024-02-01T11:00:00,theft,-0.5"])
        rc, so, se = hs("kde", *inc_args(inc), "--cell-size", "200", "--bandwidth", "800",
                        "--out", self.p("neg_refused.tif"))
        self.assertEqual(rc, 0, se)
        self.assertIn("rejected 2", so + se)
        rc, so, se = hs("kde", *inc_args(inc), "--cell-size", "200", "--bandwidth", "800",
                        "--allow-negative-weights", "--out", self.p("neg_allowed.tif"))
        self.assertEqual(rc, 0, se)
        self.assertIn("rejected 0", so + se)
        self.assertEqual(non_finite_cells(self.p("neg_allowed.tif")), {})


class Undefined(Base):
    def test_band_covering_everything_is_refused(self):
        inc = self.p("inc.csv")
        write_incidents(inc)
        # The case: band:50000 on a ~16 km study area.
        err = self.refused(2, ["local", "--grid", "hex:500", "--weights", "band:50000", "--permutations", "0",
                               "--communes", COMMUNES, *inc_args(inc), "--out", self.p("b.gpkg")],
                           "band:50000 makes every one of the", "neighbour of all the others",
                           "extent", "Use a band between")
        self.assertFalse(os.path.exists(self.p("b.gpkg")))
        rng = random.Random(2)
        # band:1e9 on 20,000 units: refused before a link is built.
        units = self.p("u20k.gpkg")
        write_points(units, [str(rng.randint(0, 9)) for _ in range(20000)],
                     [(rng.uniform(X0, X1), rng.uniform(Y0, Y1)) for _ in range(20000)])
        self.refused(2, ["local", "--units", units, "--field", "v", "--weights", "band:1e9",
                         "--out", self.p("b2.gpkg")], "makes every one of the 20000 units", "Use a band between")
        # Points on a circle: the band is below the box's diagonal but still reaches every unit.
        circle = [(590000 + 1000 * math.cos(k * 0.1), 2307000 + 1000 * math.sin(k * 0.1)) for k in range(62)]
        cu = self.p("circle.gpkg")
        write_points(cu, [str(k % 7) for k in range(62)], circle)
        self.refused(2, ["local", "--units", cu, "--field", "v", "--weights", "band:2500",
                         "--out", self.p("b3.gpkg")], "band:2500 makes every one of the 62 units")
        # knn with K of n - 1 or more.
        self.refused(2, ["local", "--units", cu, "--field", "v", "--weights", "knn:61",
                         "--out", self.p("b4.gpkg")], "knn:61 makes every one", "knn:K with K well below 61")
        # A band just inside works.
        rc, so, se = hs("local", "--units", cu, "--field", "v", "--weights", "band:1500", "--out", self.p("b5.gpkg"))
        self.assertEqual(rc, 0, se)

    def test_hub_is_undefined_and_counted(self):
        # The hub is within 105 m of every rim unit; rim units are 117.6 m apart: each rim unit's
        # only neighbour is the hub, and the hub's neighbours are all the others.
        hub = [(590000, 2307000)] + [(590000 + 100 * math.cos(k * 2 * math.pi / 5),
                                      2307000 + 100 * math.sin(k * 2 * math.pi / 5)) for k in range(5)]
        units = self.p("hub.gpkg")
        write_points(units, ["9", "1", "2", "3", "5", "8"], hub)
        out = self.p("hub_out.gpkg")
        rc, so, se = hs("local", "--units", units, "--field", "v", "--weights", "band:105",
                        "--permutations", "99", "--out", out)
        self.assertEqual(rc, 0, se)
        self.assertIn("undefined  Gi* 1, Local Moran 1 unit(s)", so)
        self.assertIn("1 unit(s) have an undefined Gi*", so + se)
        con = sqlite3.connect(out)
        z, p, b, lz, lp, co = con.execute(
            "SELECT GiZScore, GiPValue, Gi_Bin, LMiZScore, LMiPValue, COType FROM local_stats WHERE fid = 1").fetchone()
        self.assertEqual((z, p, b, lz, lp, co), (None, None, 0, None, None, ""))
        meta = {k: json.loads(v) for k, v in con.execute("SELECT key, value FROM run_metadata")}
        con.close()
        self.assertEqual(meta["counts"]["gi_undefined"], 1)
        self.assertEqual(meta["counts"]["lisa_undefined"], 1)

    def test_global_moran_never_prints_nan(self):
        # Two far clusters of equal size, knn:K within each: Global Moran is defined here; the
        # point is that no summary line reads nan whatever the statistics give.
        rng = random.Random(9)
        xy = [(583000 + rng.uniform(0, 500), 2303000 + rng.uniform(0, 500)) for _ in range(30)]
        units = self.p("g.gpkg")
        write_points(units, ["5"] * 29 + ["6"], xy)
        rc, so, se = hs("local", "--units", units, "--field", "v", "--weights", "knn:3", "--out", self.p("g_out.gpkg"))
        self.assertEqual(rc, 0, se)
        self.assertNotIn("nan", so.lower())


class ResourceBounds(Base):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inc = os.path.join(cls.tmp, "inc.csv")
        write_incidents(cls.inc)

    def test_kde_cells(self):
        wide = self.p("wide.csv")
        write_incidents(wide, n=200, box=(560000, 2290000, 590000, 2320000))  # 30 km
        # The case: 0.7 m cells over 30 km.
        self.refused(2, ["kde", *inc_args(wide), "--cell-size", "0.7", "--bandwidth", "500", "--out", self.p("k.tif")],
                     "cell-size:", "density grid", "needs about", "GiB", "the limit is", "--max-memory",
                     "Use a larger --cell-size")
        # Fits the default but not a small budget; the suggestion is a cell that does.
        err = self.refused(2, ["kde", *inc_args(wide), "--cell-size", "5", "--bandwidth", "500",
                               "--max-memory", "64M", "--out", self.p("k2.tif")], "64.0 MiB", "at least")
        suggested = float(err.split("at least ")[1].split(" m")[0])
        rc, so, se = hs("kde", *inc_args(wide), "--cell-size", str(suggested), "--bandwidth", "500",
                        "--max-memory", "64M", "--out", self.p("k3.tif"))
        self.assertEqual(rc, 0, se)
        # An explicit extent is estimated the same way.
        self.refused(2, ["kde", *inc_args(self.inc), "--cell-size", "1", "--bandwidth", "500",
                         "--extent", "0,0,100000,100000", "--out", self.p("k4.tif")], "density grid")
        self.assertFalse(any(os.path.exists(self.p(f)) for f in ("k.tif", "k2.tif", "k4.tif")))

    def test_permutations_capped_alike(self):
        for args in (["local", "--grid", "hex:800", "--weights", "queen", "--communes", COMMUNES, *inc_args(self.inc)],
                     ["near-repeat", "--space-bands", "0,100", "--time-bands", "0,7", *inc_args(self.inc)]):
            for perms in ("10000000", "1000000000", "100000"):
                self.refused(2, [*args, "--permutations", perms, "--out", self.p("p.gpkg")],
                             "--permutations: must be in 0..99999")
            self.refused(2, [*args, "--permutations", "1e9", "--out", self.p("p.gpkg")], "--permutations")
        # The work of the permutations: 99,999 of ~200,000 grid cells.
        self.refused(2, ["local", "--grid", "hex:30", "--weights", "queen", "--permutations", "99999",
                         "--communes", COMMUNES, *inc_args(self.inc), "--out", self.p("p2.gpkg")],
                     "permutations:", "operations; the limit is", "Use fewer --permutations")

    def test_near_repeat_work(self):
        # 6,000 incidents in a 300 m square: all 17,997,000 pairs lie within 400 m. Every 60th is a
        # robbery (100 of them, 4,950 pairs).
        dense = self.p("dense.csv")
        with open(dense, "w") as f:
            f.write("id,x,y,time,category,w\n")
            for i in range(6000):
                f.write(f"d{i},{586000 + (i * 37) % 300},{2306000 + (i * 91) % 300},"
                        f"2024-01-{1 + i % 28:02d}T10:00:00,{'robbery' if i % 60 == 0 else 'theft'},1\n")
        bands = ["--space-bands", "0,200,400", "--time-bands", "0,7,14"]
        # (pairs) x (permutations + 1) x (2 time bands) comparisons against near-repeat's limit of 1e12.
        err = self.refused(2, ["near-repeat", *bands, "--permutations", "99999", *inc_args(dense),
                               "--out", self.p("nr.gpkg")],
                           "permutations: near-repeat's 99,999 permutations over about ",
                           " pairs of incidents within 400 m, in 2 time bands, is about ",
                           " operations; the limit is 1,000,000,000,000.", "Use fewer --permutations")
        pairs = int(err.split("over about ")[1].split(" pairs")[0].replace(",", ""))
        self.assertLess(abs(pairs - 6000 * 5999 / 2) / (6000 * 5999 / 2), 0.02, err)  # sampled
        work = int(err.split("is about ")[1].split(" operations")[0].replace(",", ""))
        self.assertLessEqual(abs(work - pairs * 100000 * 2), 100000 * 2)  # pairs printed rounded
        # The same refusal printing only (no --out) and from run and run --check.
        self.refused(2, ["near-repeat", *bands, "--permutations", "99999", *inc_args(dense)],
                     "pairs of incidents within 400 m")
        cfg = self.config("nr", [{"type": "near_repeat", "space_bands": [0, 200, 400],
                                  "time_bands": [0, 7, 14], "permutations": 99999}], incidents=dense)
        for args in (["run", "--check", "--config", cfg], ["run", "--config", cfg]):
            self.refused(2, args, "near_repeat analysis", "pairs of incidents within 400 m")
        self.assertFalse(os.path.exists(self.p("nr.gpkg")))
        # 40,000 permutations: refused on every incident, run on the 100 robberies the filter keeps.
        args = ["near-repeat", *bands, "--permutations", "40000", *inc_args(dense)]
        self.refused(2, [*args, "--out", self.p("nr3.gpkg")], "40,000 permutations")
        rc, so, se = hs(*args, "--category", "robbery", "--out", self.p("nr3.gpkg"))
        self.assertEqual(rc, 0, se)
        self.assertIn("100 incidents with a time, 4950 close pairs (within 400 m)", so)
        # Over 1e10 comparisons, the estimate is told before the count starts (the test stops it).
        p = subprocess.Popen([HOTSPOT, "near-repeat", *bands, "--permutations", "1500", *inc_args(dense),
                              "--out", self.p("nr4.gpkg")], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                             text=True)
        try:
            line = p.stderr.readline()
        finally:
            p.kill()
            p.wait()
            p.stderr.close()
        self.assertTrue(line.startswith("note: near-repeat: a long count, about "), line)
        for needle in (" pairs within 400 m, in 2 time bands, for the observed times and 1,500 permutations",
                       "the limit is 1,000,000,000,000"):
            self.assertIn(needle, line)
        self.assertFalse(os.path.exists(self.p("nr4.gpkg")))

    def test_local_grid_refused_up_front(self):
        # hex:1 over the sample communes (16 × 11 km): ~2e8 cells, refused by its memory before any
        # cell is made; hex:5 fits a 16 GiB budget but not the grid's 5,000,000-cell limit.
        base = ["local", "--weights", "queen", "--permutations", "0", "--communes", COMMUNES, *inc_args(self.inc)]
        self.refused(2, [*base, "--grid", "hex:1", "--out", self.p("g1.gpkg")],
                     "grid: a grid of about ", " cells of 1 m over 15.9", " km needs about ",
                     "Use a larger cell size (at least ")
        err = self.refused(2, [*base, "--grid", "hex:5", "--max-memory", "16G", "--out", self.p("g5.gpkg")],
                           "grid: cell size 5 m gives about ", " cells over the study area (15.9",
                           " km); the limit is 5000000 cells. Use a larger size (at least ")
        least = float(err.split("(at least ")[1].split(" m)")[0])
        self.assertTrue(6 <= least <= 8, err)  # cells go as 1/size²: 5 m × sqrt(8.5e6 / 5e6)
        self.assertFalse(any(os.path.exists(self.p(f)) for f in ("g1.gpkg", "g5.gpkg", "far.gpkg")))

    def test_country_sized_study_area_refused_up_front(self):
        # Incidents in the sample district, but communes that span a region: the sample's 20 plus
        # two small ones near Ho Chi Minh City and Yangon (about 1,130 × 1,120 km in EPSG:9210).
        # The grid of a local or emerging analysis covers the communes, so a hex:400 grid would
        # span about 9e6 lattice cells: refused before any cell is made, with the extent in km and
        # a size that fits, in seconds, and without an output.
        wide = self.p("country.gpkg")
        src = ogr.Open(COMMUNES)
        ds = ogr.GetDriverByName("GPKG").CreateDataSource(wide)
        lyr = ds.CopyLayer(src.GetLayer(0), "communes")
        wgs = osr.SpatialReference()
        wgs.ImportFromEPSG(4326)
        wgs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        to_9210 = osr.CoordinateTransformation(wgs, lyr.GetSpatialRef())
        for k, (lon, lat) in enumerate(((106.70, 10.78), (96.16, 16.87))):
            ring = ogr.Geometry(ogr.wkbLinearRing)
            for dx, dy in ((0, 0), (0.01, 0), (0.01, 0.01), (0, 0.01), (0, 0)):
                x, y, _ = to_9210.TransformPoint(lon + dx, lat + dy)
                ring.AddPoint_2D(x, y)
            poly = ogr.Geometry(ogr.wkbPolygon)
            poly.AddGeometry(ring)
            f = ogr.Feature(lyr.GetLayerDefn())
            f.SetField("commune_id", f"far{k}")
            f.SetField("name", f"Xã xa {k}")
            f.SetGeometry(ogr.ForceToMultiPolygon(poly))
            lyr.CreateFeature(f)
        ds = None
        for args, out in ((["local", "--grid", "hex:400", "--weights", "queen", "--permutations", "0"], "w1.gpkg"),
                          (["emerging", "--grid", "hex:400", "--time-step", "2w"], "w2.gpkg")):
            t0 = datetime.datetime.now()
            err = self.refused(2, [*args, "--communes", wide, *inc_args(self.inc), "--out", self.p(out)],
                               "grid: ", " km", "Use a larger ")
            self.assertLess((datetime.datetime.now() - t0).total_seconds(), 20, err)
            width, height = (float(v.replace(",", "")) for v in re.search(r"([\d.,]+) × ([\d.,]+) km", err).groups())
            self.assertTrue(1100 < width < 1200 and 1100 < height < 1200, err)
            self.assertFalse(os.path.exists(self.p(out)), err)

    def test_messages_carry_units(self):
        # Issue 17: every number in a message carries its unit; no "%f" six decimals anywhere.
        messages = []
        for args, needle in (
                (["local", "--grid", "hex:5", "--weights", "queen", "--permutations", "0", "--max-memory", "16G",
                  "--communes", COMMUNES], "cell size 5 m gives"),
                (["local", "--grid", "hex:800", "--weights", "band:50000", "--communes", COMMUNES],
                 " m, diagonal "),
                (["kde", "--cell-size", "0.7", "--bandwidth", "500", "--max-memory", "1G"], "cells of 0.7 m"),
                (["emerging", "--grid", "hex:100", "--time-step", "1d", "--max-memory", "64M"], "cells of 100 m")):
            messages.append(self.refused(2, [*args, *inc_args(self.inc), "--out", self.p("u.gpkg")], needle))
        rc, so, se = hs("emerging", "--grid", "hex:1000", "--time-step", "2w", *inc_args(self.inc),
                        "--out", self.p("u2.gpkg"))
        self.assertEqual(rc, 0, se)
        self.assertRegex(so, r"band \d+(\.\d+)? m, neighbourhood time")
        messages.append(so + se)
        for m in messages:
            self.assertNotRegex(m, r"\d\.\d{6}\b", m)

    def test_band_links_over_budget(self):
        rng = random.Random(4)
        units = self.p("dense.gpkg")
        write_points(units, [str(rng.randint(0, 9)) for _ in range(20000)],
                     [(rng.uniform(X0, X0 + 5000), rng.uniform(Y0, Y0 + 5000)) for _ in range(20000)])
        err = self.refused(2, ["local", "--units", units, "--field", "v", "--weights", "band:3000",
                               "--max-memory", "256M", "--out", self.p("d.gpkg")],
                           "weights:", "band:3000 on 20,000 units", "links", "the limit is 256.0 MiB")

    def test_emerging_cube(self):
        # A daily cube over 10 years on a fine grid: refused under a 1 GiB budget (or by its work).
        ten = self.p("ten_years.csv")
        write_incidents(ten, n=3000, start=datetime.datetime(2014, 1, 1), days=3650)
        err = self.refused(2, ["emerging", "--grid", "hex:100", "--time-step", "1d", "--max-memory", "1G",
                               *inc_args(ten), "--out", self.p("e.gpkg")],
                           "--time-step:", "space-time cube", "time steps of 1d", "(2014-01-0")
        self.assertTrue("the limit is 1.0 GiB" in err or "operations; the limit is" in err, err)
        # One row dated year 0024 stretches the cube 2,000 years: named, exit 3, weekly, monthly, daily.
        odd = self.p("year24.csv")
        write_incidents(odd, extra=["586000,2306000,0024-03-01T10:00:00,theft,1"])
        for step in ("1w", "1mo", "1d"):
            self.refused(3, ["emerging", "--grid", "hex:500", "--time-step", step, *inc_args(odd),
                             "--out", self.p("e2.gpkg")],
                         "1 incident dated 0024-03-01 (the next is 2024-01-01)", "correct or remove it")
        late = self.p("year9999.csv")
        write_incidents(late, extra=["586000,2306000,9999-01-01T10:00:00,theft,1",
                                     "586000,2306000,9999-02-01T10:00:00,theft,1"])
        self.refused(3, ["emerging", "--grid", "hex:500", "--time-step", "1w", *inc_args(late),
                         "--out", self.p("e3.gpkg")], "2 incidents dated 9999-01-01 .. 9999-02-01")
        self.assertFalse(any(os.path.exists(self.p(f)) for f in ("e.gpkg", "e2.gpkg", "e3.gpkg")))

    def config(self, name, analyses, incidents=None, **extra):
        """A run config on the sample communes and `incidents` (DEFAULT: self.inc)."""
        cfg = {"inputs": {"communes": {"path": COMMUNES},
                          "incidents": {"path": incidents or self.inc, "crs": "EPSG:9210", "x_field": "x", "y_field": "y",
                                        "time_field": "time"}},
               "output": {"path": self.p(name + ".gpkg"), "quicklook": False}, "analyses": analyses}
        cfg.update(extra)
        path = self.p(name + ".json")
        with open(path, "w") as f:
            json.dump(cfg, f)
        return path

    def test_run_and_check_apply_the_estimates(self):
        many = self.config("many", [{"type": "local", "units": "grid", "grid": "hex:500", "weights": "queen",
                                     "layer": f"l{k}"} for k in range(10000)])
        for args in (["run", "--config", many], ["run", "--check", "--config", many]):
            self.refused(2, args, "analyses: 10000 analyses; the limit is 100")
        some = self.config("some", [{"type": "local", "units": "grid", "grid": "hex:500", "weights": "queen",
                                     "layer": f"l{k}"} for k in range(101)])
        self.refused(2, ["run", "--check", "--config", some], "101 analyses; the limit is 100")
        kde = self.config("kde", [{"type": "kde", "cell_size": 0.7, "bandwidth": 500}], max_memory="4G")
        for args in (["run", "--check", "--config", kde], ["run", "--config", kde]):
            self.refused(2, args, "kde analysis: cell_size:", "needs about", "--max-memory")
        self.assertFalse(os.path.exists(self.p("kde.gpkg")))
        small = self.config("small", [{"type": "kde", "cell_size": 5, "bandwidth": 500}], max_memory="16M")
        self.refused(2, ["run", "--check", "--config", small], "the limit is 16.0 MiB")
        rc, so, se = hs("run", "--check", "--config", small, "--max-memory", "4G")
        self.assertEqual(rc, 0, se)  # the CLI's budget overrides the config's
        odd = self.p("odd.csv")
        write_incidents(odd, extra=["586000,2306000,0024-03-01T10:00:00,theft,1"])
        em = self.config("em", [{"type": "aggregate"}, {"type": "emerging", "grid": "hex:500", "time_step": "1w"}],
                         incidents=odd)
        for args in (["run", "--check", "--config", em], ["run", "--config", em]):
            self.refused(3, args, "emerging analysis:", "1 incident dated 0024-03-01")
        self.assertFalse(os.path.exists(self.p("em.gpkg")))
        perms = self.config("perms", [{"type": "local", "units": "grid", "grid": "hex:500", "weights": "queen",
                                       "permutations": 100000}])
        self.refused(2, ["run", "--check", "--config", perms], "permutations")

    def test_max_memory_values(self):
        for bad in ("abc", "0", "-4G", "4X", "nan"):
            self.refused(2, ["kde", *inc_args(self.inc), "--cell-size", "100", "--max-memory", bad,
                             "--out", self.p("m.tif")], "--max-memory")
        bad_cfg = self.config("badmem", [{"type": "profiles"}], max_memory="lots")
        self.refused(2, ["run", "--check", "--config", bad_cfg], "max_memory")
        self.refused(2, ["run", "--check", "--config", bad_cfg.replace("badmem", "badmem")], "max_memory")

    def test_threads_are_clamped_with_a_note(self):
        rc, so, se = hs("kde", *inc_args(self.inc), "--cell-size", "200", "--bandwidth", "800",
                        "--threads", "2147483647", "--out", self.p("t.tif"))
        self.assertEqual(rc, 0, se)
        self.assertIn("note: --threads 2147483647 is more than the", se)
        cfg = self.config("threads", [{"type": "profiles"}])
        rc, so, se = hs("run", "--check", "--config", cfg, "--threads", "2147483647")
        self.assertEqual(rc, 0, se)
        self.assertIn("note: --threads 2147483647 is more than the", se)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]] + sys.argv[3:], verbosity=2)
