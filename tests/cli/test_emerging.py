#!/usr/bin/python3
"""hotspot emerging on generated data with planted patterns: each must come back in its category.

Usage: test_emerging.py HOTSPOT_BINARY   (run by ctest; needs python3-gdal)
The data is planar (10 km square, data units = metres), 20 Monday-based weeks from 2024-01-01,
a uniform background of 8 incidents per 500 m hexagon per week, and at five places:
  new          60 extra incidents in the last week only
  intensifying 30 + 5 t extra in week t
  diminishing  130 - 5 t extra in week t
  oscillating  an empty 1.3 km disc in weeks 2-3 (cold), 60 extra in weeks 10, 15 and 19 (hot)
  cold         an empty 1.3 km disc in every week
"""
import datetime
import json
import math
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

from osgeo import ogr

HOTSPOT = os.path.abspath(sys.argv[1])
SIZE, WEEKS, BACKGROUND = 500.0, 20, 8
PLACES = {"new": (2000, 2000), "intensifying": (8000, 2000), "diminishing": (5000, 5000),
          "oscillating": (2000, 8000), "cold": (8000, 8000)}
EXPECTED = {"new": "New Hot Spot", "intensifying": "Intensifying Hot Spot", "diminishing": "Diminishing Hot Spot",
            "oscillating": "Oscillating Hot Spot", "cold": "Persistent Cold Spot"}


def extra(place, week):
    return {"new": 60 if week == WEEKS - 1 else 0, "intensifying": 30 + 5 * week, "diminishing": 130 - 5 * week,
            "oscillating": 60 if week in (10, 15, 19) else 0, "cold": 0}[place]


def empty(place, week):
    return place == "cold" or (place == "oscillating" and week in (2, 3))


def generate(path):
    rng = random.Random(20240101)
    cells = 10000 * 10000 / (math.sqrt(3) / 2 * SIZE * SIZE)
    start = datetime.datetime(2024, 1, 1)
    rows, n = [], 0
    for week in range(WEEKS):
        def when():
            return (start + datetime.timedelta(days=7 * week + 7 * rng.random())).strftime("%Y-%m-%dT%H:%M:%S")
        for _ in range(int(BACKGROUND * cells)):
            x, y = rng.random() * 10000, rng.random() * 10000
            if any(empty(p, week) and math.hypot(x - px, y - py) < 1300 for p, (px, py) in PLACES.items()):
                continue
            rows.append((x, y, when()))
        for p, (px, py) in PLACES.items():
            for _ in range(extra(p, week)):
                rows.append((px + (rng.random() - 0.5) * 100, py + (rng.random() - 0.5) * 100, when()))
    with open(path, "w") as f:
        f.write("id,x,y,time\n")
        for i, (x, y, t) in enumerate(rows):
            f.write(f"{i},{x:.2f},{y:.2f},{t}\n")
    return len(rows)


class Emerging(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hotspot-emerging-")
        cls.csv = os.path.join(cls.tmp, "inc.csv")
        cls.rows = generate(cls.csv)
        cls.out = os.path.join(cls.tmp, "em.gpkg")
        p = subprocess.run([HOTSPOT, "emerging", "--incidents", cls.csv, "--incidents-crs", "planar", "--utc-offset",
                            "+00:00", "--grid", f"hex:{SIZE:g}", "--time-step", "1w", "--out", cls.out],
                           capture_output=True, text=True)
        cls.rc, cls.stdout, cls.stderr = p.returncode, p.stdout, p.stderr

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_run(self):
        self.assertEqual(self.rc, 0, self.stderr)
        self.assertIn(f"read {self.rows} = accepted {self.rows} + rejected 0", self.stdout)
        self.assertIn(f"x {WEEKS} steps of 1w", self.stdout)
        p = subprocess.run([sys.executable, "-m", "osgeo_utils.samples.validate_gpkg", self.out], capture_output=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_planted_patterns_come_back(self):
        ds = ogr.Open(self.out)  # keep the dataset alive while its layer is read
        layer = ds.GetLayerByName("emerging")
        for place, (px, py) in PLACES.items():
            point = ogr.CreateGeometryFromWkt(f"POINT({px} {py})")
            layer.SetSpatialFilter(point)
            found = [f.GetField("category") for f in layer if f.GetGeometryRef().Contains(point)]
            layer.SetSpatialFilter(None)
            self.assertEqual(found, [EXPECTED[place]], place)

    def test_cube_is_complete_and_counts_add_up(self):
        db = sqlite3.connect(self.out)
        cells = db.execute("SELECT count(*) FROM emerging").fetchone()[0]
        self.assertEqual(db.execute("SELECT count(*) FROM emerging_cube").fetchone()[0], cells * WEEKS)
        self.assertEqual(db.execute("SELECT sum(count) FROM emerging_cube").fetchone()[0], self.rows)
        self.assertEqual(db.execute("SELECT sum(total) FROM emerging").fetchone()[0], self.rows)
        starts = [r[0] for r in db.execute("SELECT DISTINCT step_start FROM emerging_cube ORDER BY step")]
        self.assertEqual(starts[0], "2024-01-01T00:00:00.000Z")
        self.assertEqual(len(starts), WEEKS)
        style = db.execute("SELECT styleQML FROM layer_styles WHERE f_table_name = 'emerging'").fetchone()[0]
        self.assertIn("categorizedSymbol", style)
        self.assertIn("Intensifying Hot Spot", style)

    def test_no_cube_leaves_the_other_layers_identical(self):
        # --no-cube (a run configuration's "cube": false): no emerging_cube table, and every other
        # table holds the same rows, field for field, as with the cube.
        out = os.path.join(self.tmp, "nocube.gpkg")
        p = subprocess.run([HOTSPOT, "emerging", "--incidents", self.csv, "--incidents-crs", "planar", "--utc-offset",
                            "+00:00", "--grid", f"hex:{SIZE:g}", "--time-step", "1w", "--no-cube", "--out", out],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("emerging_cube", p.stdout)
        with_cube, without = sqlite3.connect(self.out), sqlite3.connect(out)

        def tables(db):
            return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        self.assertIn("emerging_cube", tables(with_cube))
        self.assertNotIn("emerging_cube", tables(without))
        self.assertEqual(without.execute("SELECT count(*) FROM gpkg_contents WHERE table_name = 'emerging_cube'")
                         .fetchone()[0], 0)
        self.assertEqual(tables(with_cube) - {"emerging_cube"}, tables(without))
        for q in ("SELECT * FROM emerging ORDER BY 1", "SELECT * FROM rejected_incidents ORDER BY 1",
                  "SELECT f_table_name, styleName, styleQML FROM layer_styles ORDER BY 1, 2"):  # not its time
            self.assertEqual(with_cube.execute(q).fetchall(), without.execute(q).fetchall(), q)
        params = json.loads(without.execute("SELECT value FROM run_metadata WHERE key = 'parameters'").fetchone()[0])
        self.assertIs(params["cube"], False)

    def test_band_has_its_unit(self):
        # The test data is planar: lengths are in data units.
        self.assertRegex(self.stdout, r"band \d+(\.\d+)? data units, neighbourhood time \d+ steps?\n")

    def test_bad_options_exit_2(self):
        for args in (["--grid", "tri:5"], ["--grid", "hex:500", "--time-step", "1y"],
                     ["--grid", "hex:500", "--neighbourhood-time", "-1"]):
            p = subprocess.run([HOTSPOT, "emerging", "--incidents", self.csv, "--incidents-crs", "planar",
                                "--out", os.path.join(self.tmp, "bad.gpkg"), *args], capture_output=True, text=True)
            self.assertEqual(p.returncode, 2, (args, p.stderr))


class DateOnly(unittest.TestCase):
    """Date-only incidents (a date, an empty time of day) have a day but no hour: emerging's steps
    are whole days or longer (1d, 1w, 1mo; a sub-day step is refused), so they stay in, each in
    the step of its date."""

    def test_date_only_incidents_count_in_daily_steps(self):
        tmp = tempfile.mkdtemp(prefix="hotspot-emerging-dateonly-")
        self.addCleanup(shutil.rmtree, tmp)
        rng = random.Random(17)
        days, per_day, rows = 12, [], []
        for d in range(days):
            n = 20 + 3 * d
            per_day.append(n)
            for k in range(n):
                date = (datetime.date(2024, 3, 4) + datetime.timedelta(days=d)).isoformat()
                clock = "" if k % 4 == 0 else f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
                rows.append((rng.uniform(0, 3000), rng.uniform(0, 3000), date, clock))
        csv_path = os.path.join(tmp, "inc.csv")
        with open(csv_path, "w") as f:
            f.write("id,x,y,date,clock\n")
            for i, (x, y, date, clock) in enumerate(rows):
                f.write(f"{i},{x:.2f},{y:.2f},{date},{clock}\n")
        date_only = sum(1 for r in rows if not r[3])
        out = os.path.join(tmp, "em.gpkg")
        base = [HOTSPOT, "emerging", "--incidents", csv_path, "--incidents-crs", "planar",
                "--date-field", "date", "--time-field", "clock", "--time-format", "%Y-%m-%d %H:%M",
                "--grid", "hex:500", "--out", out]
        p = subprocess.run(base + ["--time-step", "1d"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(f"{date_only} ", p.stdout + p.stderr)  # the date-only count is reported
        db = sqlite3.connect(out)
        self.assertEqual(db.execute("SELECT sum(count) FROM emerging_cube").fetchone()[0], len(rows))
        got = [r[0] for r in db.execute(
            "SELECT sum(count) FROM emerging_cube GROUP BY step ORDER BY step")]
        self.assertEqual(got, per_day)
        db.close()
        # No step shorter than a day exists, so no step would have to leave them out.
        p = subprocess.run(base + ["--time-step", "6h", "--overwrite"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--time-step: '6h'", p.stderr)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
