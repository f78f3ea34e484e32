#!/usr/bin/python3
"""Headless QGIS: the local_stats layer opens with Gi_Bin as a diverging categorised style, and the
COType style (four colours) is offered as the alternative.

Usage: QT_QPA_PLATFORM=offscreen test_local_qgis.py HOTSPOT_BINARY REPO_ROOT   (needs python3-qgis)
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from qgis.core import QgsApplication, QgsCategorizedSymbolRenderer, QgsVectorLayer

HOTSPOT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
G = os.path.join(ROOT, "tests", "golden", "local")


class LocalStyles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.app = QgsApplication([], False)
        cls.app.initQgis()
        cls.tmp = tempfile.mkdtemp(prefix="hotspot-qgis-local-")
        cls.out = os.path.join(cls.tmp, "col.gpkg")
        subprocess.run([HOTSPOT, "local", "--units", f"{G}/columbus.geojson", "--units-crs", "planar", "--field",
                        "CRIME", "--weights", "queen", "--permutations", "99", "--out", cls.out],
                       check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)
        cls.app.exitQgis()

    def test_default_is_gi_bin_and_cotype_is_offered(self):
        layer = QgsVectorLayer(f"{self.out}|layername=local_stats", "local_stats", "ogr")
        self.assertTrue(layer.isValid())
        r = layer.renderer()
        self.assertIsInstance(r, QgsCategorizedSymbolRenderer)
        self.assertEqual(r.classAttribute(), "Gi_Bin")
        colours = {c.value(): c.symbol().color().name() for c in r.categories()}
        self.assertEqual(colours["3"], "#d73027")   # hot, 99 %: red
        self.assertEqual(colours["-3"], "#4575b4")  # cold, 99 %: blue
        # Every Gi_Bin value in the data has its category (nothing falls through to no symbol).
        values = {str(f["Gi_Bin"]) for f in layer.getFeatures()}
        self.assertTrue(values <= set(colours), values)
        count, ids, names, descs, err = layer.listStylesInDatabase()
        self.assertEqual(len(names), 2, names)
        qml, err = layer.getStyleFromDatabase(ids[names.index("Local Moran clusters and outliers (COType)")])
        self.assertIn('attr="COType"', qml)
        for v in ("HH", "HL", "LH", "LL"):
            self.assertIn(f'value="{v}"', qml)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
