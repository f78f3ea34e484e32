#!/usr/bin/python3
"""Headless QGIS 3.22: the project a full run stores in its GeoPackage opens with every layer valid
and styled (no layer left with QGIS's default single symbol), the density raster under the
vectors, and renders to a map that is not blank. Every vector layer also opens styled on its own.

Usage: QT_QPA_PLATFORM=offscreen test_run_qgis.py HOTSPOT_BINARY REPO_ROOT   (needs python3-qgis)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from qgis.core import (QgsApplication, QgsMapRendererParallelJob, QgsMapSettings, QgsProject, QgsRasterLayer,
                       QgsSingleBandPseudoColorRenderer, QgsVectorLayer)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

HOTSPOT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SAMPLE = os.path.join(ROOT, "data", "sample")
MAP_LAYERS = {"incidents", "cluster_members", "hotspot_zones", "clusters", "zones", "zone_communes", "emerging",
              "communes", "local_communes", "local_grid", "density"}


class QgisRun(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.app = QgsApplication([], False)
        cls.app.initQgis()
        cls.tmp = tempfile.mkdtemp(prefix="hotspot-qgis-run-")
        cls.out = os.path.join(cls.tmp, "run.gpkg")
        with open(os.path.join(SAMPLE, "run.json")) as f:
            c = json.load(f)
        for k in ("communes", "zones", "incidents"):
            c["inputs"][k]["path"] = os.path.join(SAMPLE, c["inputs"][k]["path"])
        c["output"]["path"] = cls.out
        for a in c["analyses"]:
            if "permutations" in a:
                a["permutations"] = 99
        config = os.path.join(cls.tmp, "run.json")
        with open(config, "w") as f:
            json.dump(c, f)
        subprocess.run([HOTSPOT, "run", "--config", config, "--quiet"], check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        QgsProject.instance().clear()
        shutil.rmtree(cls.tmp)
        cls.app.exitQgis()

    def test_project_opens_every_layer_styled_and_renders(self):
        project = QgsProject.instance()
        self.assertTrue(project.read(f"geopackage:{self.out}?projectName=hotspot"))
        layers = {l.name(): l for l in project.mapLayers().values()}
        self.assertEqual(set(layers), MAP_LAYERS)
        # Every layer-tree entry points at its layer (QGIS keeps only ids longer than 10 characters).
        tree = project.layerTreeRoot().findLayers()
        self.assertEqual({n.name() for n in tree if n.layer() is not None}, MAP_LAYERS)
        for name, layer in layers.items():
            self.assertTrue(layer.isValid(), name)
            if isinstance(layer, QgsVectorLayer):
                self.assertNotEqual(layer.renderer().type(), "singleSymbol", name)
                self.assertGreater(layer.featureCount(), 0, name)
        self.assertIsInstance(layers["density"].renderer(), QgsSingleBandPseudoColorRenderer)
        order = [l.name() for l in project.layerTreeRoot().layerOrder()]
        self.assertEqual(order[-1], "density")  # the raster is drawn under every vector
        self.assertLess(order.index("incidents"), order.index("communes"))
        settings = QgsMapSettings()
        settings.setLayers(project.layerTreeRoot().layerOrder())
        settings.setExtent(layers["communes"].extent())
        settings.setOutputSize(QSize(600, 450))
        settings.setBackgroundColor(QColor(255, 255, 255))
        settings.setDestinationCrs(layers["communes"].crs())
        job = QgsMapRendererParallelJob(settings)
        job.start()
        job.waitForFinished()
        img = job.renderedImage()
        png = os.path.join(self.tmp, "render.png")
        self.assertTrue(img.save(png))
        colours = {img.pixel(x, y) for x in range(0, 600, 5) for y in range(0, 450, 5)}
        self.assertGreater(len(colours), 20)
        project.clear()

    def test_every_vector_layer_opens_styled_on_its_own(self):
        for name in MAP_LAYERS - {"density"} | {"vanished_hotspots"}:
            layer = QgsVectorLayer(f"{self.out}|layername={name}", name, "ogr")
            self.assertTrue(layer.isValid(), name)
            self.assertNotEqual(layer.renderer().type(), "singleSymbol", name)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
