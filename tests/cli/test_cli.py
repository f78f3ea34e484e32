#!/usr/bin/python3
"""End-to-end tests of the hotspot CLI on the bundled sample and on small broken inputs.

Usage: test_cli.py HOTSPOT_BINARY REPO_ROOT   (run by ctest; needs python3-gdal)
"""
import csv
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest
import zipfile

from osgeo import gdal, ogr, osr

HOTSPOT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SAMPLE = os.path.join(ROOT, "data", "sample")
GOLDEN = os.path.join(ROOT, "tests", "golden")
gdal.UseExceptions()


def run(*args, cwd=None):
    p = subprocess.run([HOTSPOT, *args], capture_output=True, text=True, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


def sample_args(out):
    return ["aggregate", "--communes", f"{SAMPLE}/communes.gpkg", "--zones", f"{SAMPLE}/zones.geojson",
            "--incidents", f"{SAMPLE}/incidents.csv", "--population-field", "population", "--out", out]


def validate_gpkg(path):
    p = subprocess.run([sys.executable, "-m", "osgeo_utils.samples.validate_gpkg", path],
                       capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


class SampleRun(unittest.TestCase):
    """One aggregate run on data/sample, checked from several sides."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hotspot-cli-")
        cls.out = os.path.join(cls.tmp, "demo.gpkg")
        cls.rc, cls.stdout, cls.stderr = run(*sample_args(cls.out))
        cls.db = sqlite3.connect(cls.out) if cls.rc == 0 else None

    @classmethod
    def tearDownClass(cls):
        if cls.db:
            cls.db.close()
        shutil.rmtree(cls.tmp)

    def test_exit_and_summary(self):
        self.assertEqual(self.rc, 0, self.stderr)
        self.assertIn("read 50024 = accepted 50006 + rejected 18", self.stdout)

    def test_passes_gdal_validator(self):
        rc, report = validate_gpkg(self.out)
        self.assertEqual(rc, 0, report)

    def test_read_equals_accepted_plus_rejected_with_expected_reasons(self):
        expected = json.load(open(f"{SAMPLE}/expected_rejects.json"))
        accepted = self.db.execute("SELECT count(*) FROM incidents").fetchone()[0]
        reasons = dict(self.db.execute("SELECT reason, count(*) FROM rejected_incidents GROUP BY reason"))
        self.assertEqual(accepted, expected["accepted"])
        self.assertEqual(reasons, expected["rejected"])
        self.assertEqual(accepted + sum(reasons.values()), expected["rows"])
        for row in expected["edge_rows"]:
            got = self.db.execute("SELECT reason, raw FROM rejected_incidents WHERE line = ?", (row["line"],)).fetchone()
            if row["reason"] in ("accepted", "time_missing"):
                self.assertIsNone(got, row)
                if row["reason"] == "time_missing":  # kept, without a time, and says why
                    note = self.db.execute("SELECT time, time_precision, time_note FROM incidents "
                                           "WHERE source_line = ?", (row["line"],)).fetchone()
                    self.assertEqual(note[:2], (None, "missing"), row)
                    self.assertTrue(note[2], row)
            else:
                self.assertEqual(got[0], row["reason"], row)
                self.assertIn(row["id"], got[1])

    def test_counts_agree_with_geopandas_reference(self):
        ours = dict(self.db.execute("SELECT commune_id, incidents FROM communes"))
        areas = dict(self.db.execute("SELECT commune_id, area_km2 FROM communes"))
        with open(f"{GOLDEN}/sample_communes.csv") as f:
            for r in csv.DictReader(f):
                self.assertEqual(ours[r["commune_id"]], int(r["incidents"]), r)
                self.assertAlmostEqual(areas[r["commune_id"]], float(r["area_km2"]), places=6)
        zones = {r[0]: r[1:] for r in self.db.execute(
            "SELECT zone_id, area_ha, incidents_inside, ring_area_ha, incidents_ring FROM zones")}
        with open(f"{GOLDEN}/sample_zones.csv") as f:
            for r in csv.DictReader(f):
                area, inside, ring_area, ring = zones[r["zone_id"]]
                self.assertAlmostEqual(area, float(r["area_ha"]), places=4)
                self.assertEqual(inside, int(r["incidents_inside"]))
                self.assertAlmostEqual(ring_area, float(r["ring_area_ha"]), places=4)
                self.assertEqual(ring, int(r["incidents_ring"]))
        links = {(r[0], r[1]): r[2:] for r in self.db.execute(
            "SELECT zone_id, commune_id, shared_area_km2, ring_area_km2, fence_length_m, incidents_shared, "
            "incidents_ring FROM zone_communes")}
        with open(f"{GOLDEN}/sample_zone_communes.csv") as f:
            ref = list(csv.DictReader(f))
        self.assertEqual(set(links), {(r["zone_id"], r["commune_id"]) for r in ref})
        for r in ref:
            shared, ring_area, fence, n_shared, n_ring = links[(r["zone_id"], r["commune_id"])]
            self.assertAlmostEqual(shared, float(r["shared_area_km2"]), places=6)
            self.assertAlmostEqual(ring_area, float(r["ring_area_km2"]), places=6)
            self.assertAlmostEqual(fence, float(r["fence_length_m"]), places=3)
            self.assertEqual((n_shared, n_ring), (int(r["incidents_shared"]), int(r["incidents_ring"])))

    def test_trang_due_is_shared_by_four_communes(self):
        n = self.db.execute("SELECT count(*) FROM zone_communes WHERE zone_name = 'KCN Tràng Duệ' "
                            "AND shared_area_km2 > 0").fetchone()[0]
        self.assertEqual(n, 4)

    def test_vietnamese_names_round_trip(self):
        src = ogr.Open(f"{SAMPLE}/communes.gpkg")
        names_in = {f.GetField("commune_id"): f.GetField("name") for f in src.GetLayer(0)}
        out = ogr.Open(self.out)
        names_out = {f.GetField("commune_id"): f.GetField("name") for f in out.GetLayerByName("communes")}
        self.assertEqual(names_in, names_out)
        self.assertTrue(any("Đ" in n or "ồ" in n for n in names_out.values()))

    def test_every_vector_layer_has_a_default_style(self):
        styled = {r[0] for r in self.db.execute("SELECT f_table_name FROM layer_styles WHERE useAsDefault")}
        layers = {r[0] for r in self.db.execute("SELECT table_name FROM gpkg_contents WHERE data_type='features'")}
        self.assertEqual(styled, layers)

    def test_metadata_records_parameters_inputs_versions_and_timings(self):
        meta = {k: json.loads(v) for k, v in self.db.execute("SELECT key, value FROM run_metadata")}
        self.assertEqual(set(meta), {"parameters", "inputs", "versions", "seed", "counts", "timings_s", "warnings"})
        # The CSV is hashed while it is parsed (not read a second time): still the file's SHA-256.
        with open(f"{SAMPLE}/incidents.csv", "rb") as f:
            sha = hashlib.sha256(f.read()).hexdigest()
        self.assertEqual(meta["inputs"]["incidents"]["sha256"], sha)
        self.assertEqual(list(meta["inputs"]["incidents"]["files"].values()), [sha])
        self.assertTrue(meta["versions"]["gdal"] and meta["versions"]["geos"] and meta["versions"]["proj"])
        self.assertEqual(meta["counts"]["read"], 50024)
        self.assertIn("EPSG:9210", meta["parameters"]["work_crs"])
        self.assertIn("write", meta["timings_s"])

    def test_incidents_carry_commune_and_zone(self):
        n_no_commune = self.db.execute("SELECT count(*) FROM incidents WHERE commune_id IS NULL").fetchone()[0]
        n_flagged = self.db.execute("SELECT count(*) FROM incidents WHERE outside_communes = 1").fetchone()[0]
        self.assertEqual(n_flagged, n_no_commune)
        n_zone = self.db.execute("SELECT count(*) FROM incidents WHERE zone_id IS NOT NULL").fetchone()[0]
        self.assertEqual(n_no_commune, 0)
        inside = sum(r[0] for r in self.db.execute("SELECT incidents_inside FROM zones"))
        self.assertEqual(n_zone, inside)


class ExitCodesAndSafety(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="hotspot-cli-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_columns_named_like_the_writers_own_pass_through_renamed(self):
        # An ArcGIS FID, a QGIS export's fid, a column called geom: the GeoPackage's own key and
        # geometry columns have those names, so the incident columns become fid_2, geom_2, FID_3.
        path = self.write("fid.csv", "id,lon,lat,time,category,fid,geom,FID\n"
                                     "1,106.62,20.83,2024-01-01T10:00:00,x,99,a,b\n")
        out = os.path.join(self.tmp, "fid.gpkg")
        rc, _, err = run("aggregate", "--communes", f"{SAMPLE}/communes.gpkg", "--incidents", path,
                         "--out", out)
        self.assertEqual(rc, 0, err)
        db = sqlite3.connect(out)
        row = db.execute('SELECT fid, "fid_2", "geom_2", "FID_3" FROM incidents').fetchone()
        db.close()
        self.assertEqual(row, (1, "99", "a", "b"))
        self.assertEqual(validate_gpkg(out)[0], 0)

    def test_incidents_all_outside_the_communes_are_named_as_such(self):
        # 60 incidents 30 km east of the sample's district: the cause is said, with both extents.
        rows = "".join(f"{i},{106.9 + i * 1e-4:.4f},{20.95 + i * 1e-4:.4f}\n" for i in range(60))
        path = self.write("far.csv", "id,lon,lat\n" + rows)
        rc, _, err = run("validate", "--communes", f"{SAMPLE}/communes.gpkg", "--incidents", path)
        self.assertEqual(rc, 0, err)
        self.assertIn("60 of 60 incidents (100 %) lie outside every commune", err)
        self.assertIn("the communes span x 581.1–597.1, y 2301.7–2313.1 km, the incidents x 619", err)
        rc, _, err = run("kde", "--communes", f"{SAMPLE}/communes.gpkg", "--incidents", path, "--mask",
                         "communes", "--cell-size", "50", "--out", os.path.join(self.tmp, "far.tif"))
        self.assertEqual(rc, 3, err)
        self.assertIn("none of the 60 incidents lies inside the mask (the communes)", err)

    def test_usage_errors_exit_2(self):
        self.assertEqual(run("aggregate", "--communes", "x")[0], 2)                  # missing options
        self.assertEqual(run("frobnicate")[0], 2)                                     # unknown subcommand
        out = os.path.join(self.tmp, "o.gpkg")
        rc, _, err = run(*sample_args(out), "--work-crs", "EPSG:4326")
        self.assertEqual(rc, 2)
        self.assertIn("degrees", err)
        rc, _, err = run(*sample_args(out), "--incidents-crs", "not-a-crs")
        self.assertEqual(rc, 2)
        rc, _, err = run(*sample_args(out), "--utc-offset", "7")
        self.assertEqual(rc, 2)
        self.assertFalse(os.path.exists(out))
        # A one-value option given two values is refused, not read as its last value.
        inc = f"{SAMPLE}/incidents.csv"
        for args in (["kde", "--incidents", inc, "--cell-size", "50", "100"],
                     ["kde", "--incidents", inc, "--cell-size", "50", "--cell-size", "100"],
                     ["local", "--incidents", inc, "--grid", "hex:500", "--weights", "queen",
                      "--permutations", "9", "99"]):
            rc, _, err = run(*args, "--out", out)
            self.assertEqual(rc, 2, args)
            self.assertIn("At Most 1 required but received 2", err)
        self.assertFalse(os.path.exists(out))

    def test_output_equal_to_input_is_refused(self):
        copy = os.path.join(self.tmp, "communes.gpkg")
        shutil.copy(f"{SAMPLE}/communes.gpkg", copy)
        before = open(copy, "rb").read()
        rc, _, err = run("aggregate", "--communes", copy, "--incidents", f"{SAMPLE}/incidents.csv", "--out", copy)
        self.assertEqual(rc, 2, err)
        self.assertEqual(open(copy, "rb").read(), before)

    def test_io_errors_exit_4(self):
        rc, _, err = run(*sample_args(os.path.join(self.tmp, "no", "dir", "o.gpkg")))
        self.assertEqual(rc, 4, err)
        rc, _, err = run("aggregate", "--communes", os.path.join(self.tmp, "missing.gpkg"),
                         "--incidents", f"{SAMPLE}/incidents.csv", "--out", os.path.join(self.tmp, "o.gpkg"))
        self.assertEqual(rc, 4, err)

    def test_bad_data_exits_3_and_keeps_the_previous_output(self):
        out = os.path.join(self.tmp, "o.gpkg")
        self.assertEqual(run(*sample_args(out))[0], 0)
        before = open(out, "rb").read()
        points = self.write("points.geojson", '{"type":"FeatureCollection","features":[{"type":"Feature",'
                            '"properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[106.6,20.8]}}]}')
        rc, _, err = run("aggregate", "--communes", points, "--incidents", f"{SAMPLE}/incidents.csv", "--out", out)
        self.assertEqual(rc, 3, err)
        self.assertIn("polygon", err)
        self.assertEqual(open(out, "rb").read(), before)
        self.assertFalse([f for f in os.listdir(self.tmp) if ".tmp-" in f])
        self.assertEqual(validate_gpkg(out)[0], 0)

    def test_same_layer_contents_at_one_and_two_threads(self):
        def contents(threads):
            out = os.path.join(self.tmp, f"t{threads}.gpkg")
            rc, _, err = run(*sample_args(out), "--threads", str(threads))
            self.assertEqual(rc, 0, err)
            db = sqlite3.connect(out)
            tables = [r[0] for r in db.execute("SELECT table_name FROM gpkg_contents WHERE table_name != 'run_metadata' "
                                               "ORDER BY table_name")]
            dump = {t: db.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables if t != "layer_styles"}
            # The styles themselves, without their wall-clock update_time.
            dump["layer_styles"] = db.execute("SELECT f_table_name, styleName, styleQML FROM layer_styles "
                                              "ORDER BY 1").fetchall()
            dump["rtree"] = db.execute("SELECT * FROM rtree_incidents_geom ORDER BY id").fetchall()
            db.close()
            return dump
        one, two = contents(1), contents(2)
        self.assertEqual(one.keys(), two.keys())
        for table in one:
            self.assertEqual(one[table], two[table], table)

    def test_near_repeat(self):
        out = os.path.join(self.tmp, "nr.gpkg")
        rc, stdout, err = run("near-repeat", "--incidents", f"{SAMPLE}/incidents.csv", "--space-bands", "0,25,50",
                              "--time-bands", "0,1,7", "--permutations", "19", "--seed", "5", "--out", out)
        self.assertEqual(rc, 0, err)
        self.assertIn("Knox ratio", stdout)
        self.assertRegex(stdout, r"\n +25-50 m +")  # each distance band with its unit
        self.assertIn("read 50024 = accepted 50006 + rejected 18", stdout)
        self.assertEqual(validate_gpkg(out)[0], 0)
        db = sqlite3.connect(out)
        rows = db.execute("SELECT space_from, space_to, days_from, days_to, observed, expected, p_value "
                          "FROM near_repeat ORDER BY fid").fetchall()
        self.assertEqual([r[:4] for r in rows], [(0, 25, 0, 1), (0, 25, 1, 7), (25, 50, 0, 1), (25, 50, 1, 7)])
        for r in rows:
            self.assertGreater(r[4], 0)
            self.assertTrue(1 / 20 <= r[6] <= 1)
        meta = dict(db.execute("SELECT key, value FROM run_metadata"))
        self.assertEqual(json.loads(meta["seed"]), 5)
        self.assertEqual(db.execute("SELECT count(*) FROM rejected_incidents").fetchone()[0], 18)
        rc, _, err = run("near-repeat", "--incidents", f"{SAMPLE}/incidents.csv", "--space-bands", "0,50,25")
        self.assertEqual(rc, 2, err)

    def planar_incidents(self):
        """200 incidents in a 500 x 500 frame without a CRS, one a day or more over 28 days."""
        path = os.path.join(self.tmp, "planar.csv")
        with open(path, "w") as f:
            f.write("id,x,y,time\n")
            for i in range(200):
                f.write(f"{i},{(i * 37) % 500},{(i * 91) % 500},2024-03-{1 + i % 28:02d}T10:00:00+07:00\n")
        return path

    def test_near_repeat_on_planar_data_says_data_units(self):
        path = self.planar_incidents()
        for out in ([], ["--out", os.path.join(self.tmp, "planar.gpkg")]):  # printed only, and written
            rc, stdout, err = run("near-repeat", "--incidents", path, "--incidents-crs", "planar",
                                  "--permutations", "0", *out)
            self.assertEqual(rc, 0, err)
            self.assertRegex(stdout, r"\n +100-200 data units +")
            self.assertIn("(within 400 data units)", stdout)
            self.assertNotRegex(stdout, r"\d m\b")

    def test_every_summary_on_planar_data_says_data_units(self):
        # Without a CRS, lengths are in data units and areas in (1000 data units)²: a summary that
        # said m or km² would state a scale the data does not have.
        path = self.planar_incidents()
        expected = {
            # auto bandwidth: the rule's own detail carries the unit too
            "kde": (["--cell-size", "10", "--threshold", "1"],
                    ["quartic radius ", " data units)], support radius ", "cells of 10 data units",
                     "per (1000 data units)²"],
                    "Density (incidents per (1000 data units)²)"),
            # eps 40 chains the frame into one cluster: the oversized-cluster advice
            "cluster": (["--method", "dbscan", "--eps", "40", "--min-points", "3"],
                        ["data units²) and holds", "eps 40 data units chains"], "Clusters"),
            "emerging": (["--grid", "square:100", "--time-step", "1d"], ["band 150 data units"],
                         "Emerging hot spots (100 data units squares, 1d steps)"),
            "local": (["--grid", "hex:100", "--weights", "queen", "--permutations", "99"],
                      ["cell size  100 data units"], "(Gi*, 100 data units hex)"),
        }
        for command, (args, phrases, title) in expected.items():
            with self.subTest(command):
                out = os.path.join(self.tmp, command + ".gpkg")
                rc, stdout, err = run(command, "--incidents", path, "--incidents-crs", "planar", *args,
                                      "--out", out)
                self.assertEqual(rc, 0, err)
                for phrase in phrases:
                    self.assertIn(phrase, stdout + err)
                # The layers' descriptions and their titles in the embedded QGIS project too.
                db = sqlite3.connect(out)
                described = " ".join(d or "" for (d,) in db.execute("SELECT description FROM gpkg_contents"))
                content = db.execute("SELECT content FROM qgis_projects").fetchone()[0]
                db.close()
                with zipfile.ZipFile(io.BytesIO(bytes.fromhex(content))) as z:
                    qgs = b"".join(z.read(n) for n in z.namelist()).decode()
                titles = " ".join(re.findall(r"<layername>([^<]*)</layername>", qgs))
                self.assertIn(title, titles)
                self.assertNotIn("openstreetmap", qgs)  # no basemap lines up with planar data
                self.assertNotRegex(stdout + err + described + titles, r"\d m\b|km²|\d km\b")
        # A run's planner's view (top's study area, the briefing's area) and evaluate's grid.
        communes = os.path.join(self.tmp, "planar_communes.geojson")
        with open(communes, "w") as f:  # four 250 x 250 squares over the incidents' frame
            json.dump({"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {"id": f"u{i}{j}", "name": f"U {i}{j}"},
                 "geometry": {"type": "Polygon", "coordinates": [[
                     [250 * i, 250 * j], [250 * i + 250, 250 * j], [250 * i + 250, 250 * j + 250],
                     [250 * i, 250 * j + 250], [250 * i, 250 * j]]]}}
                for i in range(2) for j in range(2)]}, f)
        config = os.path.join(self.tmp, "planar_run.json")
        with open(config, "w") as f:
            json.dump({"inputs": {"communes": {"path": communes, "crs": "planar"},
                                  "incidents": {"path": path, "crs": "planar"}},
                       "output": {"path": os.path.join(self.tmp, "planar_run.gpkg")},
                       "analyses": [{"type": "aggregate"},
                                    {"type": "kde", "cell_size": 10, "top_percent": 20}]}, f)
        rc, _, err = run("run", "--config", config)
        self.assertEqual(rc, 0, err)
        rc, stdout, err = run("top", "--in", os.path.join(self.tmp, "planar_run.gpkg"))
        self.assertEqual(rc, 0, err)
        self.assertIn("study area 0.25 (1000 data units)² (communes)", stdout)
        rc, stdout, err = run("top", "--in", os.path.join(self.tmp, "planar_run.gpkg"), "--format", "json")
        self.assertEqual(rc, 0, err)
        self.assertIs(json.loads(stdout)["header"]["planar"], True)  # the km2 fields' unit
        pdf = os.path.join(self.tmp, "planar_brief.pdf")
        rc, _, err = run("brief", "--in", os.path.join(self.tmp, "planar_run.gpkg"), "--out", pdf, "--lang", "en")
        self.assertEqual(rc, 0, err)
        text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True).stdout
        self.assertIn("(1000 data units)²", text)
        self.assertNotIn("km²", text)
        rc, stdout, err = run("evaluate", "--config", config, "--cell", "50", "--train", "7d", "--test", "7d",
                              "--folds", "2")
        self.assertEqual(rc, 0, err)
        self.assertIn("grid       50 data units squares, 100 cells, study area 0.25 (1000 data units)²", stdout)

    def test_a_datum_shift_proj_does_not_apply_is_named(self):
        # VN-2000 / UTM 48N with a TOWGS84 of its own: PROJ uses EPSG's shift instead, and says
        # nothing. We say so, with the PROJ string that applies the file's shift.
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(3405)
        wkt = srs.ExportToWkt().replace('AUTHORITY["EPSG","7030"]]',
                                        'AUTHORITY["EPSG","7030"]],TOWGS84[0,0,0,0,0,0,0]', 1)
        self.assertIn("TOWGS84", wkt)
        path = os.path.join(self.tmp, "vn2000.csv")
        with open(path, "w") as f:
            f.write("id,x,y\n")
            for i in range(50):
                f.write(f"{i},{600000 + 10 * i},{2300000 + 7 * i}\n")
        common = ["--incidents", path, "--work-crs", "EPSG:32648", "--cell-size", "50", "--bandwidth", "200"]
        rc, _, err = run("kde", *common, "--incidents-crs", wkt, "--out", os.path.join(self.tmp, "a.tif"))
        self.assertEqual(rc, 0, err)
        self.assertIn("EPSG:3405 (VN-2000 / UTM zone 48N), used by the incidents, carries its own TOWGS84 "
                      "(0, 0, 0, 0, 0, 0, 0), which is not applied: with the code, PROJ uses", err)
        proj = re.search(r"give --incidents-crs '([^']+)'", err).group(1)
        self.assertIn("+towgs84=0,0,0,0,0,0,0", proj)
        self.assertRegex(err, r"put a point 2\d\d m apart")
        # The suggested CRS applies the file's shift: no warning, and the surface moves (by ~220 m).
        rc, _, err = run("kde", *common, "--incidents-crs", proj, "--out", os.path.join(self.tmp, "b.tif"))
        self.assertEqual(rc, 0, err)
        self.assertNotIn("TOWGS84", err)
        a, b = (gdal.Open(os.path.join(self.tmp, n)).GetGeoTransform() for n in ("a.tif", "b.tif"))
        self.assertGreater(abs(a[0] - b[0]) + abs(a[3] - b[3]), 150)
        # Communes in that CRS become the working CRS, and the WGS 84 incidents are transformed
        # *into* it: the shift is ignored that way too, and both options must carry it.
        shp = os.path.join(self.tmp, "communes.shp")
        ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(shp)
        layer = ds.CreateLayer("communes", None, ogr.wkbPolygon)
        layer.CreateField(ogr.FieldDefn("name", ogr.OFTString))
        f = ogr.Feature(layer.GetLayerDefn())
        f.SetField("name", "Xa Mot")
        f.SetGeometry(ogr.CreateGeometryFromWkt(
            "POLYGON((599000 2299000,601000 2299000,601000 2301000,599000 2301000,599000 2299000))"))
        layer.CreateFeature(f)
        ds = None
        with open(os.path.join(self.tmp, "communes.prj"), "w") as f:
            f.write(wkt)  # an OGC WKT 1 .prj, TOWGS84 and codes kept
        lonlat = os.path.join(self.tmp, "lonlat.csv")
        with open(lonlat, "w") as f:
            f.write("id,lon,lat\n1,105.96,20.796\n")
        out = os.path.join(self.tmp, "agg.gpkg")
        rc, _, err = run("aggregate", "--communes", shp, "--incidents", lonlat, "--out", out)
        self.assertEqual(rc, 0, err)
        self.assertIn("EPSG:3405 (VN-2000 / UTM zone 48N), used by the communes and as the working CRS, "
                      "carries its own TOWGS84", err)
        self.assertIn("give --communes-crs and --work-crs '" + proj + "'", err)
        # init notes it as it detects the communes' CRS ...
        rc, _, err = run("init", "--communes", shp, "--incidents", lonlat)
        self.assertEqual(rc, 0, err)
        self.assertIn("inputs.communes: the CRS carries its own TOWGS84 (0, 0, 0, 0, 0, 0, 0), which PROJ "
                      "does not apply", err)
        # ... and run --check says it before the nightly job runs, in the configuration's words.
        config = os.path.join(self.tmp, "datum.json")
        with open(config, "w") as f:
            json.dump({"inputs": {"communes": {"path": shp}, "incidents": {"path": lonlat}},
                       "output": {"path": out}, "analyses": [{"type": "aggregate"}]}, f)
        rc, _, err = run("run", "--config", config, "--check")
        self.assertEqual(rc, 0, err)
        self.assertIn("used by the communes and as the working CRS, carries its own TOWGS84", err)
        self.assertIn("give inputs.communes.crs and work_crs '" + proj + "'", err)
        rc, _, err = run("aggregate", "--communes", shp, "--incidents", lonlat, "--out", out, "--overwrite",
                         "--communes-crs", proj, "--work-crs", proj)
        self.assertEqual(rc, 0, err)
        self.assertNotIn("TOWGS84", err)
        # A GeoPackage keeps the TOWGS84 in its srs row's definition, which GDAL does not read for
        # a row with an EPSG code: hotspot reads it, and says the same.
        gpkg = os.path.join(self.tmp, "communes.gpkg")
        gdal.VectorTranslate(gpkg, shp, format="GPKG")
        db = sqlite3.connect(gpkg)
        self.assertIn("TOWGS84[0,0,0,0,0,0,0]", db.execute(
            "SELECT definition FROM gpkg_spatial_ref_sys WHERE srs_id = 3405").fetchone()[0])
        db.close()
        rc, _, err = run("aggregate", "--communes", gpkg, "--incidents", lonlat, "--out", out, "--overwrite")
        self.assertEqual(rc, 0, err)
        self.assertIn("EPSG:3405 (VN-2000 / UTM zone 48N), used by the communes and as the working CRS, "
                      "carries its own TOWGS84 (0, 0, 0, 0, 0, 0, 0)", err)

    def test_temporal_profiles_cover_every_incident_with_a_time(self):
        out = os.path.join(self.tmp, "p.gpkg")
        self.assertEqual(run(*sample_args(out))[0], 0)
        db = sqlite3.connect(out)
        total = db.execute("SELECT sum(incidents) FROM temporal_profiles WHERE layer = 'communes'").fetchone()[0]
        in_communes = db.execute("SELECT count(*) FROM incidents WHERE commune_id IS NOT NULL AND time IS NOT NULL").fetchone()[0]
        self.assertEqual(total, in_communes)
        n = db.execute("SELECT count(*) FROM temporal_profiles").fetchone()[0]
        self.assertEqual(n, (20 + 3) * 168)
        self.assertEqual(db.execute("SELECT count(*) FROM peak_hours").fetchone()[0], 23)

    def test_profiles_of_clusters_and_hotspot_zones(self):
        # Every clustered incident with a time, and every incident in a KDE hotspot zone, is in its
        # feature's 24 x 7 profile; each feature has its 168 cells and one peak-hours row.
        c_out, k_out = os.path.join(self.tmp, "c.gpkg"), os.path.join(self.tmp, "k.gpkg")
        rc, _, err = run("cluster", "--incidents", f"{SAMPLE}/incidents.csv", "--method", "dbscan", "--eps", "50",
                         "--min-points", "20", "--out", c_out)
        self.assertEqual(rc, 0, err)
        rc, _, err = run("kde", "--incidents", f"{SAMPLE}/incidents.csv", "--cell-size", "50", "--bandwidth", "300",
                         "--top-percent", "20", "--out", k_out)
        self.assertEqual(rc, 0, err)
        c, k = sqlite3.connect(c_out), sqlite3.connect(k_out)
        clusters = c.execute("SELECT count(*) FROM clusters").fetchone()[0]
        self.assertGreater(clusters, 0)
        self.assertEqual(c.execute("SELECT count(*) FROM temporal_profiles").fetchone()[0], clusters * 168)
        self.assertEqual(c.execute("SELECT sum(incidents) FROM temporal_profiles").fetchone()[0],
                         c.execute("SELECT count(*) FROM incidents WHERE CLUSTER_ID >= 0 AND time IS NOT NULL").fetchone()[0])
        self.assertEqual(c.execute("SELECT count(*) FROM peak_hours WHERE layer = 'clusters'").fetchone()[0], clusters)
        zones = k.execute("SELECT count(*) FROM hotspot_zones").fetchone()[0]
        self.assertGreater(zones, 0)
        self.assertEqual(k.execute("SELECT count(*) FROM temporal_profiles").fetchone()[0], zones * 168)
        self.assertEqual(k.execute("SELECT sum(incidents) FROM temporal_profiles").fetchone()[0],
                         k.execute("SELECT sum(incidents) FROM hotspot_zones").fetchone()[0])
        for path in (c_out, k_out):
            self.assertEqual(validate_gpkg(path)[0], 0, path)

    def test_validate_writes_nothing(self):
        rc, stdout, err = run("validate", "--communes", f"{SAMPLE}/communes.gpkg", "--zones", f"{SAMPLE}/zones.geojson",
                              "--incidents", f"{SAMPLE}/incidents.csv", cwd=self.tmp)
        self.assertEqual(rc, 0, err)
        self.assertIn("read 50024 = accepted 50006 + rejected 18", stdout)
        self.assertIn("swapped_axes", stdout)
        self.assertEqual(os.listdir(self.tmp), [])

    def test_planar_inputs(self):
        # Communes in an undefined Cartesian frame (as R spData ships them) and x/y incidents.
        communes = os.path.join(self.tmp, "planar.gpkg")
        ds = ogr.GetDriverByName("GPKG").CreateDataSource(communes)
        layer = ds.CreateLayer("units", None, ogr.wkbPolygon)
        layer.CreateField(ogr.FieldDefn("id", ogr.OFTString))
        for i, wkt in enumerate(["POLYGON((0 0,10 0,10 10,0 10,0 0))", "POLYGON((10 0,20 0,20 10,10 10,10 0))"]):
            f = ogr.Feature(layer.GetLayerDefn())
            f.SetField("id", f"u{i}")
            f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
            layer.CreateFeature(f)
        ds = None
        inc = self.write("xy.csv", "id,x,y\n1,5,5\n2,15,5\n3,10,5\n4,25,5\n")
        out = os.path.join(self.tmp, "planar_out.gpkg")
        # GDAL writes "no SRS" as srs_id 0, the undefined *geographic* SRS: we refuse to guess.
        db = sqlite3.connect(communes)
        self.assertEqual(db.execute("SELECT srs_id FROM gpkg_geometry_columns").fetchone()[0], 0)
        rc, _, err = run("aggregate", "--communes", communes, "--incidents", inc, "--incidents-crs", "planar",
                         "--out", out)
        self.assertEqual(rc, 3, err)
        self.assertIn("--communes-crs", err)
        # srs_id -1, the undefined Cartesian SRS, is read as planar.
        db.execute("UPDATE gpkg_geometry_columns SET srs_id = -1")
        db.execute("UPDATE gpkg_contents SET srs_id = -1 WHERE table_name = 'units'")
        db.commit()
        db.close()
        rc, stdout, err = run("aggregate", "--communes", communes, "--incidents", inc, "--incidents-crs", "planar",
                              "--out", out)
        self.assertEqual(rc, 0, err)
        self.assertIn("planar", stdout)
        db = sqlite3.connect(out)
        self.assertEqual(dict(db.execute("SELECT commune_id, incidents FROM communes")), {"u0": 1, "u1": 2})
        self.assertEqual(db.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name='communes'").fetchone()[0], -1)
        self.assertEqual(validate_gpkg(out)[0], 0)
        # Planar data with a georeferenced input cannot be combined.
        rc, _, err = run("aggregate", "--communes", communes, "--incidents", f"{SAMPLE}/incidents.csv", "--out", out)
        self.assertEqual(rc, 3, err)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v", *sys.argv[3:]])
