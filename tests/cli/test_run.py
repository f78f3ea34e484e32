#!/usr/bin/python3
"""hotspot run end to end on the bundled sample: every layer in one GeoPackage, the JSON summary
against its schema, bad configurations, --if-changed, determinism at 1 and 2 threads, stable
hotspot ids across two runs with shifted data, and SIGKILL during a run.

Usage: test_run.py HOTSPOT_BINARY REPO_ROOT
"""
import csv
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

import jsonschema
from osgeo import gdal, ogr

gdal.UseExceptions()
HOTSPOT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SAMPLE = os.path.join(ROOT, "data", "sample")


def read_json(path):
    with open(path) as f:
        return json.load(f)


def write_text(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def file_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def contents(gpkg):
    """The tables a GeoPackage lists (gpkg_contents), sorted."""
    con = sqlite3.connect(gpkg)
    try:
        return sorted(r[0] for r in con.execute("SELECT table_name FROM gpkg_contents"))
    finally:
        con.close()


RUN_SCHEMA = read_json(os.path.join(ROOT, "schemas", "run.schema.json"))
SUMMARY_SCHEMA = read_json(os.path.join(ROOT, "schemas", "run-summary.schema.json"))

# Every layer a full run writes (issues 2-7), besides the density raster.
LAYERS = {"communes", "commune_category_counts", "zones", "zone_communes", "incidents", "rejected_incidents",
          "temporal_profiles", "peak_hours", "hotspot_zones", "clusters", "cluster_members", "local_communes",
          "local_grid", "emerging", "emerging_cube", "near_repeat", "vanished_hotspots", "run_metadata"}


def sample_config(out, incidents=None, fast=True):
    """data/sample/run.json with absolute paths, the output in `out`; fewer permutations when fast."""
    c = read_json(os.path.join(SAMPLE, "run.json"))
    for k in ("communes", "zones", "incidents", "roads"):
        if k in c["inputs"]:
            c["inputs"][k]["path"] = os.path.join(SAMPLE, c["inputs"][k]["path"])
    if incidents:
        c["inputs"]["incidents"]["path"] = incidents
    c["output"]["path"] = out
    if fast:
        for a in c["analyses"]:
            if "permutations" in a:
                a["permutations"] = 99
    return c


def write_json(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
    return path


def run(*args, check=True):
    p = subprocess.run([HOTSPOT, "run", *args], capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(f"hotspot run {' '.join(args)} exited {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def layer_rows(path, name):
    """Every feature of a layer as a sorted list of (attributes, geometry WKB hex)."""
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName(name)
    rows = []
    for f in lyr:
        g = f.GetGeometryRef()
        items = {k: v for k, v in f.items().items() if k != "update_time"}  # layer_styles: when it was written
        rows.append((json.dumps(items, sort_keys=True, default=str), g.ExportToIsoWkb().hex() if g else ""))
    return sorted(rows)


class Run(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hotspot-run-")
        cls.out = os.path.join(cls.tmp, "full.gpkg")
        cls.config = write_json(os.path.join(cls.tmp, "run.json"), sample_config(cls.out))
        p = run("--config", cls.config, "--json", "--threads", "2")
        cls.summary = json.loads(p.stdout)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_sample_config_matches_the_schema(self):
        jsonschema.Draft7Validator.check_schema(RUN_SCHEMA)
        jsonschema.validate(read_json(os.path.join(SAMPLE, "run.json")), RUN_SCHEMA)
        self.assertEqual(run("--config", os.path.join(SAMPLE, "run.json"), "--check").returncode, 0)

    def test_every_layer_in_one_valid_geopackage(self):
        ds = ogr.Open(self.out)
        names = {ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())}
        self.assertTrue(LAYERS <= names, LAYERS - names)
        raster = gdal.Open(f"GPKG:{self.out}:density")
        self.assertGreater(raster.RasterXSize, 10)
        v = subprocess.run([sys.executable, "-m", "osgeo_utils.samples.validate_gpkg", self.out],
                           capture_output=True, text=True)
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        # The project is there, and so is the quick-look map.
        self.assertEqual(ds.ExecuteSQL("SELECT count(*) FROM qgis_projects").GetNextFeature().GetField(0), 1)
        png = os.path.join(self.tmp, "full.png")
        self.assertEqual(file_bytes(png)[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(self.summary["output"]["quicklook"], png)

    def test_summary_matches_its_schema_and_the_file(self):
        s = self.summary
        jsonschema.validate(s, SUMMARY_SCHEMA)
        self.assertEqual(s["status"], "ok")
        c = s["counts"]
        self.assertEqual(c["read"], c["accepted"] + c["rejected"])
        self.assertEqual((c["read"], c["accepted"], c["rejected"]), (50024, 50006, 18))
        self.assertEqual(sum(c["rejected_by_reason"].values()), c["rejected"])
        ds = ogr.Open(self.out)
        for layer in s["layers"]:
            if layer["name"] == "density":
                continue
            self.assertEqual(ds.GetLayerByName(layer["name"]).GetFeatureCount(), layer["features"], layer["name"])
        self.assertIn("kde", s["bandwidths_m"])
        self.assertGreater(s["bandwidths_m"]["kde"], 0)
        self.assertEqual(s["scales_m"]["kde"], 50)
        for step in ("read incidents", "kde: density", "clusters: cluster", "local_grid: permutations", "write"):
            self.assertTrue(any(k.startswith(step) for k in s["timings_s"]), step)
        self.assertEqual(len(s["config"]["sha256"]), 64)
        self.assertEqual(s["inputs"]["incidents"]["sha256"], hashlib.sha256(file_bytes(os.path.join(SAMPLE, "incidents.csv"))).hexdigest())
        for lib in ("hotspot", "gdal", "geos", "proj", "sqlite"):
            self.assertTrue(s["versions"][lib])

    def test_rows_are_accounted_for(self):
        ds = ogr.Open(self.out)
        accepted = ds.GetLayerByName("incidents").GetFeatureCount()
        rejected = ds.GetLayerByName("rejected_incidents").GetFeatureCount()
        self.assertEqual(accepted + rejected, 50024)

    def test_first_run_hotspots_are_all_new(self):
        ds = ogr.Open(self.out)
        for layer in ("hotspot_zones", "clusters"):
            statuses = {f["status"] for f in ds.GetLayerByName(layer)}
            self.assertEqual(statuses, {"new"}, layer)
        self.assertEqual(ds.GetLayerByName("vanished_hotspots").GetFeatureCount(), 0)

    def test_bad_configs_exit_2_and_name_the_json_path(self):
        cases = [
            (lambda c: c["analyses"][2].update(cell_size=0), "analyses[2].cell_size: must be > 0"),
            (lambda c: c["analyses"][2].update(bandwidth=0), "analyses[2].bandwidth: must be"),
            (lambda c: c["analyses"][3].update(method="optics"), "analyses[3].method: must be one of dbscan"),
            (lambda c: c["analyses"][2].update(top_percent=10, threshold=2),
             "analyses[2].threshold: give at most one of"),
            (lambda c: c.pop("analyses"), "analyses: is required"),
            (lambda c: c["analyses"][6].update(time_step="1y"), "analyses[6].time_step: not valid"),
        ]
        for k, (edit, expected) in enumerate(cases):
            c = sample_config(os.path.join(self.tmp, "never.gpkg"))
            edit(c)
            # What the schema says, python3-jsonschema says too (except file checks and exclusions).
            if "no such file" not in expected and "at most one" not in expected:
                with self.assertRaises(jsonschema.ValidationError):
                    jsonschema.validate(c, RUN_SCHEMA)
            path = write_json(os.path.join(self.tmp, f"bad{k}.json"), c)
            p = run("--config", path, check=False)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(expected, p.stderr)
            self.assertFalse(os.path.exists(os.path.join(self.tmp, "never.gpkg")))
            # With --json the error is a document too.
            p = run("--config", path, "--json", check=False)
            doc = json.loads(p.stdout)
            jsonschema.validate(doc, SUMMARY_SCHEMA)
            self.assertEqual((doc["status"], doc["exit_code"]), ("error", 2))
        # A file that cannot be opened is an I/O failure: exit 4, named by its JSON path.
        c = sample_config(os.path.join(self.tmp, "never.gpkg"))
        c["inputs"]["incidents"]["path"] = "/nonexistent.csv"
        p = run("--config", write_json(os.path.join(self.tmp, "missing_input.json"), c), check=False)
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("inputs.incidents.path: no such file", p.stderr)
        p = subprocess.run([HOTSPOT, "run", "--config", os.path.join(self.tmp, "missing.json")], capture_output=True)
        self.assertEqual(p.returncode, 4)
        bad = os.path.join(self.tmp, "broken.json")
        write_text(bad, '{"inputs": {\n  "communes": }')
        p = run("--config", bad, check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("not valid JSON at line 2", p.stderr)

    def test_bad_data_exits_3(self):
        broken = os.path.join(self.tmp, "broken.csv")
        write_text(broken, "id,lon,lat,time,category\n")  # no incidents at all
        c = sample_config(os.path.join(self.tmp, "empty.gpkg"), incidents=broken)
        p = run("--config", write_json(os.path.join(self.tmp, "empty.json"), c), check=False)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "empty.gpkg")))

    def test_if_changed(self):
        out = os.path.join(self.tmp, "nightly.gpkg")
        incidents = os.path.join(self.tmp, "nightly.csv")
        shutil.copy(os.path.join(SAMPLE, "incidents.csv"), incidents)
        config = write_json(os.path.join(self.tmp, "nightly.json"), sample_config(out, incidents))
        run("--config", config, "--if-changed", "--quiet")  # no output yet: runs
        before = os.stat(out).st_mtime_ns
        p = run("--config", config, "--if-changed", "--json")
        doc = json.loads(p.stdout)
        jsonschema.validate(doc, SUMMARY_SCHEMA)
        self.assertEqual(doc["status"], "skipped")
        self.assertEqual(os.stat(out).st_mtime_ns, before)
        p = run("--config", config, "--if-changed")
        self.assertIn("unchanged", p.stdout)
        # Reformatting the config changes nothing; a new incident does.
        write_json(config, read_json(config))
        self.assertEqual(json.loads(run("--config", config, "--if-changed", "--json").stdout)["status"], "skipped")
        with open(incidents, "a") as f:
            f.write("NEW0000001,106.65,20.85,2024-06-30T10:00:00+07:00,theft\n")
        doc = json.loads(run("--config", config, "--if-changed", "--json").stdout)
        self.assertEqual(doc["status"], "ok")
        self.assertEqual(doc["counts"]["read"], 50025)
        self.assertNotEqual(os.stat(out).st_mtime_ns, before)

    def test_same_layers_at_1_and_2_threads(self):
        outs = []
        for threads in ("1", "2"):
            out = os.path.join(self.tmp, f"threads{threads}", "run.gpkg")  # same file name: same project paths
            os.makedirs(os.path.dirname(out))
            config = write_json(os.path.join(self.tmp, f"threads{threads}.json"), sample_config(out))
            run("--config", config, "--threads", threads, "--quiet")
            outs.append(out)
        ds = ogr.Open(outs[0])
        for i in range(ds.GetLayerCount()):
            name = ds.GetLayer(i).GetName()
            if name in ("run_metadata",):
                continue
            self.assertEqual(layer_rows(outs[0], name), layer_rows(outs[1], name), name)
        rasters = [gdal.Open(f"GPKG:{out}:density") for out in outs]  # kept open while their bands are read
        a, b = (r.GetRasterBand(1).ReadRaster() for r in rasters)
        self.assertEqual(hashlib.sha256(a).hexdigest(), hashlib.sha256(b).hexdigest())

    def test_hotspot_ids_carry_over_to_the_next_run(self):
        # Night 2: the same incidents one week later, minus those in the weakest hotspot zone, so it
        # vanishes, plus a new dense patch far from every zone, so a new one appears.
        out = os.path.join(self.tmp, "ids.gpkg")
        config = write_json(os.path.join(self.tmp, "ids.json"), sample_config(out))
        run("--config", config, "--quiet")
        ds = ogr.Open(out)
        first = {f["hotspot_id"]: f.items() for f in ds.GetLayerByName("hotspot_zones")}
        weakest = min(ds.GetLayerByName("hotspot_zones"), key=lambda f: f["incidents"])
        gone_id, gone_geom = weakest["hotspot_id"], weakest.GetGeometryRef().Clone()
        inc = ds.GetLayerByName("incidents")
        inc.SetSpatialFilter(gone_geom)
        drop = {f["incident_id"] for f in inc}
        ds = None
        self.assertGreater(len(drop), 0)
        shifted = os.path.join(self.tmp, "night2.csv")
        with open(os.path.join(SAMPLE, "incidents.csv")) as src, open(shifted, "w", newline="") as dst:
            r, w = csv.reader(src), csv.writer(dst)
            w.writerow(next(r))
            for row in r:
                if row[0] in drop:
                    continue
                try:
                    t = dt.datetime.fromisoformat(row[3]) + dt.timedelta(days=7)
                    row[3] = t.isoformat()
                except ValueError:
                    pass  # the sample's deliberately bad rows stay bad
                w.writerow(row)
        run("--config", write_json(config, sample_config(out, shifted)), "--quiet")
        ds = ogr.Open(out)
        second = {f["hotspot_id"]: f.items() for f in ds.GetLayerByName("hotspot_zones")}
        kept = set(first) & set(second)
        self.assertGreaterEqual(len(kept), len(first) - 2, (sorted(first), sorted(second)))
        for hid in kept:
            f = second[hid]
            self.assertIn(f["status"], {"persisting", "grown", "shrunk"})
            self.assertEqual(f["first_seen"], first[hid]["first_seen"])
            self.assertEqual(f["days_active"], 8)
        self.assertNotIn(gone_id, second)
        vanished = {f["hotspot_id"]: f.items() for f in ds.GetLayerByName("vanished_hotspots")}
        ds = None
        self.assertIn(gone_id, vanished)
        self.assertEqual(vanished[gone_id]["layer"], "hotspot_zones")
        new_ids = set(second) - set(first)
        self.assertTrue(all(int(h[1:]) > max(int(k[1:]) for k in first) for h in new_ids), new_ids)
        # A third run on the same data: all persist, and the vanished one is not carried again.
        run("--config", config, "--quiet")
        ds = ogr.Open(out)
        third = {f["hotspot_id"]: f["status"] for f in ds.GetLayerByName("hotspot_zones")}
        self.assertEqual(set(third), set(second))
        self.assertEqual(set(third.values()), {"persisting"})
        self.assertEqual(ds.GetLayerByName("vanished_hotspots").GetFeatureCount(), 0)

    def test_sigkill_leaves_the_previous_output_intact(self):
        out = os.path.join(self.tmp, "killed.gpkg")
        config = write_json(os.path.join(self.tmp, "killed.json"), sample_config(out))
        t0 = time.monotonic()
        run("--config", config, "--quiet")
        full = time.monotonic() - t0
        layers = contents(out)
        rng = random.Random(7)
        for r in range(6):
            before = hashlib.sha256(file_bytes(out)).hexdigest()
            p = subprocess.Popen([HOTSPOT, "run", "--config", config, "--quiet"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0, full))
            p.kill()
            rc = p.wait()
            if rc != 0 and hashlib.sha256(file_bytes(out)).hexdigest() != before:
                # Killed after the GeoPackage was committed (renamed into place), while the quick-look
                # was still being written: the new output must then be whole, every layer present.
                self.assertEqual(contents(out), layers, f"round {r}: killed, and the output is not the old one "
                                 "nor a complete new one")
            v = subprocess.run([sys.executable, "-m", "osgeo_utils.samples.validate_gpkg", out], capture_output=True)
            self.assertEqual(v.returncode, 0, f"round {r}")
        run("--config", config, "--quiet")
        self.assertEqual([f for f in os.listdir(self.tmp) if f.startswith(".killed") and ".tmp-" in f], [])


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
