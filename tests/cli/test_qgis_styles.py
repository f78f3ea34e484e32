#!/usr/bin/python3
"""Headless QGIS: every vector layer of an aggregate output opens with its default style.

Usage: QT_QPA_PLATFORM=offscreen test_qgis_styles.py HOTSPOT_BINARY REPO_ROOT   (needs python3-qgis)
QGIS 3.22 applies the style marked useAsDefault in the GeoPackage's layer_styles table when it
loads a layer; we check the renderer QGIS ends up with, not just the table's content.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from qgis.core import (QgsApplication, QgsCategorizedSymbolRenderer, QgsGraduatedSymbolRenderer,
                       QgsMapRendererParallelJob, QgsMapSettings, QgsRectangle, QgsVectorLayer)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

HOTSPOT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SAMPLE = os.path.join(ROOT, "data", "sample")
EXPECTED = {  # layer -> (renderer class, attribute)
    "communes": (QgsGraduatedSymbolRenderer, "per_km2"),
    "zones": (QgsCategorizedSymbolRenderer, "name"),
    "zone_communes": (QgsCategorizedSymbolRenderer, "zone_name"),
    "incidents": (QgsCategorizedSymbolRenderer, "category"),
}


class QgisStyles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.app = QgsApplication([], False)
        cls.app.initQgis()
        cls.tmp = tempfile.mkdtemp(prefix="hotspot-qgis-")
        cls.out = os.path.join(cls.tmp, "demo.gpkg")
        subprocess.run([HOTSPOT, "aggregate", "--communes", f"{SAMPLE}/communes.gpkg", "--zones",
                        f"{SAMPLE}/zones.geojson", "--incidents", f"{SAMPLE}/incidents.csv",
                        "--population-field", "population", "--out", cls.out], check=True, capture_output=True)
        cls.layers = {name: QgsVectorLayer(f"{cls.out}|layername={name}", name, "ogr") for name in EXPECTED}

    @classmethod
    def tearDownClass(cls):
        cls.layers = None
        shutil.rmtree(cls.tmp)
        cls.app.exitQgis()

    def test_layers_load_with_their_default_styles(self):
        for name, (renderer_class, attr) in EXPECTED.items():
            layer = self.layers[name]
            self.assertTrue(layer.isValid(), name)
            r = layer.renderer()
            self.assertIsInstance(r, renderer_class, f"{name}: {r.type()}")
            self.assertNotEqual(r.type(), "singleSymbol", name)
            self.assertEqual(r.classAttribute(), attr, name)
            n = len(r.ranges()) if isinstance(r, QgsGraduatedSymbolRenderer) else len(r.categories())
            self.assertGreaterEqual(n, 2, name)

    def test_incident_categories_cover_the_data(self):
        r = self.layers["incidents"].renderer()
        styled = {c.value() for c in r.categories()}
        data = set(self.layers["incidents"].uniqueValues(self.layers["incidents"].fields().indexOf("category")))
        self.assertTrue(data <= styled, data - styled)

    def test_communes_are_labelled_by_name(self):
        layer = self.layers["communes"]
        self.assertTrue(layer.labelsEnabled())
        self.assertEqual(layer.labeling().settings().fieldName, "name")

    def test_render_is_not_blank(self):
        settings = QgsMapSettings()
        settings.setLayers([self.layers[n] for n in ("incidents", "zones", "communes")])
        extent = QgsRectangle(self.layers["communes"].extent())
        extent.grow(500)
        settings.setExtent(extent)
        settings.setOutputSize(QSize(600, 500))
        settings.setBackgroundColor(QColor(255, 255, 255))
        settings.setDestinationCrs(self.layers["communes"].crs())
        job = QgsMapRendererParallelJob(settings)
        job.start()
        job.waitForFinished()
        image = job.renderedImage()
        image.save(os.path.join(self.tmp, "render.png"))
        colours = {image.pixel(x, y) for x in range(0, 600, 7) for y in range(0, 500, 7)}
        self.assertGreater(len(colours), 10)  # the classes' colours, outlines and labels


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
