#!/usr/bin/python3
"""hotspot brief: the PDF has 1 + n pages, the hotspot ids of `hotspot top` (same window) appear
in its text (pdftotext), Vietnamese labels and commune names keep their diacritics, page 1 is not
blank (pdftoppm); bad input exits 2 or 3 with a message; `hotspot run` writes one briefing per
named window. Pages 1 and 2 are kept as BUILD/artifacts/brief_page1.png and brief_page2.png.

Usage: test_brief.py HOTSPOT_BINARY REPO_ROOT   (needs poppler-utils, python3-gdal)
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

HOTSPOT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SAMPLE = os.path.join(ROOT, "data", "sample")
ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(HOTSPOT)), "artifacts")


def run(*args):
    p = subprocess.run([HOTSPOT, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


class Brief(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hotspot-brief-")
        with open(os.path.join(SAMPLE, "run.json")) as f:
            c = json.load(f)
        for k in ("communes", "zones", "incidents", "roads"):
            if k in c["inputs"]:
                c["inputs"][k]["path"] = os.path.join(SAMPLE, c["inputs"][k]["path"])
        cls.out = os.path.join(cls.tmp, "run.gpkg")
        c["output"] = {"path": cls.out, "quicklook": False}
        # Only what a briefing reads: hotspot zones (with ids), emerging for the trend.
        c["analyses"] = [a for a in c["analyses"] if a["type"] in ("aggregate", "kde", "emerging")]
        c["briefings"] = [{"name": "night", "hours": "22:00-06:00", "n": 3, "lang": "en"}]
        config = os.path.join(cls.tmp, "run.json")
        with open(config, "w") as f:
            json.dump(c, f)
        p = subprocess.run([HOTSPOT, "run", "--config", config], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        cls.run_stdout = p.stdout

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def pdf_text(self, pdf):
        return subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, check=True).stdout

    def pages(self, pdf):
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
        return int(next(l.split()[1] for l in info.splitlines() if l.startswith("Pages:")))

    def test_briefing_pages_ids_and_diacritics(self):
        pdf = os.path.join(self.tmp, "brief.pdf")
        rc, out, err = run("brief", "--in", self.out, "--out", pdf, "--hours", "22:00-06:00", "--n", "4")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.pages(pdf), 5)
        rc, top, err = run("top", "--in", self.out, "--hours", "22:00-06:00", "--n", "4", "--source", "zones",
                           "--format", "json")
        self.assertEqual(rc, 0, err)
        ids = [h["hotspot"] for h in json.loads(top)["hotspots"]]
        self.assertEqual(len(ids), 4)
        text = self.pdf_text(pdf)
        for hid in ids:
            self.assertIn(hid, text)
        self.assertIn("Bản tin tuần tra điểm nóng", text)   # vi is the default
        self.assertIn("Vụ việc theo giờ", text)
        with sqlite3.connect(self.out) as db:
            names = [n for (n,) in db.execute("SELECT name FROM communes")]
        accented = [n for n in names if any(ord(ch) > 127 for ch in n) and n in text]
        self.assertTrue(accented, "no Vietnamese commune name survived into the PDF text")
        os.makedirs(ARTIFACTS, exist_ok=True)
        for page in (1, 2):
            prefix = os.path.join(ARTIFACTS, f"brief_page{page}")
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page), "-singlefile", pdf,
                            prefix], check=True)
        ppm = subprocess.run(["pdftoppm", "-gray", "-r", "30", "-f", "1", "-l", "1", "-singlefile", pdf],
                             capture_output=True, check=True).stdout
        pixels = ppm.split(b"\n", 3)[3]
        dark = sum(1 for b in pixels if b < 200)
        self.assertGreater(dark, len(pixels) // 50)  # drawn, not blank

    def test_english(self):
        pdf = os.path.join(self.tmp, "en.pdf")
        rc, _, err = run("brief", "--in", self.out, "--out", pdf, "--n", "2", "--lang", "en")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.pages(pdf), 3)
        self.assertIn("Hotspot patrol briefing", self.pdf_text(pdf))

    def trends(self, pdf):
        """The "Trend" fact of every hotspot page."""
        return [ln.split("Trend", 1)[1].strip() for ln in self.pdf_text(pdf).splitlines()
                if ln.strip().startswith("Trend ")]

    def test_every_hotspot_has_a_trend(self):
        # Hotspot zones are often smaller than an emerging cell and hold no cell's centre: they take
        # the category of the cell under their centre, so no hotspot goes without a trend.
        pdf = os.path.join(self.tmp, "trend.pdf")
        rc, _, err = run("brief", "--in", self.out, "--out", pdf, "--hours", "22:00-06:00", "--n", "6",
                         "--lang", "en")
        self.assertEqual(rc, 0, err)
        trends = self.trends(pdf)
        self.assertEqual(len(trends), self.pages(pdf) - 1, trends)
        for t in trends:
            self.assertRegex(t, r"(Hot Spot|Cold Spot|No Pattern Detected)$")
        # Without an emerging layer: a dash, on every page.
        bare = os.path.join(self.tmp, "no_emerging.gpkg")
        shutil.copy(self.out, bare)
        subprocess.run(["ogrinfo", bare, "-sql", "DROP TABLE emerging"], capture_output=True, check=True)
        pdf = os.path.join(self.tmp, "no_trend.pdf")
        rc, _, err = run("brief", "--in", bare, "--out", pdf, "--n", "2", "--lang", "en")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.trends(pdf), ["–", "–"])

    def test_run_writes_the_named_window(self):
        pdf = os.path.join(self.tmp, "run-night.pdf")
        self.assertTrue(os.path.exists(pdf), self.run_stdout)
        self.assertEqual(self.pages(pdf), 4)
        self.assertIn("22:00-06:00", self.pdf_text(pdf))

    def page_pixels(self, pdf, page):
        ppm = subprocess.run(["pdftoppm", "-gray", "-r", "40", "-f", str(page), "-l", str(page), "-singlefile",
                              pdf], capture_output=True, check=True).stdout
        return ppm.split(b"\n", 3)[3]

    def test_roads_on_every_map(self):
        # The sample's road centre lines, drawn thin under the boundaries: page 1's overview (the
        # whole district) gains grey pixels that the same page without roads lacks; likewise the
        # night briefing `hotspot run` wrote with inputs.roads against the same window without.
        plain, roads = os.path.join(self.tmp, "plain_map.pdf"), os.path.join(self.tmp, "roads_map.pdf")
        rc, _, err = run("brief", "--in", self.out, "--out", plain, "--n", "1")
        self.assertEqual(rc, 0, err)
        rc, _, err = run("brief", "--in", self.out, "--out", roads, "--n", "1", "--roads",
                         f"{SAMPLE}/roads.geojson")
        self.assertEqual(rc, 0, err)
        night_plain = os.path.join(self.tmp, "night_plain.pdf")
        rc, _, err = run("brief", "--in", self.out, "--out", night_plain, "--hours", "22:00-06:00", "--n", "3",
                         "--lang", "en")
        self.assertEqual(rc, 0, err)
        for with_roads, without in ((roads, plain), (os.path.join(self.tmp, "run-night.pdf"), night_plain)):
            a, b = self.page_pixels(with_roads, 1), self.page_pixels(without, 1)
            self.assertEqual(len(a), len(b))
            self.assertGreater(sum(1 for x, y in zip(a, b) if x != y), 50, f"{with_roads}: no road drawn")
        # A roads file that does not exist: exit 4, nothing written.
        missing = os.path.join(self.tmp, "missing.pdf")
        rc, _, err = run("brief", "--in", self.out, "--out", missing, "--roads", f"{self.tmp}/no_roads.geojson")
        self.assertEqual(rc, 4, err)
        self.assertIn("--roads", err)
        self.assertFalse(os.path.exists(missing))

    def test_bad_input(self):
        pdf = os.path.join(self.tmp, "bad.pdf")
        for args, code, words in ((["--n", "0"], 2, "--n"), (["--lang", "fr"], 2, "--lang"),
                                  (["--hours", "25:00-01:00"], 2, "--hours")):
            rc, _, err = run("brief", "--in", self.out, "--out", pdf, *args)
            self.assertEqual(rc, code, err)
            self.assertIn(words, err)
            self.assertFalse(os.path.exists(pdf))
        rc, _, err = run("brief", "--in", self.out, "--out", self.out)
        self.assertEqual(rc, 2, err)
        # A GeoPackage without hotspot layers: exit 3 with a message.
        plain = os.path.join(self.tmp, "plain.gpkg")
        rc, _, err = run("aggregate", "--communes", f"{SAMPLE}/communes.gpkg", "--incidents",
                         f"{SAMPLE}/incidents.csv", "--out", plain)
        self.assertEqual(rc, 0, err)
        rc, _, err = run("brief", "--in", plain, "--out", pdf)
        self.assertEqual(rc, 3, err)
        self.assertIn("hotspot", err)
        self.assertFalse(os.path.exists(pdf))


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
