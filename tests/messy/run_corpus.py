#!/usr/bin/env python3
"""Runs the messy-data corpus (make_corpus.py) through the CLI and checks each case's outcome.

Usage: run_corpus.py HOTSPOT_BINARY REPO_ROOT

For every case in cases.json, each stage of STAGES runs in order (a stage that fails as the case
expects ends the chain). Then: the exit code, words the error must (not) hold, and for runs that
succeed, accepted + rejected = rows read, the expected rejects, categories, date-only and
time-missing counts, and the incidents layer's pass-through and local-time fields.
To add a stage (e.g. `hotspot init`, `run --check`), append to STAGES.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

from osgeo import ogr

ogr.UseExceptions()
HOTSPOT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])


def run_stage(case):
    return subprocess.run([HOTSPOT, "run", "--config", case["config_path"], "--json",
                           "--threads", "2"], capture_output=True, text=True)


# (name, function(case) -> CompletedProcess). The last stage's result is the one checked.
STAGES = [("run", run_stage)]


class MessyCorpus(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hotspot-messy-")
        subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tests", "messy", "make_corpus.py"),
                        cls.tmp], check=True)
        with open(os.path.join(cls.tmp, "cases.json"), encoding="utf-8") as f:
            cls.cases = json.load(f)

    def check_case(self, case):
        p = None
        for name, stage in STAGES:
            p = stage(case)
            self.assertNotEqual(p.returncode, 1, f"{name}: exit 1 (internal)\n{p.stderr}")
            if p.returncode != 0:
                break
        out = p.stdout + p.stderr
        self.assertEqual(p.returncode, case["expect_exit"], out)
        for word in case.get("stderr_has", []):
            self.assertIn(word, out)
        for word in case.get("stderr_lacks", []):
            self.assertNotIn(word, out)
        if case["expect_exit"] != 0:
            return
        c = json.loads(p.stdout)["counts"]
        self.assertEqual(c["read"], c["accepted"] + c["rejected"])
        self.assertEqual(c["read"], case["rows"])
        self.assertEqual(c["rejected"], case["rejected"])
        gpkg = os.path.join(self.tmp, case["config"]["output"]["path"])
        ds = ogr.Open(gpkg)
        lyr = ds.GetLayerByName("incidents")
        self.assertEqual(lyr.GetFeatureCount(), c["accepted"])
        names = [lyr.GetLayerDefn().GetFieldDefn(i).GetName()
                 for i in range(lyr.GetLayerDefn().GetFieldCount())]
        for f in ("local_time", "local_date", "hour", "weekday"):
            self.assertIn(f, names)
        cats = {feat.GetField("category") for feat in lyr} - {None}
        if "categories" in case:
            self.assertEqual(len(cats), case["categories"], sorted(cats))
        if "date_only" in case:
            q = ds.ExecuteSQL("SELECT count(*) FROM incidents WHERE time_precision = 'day'")
            self.assertEqual(q.GetNextFeature().GetField(0), case["date_only"])
            ds.ReleaseResultSet(q)
            q = ds.ExecuteSQL("SELECT count(*) FROM incidents WHERE time_precision = 'missing'")
            self.assertEqual(q.GetNextFeature().GetField(0), case["time_missing"])
            ds.ReleaseResultSet(q)
            # The analyst's own columns are kept.
            self.assertIn("Địa chỉ", names)
            self.assertIn("Số hồ sơ", names)
            q = ds.ExecuteSQL("SELECT count(*) FROM incidents WHERE hour IS NOT NULL AND "
                              "local_time NOT LIKE '%+07:00'")
            self.assertEqual(q.GetNextFeature().GetField(0), 0)
            ds.ReleaseResultSet(q)


def make_test(index):
    def test(self):
        self.check_case(self.cases[index])
    return test


# One test per case, named after it (cases.json is read again here to name them).
with tempfile.TemporaryDirectory() as d:
    subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tests", "messy", "make_corpus.py"), d],
                   check=True)
    with open(os.path.join(d, "cases.json"), encoding="utf-8") as f:
        for k, case in enumerate(json.load(f)):
            setattr(MessyCorpus, "test_" + case["name"], make_test(k))

if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
