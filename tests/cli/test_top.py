#!/usr/bin/python3
"""End-to-end tests of `hotspot top` on a fixture built from data/sample
(tests/golden/make_top_fixture.py): the goldens in tests/golden/top, window counts and PAI
recomputed here from the incidents layer with GDAL, the 80-column table with Vietnamese names
(composed and decomposed), midnight-wrapping hours, days, the UTC offset, empty windows and bad
options.

Usage: test_top.py HOTSPOT_BINARY REPO_ROOT   (run by ctest; needs python3-gdal)
"""
import csv
import datetime
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unicodedata
import unittest

from osgeo import gdal, ogr

HOTSPOT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
GOLDEN = os.path.join(ROOT, "tests", "golden", "top")
sys.path.insert(0, os.path.join(ROOT, "tests", "golden"))
import make_top_fixture  # noqa: E402

gdal.UseExceptions()
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def width(line):
    """Terminal columns: code points, combining marks U+0300-U+036F take none."""
    return sum(1 for c in line if not 0x300 <= ord(c) <= 0x36F)


# ---- The oracle: the window and the counts, from the incidents layer ------------------------------

def load_incidents(path):
    """fid -> (category, local datetime at UTC+07:00)."""
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName("incidents")
    ti, ci = lyr.GetLayerDefn().GetFieldIndex("time"), lyr.GetLayerDefn().GetFieldIndex("category")
    out = {}
    for f in lyr:
        if not f.IsFieldSetAndNotNull(ti):  # kept without a time (time_missing): no window holds it
            out[f.GetFID()] = (f.GetField(ci), None)
            continue
        y, mo, d, h, mi, s, tz = f.GetFieldAsDateTime(ti)
        assert tz == 100, "times are stored in UTC"
        utc = datetime.datetime(y, mo, d, h, mi, int(s))
        out[f.GetFID()] = (f.GetField(ci), utc + datetime.timedelta(hours=7))
    return out


def in_window(local, category, hours=None, days=None, date_from=None, date_to=None, categories=None):
    """A shift begins each selected local day at the start of `hours`; hours after midnight of a
    wrapping shift belong to the day before."""
    if categories and category not in categories:
        return False
    if local is None:  # an incident without a time is in no time window, and in the others
        return not (hours or days or date_from or date_to)
    day = local.date()
    if hours:
        h0, h1 = ((int(t[:2]) * 60 + int(t[3:])) for t in hours.split("-"))
        m = local.hour * 60 + local.minute
        if not (h0 <= m < h1 if h0 < h1 else (m >= h0 or m < h1)):
            return False
        if h1 < h0 and m < h1:
            day -= datetime.timedelta(days=1)
    if days and DAYS[day.weekday()] not in days:
        return False
    if date_from and day < datetime.date.fromisoformat(date_from):
        return False
    if date_to and day > datetime.date.fromisoformat(date_to):
        return False
    return True


def hotspot_polygons(path):
    """id -> polygon: KDE zones as Z<zone_rank>; Gi* groups are the parts of the union of the cells
    with Gi_Bin >= 2, labelled G1.. by cell count, then by their first cell."""
    ds = ogr.Open(path)
    out = {}
    for f in ds.GetLayerByName("hotspot_zones"):
        out["Z%d" % f.GetField("zone_rank")] = f.GetGeometryRef().Clone()
    cells = [(f.GetFID(), f.GetGeometryRef().Clone()) for f in ds.GetLayerByName("local_grid")
             if f.GetField("Gi_Bin") is not None and f.GetField("Gi_Bin") >= 2]
    union = ogr.Geometry(ogr.wkbMultiPolygon)
    for _, g in cells:
        for k in range(g.GetGeometryCount()):
            union.AddGeometry(g.GetGeometryRef(k))
    union = union.UnionCascaded()
    parts = [union.GetGeometryRef(k).Clone() for k in range(union.GetGeometryCount())]
    groups = []
    for part in parts:
        members = [fid for fid, g in cells if part.Contains(g.PointOnSurface())]
        groups.append((-len(members), min(members), part))
    for k, (_, _, part) in enumerate(sorted(groups, key=lambda t: t[:2])):
        out["G%d" % (k + 1)] = part
    return out


def merged_polygons(polygons):
    """Places: a KDE zone and a Gi* group whose interiors overlap (intersection with area) are one
    place, transitively; its id the members' ids in natural order joined by '+'."""
    ids = sorted(polygons, key=natural)
    parent = {i: i for i in ids}

    def find(i):
        while parent[i] != i:
            i = parent[i]
        return i
    for a in ids:
        for b in ids:
            if a < b and a[0] != b[0] and polygons[a].Intersection(polygons[b]).GetArea() > 0:
                parent[find(a)] = find(b)
    groups = {}
    for i in ids:
        groups.setdefault(find(i), []).append(i)
    out = {}
    for members in groups.values():
        g = polygons[members[0]].Clone()
        for m in members[1:]:
            g = g.Union(polygons[m])
        out["+".join(sorted(members, key=natural))] = g
    return out


def fids_inside(path, geom):
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName("incidents")
    lyr.SetSpatialFilter(geom)
    return {f.GetFID() for f in lyr}


def natural(i):
    m = re.match(r"([A-Za-z]*)(\d*)", i)
    return (m.group(1), len(m.group(2)), m.group(2), i)


class Top(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hotspot-top-")
        cls.fixture = make_top_fixture.build_fixture(HOTSPOT, ROOT, cls.tmp)
        cls.incidents = load_incidents(cls.fixture)
        cls.raw_polygons = hotspot_polygons(cls.fixture)
        cls.polygons = merged_polygons(cls.raw_polygons)
        cls.inside = {k: fids_inside(cls.fixture, g) for k, g in cls.polygons.items()}
        ds = ogr.Open(cls.fixture)
        cls.study_km2 = sum(f.GetGeometryRef().GetArea() for f in ds.GetLayerByName("communes")) / 1e6
        cls.commune_names = [f.GetField("name") for f in ds.GetLayerByName("communes")]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def top(self, *args, fixture=None, code=0):
        p = make_top_fixture.run_top(HOTSPOT, fixture or self.fixture, *args)
        stdout, stderr = p.stdout.decode("utf-8"), p.stderr.decode("utf-8")  # strict: never a cut sequence
        self.last_code = p.returncode
        if code is not None:
            self.assertEqual(p.returncode, code, stderr)
        return stdout, stderr

    def top_json(self, *args, **kw):
        return json.loads(self.top(*args, "--format", "json", **kw)[0])

    def copy_fixture(self, name):
        path = os.path.join(self.tmp, name)
        shutil.copyfile(self.fixture, path)
        return path

    # -- goldens -------------------------------------------------------------------------------------

    def test_goldens(self):
        for fmt, name in make_top_fixture.FORMATS.items():
            p = make_top_fixture.run_top(HOTSPOT, self.fixture, *make_top_fixture.GOLDEN_ARGS, "--format", fmt)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(GOLDEN, name), "rb") as f:
                self.assertEqual(p.stdout.decode(), f.read().decode(), f"{name} differs from the golden")

    # -- independent counts and PAI ------------------------------------------------------------------

    def check_against_oracle(self, args, min_pai=1.0, **window):
        got = self.top_json(*args, "--n", "20", "--min-pai", str(min_pai))
        fids = {fid for fid, (cat, local) in self.incidents.items() if in_window(local, cat, **window)}
        self.assertEqual(got["header"]["incidents_in_window"], len(fids), args)
        expected = []
        for hid, inside in self.inside.items():
            n = len(inside & fids)
            if n:
                area = self.polygons[hid].GetArea() / 1e6
                expected.append((hid, n, (n / len(fids)) / (area / self.study_km2)))
        expected.sort(key=lambda t: (-t[1], -t[2], natural(t[0])))
        self.assertEqual(got["header"]["hotspots_with_incidents"], len(expected), args)
        shown = [e for e in expected if e[2] > min_pai]
        self.assertEqual(got["header"]["hidden_by_min_pai"], len(expected) - len(shown), args)
        expected = shown
        self.assertGreaterEqual(len(expected), 1, args)
        self.assertEqual(len(got["hotspots"]), min(20, len(expected)), args)
        for want, row in zip(expected[:3], got["hotspots"][:3]):
            self.assertEqual(row["hotspot"], want[0], args)
            self.assertEqual(row["incidents"], want[1], args)
            self.assertAlmostEqual(row["share"], want[1] / len(fids), delta=0.00005 + 1e-12)
            self.assertAlmostEqual(row["pai"], want[2], delta=0.0005 + 1e-12)
        return got

    def test_counts_and_pai_match_an_independent_count(self):
        self.check_against_oracle(make_top_fixture.GOLDEN_ARGS[:4], hours="22:00-04:00", days={"mon", "tue", "wed", "thu", "fri"})
        self.check_against_oracle([])
        self.check_against_oracle([], min_pai=0)
        self.check_against_oracle(["--hours", "06:00-18:00"], min_pai=3, hours="06:00-18:00")
        self.check_against_oracle(["--hours", "23:30-00:30"], hours="23:30-00:30")
        self.check_against_oracle(["--days", "sat,sun", "--from", "2024-03-01", "--to", "2024-05-31"],
                                  days={"sat", "sun"}, date_from="2024-03-01", date_to="2024-05-31")
        self.check_against_oracle(["--hours", "22:00-02:00", "--days", "fri", "--to", "2024-12-31"],
                                  hours="22:00-02:00", days={"fri"}, date_to="2024-12-31")
        self.check_against_oracle(["--category", "robbery", "--category", "theft, attempted", "--hours", "06:00-18:00"],
                                  categories={"robbery", "theft, attempted"}, hours="06:00-18:00")

    def test_wrapping_hours_give_the_after_midnight_part_to_the_shift_that_began_the_day_before(self):
        # Friday nights: Friday 22:00 to Saturday 04:00, never Friday 00:00-04:00.
        got = self.top_json("--hours", "22:00-04:00", "--days", "fri")
        fri = {fid for fid, (c, t) in self.incidents.items() if in_window(t, c, hours="22:00-04:00", days={"fri"})}
        sat_early = {fid for fid in fri if self.incidents[fid][1].hour < 4}
        self.assertTrue(sat_early and all(self.incidents[f][1].weekday() == 5 for f in sat_early))
        self.assertEqual(got["header"]["incidents_in_window"], len(fri))
        # The two halves of the shift add up.
        late = self.top_json("--hours", "22:00-24:00", "--days", "fri")["header"]["incidents_in_window"]
        early = self.top_json("--hours", "00:00-04:00", "--days", "sat")["header"]["incidents_in_window"]
        self.assertEqual(late + early, len(fri))

    def test_day_ranges_and_lists(self):
        a = self.top_json("--days", "fri-mon")
        b = self.top_json("--days", "Fri,saturday,sun,MON")
        self.assertEqual(a["header"]["window"]["days"], ["mon", "fri", "sat", "sun"])
        self.assertEqual(a["hotspots"], b["hotspots"])
        week = self.top_json("--days", "mon-fri")["header"]["incidents_in_window"]
        weekend = self.top_json("--days", "sat,sun")["header"]["incidents_in_window"]
        self.assertEqual(week + weekend, sum(1 for _, t in self.incidents.values() if t is not None))

    def test_kde_zones_name_the_communes_the_kde_run_named(self):
        ds = ogr.Open(self.fixture)
        recorded = {"Z%d" % f.GetField("zone_rank"): set(f.GetField("communes").split(", "))
                    for f in ds.GetLayerByName("hotspot_zones")}
        for row in self.top_json("--source", "zones")["hotspots"]:
            self.assertEqual(set(row["communes"]), recorded[row["hotspot"]], row["hotspot"])

    def test_sources(self):
        zones = self.top_json("--source", "zones", "--n", "50", "--min-pai", "0")
        gi = self.top_json("--source", "gi", "--n", "50", "--min-pai", "0")
        both = self.top_json("--n", "50", "--min-pai", "0")
        self.assertEqual({r["source"] for r in zones["hotspots"]}, {"zones"})
        self.assertEqual({r["source"] for r in gi["hotspots"]}, {"gi"})
        self.assertEqual(sorted(r["hotspot"] for r in zones["hotspots"] + gi["hotspots"]), sorted(self.raw_polygons))
        # Overlapping zones and groups are one place naming both sources.
        self.assertEqual(sorted(r["hotspot"] for r in both["hotspots"]), sorted(self.polygons))
        merged = [r for r in both["hotspots"] if "+" in r["hotspot"]]
        self.assertTrue(merged, "the fixture has a KDE zone inside a Gi* group")
        for r in merged:
            self.assertEqual(r["source"], "zones+gi")

    def test_relative_windows_from_the_as_of_date(self):
        last = max(t for _, t in self.incidents.values() if t is not None).date()
        got = self.top_json("--last", "28d")
        self.assertEqual(got["header"]["window"]["as_of"], last.isoformat())
        self.assertEqual(got["header"]["window"]["from"], (last - datetime.timedelta(days=27)).isoformat())
        self.assertEqual(got["header"]["window"]["to"], last.isoformat())
        same = self.top_json("--from", (last - datetime.timedelta(days=27)).isoformat(), "--to", "today")
        self.assertEqual(got["hotspots"], same["hotspots"])
        eight = self.top_json("--from", "-8w")
        self.assertEqual(eight["header"]["window"]["from"], (last - datetime.timedelta(weeks=8)).isoformat())
        n = sum(1 for c, t in self.incidents.values() if t is not None and t.date() >= last - datetime.timedelta(weeks=8))
        self.assertEqual(eight["header"]["incidents_in_window"], n)
        for args in (["--last", "28"], ["--last", "4w", "--to", "today"], ["--from", "-2y"]):
            _, err = self.top(*args, code=2)
            self.assertIn("--" + ("from" if "-2y" in args else "last"), err, args)

    def test_peak_hours_lie_inside_the_shift(self):
        for hours in ("22:00-06:00", "22:00-04:00", "06:00-18:00", "23:00-01:00"):
            h0, h1 = (int(t[:2]) for t in hours.split("-"))
            inside = {h % 24 for h in range(h0, h1 if h1 > h0 else h1 + 24)}
            for row in self.top_json("--hours", hours, "--n", "20", "--min-pai", "0")["hotspots"]:
                a, b = (int(t[:2]) for t in row["peak_hours"].split("-"))
                span = range(a, b if b > a else b + 24)
                self.assertTrue({h % 24 for h in span} <= inside, (hours, row["peak_hours"]))

    def test_gpx_and_kml_are_xml_with_one_point_per_hotspot(self):
        import xml.etree.ElementTree as ET
        js = self.top_json("--n", "20")["hotspots"]
        gpx = ET.fromstring(self.top("--format", "gpx", "--n", "20")[0].encode())
        ns = {"g": "http://www.topografix.com/GPX/1/1"}
        wpts = gpx.findall("g:wpt", ns)
        self.assertEqual(len(wpts), len(js))
        for w, j in zip(wpts, js):
            self.assertAlmostEqual(float(w.get("lat")), j["lat"], places=6)
            self.assertEqual(w.find("g:name", ns).text, f"{j['rank']}. {j['hotspot']}")
        kml = ET.fromstring(self.top("--format", "kml", "--n", "20")[0].encode())
        marks = kml.findall(".//{http://www.opengis.net/kml/2.2}Placemark")
        self.assertEqual(len(marks), len(js))

    # -- formats -------------------------------------------------------------------------------------

    def test_csv_and_json_agree(self):
        rows = list(csv.DictReader(io.StringIO(self.top("--format", "csv")[0], newline="")))
        js = self.top_json()["hotspots"]
        self.assertEqual(len(rows), len(js))
        for r, j in zip(rows, js):
            self.assertEqual(r["hotspot"], j["hotspot"])
            self.assertEqual(int(r["incidents"]), j["incidents"])
            self.assertAlmostEqual(float(r["pai"]), j["pai"], places=3)
            self.assertEqual(r["communes"], ", ".join(j["communes"]))

    def test_geojson_is_wgs84_polygons_counter_clockwise(self):
        text = self.top("--format", "geojson", "--n", "50", "--min-pai", "0")[0]
        gdal.FileFromMemBuffer("/vsimem/top.geojson", text.encode())
        try:
            ds = ogr.Open("/vsimem/top.geojson")
            lyr = ds.GetLayer(0)
            self.assertEqual(lyr.GetFeatureCount(), len(self.polygons))  # --min-pai 0: every place
            for f in lyr:
                g = f.GetGeometryRef()
                self.assertEqual(g.GetGeometryType(), ogr.wkbMultiPolygon)
                self.assertTrue(g.IsValid(), f.GetField("hotspot"))
                xmin, xmax, ymin, ymax = g.GetEnvelope()
                self.assertTrue(106.4 < xmin < xmax < 106.8 and 20.7 < ymin < ymax < 21.0, "lon, lat order")
                point = ogr.CreateGeometryFromWkt(f"POINT ({f.GetField('lon')} {f.GetField('lat')})")
                self.assertTrue(g.Contains(point), f"{f.GetField('hotspot')}: its position is inside it")
        finally:
            gdal.Unlink("/vsimem/top.geojson")
        for feature in json.loads(text)["features"]:
            for polygon in feature["geometry"]["coordinates"]:
                ring = polygon[0]
                area2 = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:]))
                self.assertGreater(area2, 0, "RFC 7946: exterior rings counter-clockwise")

    # -- the table -----------------------------------------------------------------------------------

    def test_table_fits_80_columns_with_vietnamese_names_intact(self):
        out = self.top("--n", "20")[0]
        for line in out.splitlines():
            self.assertLessEqual(width(line), 80, line)
        self.assertNotIn("\u2026", out)  # nothing needed cutting here
        shown = set(re.findall(r"communes: (.*)", out))
        names = {n for line in shown for n in line.split(", ")}
        self.assertTrue(names and names <= set(self.commune_names), names - set(self.commune_names))
        self.assertIn("Đặng Cương", names)

    def test_header_lines_wrap_instead_of_losing_words(self):
        out = self.top("--hours", "22:00-04:00", "--days", "fri-mon", "--category", "theft",
                       "--category", "disturbance", "--category", "assault")[0]
        header = out.split("\n\n")[0]
        self.assertNotIn("\u2026", header)
        for line in header.splitlines():
            self.assertLessEqual(width(line), 80, line)
        self.assertIn("\nstudy area 130.00 km² (communes)\n", header)
        joined = " ".join(line.strip() for line in header.splitlines())
        self.assertIn("22:00-04:00; mon,fri,sat,sun; theft, disturbance, assault", joined)

    def test_long_decomposed_commune_lists_wrap_by_display_width_with_every_name_whole(self):
        path = self.copy_fixture("nfd.gpkg")
        ds = gdal.OpenEx(path, gdal.OF_VECTOR | gdal.OF_UPDATE)
        lyr = ds.GetLayerByName("communes")
        for f in list(lyr):
            f.SetField("name", unicodedata.normalize("NFD", "Xã " + f.GetField("name") + " mở rộng phía Đông Bắc"))
            lyr.SetFeature(f)
        ds = None
        out = self.top("--n", "20", fixture=path)[0]
        full = {}
        for row in self.top_json("--n", "20", fixture=path)["hotspots"]:
            full[row["rank"]] = row["communes"]
        self.assertNotIn("\u2026", out)  # no name is cut
        shown, rank, label, wrapped = {}, None, None, 0
        for line in out.splitlines():
            self.assertLessEqual(width(line), 80, line)  # NFD marks take no column
            m = re.match(r"\s+(\d+) ", line)
            if m:
                rank, label = int(m.group(1)), None
            elif line.startswith("    communes: "):
                label = "communes"
                shown[rank] = line[len("    communes: "):]
            elif label == "communes" and line.startswith(" " * 14) and line[14] != " ":
                wrapped += 1
                shown[rank] += " " + line[14:]  # a continuation, indented under the first name
            else:
                label = None
        self.assertEqual(shown, {r: ", ".join(names) for r, names in full.items()})
        self.assertGreater(wrapped, 0, "some commune lists must have been too long for one line")

    def test_empty_window_prints_the_table_without_rows(self):
        out = self.top("--from", "2030-01-01", "--to", "2030-01-31")[0]
        self.assertIn("# hotspot", out)
        self.assertIn("no incidents matched the window", out)
        self.assertNotRegex(out, r"\n\s+1 ")
        self.assertEqual(self.top("--from", "2030-01-01", "--format", "csv")[0].count("\r\n"), 1)
        self.assertEqual(self.top_json("--from", "2030-01-01")["hotspots"], [])
        self.assertEqual(json.loads(self.top("--from", "2030-01-01", "--format", "geojson")[0])["features"], [])

    # -- the UTC offset ------------------------------------------------------------------------------

    def test_offset_comes_from_run_metadata_else_from_the_option(self):
        path = self.copy_fixture("no_offset.gpkg")
        con = sqlite3.connect(path)
        con.execute("DELETE FROM run_metadata WHERE key = 'parameters'")
        con.commit()
        con.close()
        recorded = self.top_json("--hours", "22:00-04:00")
        self.assertEqual(recorded["header"]["window"]["utc_offset_from"], "run_metadata")
        fallback = self.top_json("--hours", "22:00-04:00", fixture=path)
        self.assertEqual(fallback["header"]["window"]["utc_offset"], "+07:00")
        self.assertEqual(fallback["header"]["window"]["utc_offset_from"], "--utc-offset")
        self.assertEqual(fallback["hotspots"], recorded["hotspots"])
        # 22:00-04:00 at +07:00 is 15:00-21:00 in UTC.
        utc = self.top_json("--hours", "15:00-21:00", "--utc-offset", "+00:00", fixture=path)
        self.assertEqual(utc["header"]["incidents_in_window"], recorded["header"]["incidents_in_window"])
        # An offset that the file contradicts is reported, not used.
        _, err = self.top("--utc-offset", "+00:00")
        self.assertIn("--utc-offset +00:00 is not used", err)

    # -- errors --------------------------------------------------------------------------------------

    def test_bad_options_exit_2_naming_the_option(self):
        for args, option in [(["--hours", "25:00-01:00"], "--hours"), (["--hours", "22:00"], "--hours"),
                             (["--hours", "22:00-22:00"], "--hours"), (["--days", "mon-fry"], "--days"),
                             (["--days", "mon,,fri"], "--days"), (["--from", "2024-13-01"], "--from"),
                             (["--to", "2024-02-30"], "--to"), (["--from", "2024-03-01", "--to", "2024-02-01"], "--from"),
                             (["--n", "0"], "--n"), (["--format", "xml"], "--format"), (["--source", "kde"], "--source"),
                             (["--utc-offset", "7"], "--utc-offset"), (["--category", "arson"], "--category"),
                             (["--min-pai", "-1"], "--min-pai"), (["--to", "tomorrow"], "--to")]:
            _, err = self.top(*args, code=2)
            self.assertIn(option, err, args)

    def test_missing_file_and_layers(self):
        _, err = self.top(fixture=os.path.join(self.tmp, "missing.gpkg"), code=4)
        self.assertIn("missing.gpkg", err)
        bare = os.path.join(self.tmp, "aggregate.gpkg")  # written by build_fixture: no hotspot layer
        _, err = self.top(fixture=bare, code=3)
        self.assertIn("hotspot_zones", err)
        self.assertIn("Gi_Bin", err)
        path = self.copy_fixture("gi_only.gpkg")
        ds = gdal.OpenEx(path, gdal.OF_VECTOR | gdal.OF_UPDATE)
        ds.DeleteLayer("hotspot_zones")
        ds = None
        self.assertEqual({r["source"] for r in self.top_json("--n", "20", fixture=path)["hotspots"]}, {"gi"})
        _, err = self.top("--source", "zones", fixture=path, code=3)
        self.assertIn("hotspot_zones", err)
        _, err = self.top(fixture=os.path.join(self.tmp, "kde.gpkg"), code=3)  # hotspot zones, no incidents
        self.assertIn("incidents", err)

    # -- files in longitude/latitude, damaged files ---------------------------------------------------

    def geographic_output(self, name, zones=1):
        """A GeoPackage laid out like hotspot's output but in EPSG:4326 (as another tool might
        write it): zones 0.01° squares near Hai Phong, 12 incidents in the first, two communes."""
        from osgeo import osr
        path = os.path.join(self.tmp, name)
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(4326)
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
        inc = ds.CreateLayer("incidents", srs, ogr.wkbPoint)
        for fname, t in (("id", ogr.OFTString), ("time", ogr.OFTDateTime), ("category", ogr.OFTString)):
            inc.CreateField(ogr.FieldDefn(fname, t))
        for k in range(12):
            f = ogr.Feature(inc.GetLayerDefn())
            f["id"] = str(k)
            f.SetField("time", 2024, 3, 1 + k, 3, 0, 0, 100)
            f["category"] = "theft"
            f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({106.601 + 0.0007 * k} 20.805)"))
            inc.CreateFeature(f)
        z = ds.CreateLayer("hotspot_zones", srs, ogr.wkbMultiPolygon)
        z.CreateField(ogr.FieldDefn("hotspot_id", ogr.OFTString))
        for k in range(zones):
            x = 106.60 + 0.02 * (k % 50)
            y = 20.80 + 0.02 * (k // 50)
            f = ogr.Feature(z.GetLayerDefn())
            f["hotspot_id"] = f"Z{k + 1}"
            f.SetGeometry(ogr.CreateGeometryFromWkt(
                f"MULTIPOLYGON ((({x} {y},{x + 0.01} {y},{x + 0.01} {y + 0.01},{x} {y + 0.01},{x} {y})))"))
            z.CreateFeature(f)
        c = ds.CreateLayer("communes", srs, ogr.wkbPolygon)
        c.CreateField(ogr.FieldDefn("commune_id", ogr.OFTString))
        c.CreateField(ogr.FieldDefn("name", ogr.OFTString))
        for cid, x0 in (("A", 106.60), ("B", 106.62)):
            f = ogr.Feature(c.GetLayerDefn())
            f["commune_id"], f["name"] = cid, "Xã " + cid
            f.SetGeometry(ogr.CreateGeometryFromWkt(
                f"POLYGON (({x0} 20.80,{x0 + 0.02} 20.80,{x0 + 0.02} 20.82,{x0} 20.82,{x0} 20.80))"))
            c.CreateFeature(f)
        ds = None
        return path

    def test_geographic_file_has_geodesic_areas(self):
        from pyproj import Geod
        path = self.geographic_output("geographic.gpkg")
        got = self.top_json("--n", "5", fixture=path)
        geod = Geod(ellps="WGS84")
        zone, _ = geod.polygon_area_perimeter([106.60, 106.61, 106.61, 106.60], [20.80, 20.80, 20.81, 20.81])
        communes, _ = geod.polygon_area_perimeter([106.60, 106.64, 106.64, 106.60], [20.80, 20.80, 20.82, 20.82])
        self.assertEqual(len(got["hotspots"]), 1)
        h = got["hotspots"][0]
        self.assertEqual(h["incidents"], 12)
        self.assertAlmostEqual(h["area_km2"], abs(zone) / 1e6, delta=1e-4)  # json rounds to 4 decimals
        # Each square is ~1.15 km² (0.01° ≈ 1107 m × 1041 m): nowhere near the 0.0 of degrees².
        self.assertGreater(h["area_km2"], 1.1)
        self.assertAlmostEqual(got["header"]["study_area_km2"], abs(communes) / 1e6, delta=1e-4)

    def test_damaged_hotspot_layer_fails_whole(self):
        path = self.geographic_output("damaged.gpkg", zones=3000)
        sys.path.insert(0, os.path.join(ROOT, "tests", "bad_inputs"))
        import make_files
        make_files.damage_middle(path)
        out, err = self.top(fixture=path, code=None)
        self.assertIn(self.last_code, (3, 4), err)
        self.assertIn("damaged.gpkg", err)
        self.assertNotIn("Traceback", err)


class DateOnlyPeakHours(unittest.TestCase):
    """Date-only incidents (time_precision 'day') are stored at local midnight but have no hour:
    top leaves them out of peak hours and of --hours windows, and counts them. One busy place: 25
    incidents at 14:xx and 15 with a date only; 40 at 03:xx scattered around it."""

    @classmethod
    def setUpClass(cls):
        import random
        cls.tmp = tempfile.mkdtemp(prefix="hotspot-top-dateonly-")
        rng = random.Random(5)
        rows = []
        for k in range(40):
            clock = "" if k < 15 else f"14:{rng.randint(0, 59):02d}"
            rows.append((106.650 + rng.uniform(-2e-4, 2e-4), 20.820 + rng.uniform(-2e-4, 2e-4), clock))
        for k in range(40):
            rows.append((106.63 + rng.uniform(0, 0.04), 20.80 + rng.uniform(0, 0.04),
                         f"03:{rng.randint(0, 59):02d}"))
        cls.date_only = 15
        with open(os.path.join(cls.tmp, "inc.csv"), "w") as f:
            f.write("id,lon,lat,date,clock\n")
            for i, (x, y, clock) in enumerate(rows):
                f.write(f"{i},{x:.6f},{y:.6f},2025-09-{1 + i % 20:02d},{clock}\n")
        with open(os.path.join(cls.tmp, "communes.geojson"), "w") as f:
            json.dump({"type": "FeatureCollection", "features": [{"type": "Feature",
                       "properties": {"commune_id": "A", "name": "Xã A"},
                       "geometry": {"type": "Polygon", "coordinates": [[[106.62, 20.79], [106.68, 20.79],
                                    [106.68, 20.85], [106.62, 20.85], [106.62, 20.79]]]}}]}, f)
        config = {"inputs": {"communes": {"path": "communes.geojson"},
                             "incidents": {"path": "inc.csv", "date_field": "date", "time_field": "clock",
                                           "time_format": "%Y-%m-%d %H:%M"}},
                  "output": {"path": "out.gpkg", "quicklook": False},
                  "analyses": [{"type": "aggregate"},
                               {"type": "kde", "cell_size": 25, "bandwidth": 150, "top_percent": 2}]}
        with open(os.path.join(cls.tmp, "run.json"), "w") as f:
            json.dump(config, f)
        p = subprocess.run([HOTSPOT, "run", "--config", os.path.join(cls.tmp, "run.json")],
                           capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        cls.out = os.path.join(cls.tmp, "out.gpkg")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def top(self, *args):
        p = subprocess.run([HOTSPOT, "top", "--in", self.out, *args], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def inside_first(self, hotspot_id):
        """(date-only, hour -> count of the rest) of the incidents inside one hotspot zone."""
        ds = ogr.Open(self.out)
        zones = ds.GetLayerByName("hotspot_zones")
        zone = [f.GetGeometryRef().Clone() for f in zones if f.GetField("hotspot_id") == hotspot_id][0]
        date_only, hours = 0, {}
        for f in ds.GetLayerByName("incidents"):
            if not zone.Contains(f.GetGeometryRef()):
                continue
            if f.GetField("time_precision") == "day":
                date_only += 1
            else:
                hours[f.GetField("hour")] = hours.get(f.GetField("hour"), 0) + 1
        return date_only, hours

    def test_peak_hours_leave_date_only_incidents_out_and_count_them(self):
        got = json.loads(self.top("--format", "json"))
        self.assertEqual(got["header"]["incidents_without_hour"], self.date_only)
        first = got["hotspots"][0]
        date_only, hours = self.inside_first(first["hotspot"])
        self.assertGreater(date_only, 0)  # the busy place holds date-only incidents
        start = int(first["peak_hours"][:2])
        block = [(start + h) % 24 for h in range(3)]
        self.assertIn(14, block, first["peak_hours"])
        self.assertEqual(first["peak_incidents"], sum(hours.get(h, 0) for h in block))
        self.assertEqual(first["incidents"], date_only + sum(hours.values()))
        table = self.top()
        self.assertIn(f"({self.date_only} without an hour: not in peak hours)", table)

    def test_hour_windows_leave_date_only_incidents_out_and_count_them(self):
        got = json.loads(self.top("--format", "json", "--hours", "12:00-16:00"))
        self.assertEqual(got["header"]["incidents_without_hour"], self.date_only)
        self.assertEqual(got["header"]["incidents_in_window"], 25)
        self.assertIn(f"({self.date_only} without an hour: left out of the hours)",
                      self.top("--hours", "12:00-16:00"))


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
