#!/usr/bin/python3
"""Per-shift hotspots (issue 16): a run with several named kde and local analyses on data/sample.

Checked: the layers carry the names (density_night, hotspot_zones_night, local_grid_night) and the
unnamed kde's layers keep theirs; run_metadata records each name's window and hotspot layers;
`hotspot top --window night` ranks only that analysis' layers and counts exactly the incidents the
night KDE used (and an independent count of the incidents layer in Python); without --window, top
leaves the named layers out; hotspot ids are stable per named layer across runs and never shared
between layers; `hotspot evaluate --window night` keeps the same incidents as --hours; the errors
(duplicate names, a name top or evaluate does not know, --window with a window of its own).

Usage: test_shifts.py HOTSPOT_BINARY REPO_ROOT   (run by ctest; needs python3-gdal)
"""
import datetime
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import unittest
import zipfile

from osgeo import ogr

HOTSPOT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SAMPLE = os.path.join(ROOT, "data", "sample")
NIGHT = {"hours": "22:00-06:00"}
DAY = {"hours": "06:00-22:00", "days": "mon-fri"}


def config(out, analyses, previous=None):
    c = {
        "title": "shifts",
        "inputs": {
            "communes": {"path": os.path.join(SAMPLE, "communes.gpkg")},
            "incidents": {"path": os.path.join(SAMPLE, "incidents.csv"), "utc_offset": "+07:00"},
        },
        "work_crs": "EPSG:9210",
        "output": {"path": out, "quicklook": False},
        "analyses": analyses,
    }
    if previous:
        c["previous"] = previous
    return c


def kde(name=None, **window):
    a = {"type": "kde", "cell_size": 100, "bandwidth": 300, "top_percent": 20}
    if name:
        a["name"] = name
    a.update(window)
    return a


def local_night():
    return {"type": "local", "units": "grid", "grid": "hex:500", "weights": "queen", "stat": "gi",
            "permutations": 0, "name": "night", **NIGHT}


ANALYSES = [kde(), kde("night", **NIGHT), kde("day", **DAY), local_night()]


def run(args, check=True):
    p = subprocess.run([HOTSPOT, *args], capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(" ".join(args) + f" exited {p.returncode}:\n" + p.stdout + p.stderr)
    return p


def write_config(d, name, doc):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def metadata(path):
    db = sqlite3.connect(path)
    out = {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM run_metadata")}
    db.close()
    return out


def ids(path, layer):
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName(layer)
    return {f.GetField("hotspot_id"): f.GetField("status") for f in lyr}


def oracle(path, hours, days=None):
    """Incidents of the layer whose local time (UTC+07:00) is in the shift: a shift wrapping
    midnight belongs to the day it began."""
    h0, h1 = (int(t[:2]) * 60 + int(t[3:]) for t in hours.split("-"))
    allowed = set(range(7))
    if days == "mon-fri":
        allowed = set(range(5))
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName("incidents")
    ti = lyr.GetLayerDefn().GetFieldIndex("time")
    n = 0
    for f in lyr:
        if not f.IsFieldSetAndNotNull(ti):
            continue
        y, mo, d, h, mi, s, _ = f.GetFieldAsDateTime(ti)
        local = datetime.datetime(y, mo, d, h, mi, int(s)) + datetime.timedelta(hours=7)
        minute = local.hour * 60 + local.minute
        inside = (h0 <= minute < h1) if h0 < h1 else (minute >= h0 or minute < h1)
        day = local.date() - datetime.timedelta(days=1) if h1 < h0 and minute < h1 else local.date()
        if inside and day.weekday() in allowed:
            n += 1
    return n


class Shifts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.d = cls.tmp.name
        cls.out = os.path.join(cls.d, "shifts.gpkg")
        cls.cfg = write_config(cls.d, "run.json", config(cls.out, ANALYSES))
        cls.summary = json.loads(run(["run", "--quiet", "--json", "--config", cls.cfg]).stdout)
        cls.meta = metadata(cls.out)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def top(self, *args):
        return json.loads(run(["top", "--in", self.out, "--format", "json", "--min-pai", "0", *args]).stdout)

    def test_layers_carry_the_names(self):
        layers = {l["name"] for l in self.summary["layers"]}
        for name in ("density", "hotspot_zones", "density_night", "hotspot_zones_night", "density_day",
                     "hotspot_zones_day", "local_grid_night"):
            self.assertIn(name, layers)
        self.assertEqual(set(self.summary["analyses"]) & {"kde", "kde_night", "kde_day", "local_grid_night"},
                         {"kde", "kde_night", "kde_day", "local_grid_night"})
        self.assertEqual(self.summary["analyses"]["kde_night"]["parameters"]["hours"], "22:00-06:00")
        self.assertIn("kde_day", self.summary["bandwidths_m"])

    def test_run_metadata_records_each_window(self):
        w = self.meta["windows"]
        self.assertEqual(set(w), {"night", "day"})
        self.assertEqual(w["night"]["hours"], "22:00-06:00")
        self.assertEqual(w["day"]["days"], "mon-fri")
        self.assertEqual(sorted((l["layer"], l["source"]) for l in w["night"]["layers"]),
                         [("hotspot_zones_night", "zones"), ("local_grid_night", "gi")])
        self.assertEqual(w["day"]["layers"], [{"layer": "hotspot_zones_day", "source": "zones"}])

    def test_top_window_counts_the_incidents_the_kde_used(self):
        counts = self.meta["counts"]["analyses"]
        for name, window in (("night", NIGHT), ("day", DAY)):
            got = self.top("--window", name)
            k = counts["kde_" + name]
            self.assertEqual(got["header"]["window"]["name"], name)
            self.assertEqual(got["header"]["window"]["hours"], window["hours"])
            # The same incidents: top's window count is the KDE's, before the mask and after it.
            self.assertEqual(got["header"]["incidents_in_window"], k["in_window"], name)
            self.assertEqual(k["used"] + k["outside_mask"], k["in_window"], name)
            # ... and an independent count of the incidents layer.
            self.assertEqual(k["in_window"], oracle(self.out, window["hours"], window.get("days")), name)
            self.assertGreater(k["filtered_hours"], 0)
        # The local analysis of the same name counted the same incidents into its grid.
        loc = counts["local_grid_night"]
        self.assertEqual(loc["incidents_counted"] + loc["incidents_outside"], counts["kde_night"]["in_window"])
        # And --hours on top counts the same as --window.
        self.assertEqual(self.top("--hours", "22:00-06:00")["header"]["incidents_in_window"],
                         counts["kde_night"]["in_window"])

    def test_local_command_takes_the_window(self):
        out = os.path.join(self.d, "local_night.gpkg")
        inputs = ["--incidents", os.path.join(SAMPLE, "incidents.csv"), "--communes",
                  os.path.join(SAMPLE, "communes.gpkg"), "--work-crs", "EPSG:9210"]
        text = run(["local", "--grid", "hex:500", *inputs, "--weights", "queen", "--stat", "gi",
                    "--permutations", "0", "--hours", "22:00-06:00", "--out", out]).stdout
        self.assertIn(f"counted {self.meta['counts']['analyses']['kde_night']['in_window']},", text)
        p = run(["local", "--units", os.path.join(SAMPLE, "communes.gpkg"), "--field", "population",
                 "--weights", "queen", "--hours", "22:00-06:00", "--out", out + ".units.gpkg"], check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--hours: filters incidents", p.stderr)

    def test_top_window_ranks_that_analysis_only(self):
        night = self.top("--window", "night")
        self.assertEqual(sorted(l["layer"] for l in night["header"]["layers"]),
                         ["hotspot_zones_night", "local_grid_night"])
        for h in night["hotspots"]:
            self.assertTrue(set(h["layer"].split("+")) <= {"hotspot_zones_night", "local_grid_night"}, h["layer"])
        plain = self.top()
        self.assertEqual([l["layer"] for l in plain["header"]["layers"]], ["hotspot_zones"])
        self.assertIsNone(plain["header"]["window"]["name"])
        table = run(["top", "--in", self.out, "--window", "night"]).stdout
        self.assertIn("window     night: all dates; 22:00-06:00; every day; all categories", table)
        # Every id is printed whole: the planner looks for it on the map.
        listed = json.loads(run(["top", "--in", self.out, "--window", "night", "--format", "json"]).stdout)
        self.assertTrue(any(len(h["hotspot"]) > 8 for h in listed["hotspots"]))
        for h in listed["hotspots"]:
            self.assertRegex(table, r"\n +%d %s +\d" % (h["rank"], re.escape(h["hotspot"])))
        self.assertNotIn("\u2026", table)

    def test_top_window_errors(self):
        p = run(["top", "--in", self.out, "--window", "evening"], check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("no analysis named 'evening' (names: day, night)", p.stderr)
        p = run(["top", "--in", self.out, "--window", "night", "--hours", "20:00-23:00"], check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--window night", p.stderr)

    def test_quick_look_and_project(self):
        db = sqlite3.connect(self.out)
        content = db.execute("SELECT content FROM qgis_projects").fetchone()[0]
        db.close()
        data = bytes.fromhex(content if isinstance(content, str) else content.decode())
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            qgs = b"".join(z.read(n) for n in z.namelist()).decode()
        for layer in ("layername=hotspot_zones_night", "layername=hotspot_zones_day", ":density_night",
                      "layername=local_grid_night", "layername=hotspot_zones\""):
            self.assertIn(layer, qgs)
        self.assertIn("Hotspot zones (KDE top 20 %) — night", qgs)
        self.assertIn("Hot and cold spots (Gi*, 500 m hex) — night", qgs)
        # The primary kde (the unnamed one) is on when the project opens; the shifts are off.
        checked = {layer: state for state, layer in re.findall(
            r'<layer-tree-layer [^>]*checked="Qt::(\w+)"[^>]*source="[^"]*(?:layername=|gpkg:)(\w+)"', qgs)}
        self.assertEqual(checked["hotspot_zones"], "Checked")
        self.assertEqual(checked["density"], "Checked")
        for layer in ("hotspot_zones_night", "hotspot_zones_day", "local_grid_night", "density_night"):
            self.assertEqual(checked[layer], "Unchecked", layer)

    def test_stable_ids_per_named_layer(self):
        first = {layer: ids(self.out, layer) for layer in ("hotspot_zones", "hotspot_zones_night", "hotspot_zones_day")}
        every = [i for layer in first.values() for i in layer]
        self.assertEqual(len(every), len(set(every)), "an id is shared between layers")
        # The same run again: every zone of every layer keeps its id.
        again = os.path.join(self.d, "again.gpkg")
        cfg = write_config(self.d, "again.json", config(again, ANALYSES, previous=self.out))
        run(["run", "--quiet", "--config", cfg])
        for layer, before in first.items():
            now = ids(again, layer)
            self.assertEqual(set(now), set(before), layer)
            self.assertEqual(set(now.values()), {"persisting"}, layer)
        # The night analysis renamed: its zones match nothing of another layer; they are new, and
        # the night zones vanished.
        renamed = os.path.join(self.d, "renamed.gpkg")
        cfg = write_config(self.d, "renamed.json",
                           config(renamed, [kde(), kde("late", **NIGHT)], previous=self.out))
        run(["run", "--quiet", "--config", cfg])
        late = ids(renamed, "hotspot_zones_late")
        self.assertEqual(set(late.values()), {"new"})
        self.assertFalse(set(late) & set(every))
        ds = ogr.Open(renamed)
        gone = {(f.GetField("hotspot_id"), f.GetField("layer")) for f in ds.GetLayerByName("vanished_hotspots")}
        self.assertEqual({i for i, layer in gone if layer == "hotspot_zones_night"}, set(first["hotspot_zones_night"]))

    def test_evaluate_window(self):
        common = ["evaluate", "--config", self.cfg, "--methods", "naive", "--cell", "250", "--folds", "2",
                  "--train", "4w", "--format", "json"]
        named = json.loads(run([*common, "--window", "night"]).stdout)
        given = json.loads(run([*common, "--hours", "22:00-06:00"]).stdout)
        plain = json.loads(run(common).stdout)
        self.assertEqual(named["incidents"], given["incidents"])
        self.assertEqual(named["folds"], given["folds"])
        self.assertGreater(named["incidents"]["outside_window"], 0)
        self.assertLess(named["incidents"]["used"], plain["incidents"]["used"])
        p = run([*common, "--window", "evening"], check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("no kde or local analysis named 'evening' (names: night, day)", p.stderr)
        p = run([*common, "--window", "night", "--days", "sat"], check=False)
        self.assertEqual(p.returncode, 2, p.stderr)

    def test_config_errors(self):
        cases = [
            ([kde(), kde()], "analyses[1].type: a second unnamed 'kde' analysis (the first is analyses[0])"),
            ([kde("night", **NIGHT), kde("night", **DAY)], "analyses[1].name: 'night' is also the name of analyses[0] (kde)"),
            ([kde("Night")], "analyses[0].name: not valid (got \"Night\")"),
            ([kde("night", **NIGHT), {**local_night(), "hours": "21:00-06:00"}],
             "analyses[1]: named 'night' like analyses[0], but its window"),
        ]
        for analyses, message in cases:
            cfg = write_config(self.d, "bad.json", config(os.path.join(self.d, "bad.gpkg"), analyses))
            p = run(["run", "--quiet", "--config", cfg], check=False)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(message, p.stderr)
            self.assertFalse(os.path.exists(os.path.join(self.d, "bad.gpkg")))


    def test_summary_names_each_filter_and_the_config_key(self):
        # A weekday filter's rows were reported as "dates"; the work CRS as "given with --work-crs".
        out = os.path.join(self.d, "wording.gpkg")
        cfg = write_config(self.d, "wording.json", config(out, [
            kde("weekend", days="sat,sun"), kde("attempts", categories=["theft, attempted"], **NIGHT)]))
        p = run(["run", "--config", cfg])
        self.assertIn("(given as work_crs)", p.stdout)
        self.assertNotIn("--work-crs", p.stdout)
        filtered = [l for l in p.stdout.splitlines() if l.startswith("filtered")]
        self.assertEqual(len(filtered), 2, p.stdout)
        self.assertRegex(filtered[0], r"^filtered   days [1-9]\d*(, no time \d+)?$")
        self.assertRegex(filtered[1], r"^filtered   categories [1-9]\d*, hours [1-9]\d*(, no time \d+)?$")
        counts = metadata(out)["counts"]["analyses"]
        self.assertGreater(counts["kde_weekend"]["filtered_days"], 0)
        self.assertEqual(counts["kde_weekend"]["filtered_dates"], 0)
        self.assertEqual(metadata(out)["parameters"]["work_crs_reason"], "given as work_crs")

    def test_category_lists_quote_names_with_commas(self):
        # "categories present: theft, ..., drugs, theft, attempted" read as two categories.
        cfg = write_config(self.d, "unknown.json", config(os.path.join(self.d, "unknown.gpkg"),
                                                          [kde("x", categories=["vandalism"])]))
        p = run(["run", "--config", cfg], check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertRegex(p.stdout + p.stderr, r"categories present: [^\n]*, 'theft, attempted'")
        self.assertNotRegex(p.stdout + p.stderr, r"categories present: [^\n]*, theft, attempted")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
