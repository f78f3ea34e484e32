#!/usr/bin/python3
"""Headless QGIS: the layers of a `hotspot cluster` output open with their default styles, and the
integer CLUSTER_ID matches the style's categories (clusters get colours, noise the grey class).

Usage: QT_QPA_PLATFORM=offscreen test_cluster_qgis.py HOTSPOT_BINARY REPO_ROOT   (needs python3-qgis)
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from qgis.core import QgsApplication, QgsCategorizedSymbolRenderer, QgsRenderContext, QgsVectorLayer

HOTSPOT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SAMPLE = os.path.join(ROOT, "data", "sample")


class ClusterStyles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.app = QgsApplication([], False)
        cls.app.initQgis()
        cls.tmp = tempfile.mkdtemp(prefix="hotspot-cluster-qgis-")
        cls.out = os.path.join(cls.tmp, "cl.gpkg")
        subprocess.run([HOTSPOT, "cluster", "--incidents", f"{SAMPLE}/incidents.csv", "--method", "dbscan", "--eps", "60",
                        "--min-points", "12", "--out", cls.out], check=True, capture_output=True)
        cls.layers = {n: QgsVectorLayer(f"{cls.out}|layername={n}", n, "ogr") for n in ("incidents", "clusters")}

    @classmethod
    def tearDownClass(cls):
        cls.layers = None
        shutil.rmtree(cls.tmp)
        cls.app.exitQgis()

    def test_categorised_by_cluster_id(self):
        for name, layer in self.layers.items():
            self.assertTrue(layer.isValid(), name)
            r = layer.renderer()
            self.assertIsInstance(r, QgsCategorizedSymbolRenderer, name)
            self.assertEqual(r.classAttribute(), "CLUSTER_ID")
            self.assertGreaterEqual(len(r.categories()), 3)

    def test_integer_ids_hit_their_category(self):
        layer = self.layers["incidents"]
        r = layer.renderer().clone()
        ctx = QgsRenderContext()
        r.startRender(ctx, layer.fields())
        grey, coloured = set(), set()
        for f in layer.getFeatures():
            sym = r.symbolForFeature(f, ctx)
            (coloured if sym.color().name() != "#969696" else grey).add(f["CLUSTER_ID"])
        r.stopRender(ctx)
        self.assertIn(-1, grey)
        self.assertIn(0, coloured)
        self.assertIn(1, coloured)

    def test_legend_names_clusters_by_their_ids_and_noise_as_noise(self):
        # The legend read 0, 1, ... beside footprints labelled C1, C2, ...: cluster 0 is C1.
        id_of = {f["CLUSTER_ID"]: f["hotspot_id"] for f in self.layers["clusters"].getFeatures()}
        self.assertEqual(id_of[0], "C1")
        for name, layer in self.layers.items():
            labels = {c.value(): c.label() for c in layer.renderer().categories()}
            for k, hotspot_id in id_of.items():
                self.assertEqual(labels[str(k)], hotspot_id, name)
            self.assertEqual(labels.get("-1"), "noise" if name == "incidents" else None, name)
            self.assertNotIn("(other)", labels.values(), name)
        footprints = self.layers["clusters"]
        self.assertTrue(footprints.labelsEnabled())
        self.assertEqual(footprints.labeling().settings().fieldName, "hotspot_id")


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
