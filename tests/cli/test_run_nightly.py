#!/usr/bin/python3
"""hotspot run as a nightly job (issue 17): an analysis that fails on its own (exit 5, the other
layers written and valid, the failure named in the summary, --json and run_metadata), --strict,
the guards (emerging's 10 time steps, the incidents layer in every run, kde without a zone rule),
an unwritable output directory refused before any work (exit 4), --log-file, near_repeat's
category and date filters, briefings that fail on their own (exit 5, the old PDF removed) or cannot
work (exit 2), --if-changed's look at the quick-look and the PDFs, and a named previous output that
must exist.

Usage: test_run_nightly.py HOTSPOT_BINARY REPO_ROOT
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import jsonschema
from osgeo import ogr

HOTSPOT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SAMPLE = os.path.join(ROOT, "data", "sample")
with open(os.path.join(ROOT, "schemas", "run-summary.schema.json")) as f:
    SUMMARY_SCHEMA = json.load(f)


def config(out, analyses):
    """The sample's inputs with absolute paths, these analyses, the output in `out`."""
    with open(os.path.join(SAMPLE, "run.json")) as f:
        c = json.load(f)
    for source in c["inputs"].values():
        if isinstance(source, dict) and "path" in source:
            source["path"] = os.path.join(SAMPLE, source["path"])
    c["output"] = {"path": out, "quicklook": False}
    c.pop("briefings", None)
    c["analyses"] = analyses
    return c


def write_json(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
    return path


def hotspot(*args):
    return subprocess.run([HOTSPOT, *args], capture_output=True, text=True)


def layers(path):
    ds = ogr.Open(path)
    return {ds.GetLayer(i).GetName(): ds.GetLayer(i).GetFeatureCount() for i in range(ds.GetLayerCount())}


def metadata(path):
    ds = ogr.Open(path)
    return {f.GetField("key"): json.loads(f.GetField("value")) for f in ds.GetLayerByName("run_metadata")}


AGGREGATE = {"type": "aggregate", "zone_buffer_m": 1000}
KDE = {"type": "kde", "cell_size": 100, "bandwidth": 400, "top_percent": 20}
# The sample spans two years: six-month steps are 4, too few for a trend.
EMERGING_4_STEPS = {"type": "emerging", "grid": "hex:1000", "time_step": "6mo"}
NEAR_REPEAT = {"type": "near_repeat", "space_bands": [0, 100, 200], "time_bands": [0, 7, 14],
               "permutations": 9}


class Nightly(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hotspot-nightly-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def test_a_failed_analysis_leaves_the_others_written(self):
        out = self.path("partial.gpkg")
        cfg = write_json(self.path("partial.json"), config(out, [AGGREGATE, KDE, EMERGING_4_STEPS, NEAR_REPEAT]))
        log = self.path("partial.log")
        p = hotspot("run", "--config", cfg, "--log-file", log)
        self.assertEqual(p.returncode, 5, p.stderr)
        # The summary names the failure, with the number of steps and a step that would do.
        failed = [l for l in p.stdout.splitlines() if l.startswith("FAILED")]
        self.assertEqual(len(failed), 1, p.stdout)
        self.assertIn("emerging (input error, exit 3)", failed[0])
        self.assertIn("4 time steps of 6mo", failed[0])
        self.assertIn('Try time_step "1mo" (24 steps)', failed[0])
        self.assertIn("partial: 1 analysis failed", p.stdout)
        # Every other layer is there and the file is a valid GeoPackage; nothing of emerging is.
        got = layers(out)
        for name in ("communes", "zones", "incidents", "hotspot_zones", "near_repeat", "run_metadata",
                     "rejected_incidents", "vanished_hotspots"):
            self.assertIn(name, got)
        self.assertGreater(got["incidents"], 50000)
        self.assertNotIn("emerging", got)
        self.assertNotIn("emerging_cube", got)
        v = subprocess.run([sys.executable, "-m", "osgeo_utils.samples.validate_gpkg", out],
                           capture_output=True, text=True)
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        meta = metadata(out)
        self.assertEqual(meta["status"], "partial")
        self.assertEqual(meta["failed_analyses"]["emerging"]["exit_class"], "input")
        self.assertEqual(meta["failed_analyses"]["emerging"]["exit_code"], 3)
        self.assertIn("kde", meta["counts"]["analyses"])
        # --json says the same, and matches its schema.
        p = hotspot("run", "--config", cfg, "--json", "--quiet")
        self.assertEqual(p.returncode, 5, p.stderr)
        s = json.loads(p.stdout)
        jsonschema.validate(s, SUMMARY_SCHEMA)
        self.assertEqual(s["status"], "partial")
        self.assertEqual(s["exit_code"], 5)
        self.assertEqual(s["analyses"]["emerging"]["status"], "failed")
        self.assertIn("at least 10", s["analyses"]["emerging"]["error"])
        self.assertEqual(s["analyses"]["kde"]["status"], "ok")
        # The log file: timestamped lines, the failure and the outcome.
        with open(log) as f:
            lines = f.read().splitlines()
        stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \[\d+\] (info|warning|error|debug): ")
        self.assertTrue(all(stamp.match(l) for l in lines), lines)
        self.assertIn("start: hotspot run --config", lines[0])
        self.assertTrue(any("analysis emerging failed" in l for l in lines))
        self.assertIn("end: partial (exit 5)", lines[-1])
        # --if-changed redoes a partial output.
        p = hotspot("run", "--config", cfg, "--if-changed", "--quiet")
        self.assertEqual(p.returncode, 5, p.stdout)

    def test_a_briefing_that_cannot_be_made_fails_on_its_own(self):
        out = self.path("brief.gpkg")
        c = config(out, [AGGREGATE, KDE])
        c["output"]["quicklook"] = True
        c["briefings"] = [{"name": "night", "hours": "22:00-06:00", "n": 3}]
        cfg = write_json(self.path("brief.json"), c)
        pdf, png = self.path("brief-night.pdf"), self.path("brief.png")
        p = hotspot("run", "--config", cfg, "--json", "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        s = json.loads(p.stdout)
        jsonschema.validate(s, SUMMARY_SCHEMA)
        self.assertEqual(s["output"]["briefings"]["night"]["status"], "ok")
        self.assertEqual(s["output"]["briefings"]["night"]["pages"], 4)
        self.assertTrue(os.path.exists(pdf))
        # Unchanged: skipped. The PDF gone, or the quick-look older than the GeoPackage (a run
        # stopped between them): made again.
        self.assertEqual(json.loads(hotspot("run", "--config", cfg, "--if-changed", "--json").stdout)["status"],
                         "skipped")
        os.remove(pdf)
        self.assertEqual(json.loads(hotspot("run", "--config", cfg, "--if-changed", "--json").stdout)["status"],
                         "ok")
        self.assertTrue(os.path.exists(pdf))
        os.utime(png, (os.path.getmtime(out) - 60,) * 2)
        self.assertEqual(json.loads(hotspot("run", "--config", cfg, "--if-changed", "--json").stdout)["status"],
                         "ok")
        # A window no incident falls in: exit 5, the failure named, and last night's PDF removed,
        # not left to be printed as tonight's.
        c["briefings"][0]["from"] = "2030-01-01"
        write_json(cfg, c)
        p = hotspot("run", "--config", cfg, "--json", "--log-file", self.path("brief.log"))
        self.assertEqual(p.returncode, 5, p.stderr)
        s = json.loads(p.stdout)
        jsonschema.validate(s, SUMMARY_SCHEMA)
        self.assertEqual(s["status"], "partial")
        night = s["output"]["briefings"]["night"]
        self.assertEqual(night["status"], "failed")
        self.assertIn("nothing to brief", night["error"])
        self.assertNotIn("briefing night", s["analyses"])
        self.assertFalse(os.path.exists(pdf))
        self.assertIn("hotspot_zones", layers(out))  # every analysis was written
        with open(self.path("brief.log")) as f:
            last = f.read().splitlines()[-1]
        self.assertIn("end: partial (exit 5)", last)
        self.assertIn("failed: briefing night", last)
        p = hotspot("run", "--config", cfg)
        self.assertEqual(p.returncode, 5)
        self.assertIn("FAILED     briefing night (input error, exit 3)", p.stdout)
        self.assertIn("partial: 1 briefing failed", p.stdout)

    def test_briefings_that_cannot_work_are_config_errors(self):
        out = self.path("bad_brief.gpkg")
        twice = config(out, [AGGREGATE, KDE])
        twice["briefings"] = [{"name": "night", "hours": "22:00-06:00"}, {"name": "night", "days": "sat,sun"}]
        no_zones = config(out, [AGGREGATE, {k: v for k, v in KDE.items() if k != "top_percent"}])
        no_zones["briefings"] = [{"name": "night"}]
        named_only = config(out, [AGGREGATE, dict(KDE, name="night", hours="22:00-06:00")])
        named_only["briefings"] = [{"name": "night"}]
        for doc, message in ((twice, "briefings[1].name: 'night' is also briefings[0]'s name"),
                             (no_zones, "briefings[0]: a briefing ranks the hotspot zones of a kde"),
                             (named_only, "briefings[0]: a briefing ranks the hotspot zones of a kde")):
            cfg = write_json(self.path("bad_brief.json"), doc)
            for extra in (["--check"], []):
                p = hotspot("run", "--config", cfg, *extra)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn(message, p.stderr)
        self.assertFalse(os.path.exists(out))

    def test_a_named_previous_output_must_exist(self):
        out = self.path("prev.gpkg")
        c = config(out, [AGGREGATE, KDE])
        c["previous"] = self.path("typo.gpkg")
        cfg = write_json(self.path("prev.json"), c)
        for extra in (["--check"], []):
            p = hotspot("run", "--config", cfg, *extra)
            self.assertEqual(p.returncode, 4, p.stderr)
            self.assertIn("previous: '" + self.path("typo.gpkg") + "' does not exist", p.stderr)
        del c["previous"]
        write_json(cfg, c)
        p = hotspot("run", "--config", cfg, "--previous", self.path("nope.gpkg"), "--json")
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("--previous '", json.loads(p.stdout)["message"])
        self.assertFalse(os.path.exists(out))

    def test_check_finds_an_output_folder_it_could_not_make(self):
        afile = self.path("afile")
        with open(afile, "w") as f:
            f.write("x")
        for out, message in (("/proc/hotspot-check/out.gpkg", "output.path: output directory '/proc"),
                             (os.path.join(afile, "sub", "out.gpkg"), "is a file")):
            cfg = write_json(self.path("check_out.json"), config(out, [AGGREGATE]))
            p = hotspot("run", "--config", cfg, "--check")
            self.assertEqual(p.returncode, 4, p.stderr)
            self.assertIn(message, p.stderr)
        self.assertFalse(os.path.exists("/proc/hotspot-check"))

    def test_the_log_files_folder_is_made_and_an_unopenable_log_still_gets_json(self):
        out = self.path("logged.gpkg")
        cfg = write_json(self.path("logged.json"), config(out, [AGGREGATE]))
        log = self.path(os.path.join("logs", "deep", "h.log"))
        p = hotspot("run", "--config", cfg, "--quiet", "--log-file", log)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(log) as f:
            self.assertIn("end: ok (exit 0)", f.read())
        p = hotspot("run", "--config", cfg, "--json", "--log-file", "/proc/hotspot-logs/h.log")
        self.assertEqual(p.returncode, 4, p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual((doc["status"], doc["exit_code"]), ("error", 4))
        self.assertIn("--log-file '/proc/hotspot-logs/h.log'", doc["message"])

    def test_strict_is_all_or_nothing(self):
        out = self.path("strict.gpkg")
        cfg = write_json(self.path("strict.json"), config(out, [AGGREGATE, EMERGING_4_STEPS]))
        p = hotspot("run", "--config", cfg, "--strict")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("at least 10", p.stderr)
        self.assertFalse(os.path.exists(out))

    def test_config_errors_still_come_first(self):
        out = self.path("bad.gpkg")
        bad = dict(EMERGING_4_STEPS, alpha=2)
        cfg = write_json(self.path("bad.json"), config(out, [AGGREGATE, bad]))
        p = hotspot("run", "--config", cfg, "--log-level", "info")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("analyses[1].alpha", p.stderr)
        self.assertNotIn("load inputs", p.stderr)
        self.assertFalse(os.path.exists(out))

    def test_unwritable_output_directory_exits_4_before_any_work(self):
        # /proc refuses new files even to root.
        for out in ("/proc/hotspot-nightly/out.gpkg", "/proc/self/out.gpkg"):
            cfg = write_json(self.path("ro.json"), config(out, [AGGREGATE]))
            p = hotspot("run", "--config", cfg, "--log-level", "info")
            self.assertEqual(p.returncode, 4, p.stderr)
            self.assertIn("output directory '", p.stderr)
            self.assertNotIn("load inputs", p.stderr)

    def test_every_run_writes_incidents_and_top_reads_it(self):
        out = self.path("kde_only.gpkg")
        cfg = write_json(self.path("kde_only.json"), config(out, [KDE]))
        p = hotspot("run", "--config", cfg)
        self.assertEqual(p.returncode, 0, p.stderr)
        got = layers(out)
        self.assertGreater(got["incidents"], 50000)
        p = hotspot("top", "--in", out, "--n", "3")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("Z1", p.stdout)

    def test_every_run_writes_the_boundaries_and_the_briefing_names_them(self):
        # Without aggregate the communes (a required input) and zones are still written, as
        # boundaries with ids and names and no counts; top and the briefing name each hotspot's
        # communes and zones from them (they said "không có", none).
        out = self.path("context.gpkg")
        cfg = write_json(self.path("context.json"), config(out, [KDE]))
        p = hotspot("run", "--config", cfg)
        self.assertEqual(p.returncode, 0, p.stderr)
        got = layers(out)
        self.assertEqual((got["communes"], got["zones"]), (20, 3))
        for absent in ("commune_category_counts", "zone_communes"):
            self.assertNotIn(absent, got)
        ds = ogr.Open(out)
        for name, id_field in (("communes", "commune_id"), ("zones", "zone_id")):
            defn = ds.GetLayerByName(name).GetLayerDefn()
            self.assertEqual([defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())],
                             [id_field, "name"])
        ds = None
        self.assertEqual(metadata(out)["counts"]["analyses"]["context"], {"communes": 20, "zones": 3})
        p = hotspot("top", "--in", out, "--n", "3", "--format", "json")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        hotspots = json.loads(p.stdout)["hotspots"]
        self.assertTrue(all(h["communes"] for h in hotspots), hotspots)
        self.assertTrue(any(h["industrial_zones"] for h in hotspots), hotspots)
        pdf = self.path("context.pdf")
        p = hotspot("brief", "--in", out, "--out", pdf, "--n", "3")
        self.assertEqual(p.returncode, 0, p.stderr)
        text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, check=True).stdout
        self.assertNotIn("Xã, phường: không có", text)
        first = hotspots[0]["communes"]
        first = first[0] if isinstance(first, list) else first.split(", ")[0]
        self.assertIn(first, text)
        # A run of near_repeat alone has them too.
        out = self.path("context_nr.gpkg")
        cfg = write_json(self.path("context_nr.json"), config(out, [NEAR_REPEAT]))
        p = hotspot("run", "--config", cfg)
        self.assertEqual(p.returncode, 0, p.stderr)
        got = layers(out)
        self.assertEqual((got["communes"], got["zones"]), (20, 3))
        # Zones are optional: without them, only the communes.
        c = config(self.path("context_nz.gpkg"), [NEAR_REPEAT])
        c["inputs"].pop("zones")
        p = hotspot("run", "--config", write_json(self.path("context_nz.json"), c))
        self.assertEqual(p.returncode, 0, p.stderr)
        got = layers(self.path("context_nz.gpkg"))
        self.assertEqual(got["communes"], 20)
        self.assertNotIn("zones", got)

    def test_kde_without_a_zone_rule_says_so(self):
        out = self.path("no_zones.gpkg")
        kde = {k: v for k, v in KDE.items() if k != "top_percent"}
        cfg = write_json(self.path("no_zones.json"), config(out, [kde]))
        p = hotspot("run", "--config", cfg)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("no hotspot zones are made: give top_percent, threshold or percentile", p.stdout)
        self.assertNotIn("hotspot_zones", layers(out))

    def test_near_repeat_filters(self):
        out = self.path("nr.gpkg")
        nr = dict(NEAR_REPEAT, categories=["robbery"], **{"from": "2024-03-01", "to": "2024-08-31"})
        cfg = write_json(self.path("nr.json"), config(out, [nr]))
        p = hotspot("run", "--config", cfg, "--json", "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        s = json.loads(p.stdout)
        counts = s["analyses"]["near_repeat"]["counts"]
        self.assertGreater(counts["filtered"], 40000)
        self.assertEqual(s["analyses"]["near_repeat"]["parameters"]["categories"], ["robbery"])
        bad = dict(NEAR_REPEAT, categories=["arson"])
        cfg = write_json(self.path("nr_bad.json"), config(out, [bad]))
        p = hotspot("run", "--config", cfg, "--strict")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("arson", p.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
