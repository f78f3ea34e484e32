#!/usr/bin/python3
"""run --check that checks everything, validate --config, exit codes and streams, provenance
hashes with --if-changed, and hotspot init -> run --check -> run (issue 13).

Each case is small (a few thousand incidents, few analyses) so the file runs in seconds.

Usage: test_check.py HOTSPOT_BINARY REPO_ROOT
"""
import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import unittest

import jsonschema
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
HOTSPOT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SAMPLE = os.path.join(ROOT, "data", "sample")
with open(os.path.join(ROOT, "schemas", "run.schema.json")) as f:
    RUN_SCHEMA = json.load(f)


def hotspot(*args, check=False):
    p = subprocess.run([HOTSPOT, *args], capture_output=True, text=True, timeout=300)
    if check and p.returncode != 0:
        raise AssertionError(f"hotspot {' '.join(args)} exited {p.returncode}:\n{p.stderr}")
    return p


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_json(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
    return path


def run_metadata(gpkg):
    ds = ogr.Open(gpkg)
    return {f["key"]: json.loads(f["value"]) for f in ds.GetLayerByName("run_metadata")}


class CheckTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hotspot-check-")
        # Every 16th sample incident (about 3,100): quick runs, the same columns, and the sample's
        # whole two years, so the default weekly emerging analysis has its 10 time steps.
        cls.incidents = os.path.join(cls.tmp, "incidents.csv")
        with open(os.path.join(SAMPLE, "incidents.csv"), newline="") as src, \
                open(cls.incidents, "w", newline="") as dst:
            for k, line in enumerate(src):
                if k % 16 == 0:
                    dst.write(line)
        # The same incidents without their time column.
        cls.timeless = os.path.join(cls.tmp, "timeless.csv")
        with open(cls.incidents, newline="") as src, open(cls.timeless, "w", newline="") as dst:
            w = csv.writer(dst, lineterminator="\n")
            w.writerow(["id", "lon", "lat", "category"])
            for row in csv.DictReader(src):
                w.writerow([row["id"], row["lon"], row["lat"], row["category"]])
        # Communes as a Shapefile, so that a change to the .dbf alone can be made.
        cls.shp = os.path.join(cls.tmp, "communes.shp")
        gdal.VectorTranslate(cls.shp, os.path.join(SAMPLE, "communes.gpkg"), format="ESRI Shapefile")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def config(self, name, edit=None, analyses=None):
        c = {
            "inputs": {
                "communes": {"path": os.path.join(SAMPLE, "communes.gpkg"), "population_field": "population"},
                "zones": {"path": os.path.join(SAMPLE, "zones.geojson")},
                "incidents": {"path": self.incidents},
            },
            "output": {"path": os.path.join(self.tmp, name + ".gpkg"), "quicklook": False},
            "analyses": analyses or [{"type": "aggregate"}],
        }
        if edit:
            edit(c)
        jsonschema.validate(c, RUN_SCHEMA)
        return write_json(os.path.join(self.tmp, name + ".json"), c)

    def assert_check_fails(self, config, code, *expected):
        p = hotspot("run", "--config", config, "--check")
        self.assertEqual(p.returncode, code, p.stderr)
        for e in expected:
            self.assertIn(e, p.stderr)
        self.assertNotRegex(p.stderr, r"--[a-z]", "a configuration run names no CLI flag")
        self.assertEqual(p.stdout, "")
        return p

    # -- run --check ---------------------------------------------------------------------------

    def test_check_passes_on_a_good_config_and_says_what_it_checked(self):
        p = hotspot("run", "--config", self.config("good"), "--check", check=True)
        self.assertIn("is valid", p.stdout)
        self.assertIn("inputs.incidents: x 'lon', y 'lat', time 'time'", p.stdout)
        self.assertIn("inputs.communes: layer", p.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "good.gpkg")))

    def test_missing_csv_column(self):
        cfg = self.config("col", lambda c: c["inputs"]["incidents"].update(x_field="Kinh do"))
        self.assert_check_fails(cfg, 2, "inputs.incidents.x_field: no column named 'Kinh do' (columns: id, lon, lat")

    def test_missing_zones_id_field(self):
        cfg = self.config("zid", lambda c: c["inputs"]["zones"].update(id_field="zone_code"))
        self.assert_check_fails(cfg, 2, "inputs.zones.id_field: no field 'zone_code' (fields: ")
        # and a plain run stops there too, before reading the incidents
        p = hotspot("run", "--config", cfg)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("inputs.zones.id_field", p.stderr)
        self.assertNotIn("--zones-id-field", p.stderr)

    def test_work_crs_vn2000_name_is_refused_with_codes(self):
        cfg = self.config("vn", lambda c: c.update(work_crs="VN-2000"))
        p = self.assert_check_fails(cfg, 2, "work_crs: PROJ does not understand 'VN-2000'", "EPSG:3405",
                                    "EPSG:9210")
        cfg = self.config("geo", lambda c: c.update(work_crs="EPSG:4756"))
        self.assert_check_fails(cfg, 2, "work_crs: EPSG:4756", "is geographic")

    def test_time_analyses_without_a_time_column_fail_the_check_before_any_work(self):
        for analysis in ({"type": "emerging", "grid": "hex:500"}, {"type": "near_repeat"},
                         {"type": "clusters", "method": "st-dbscan", "eps": 100, "eps_time": "1d"}):
            cfg = self.config("notime", lambda c: c["inputs"]["incidents"].update(path=self.timeless),
                              analyses=[{"type": "aggregate"}, analysis])
            self.assert_check_fails(cfg, 2, "analyses[1] (" + analysis["type"], "needs incident times",
                                    "inputs.incidents.time_field")
            p = hotspot("run", "--config", cfg)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertNotIn("[2/", p.stderr)  # stopped before the first step
            self.assertFalse(os.path.exists(os.path.join(self.tmp, "notime.gpkg")))

    def test_unparseable_times_fail_the_check_when_times_are_needed(self):
        bad = os.path.join(self.tmp, "dmy.csv")
        with open(bad, "w") as f:
            f.write("id,lon,lat,time,category\n")
            for i in range(50):
                f.write(f"{i},106.62,20.84,{1 + i % 28:02d}/09/2025 00:10,theft\n")
        cfg = self.config("dmy", lambda c: c["inputs"]["incidents"].update(path=bad),
                          analyses=[{"type": "profiles"}])
        self.assert_check_fails(cfg, 3, "inputs.incidents.time_field: ", "of the first 50 values",
                                "inputs.incidents.time_format")

    def test_communes_layer_and_population_field(self):
        cfg = self.config("lay", lambda c: c["inputs"]["communes"].update(layer="nope"))
        self.assert_check_fails(cfg, 2, "inputs.communes.layer: communes: no layer named 'nope'")
        cfg = self.config("pop", lambda c: c["inputs"]["communes"].update(population_field="dan_so"))
        self.assert_check_fails(cfg, 2, "inputs.communes.population_field: no field 'dan_so'")

    # -- exit codes and streams ----------------------------------------------------------------

    def test_missing_input_file_exits_4(self):
        cfg = self.config("missing", lambda c: c["inputs"]["communes"].update(path="/nonexistent/communes.shp"))
        self.assert_check_fails(cfg, 4, "inputs.communes.path: no such file")
        p = hotspot("validate", "--communes", "/nonexistent/c.gpkg", "--incidents", self.incidents)
        self.assertEqual(p.returncode, 4, p.stderr)
        p = hotspot("validate", "--communes", os.path.join(SAMPLE, "communes.gpkg"), "--incidents",
                    "/nonexistent/i.csv")
        self.assertEqual(p.returncode, 4, p.stderr)

    def test_quiet_prints_nothing_and_warnings_go_to_stderr(self):
        # A category that is not UTF-8 gives a warning.
        latin = os.path.join(self.tmp, "latin.csv")
        shutil.copy(self.incidents, latin)
        with open(latin, "ab") as f:
            f.write(b"LAT1,106.62,20.84,2024-01-02T10:00:00+07:00,tr\xf4m\n")
        cfg = self.config("warn", lambda c: c["inputs"]["incidents"].update(path=latin))
        p = hotspot("run", "--config", cfg, "--overwrite", check=True)
        self.assertIn("incidents  read", p.stdout)
        self.assertNotIn("warning", p.stdout)
        self.assertIn("hotspot: warning: ", p.stderr)
        p = hotspot("run", "--config", cfg, "--overwrite", "--quiet", check=True)
        self.assertEqual((p.stdout, p.stderr), ("", ""))
        p = hotspot("run", "--config", cfg, "--overwrite", "--quiet", "--json", check=True)
        self.assertEqual(json.loads(p.stdout)["status"], "ok")
        self.assertEqual(p.stderr, "")
        p = hotspot("run", "--config", cfg, "--check", "--quiet", check=True)
        self.assertEqual((p.stdout, p.stderr), ("", ""))
        # single commands: the summary on stdout, warnings on stderr
        p = hotspot("validate", "--communes", os.path.join(SAMPLE, "communes.gpkg"), "--incidents", latin,
                    check=True)
        self.assertNotIn("warning", p.stdout)
        self.assertIn("hotspot: warning: ", p.stderr)

    # -- validate --config ---------------------------------------------------------------------

    def test_validate_config(self):
        cfg = self.config("val")
        p = hotspot("validate", "--config", cfg, check=True)
        self.assertIn("incidents  read 3126 = accepted 3125 + rejected 1", p.stdout)
        self.assertIn("checked    inputs.incidents", p.stdout)
        bad = self.config("valbad", lambda c: c["inputs"]["zones"].update(id_field="zone_code"))
        p = hotspot("validate", "--config", bad)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("inputs.zones.id_field: no field 'zone_code'", p.stderr)
        p = hotspot("validate", "--config", cfg, "--incidents", self.incidents)
        self.assertEqual(p.returncode, 2, p.stderr)
        p = hotspot("validate", "--incidents", self.incidents)
        self.assertEqual(p.returncode, 2, p.stderr)

    # -- provenance ----------------------------------------------------------------------------

    def test_every_file_of_a_shapefile_is_hashed_and_a_dbf_change_reruns(self):
        work = os.path.join(self.tmp, "shp")
        os.makedirs(work, exist_ok=True)
        for ext in ("shp", "shx", "dbf", "prj", "cpg"):
            if os.path.exists(self.shp[:-3] + ext):
                shutil.copy(self.shp[:-3] + ext, os.path.join(work, "communes." + ext))
        shp = os.path.join(work, "communes.shp")
        cfg = self.config("shp", lambda c: c["inputs"]["communes"].update(path=shp))
        gpkg = os.path.join(self.tmp, "shp.gpkg")
        hotspot("run", "--config", cfg, "--quiet", check=True)
        inputs = run_metadata(gpkg)["inputs"]
        files = inputs["communes"]["files"]
        for ext in ("shp", "shx", "dbf", "prj"):
            self.assertEqual(files["communes." + ext], sha256(os.path.join(work, "communes." + ext)))
        # The CSV: the hash of exactly the bytes parsed, and their number.
        self.assertEqual(inputs["incidents"]["sha256"], sha256(self.incidents))
        self.assertEqual(inputs["incidents"]["bytes"], os.path.getsize(self.incidents))
        doc = json.loads(hotspot("run", "--config", cfg, "--if-changed", "--json", check=True).stdout)
        self.assertEqual(doc["status"], "skipped")
        # Populations change in the .dbf only: the .shp is byte-identical, the run is not skipped.
        shp_before = sha256(shp)
        ds = ogr.Open(shp, 1)
        layer = ds.GetLayer(0)
        f = layer.GetNextFeature()
        f.SetField("population", f.GetField("population") + 1000)
        layer.SetFeature(f)
        ds = None
        self.assertEqual(sha256(shp), shp_before)
        doc = json.loads(hotspot("run", "--config", cfg, "--if-changed", "--json", check=True).stdout)
        self.assertEqual(doc["status"], "ok")
        self.assertEqual(run_metadata(gpkg)["inputs"]["communes"]["files"]["communes.dbf"],
                         sha256(os.path.join(work, "communes.dbf")))

    # -- hotspot init --------------------------------------------------------------------------

    def init_check_run(self, name, communes, incidents, zones=None, expect_todo=()):
        args = ["init", "--communes", communes, "--incidents", incidents,
                "--out", os.path.join(self.tmp, name + ".gpkg")]
        if zones:
            args += ["--zones", zones]
        p = hotspot(*args, check=True)
        config = json.loads(p.stdout)
        jsonschema.validate(config, RUN_SCHEMA)
        for todo in expect_todo:
            self.assertIn("not detected: " + todo, p.stderr)
        path = write_json(os.path.join(self.tmp, name + ".json"), config)
        hotspot("run", "--config", path, "--check", check=True)
        config["output"]["quicklook"] = False
        for a in config["analyses"]:  # fewer permutations: the test is about the pipeline
            if "permutations" in a:
                a["permutations"] = 9 if a["type"] == "near_repeat" else 19
        write_json(path, config)
        init_stderr = p.stderr
        p = hotspot("run", "--config", path, "--json", check=True)
        doc = json.loads(p.stdout)
        counts = doc["counts"]
        self.assertEqual(counts["read"], counts["accepted"] + counts["rejected"])
        return config, p, init_stderr

    def write_cp1258_incidents(self, name, cpg):
        """The first 300 incidents as a Shapefile of points whose .dbf is in Windows-1258 (tone
        marks as combining characters, as Windows writes them; no language byte), with a .cpg
        saying 1258 when `cpg`. Returns the path and the values as written, in NFC."""
        sys.path.insert(0, os.path.join(ROOT, "tests", "messy"))
        from make_corpus import cp1258_char, write_dbf_fields
        enc = lambda t: b"".join(cp1258_char(c) for c in unicodedata.normalize("NFC", t))
        with open(self.incidents, newline="") as f:
            rows = list(csv.DictReader(f))[:300]
        shp = os.path.join(self.tmp, name + ".shp")
        ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(shp)
        lyr = ds.CreateLayer(name, osr.SpatialReference(), ogr.wkbPoint)
        for r in rows:
            f = ogr.Feature(lyr.GetLayerDefn())
            f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({r['lon']} {r['lat']})"))
            lyr.CreateFeature(f)
        ds = None
        with open(shp[:-4] + ".prj", "w") as f:
            f.write(osr.SpatialReference(wkt=osr.SRS_WKT_WGS84_LAT_LONG).ExportToWkt())
        cats = ["Trộm cắp", "Cướp giật", "Gây rối"]
        values = [(f"Vụ-{k}-Đồng", r["time"], cats[k % 3], "Xã An Đồng") for k, r in enumerate(rows)]
        write_dbf_fields(shp[:-4] + ".dbf", [(b"id", 30), (b"time", 30), (b"category", 30),
                                             (b"ghi_chu", 40)],
                         [tuple(enc(v) for v in row) for row in values], 0)
        if cpg:
            with open(shp[:-4] + ".cpg", "w") as f:
                f.write("1258")
        return shp, [tuple(unicodedata.normalize("NFC", v) for v in row) for row in values]

    def test_windows_1258_incidents_shapefile_reads_whole(self):
        # GDAL's own CP1258 recoding drops the last letter of every value; hotspot decodes the .dbf
        # itself: from inputs.incidents.encoding, else the .cpg.
        for name, cpg, key in [("inc_key", False, True), ("inc_cpg", True, False)]:
            with self.subTest(name):
                shp, values = self.write_cp1258_incidents(name, cpg)

                def edit(c):
                    c["inputs"]["incidents"] = {"path": shp}
                    if key:
                        c["inputs"]["incidents"]["encoding"] = "cp1258"
                p = hotspot("run", "--config", self.config(name, edit), check=True)
                self.assertNotIn("U+FFFD", p.stderr)
                ds = ogr.Open(os.path.join(self.tmp, name + ".gpkg"))
                lyr = ds.GetLayerByName("incidents")
                got = sorted((f.GetField("incident_id"), f.GetField("ghi_chu")) for f in lyr)
                self.assertEqual(got, sorted((v[0], v[3]) for v in values))
                cats = {f.GetField("category") for f in lyr}
                self.assertEqual({c.casefold() for c in cats}, {v[2].casefold() for v in values})

    def test_windows_1258_incidents_shapefile_without_encoding_is_warned(self):
        shp, _ = self.write_cp1258_incidents("inc_none", False)

        def edit(c):
            c["inputs"]["incidents"] = {"path": shp}
        p = hotspot("run", "--config", self.config("inc_none", edit), check=True)
        for word in ["U+FFFD", "Windows-1258", "Vụ-0-Đồng", "inputs.incidents.encoding to cp1258"]:
            self.assertIn(word, p.stderr)

    def test_init_on_the_sample(self):
        config, _, _ = self.init_check_run("init_sample", os.path.join(SAMPLE, "communes.gpkg"), self.incidents,
                                        os.path.join(SAMPLE, "zones.geojson"))
        inc = config["inputs"]["incidents"]
        self.assertEqual((inc["x_field"], inc["y_field"], inc["time_field"], inc["category_field"], inc["id_field"]),
                         ("lon", "lat", "time", "category", "id"))
        self.assertEqual(inc["crs"], "EPSG:4326")
        self.assertEqual(config["inputs"]["communes"]["population_field"], "population")
        types = [a["type"] for a in config["analyses"]]
        for t in ("aggregate", "profiles", "kde", "clusters", "local", "emerging", "near_repeat"):
            self.assertIn(t, types)
        # Two years: the default weekly steps are kept (105 of them).
        self.assertEqual(next(a for a in config["analyses"] if a["type"] == "emerging")["time_step"], "1w")

    def sample_span(self, name, last_day):
        """The sample's incidents from 2024-01-01 up to (not including) `last_day`."""
        path = os.path.join(self.tmp, name + ".csv")
        with open(os.path.join(SAMPLE, "incidents.csv"), newline="") as src, \
                open(path, "w", newline="") as dst:
            rows = csv.DictReader(src)
            w = csv.DictWriter(dst, fieldnames=rows.fieldnames, lineterminator="\n")
            w.writeheader()
            for row in rows:
                if row["time"][:4] == "2024" and row["time"][:10] < last_day:
                    w.writerow(row)
        return path

    def test_init_starter_runs_to_the_end_on_seven_weeks(self):
        # About 3,400 incidents over 7 weeks: the kde makes zones (top and brief have hotspots to
        # rank) and emerging's time_step fits the span (1w gives 7 steps: the run failed, exit 5).
        incidents = self.sample_span("seven_weeks", "2024-02-19")
        communes = os.path.join(self.tmp, "xa_phuong_9210.shp")
        gdal.VectorTranslate(communes, os.path.join(SAMPLE, "communes.gpkg"), format="ESRI Shapefile",
                             dstSRS="EPSG:9210", layerCreationOptions=["ENCODING=UTF-8"])
        config, p, init_stderr = self.init_check_run("init_7w", communes, incidents)
        kde = next(a for a in config["analyses"] if a["type"] == "kde")
        self.assertEqual(kde["top_percent"], 20)
        emerging = next(a for a in config["analyses"] if a["type"] == "emerging")
        self.assertEqual(emerging["time_step"], "3d")
        self.assertIn("emerging time_step 3d: the incidents span 2024-01-01 .. 2024-02-18 (49 days), "
                      "17 steps", init_stderr)
        knox = next(a for a in config["analyses"] if a["type"] == "near_repeat")
        self.assertEqual((knox["space_bands"], knox["time_bands"]), ([0, 100, 200, 400], [0, 7, 14, 28]))
        doc = json.loads(p.stdout)
        self.assertEqual((doc["status"], doc["exit_code"]), ("ok", 0))
        layers = {l["name"]: l["features"] for l in doc["layers"]}
        self.assertGreater(layers["hotspot_zones"], 0)
        self.assertGreater(layers["emerging"], 0)
        self.assertNotIn("no hotspot zones", p.stderr)
        top = hotspot("top", "--in", os.path.join(self.tmp, "init_7w.gpkg"), "--format", "json", check=True)
        self.assertTrue(any("zones" in h["source"] for h in json.loads(top.stdout)["hotspots"]), top.stdout)

    def test_init_starter_on_a_few_days_leaves_emerging_out(self):
        incidents = self.sample_span("five_days", "2024-01-06")
        config, p, init_stderr = self.init_check_run("init_5d", os.path.join(SAMPLE, "communes.gpkg"),
                                                     incidents)
        types = [a["type"] for a in config["analyses"]]
        self.assertNotIn("emerging", types)
        for t in ("profiles", "kde", "near_repeat"):
            self.assertIn(t, types)
        self.assertIn("emerging is left out: the incidents span 2024-01-01 .. 2024-01-05 (5 days), fewer "
                      "than the 10 daily time steps", init_stderr)
        self.assertIn("near_repeat's time bands reach 28 days", init_stderr)
        self.assertEqual(json.loads(p.stdout)["status"], "ok")

    def test_init_on_a_messy_vietnamese_csv(self):
        # Vietnamese headers, ';' with decimal commas, a BOM, CRLF, VN-2000 metres in surveyors' order
        # (the column X holds the northing).
        messy = os.path.join(self.tmp, "messy.csv")
        wgs, tm3 = osr.SpatialReference(), osr.SpatialReference()
        wgs.ImportFromEPSG(4326)
        tm3.ImportFromEPSG(9210)
        for s in (wgs, tm3):
            s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        to9210 = osr.CoordinateTransformation(wgs, tm3)
        # Communes in EPSG:9210 as a Shapefile with a .prj.
        communes = os.path.join(self.tmp, "xa_9210.shp")
        gdal.VectorTranslate(communes, os.path.join(SAMPLE, "communes.gpkg"), format="ESRI Shapefile",
                             dstSRS="EPSG:9210")
        with open(self.incidents, newline="") as f, open(messy, "w", encoding="utf-8-sig", newline="") as out:
            out.write("STT;X;Y;Thời gian;Loại vụ việc\r\n")
            for k, row in enumerate(csv.DictReader(f)):
                x, y, _ = to9210.TransformPoint(float(row["lon"]), float(row["lat"]))
                # surveyors' order: the first coordinate column is the northing
                out.write(f"{k + 1};{y:.2f}".replace(".", ",") + f";{x:.2f}".replace(".", ",")
                          + f";{row['time']};{row['category'].upper() if k % 3 == 0 else row['category']}\r\n")
        config, _, init_stderr = self.init_check_run("init_messy", communes, messy)
        inc = config["inputs"]["incidents"]
        self.assertEqual((inc["x_field"], inc["y_field"]), ("Y", "X"))  # X holds the northing
        self.assertEqual(inc["crs"], "EPSG:9210")
        self.assertEqual(inc["time_field"], "Thời gian")
        self.assertEqual(inc["category_field"], "Loại vụ việc")
        self.assertIn("surveyors' order", init_stderr)

    def test_init_names_what_it_cannot_detect(self):
        odd = os.path.join(self.tmp, "odd.csv")
        with open(odd, "w") as f:
            f.write("a,b,c\n1,2,3\n")
        p = hotspot("init", "--communes", os.path.join(SAMPLE, "communes.gpkg"), "--incidents", odd)
        self.assertEqual(p.returncode, 0, p.stderr)
        jsonschema.validate(json.loads(p.stdout), RUN_SCHEMA)
        self.assertIn("not detected: inputs.incidents.x_field, y_field", p.stderr)
        self.assertIn("not detected: inputs.incidents.time_field", p.stderr)
        p = hotspot("init", "--communes", "/nonexistent.shp", "--incidents", odd)
        self.assertEqual(p.returncode, 4, p.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
