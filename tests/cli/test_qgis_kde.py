#!/usr/bin/python3
"""Headless QGIS 3.22: the kde outputs open styled.

Usage: QT_QPA_PLATFORM=offscreen test_qgis_kde.py HOTSPOT_BINARY REPO_ROOT   (needs python3-qgis)
QGIS does not read raster styles from layer_styles, so the GeoPackage carries a QGIS project in
its qgis_projects table; we open that project the way QGIS's Browser does and check the renderer
QGIS ends up with. hotspot_zones also opens styled on its own (layer_styles), and a GeoTIFF output
opens styled through the OUT.qml beside it.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from qgis.core import (QgsApplication, QgsGraduatedSymbolRenderer, QgsMapRendererParallelJob, QgsMapSettings,
                       QgsProject, QgsRasterLayer, QgsSingleBandPseudoColorRenderer, QgsVectorLayer)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

HOTSPOT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SAMPLE = os.path.join(ROOT, "data", "sample")


class QgisKde(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.app = QgsApplication([], False)
        cls.app.initQgis()
        cls.tmp = tempfile.mkdtemp(prefix="hotspot-qgis-kde-")
        cls.out = os.path.join(cls.tmp, "kde.gpkg")
        cls.tif = os.path.join(cls.tmp, "kde.tif")
        common = ["kde", "--incidents", f"{SAMPLE}/incidents.csv", "--communes", f"{SAMPLE}/communes.gpkg",
                  "--zones", f"{SAMPLE}/zones.geojson", "--cell-size", "50", "--bandwidth", "400"]
        subprocess.run([HOTSPOT, *common, "--top-percent", "30", "--out", cls.out], check=True, capture_output=True)
        subprocess.run([HOTSPOT, *common, "--out", cls.tif], check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        QgsProject.instance().clear()
        shutil.rmtree(cls.tmp)
        cls.app.exitQgis()

    def check_density(self, layer):
        self.assertTrue(layer.isValid())
        r = layer.renderer()
        self.assertIsInstance(r, QgsSingleBandPseudoColorRenderer, r.type())
        items = r.shader().rasterShaderFunction().colorRampItemList()
        self.assertGreaterEqual(len(items), 4)
        self.assertEqual(items[0].color.alpha(), 0)  # zero density is transparent
        self.assertEqual(layer.dataProvider().sourceNoDataValue(1), -9999)

    def test_project_in_the_geopackage_opens_both_layers_styled(self):
        project = QgsProject.instance()
        self.assertTrue(project.read(f"geopackage:{self.out}?projectName=hotspot"))
        layers = {l.name(): l for l in project.mapLayers().values()}
        # Readable names (the rule and the unit), and the OpenStreetMap basemap, off.
        self.assertEqual(set(layers), {"Density (incidents per km²)", "Hotspot zones (KDE top 30 %)",
                                       "OpenStreetMap (needs internet)"})
        layers["density"] = layers["Density (incidents per km²)"]
        self.check_density(layers["density"])
        self.assertEqual(layers["density"].width(), layers["density"].dataProvider().xSize())
        zones = layers["Hotspot zones (KDE top 30 %)"]
        self.assertTrue(zones.isValid())
        self.assertIsInstance(zones.renderer(), QgsGraduatedSymbolRenderer)
        self.assertEqual(zones.renderer().classAttribute(), "pai")
        self.assertGreater(zones.featureCount(), 0)
        settings = QgsMapSettings()
        settings.setLayers([zones, layers["density"]])
        settings.setExtent(layers["density"].extent())
        settings.setOutputSize(QSize(400, 300))
        settings.setBackgroundColor(QColor(255, 255, 255))
        settings.setDestinationCrs(layers["density"].crs())
        job = QgsMapRendererParallelJob(settings)
        job.start()
        job.waitForFinished()
        img = job.renderedImage()
        colours = {img.pixel(x, y) for x in range(0, 400, 7) for y in range(0, 300, 7)}
        self.assertGreater(len(colours), 5)
        project.clear()

    def test_hotspot_zones_open_styled_on_their_own(self):
        layer = QgsVectorLayer(f"{self.out}|layername=hotspot_zones", "hotspot_zones", "ogr")
        self.assertTrue(layer.isValid())
        self.assertIsInstance(layer.renderer(), QgsGraduatedSymbolRenderer)
        self.assertNotEqual(layer.renderer().type(), "singleSymbol")

    def test_geotiff_opens_styled_through_its_qml(self):
        self.check_density(QgsRasterLayer(self.tif, "density", "gdal"))


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
