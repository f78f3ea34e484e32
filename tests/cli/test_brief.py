#!/usr/bin/python3
"""hotspot brief: the PDF has 1 + n pages, the hotspot ids of `hotspot top` (same window) appear
in its text (pdftotext), Vietnamese labels and commune names keep their diacritics, page 1 is not
blank (pdftoppm); bad input exits 2 or 3 with a message; `hotspot run` writes one briefing per
named window. Pages 1 and 2 are kept as BUILD/artifacts/brief_page1.png and brief_page2.png.
With 50 hotspots and a long title (ManyHotspots, read with pdftotext -bbox): the overview table
lists every hotspot, continued on a second page; nothing reaches the footer's line, whose title is
cut before the page number; long lists of communes wrap, in type no smaller than 7 pt; the window
names its days as the weekday chart does.

Usage: test_brief.py HOTSPOT_BINARY REPO_ROOT   (needs poppler-utils, python3-gdal)
"""
import html
import json
import os
import re
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


LONG_TITLE = ("Báo cáo tuần tra an ninh trật tự khu công nghiệp Tràng Duệ và các xã phường lân cận, "
              "huyện An Dương, thành phố Hải Phòng")
MIN_TEXT_H = 8.0  # pdftotext's word height is about 1.16 x the font size: 7 pt is 8.14 high
PAGE_W, MARGIN = 595.28, 40


def bbox_pages(pdf):
    """Every page's words as (xMin, yMin, xMax, yMax, text), in the PDF's reading order."""
    out = subprocess.run(["pdftotext", "-bbox", pdf, "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for chunk in out.split("<page ")[1:]:
        pages.append([(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', chunk)])
    return pages


class ManyHotspots(unittest.TestCase):
    """A KDE with bandwidth 120 and top_percent 60 gives hundreds of hotspot zones on the sample,
    the first across 13 communes: a briefing of 50 of them under a long Vietnamese title."""
    N = 50

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hotspot-brief-many-")
        with open(os.path.join(SAMPLE, "run.json")) as f:
            c = json.load(f)
        for k in ("communes", "zones", "incidents"):
            c["inputs"][k]["path"] = os.path.join(SAMPLE, c["inputs"][k]["path"])
        c["inputs"].pop("roads", None)
        cls.out = os.path.join(cls.tmp, "many.gpkg")
        c["output"] = {"path": cls.out, "quicklook": False}
        c["analyses"] = [a for a in c["analyses"] if a["type"] in ("aggregate", "kde")]
        for a in c["analyses"]:
            if a["type"] == "kde":
                a.update(bandwidth=120, top_percent=60)
        c.pop("briefings", None)
        config = os.path.join(cls.tmp, "many.json")
        with open(config, "w") as f:
            json.dump(c, f)
        p = subprocess.run([HOTSPOT, "run", "--config", config], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        cls.pdfs, cls.tops = {}, {}
        for lang, days in (("vi", "sat,sun"), ("en", "mon-fri")):
            pdf = os.path.join(cls.tmp, f"many_{lang}.pdf")
            rc, _, err = run("brief", "--in", cls.out, "--out", pdf, "--n", str(cls.N), "--lang", lang, "--days", days,
                             "--title", LONG_TITLE)
            assert rc == 0, err
            rc, top, err = run("top", "--in", cls.out, "--n", str(cls.N), "--source", "zones", "--days", days,
                               "--format", "json")
            assert rc == 0, err
            cls.pdfs[lang], cls.tops[lang] = pdf, json.loads(top)["hotspots"]
            assert len(cls.tops[lang]) == cls.N

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def overview_pages(self, pages):
        return pages[:len(pages) - self.N]

    def table_words(self, page, column_x):
        """The words of the overview table's column starting at column_x, below its header."""
        head = next(w for w in page if abs(w[0] - 70) < 0.5 and w[4] in ("Mã", "Id"))
        footer = next(w for w in page if re.fullmatch(r"\d+/\d+", w[4]))
        return [w for w in page if abs(w[0] - column_x) < 0.5 and head[3] < w[1] and w[3] <= footer[1]]

    def test_the_overview_table_lists_every_hotspot(self):
        for lang, pdf in self.pdfs.items():
            pages = bbox_pages(pdf)
            overview = self.overview_pages(pages)
            self.assertGreater(len(overview), 1, f"{lang}: 50 rows do not fit under page 1's map")
            ids, ranks = [], []
            for page in overview:
                ids += [w[4] for w in self.table_words(page, 70)]
                ranks += [w[4] for w in self.table_words(page, MARGIN)]
            self.assertEqual(ids, [h["hotspot"] for h in self.tops[lang]], lang)
            self.assertEqual(ranks, [str(k) for k in range(1, self.N + 1)], lang)
            # Each continued page repeats the table's header.
            for page in overview:
                self.assertTrue(any(w[4] in ("Mã", "Id") for w in page))

    def test_nothing_reaches_the_footer_line(self):
        for lang, pdf in self.pdfs.items():
            pages = bbox_pages(pdf)
            word = "Trang" if lang == "vi" else "Page"
            for i, page in enumerate(pages, 1):
                number = next(w for w in page if re.fullmatch(r"\d+/\d+", w[4]))
                self.assertEqual(number[4], f"{i}/{len(pages)}", f"{lang} page {i}")
                label = next(w for w in page if w[4] == word and abs(w[1] - number[1]) < 0.5)
                on_line = [w for w in page if abs(w[1] - number[1]) < 0.5]
                for w in page:
                    if w in on_line:
                        self.assertLessEqual(w[2], PAGE_W - MARGIN + 0.5, f"{lang} page {i}: {w}")
                        if w[0] < label[0]:  # the title and window: clear of the page number
                            self.assertLess(w[2], label[0] - 4, f"{lang} page {i}: {w}")
                    else:
                        self.assertLessEqual(w[3], number[1], f"{lang} page {i}: {w} over the footer")
                self.assertIn("…", " ".join(w[4] for w in on_line), f"{lang} page {i}: the long title is not cut")

    def test_long_text_wraps_legibly(self):
        pages = bbox_pages(self.pdfs["vi"])
        overview = self.overview_pages(pages)
        # Page 1's title: whole, on two lines, not shrunk below 7 pt.
        text = " ".join(w[4] for w in overview[0])
        self.assertIn(LONG_TITLE, text)
        title = [w for w in overview[0] if w[4] in LONG_TITLE.split()]
        self.assertGreater(len({round(w[1]) for w in title}), 1)
        for page in overview:
            for column in (MARGIN, 70, MARGIN + 70):
                for w in self.table_words(page, column):
                    self.assertGreaterEqual(w[3] - w[1], MIN_TEXT_H, w)
        # Row 1's communes and zones: every name, whole (a name may end a line, never split one).
        first = self.tops["vi"][0]
        self.assertGreaterEqual(len(first["communes"]), 8)
        row1, row2 = self.table_words(overview[0], 70)[:2]  # the ids of rows 1 and 2
        cell = [w for w in overview[0] if MARGIN + 70 - 0.5 < w[0] < MARGIN + 265 and row1[1] - 0.5 < w[1] < row2[1] - 0.5]
        self.assertGreater(len({round(w[1]) for w in cell}), 1, "row 1's communes do not wrap")
        cell_text = " ".join(w[4] for w in cell)
        for name in first["communes"] + first.get("industrial_zones", []):
            self.assertIn(name, cell_text)
        # Hotspot 1's page: the heading and the communes fact hold every name, legibly.
        page = pages[len(overview)]
        window = next(w for w in page if w[4] == "toàn" and abs(w[0] - MARGIN) < 0.5)
        heading = [w for w in page if w[3] <= window[1]]
        self.assertGreater(len({round(w[1]) for w in heading}), 1, "the heading does not wrap")
        for w in heading:
            self.assertGreaterEqual(w[3] - w[1], 10 * 1.16, w)
        self.assertIn(", ".join(first["communes"]), " ".join(w[4] for w in heading))
        key = next(w for w in page if w[4] == "Xã," and abs(w[0] - MARGIN) < 0.5)
        next_key = next(w for w in page if w[4] == "Khu" and abs(w[0] - MARGIN) < 0.5)
        value = [w for w in page if w[0] >= MARGIN + 130 - 0.5 and key[1] - 0.5 < w[1] < next_key[1] - 0.5]
        self.assertGreater(len({round(w[1]) for w in value}), 1, "the communes fact does not wrap")
        self.assertEqual(" ".join(w[4] for w in value), ", ".join(first["communes"]))
        for w in value:
            self.assertGreaterEqual(w[3] - w[1], MIN_TEXT_H, w)

    def test_the_window_is_named_in_the_briefing_language(self):
        vi = subprocess.run(["pdftotext", self.pdfs["vi"], "-"], capture_output=True, text=True, check=True).stdout
        self.assertIn("toàn bộ thời gian · T7, CN ·", vi)
        self.assertNotIn("mọi ngày", vi)
        self.assertNotIn("sat", vi)
        en = subprocess.run(["pdftotext", self.pdfs["en"], "-"], capture_output=True, text=True, check=True).stdout
        self.assertIn("all dates · Mon–Fri ·", en)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
