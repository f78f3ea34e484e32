#!/usr/bin/env python3
"""Runs the messy-data corpus (make_corpus.py) through the CLI and checks each case's outcome.

Usage: run_corpus.py HOTSPOT_BINARY REPO_ROOT

Every case goes through the stages a new user would (STAGES): `hotspot init` on its inputs, then
`hotspot run --check`, then `hotspot run`. init must succeed and detect what the case says it
detects (init_expect: JSON path -> value); a case with from_init runs init's own configuration
(its output path and analyses replaced by the case's), the others their hand-written one. A stage
that fails ends the chain: it must be the case's fails_at stage, with the case's exit code. Then:
words the messages must (not) hold, and for runs that succeed, accepted + rejected = rows read,
the expected rejects, categories, date-only and time-missing counts, commune names as written in
the output, and the incidents layer's pass-through and local-time fields.
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


def init_stage(case, tmp):
    inputs = case["config"]["inputs"]
    args = [HOTSPOT, "init", "--communes", os.path.join(tmp, inputs["communes"]["path"]),
            "--incidents", os.path.join(tmp, inputs["incidents"]["path"]),
            "--zones", os.path.join(tmp, inputs["zones"]["path"]),
            "--out", os.path.join(tmp, case["config"]["output"]["path"])]
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode == 0 and case.get("from_init"):
        config = json.loads(p.stdout)
        config["output"] = case["config"]["output"]
        config["output"]["path"] = os.path.join(tmp, config["output"]["path"])
        config["analyses"] = case["config"]["analyses"]
        case["config_path"] = os.path.join(tmp, case["name"] + ".init.json")
        with open(case["config_path"], "w", encoding="utf-8") as f:
            json.dump(config, f, ensure_ascii=False, indent=1)
    return p


def check_stage(case, tmp):
    return subprocess.run([HOTSPOT, "run", "--check", "--config", case["config_path"]],
                          capture_output=True, text=True)


def run_stage(case, tmp):
    return subprocess.run([HOTSPOT, "run", "--config", case["config_path"], "--json",
                           "--threads", "2"], capture_output=True, text=True)


# (name, function(case, tmp) -> CompletedProcess), in the order a new user runs them.
STAGES = [("init", init_stage), ("check", check_stage), ("run", run_stage)]


def json_path(doc, path):
    for key in path.split("."):
        if not isinstance(doc, dict) or key not in doc:
            return None
        doc = doc[key]
    return doc


# The corpus, made once: its cases name the tests.
TMP = tempfile.TemporaryDirectory(prefix="hotspot-messy-")
subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tests", "messy", "make_corpus.py"), TMP.name],
               check=True)
with open(os.path.join(TMP.name, "cases.json"), encoding="utf-8") as f:
    CASES = json.load(f)


class MessyCorpus(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp, cls.cases = TMP.name, CASES

    def check_case(self, case):
        case = dict(case)
        failed_at, out = None, ""
        for name, stage in STAGES:
            p = stage(case, self.tmp)
            self.assertNotEqual(p.returncode, 1, f"{name}: exit 1 (internal)\n{p.stderr}")
            if name != "init":  # init's notes are checked by init_expect
                out += p.stdout + p.stderr
            if name == "init":
                self.assertEqual(p.returncode, 0, f"init: {p.stderr}")
                detected = json.loads(p.stdout)
                for path, value in case.get("init_expect", {}).items():
                    self.assertEqual(json_path(detected, path), value, f"init: {path}\n{p.stdout}")
            if name == "check" and p.returncode == 0:
                self.assertIn("valid", p.stdout + p.stderr)
            if p.returncode != 0:
                failed_at = name
                break
        self.assertEqual(failed_at, case.get("fails_at"), out)
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
        if "commune_names" in case:
            lyr = ds.GetLayerByName("communes")
            self.assertEqual(sorted(f.GetField("name") for f in lyr), case["commune_names"])
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


    def test_a_command_without_field_options_names_the_columns(self):
        # The spreadsheet export typed straight into a command: the error lists the columns and
        # the coordinate options to give; given them, the command runs (its times are not needed).
        args = [HOTSPOT, "aggregate", "--communes", os.path.join(self.tmp, "communes_cpg", "communes.shp"),
                "--incidents", os.path.join(self.tmp, "incidents.csv")]
        p = subprocess.run(args + ["--out", os.path.join(self.tmp, "out", "direct.gpkg")],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("the file's columns: 'STT', 'Số hồ sơ', 'Kinh độ', 'Vĩ độ'", p.stderr)
        self.assertIn("--x-field 'Kinh độ' --y-field 'Vĩ độ'", p.stderr)
        p = subprocess.run(args + ["--x-field", "Kinh độ", "--y-field", "Vĩ độ", "--out",
                                   os.path.join(self.tmp, "out", "direct.gpkg")], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"incidents  read 401 = accepted \d+ \+ rejected \d+")


def make_test(index):
    def test(self):
        self.check_case(self.cases[index])
    return test


# One test per case, named after it.
for k, case in enumerate(CASES):
    setattr(MessyCorpus, "test_" + case["name"], make_test(k))

if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
