#!/usr/bin/python3
"""Headless QGIS 3.22: the project a full run stores in its GeoPackage opens ready to brief from.
Its CRS is valid and is the work CRS (with on-the-fly reprojection, so a WGS 84 layer lines up);
the layers sit in the groups Hotspots / Context / Details with human-readable names; only the
commune and zone outlines (every name labelled), the hotspot zones (labelled with their ids), the
density at 60 % and the Gi* grid (no fill where not significant) are on; fills are at most 40 %
opaque; legends are rounded and carry units; an OpenStreetMap layer is present and off. The
default view is rendered to BUILD/artifacts/qgis_default_view.png (kept: look at it). Every vector
layer also opens styled on its own.

Usage: QT_QPA_PLATFORM=offscreen test_run_qgis.py HOTSPOT_BINARY REPO_ROOT   (needs python3-qgis)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import re

from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem, QgsLayerTreeGroup, QgsMapRendererParallelJob,
                       QgsMapSettings, QgsProject, QgsRasterLayer, QgsRenderContext, QgsSingleBandPseudoColorRenderer,
                       QgsVectorLayer)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

HOTSPOT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SAMPLE = os.path.join(ROOT, "data", "sample")
MAP_LAYERS = {"incidents", "cluster_members", "hotspot_zones", "clusters", "zones", "zone_communes", "emerging",
              "communes", "local_communes", "local_grid", "density"}
# Project layer name -> (group, visible by default). Table names are the data sources' layernames.
PROJECT = {
    "Hotspot zones (KDE top 20 %)": ("Hotspots", True),
    "Hot and cold spots (Gi*, 500 m hex)": ("Hotspots", True),
    "Emerging hot spots (500 m hex, 1w steps)": ("Hotspots", False),
    "Density (incidents per km²)": ("Hotspots", True),
    "Industrial zones": ("Context", True),
    "Communes": ("Context", True),
    "Incidents": ("Details", False),
    "Cluster members": ("Details", False),
    "Clusters (dbscan, concave hulls)": ("Details", False),
    "Zone–commune pieces": ("Details", False),
    "Incidents per km² by commune": ("Details", False),
    "Hot and cold spots (Gi*, communes)": ("Details", False),
    "OpenStreetMap (needs internet)": (None, False),
}
ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(HOTSPOT)), "artifacts")


def render(project, layers, extent, width, height):
    """The layers drawn as QGIS draws the project, on white: the image and the labels placed."""
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(project.crs())
    settings.setExtent(extent)
    settings.setOutputSize(QSize(width, height))
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    return job.renderedImage(), job.takeLabelingResults().allLabels()


class QgisRun(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.app = QgsApplication([], False)
        cls.app.initQgis()
        cls.tmp = tempfile.mkdtemp(prefix="hotspot-qgis-run-")
        cls.out = os.path.join(cls.tmp, "run.gpkg")
        with open(os.path.join(SAMPLE, "run.json")) as f:
            c = json.load(f)
        for k in ("communes", "zones", "incidents", "roads"):
            if k in c["inputs"]:
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

    def test_project_opens_ready_to_brief_from(self):
        project = QgsProject.instance()
        self.assertTrue(project.read(f"geopackage:{self.out}?projectName=hotspot"))
        # A valid project CRS, the work CRS: a WGS 84 layer or the basemap lines up with the data.
        self.assertTrue(project.crs().isValid())
        self.assertEqual(project.crs(), QgsCoordinateReferenceSystem("EPSG:9210"))
        root = project.layerTreeRoot()
        self.assertEqual([g.name() for g in root.children() if isinstance(g, QgsLayerTreeGroup)],
                         ["Hotspots", "Context", "Details"])
        nodes = {n.name(): n for n in root.findLayers()}
        self.assertEqual(set(nodes), set(PROJECT))
        for name, (group, visible) in PROJECT.items():
            node = nodes[name]
            self.assertIsNotNone(node.layer(), name)  # the tree entry points at its layer
            self.assertTrue(node.layer().isValid() or name.startswith("OpenStreetMap"), name)
            parent = node.parent()
            self.assertEqual(parent.name() if parent is not root else None, group, name)
            self.assertEqual(node.isVisible(), visible, name)  # checked, and its group too
        layers = {n.name(): n.layer() for n in root.findLayers()}
        # Every table behind the project (the communes twice: outlines and statistics).
        sources = {re.sub(r".*layername=|.*:", "", l.source()) for l in layers.values() if "gpkg" in l.source()}
        self.assertEqual(sources, MAP_LAYERS)
        osm = layers["OpenStreetMap (needs internet)"]
        self.assertEqual(osm.providerType(), "wms")
        self.assertIn("tile.openstreetmap.org", osm.source())
        self.assertEqual(osm.crs().authid(), "EPSG:3857")

        # Labels: every commune name, zone names, hotspot zones by their stable ids.
        for name, field in (("Communes", "name"), ("Industrial zones", "name"),
                            ("Hotspot zones (KDE top 20 %)", "hotspot_id")):
            self.assertTrue(layers[name].labelsEnabled(), name)
            self.assertEqual(layers[name].labeling().settings().fieldName, field, name)
        self.assertTrue(layers["Communes"].labeling().settings().displayAll)
        zones = layers["Hotspot zones (KDE top 20 %)"]
        self.assertTrue(all(re.fullmatch(r"Z\d+", f["hotspot_id"]) for f in zones.getFeatures()))

        # Fills of polygons at most 40 % opaque (or none), and outlines only for the context.
        for name, layer in layers.items():
            if not isinstance(layer, QgsVectorLayer) or layer.geometryType() != 2:
                continue
            for sym in layer.renderer().symbols(QgsRenderContext()):
                for sl in sym.symbolLayers():
                    if sl.layerType() == "SimpleFill" and sl.brushStyle() != 0:
                        self.assertLessEqual(sl.color().alphaF() * sym.opacity() * layer.opacity(), 0.401, name)
        for name in ("Communes", "Industrial zones"):
            for sym in layers[name].renderer().symbols(QgsRenderContext()):
                self.assertEqual(sym.symbolLayers()[0].brushStyle(), 0, name)  # Qt.NoBrush

        # Gi*: in words, "not significant" not filled.
        gi = layers["Hot and cold spots (Gi*, 500 m hex)"].renderer()
        labels = {c.value(): c for c in gi.categories()}
        self.assertEqual(labels["3"].label(), "Hot spot, 99% confidence")
        self.assertEqual(labels["0"].symbol().symbolLayers()[0].brushStyle(), 0)

        # Density: about 60 % opaque, classes rounded ("2,000 – 4,000"), unit in the name; the
        # hotspot zones' threshold (exact, "5,614") is a class break: light neutral classes below
        # it, strong red ones above it, "(hotspot)" in their labels.
        density = layers["Density (incidents per km²)"]
        self.assertIsInstance(density.renderer(), QgsSingleBandPseudoColorRenderer)
        self.assertAlmostEqual(density.renderer().opacity(), 0.6)
        items = density.renderer().shader().rasterShaderFunction().colorRampItemList()
        self.assertGreaterEqual(len(items), 4)
        self.assertEqual(items[0].color.alpha(), 0)
        threshold = next(zones.getFeatures())["threshold"]
        shown = f"{threshold:,.0f}"
        hot = [k for k, it in enumerate(items) if it.label.endswith(" (hotspot)")]
        self.assertEqual(len(hot), 2, [it.label for it in items])
        self.assertEqual(hot, list(range(hot[0], len(items))))  # the top classes
        self.assertTrue(items[hot[0]].label.startswith(shown + " – "), items[hot[0]].label)
        self.assertTrue(items[hot[0] - 1].label.endswith(" – " + shown), items[hot[0] - 1].label)
        self.assertLess(items[hot[0] - 1].value, threshold)
        self.assertGreaterEqual(items[hot[0] - 1].value, threshold * (1 - 1e-6))
        for k, it in enumerate(items[1:], 1):
            c = it.color
            if k < hot[0]:  # light and neutral
                self.assertGreaterEqual(min(c.red(), c.green(), c.blue()), 160, it.label)
                self.assertLessEqual(max(c.red(), c.green(), c.blue()) - min(c.red(), c.green(), c.blue()), 30)
            else:  # strong red
                self.assertGreaterEqual(c.red(), 150, it.label)
                self.assertLessEqual(c.green(), 80, it.label)
        for it in items[2:]:
            self.assertRegex(it.label, r"^[\d,.]+ – [\d,.]+( \(hotspot\))?$")
            for number in it.label.removesuffix(" (hotspot)").split(" – "):
                if number == shown:
                    continue
                digits = number.replace(",", "").replace(".", "").strip("0")
                self.assertLessEqual(len(digits), 2, it.label)  # two significant digits

        # Clusters: graduated by size, a handful of legend entries, never one per cluster.
        clusters = layers["Clusters (dbscan, concave hulls)"]
        self.assertEqual(clusters.renderer().type(), "graduatedSymbol")
        self.assertLessEqual(len(clusters.renderer().ranges()), 4)
        self.assertTrue(all(r.label().endswith("incidents") for r in clusters.renderer().ranges()))
        # Cluster members are listed under their footprints' ids (member 0 read "0" beside the
        # footprint labelled C1): each member's legend entry is its footprint's hotspot_id.
        id_of = {f["CLUSTER_ID"]: f["hotspot_id"] for f in clusters.getFeatures()}
        members = layers["Cluster members"]
        self.assertEqual([c.label() for c in members.renderer().categories()],
                         [id_of[k] for k in sorted(id_of)])
        r = members.renderer()
        for f in members.getFeatures():
            self.assertEqual(r.categories()[r.categoryIndexForValue(str(f["CLUSTER_ID"]))].label(),
                             id_of[f["CLUSTER_ID"]])
        communes = layers["Incidents per km² by commune"].renderer()
        self.assertTrue(all(r.label().endswith("per km²") for r in communes.ranges()))

        order = [l.name() for l in root.layerOrder()]
        self.assertEqual(order[-1], "OpenStreetMap (needs internet)")
        self.assertEqual(order[-2], "Density (incidents per km²)")  # the raster under every vector
        self.assertLess(order.index("Hotspot zones (KDE top 20 %)"), order.index("Communes"))

        # The default view, as a planner first sees it.
        visible = [l for l in root.layerOrder() if root.findLayer(l.id()).isVisible()]
        self.assertEqual(len(visible), sum(v for _, v in PROJECT.values()))
        img, drawn = render(project, visible, layers["Communes"].extent().buffered(300), 1200, 1000)
        os.makedirs(ARTIFACTS, exist_ok=True)
        self.assertTrue(img.save(os.path.join(ARTIFACTS, "qgis_default_view.png")))
        colours = {img.pixel(x, y) for x in range(0, 1200, 5) for y in range(0, 1000, 5)}
        self.assertGreater(len(colours), 20)
        # Every commune and zone name and hotspot id is drawn, and no label covers another (with
        # the communes as label obstacles, QGIS put Z6 on the name of the commune Hồng Thái).
        texts = [lab.labelText for lab in drawn]
        for name, field in (("Communes", "name"), ("Industrial zones", "name"),
                            ("Hotspot zones (KDE top 20 %)", "hotspot_id")):
            for f in layers[name].getFeatures():
                self.assertIn(f[field], texts, name)
        overlaps = [(a.labelText, b.labelText) for k, a in enumerate(drawn) for b in drawn[k + 1:]
                    if a.labelRect.intersects(b.labelRect)]
        self.assertEqual(overlaps, [])
        project.clear()

    def test_a_run_without_aggregate_opens_on_the_boundaries(self):
        # Communes are a required input: a run of near_repeat alone still writes their outlines and
        # the zones', and its project opens on them (it opened blank: Incidents and OSM, both off).
        out = os.path.join(self.tmp, "near_repeat.gpkg")
        with open(os.path.join(self.tmp, "run.json")) as f:
            c = json.load(f)
        c["output"] = {"path": out, "quicklook": False}
        c.pop("briefings", None)
        c["analyses"] = [{"type": "near_repeat", "permutations": 9}]
        config = os.path.join(self.tmp, "near_repeat.json")
        with open(config, "w") as f:
            json.dump(c, f)
        subprocess.run([HOTSPOT, "run", "--config", config, "--quiet"], check=True, capture_output=True)
        project = QgsProject.instance()
        self.assertTrue(project.read(f"geopackage:{out}?projectName=hotspot"))
        root = project.layerTreeRoot()
        nodes = {n.name(): n for n in root.findLayers()}
        group = {name: n.parent().name() if n.parent() is not root else None for name, n in nodes.items()}
        self.assertEqual({name: (group[name], n.isVisible()) for name, n in nodes.items()},
                         {"Communes": ("Context", True), "Industrial zones": ("Context", True),
                          "Incidents": ("Details", False), "OpenStreetMap (needs internet)": (None, False)})
        communes, zones = nodes["Communes"].layer(), nodes["Industrial zones"].layer()
        self.assertEqual(communes.featureCount(), 20)
        self.assertEqual(zones.featureCount(), 3)
        self.assertEqual([f.name() for f in communes.fields()], ["fid", "commune_id", "name"])
        self.assertEqual([f.name() for f in zones.fields()], ["fid", "zone_id", "name"])
        for layer in (communes, zones):
            self.assertTrue(layer.labelsEnabled(), layer.name())
            for sym in layer.renderer().symbols(QgsRenderContext()):
                self.assertEqual(sym.symbolLayers()[0].brushStyle(), 0, layer.name())  # outlines only
        visible = [l for l in root.layerOrder() if root.findLayer(l.id()).isVisible()]
        img, labels = render(project, visible, communes.extent().buffered(300), 600, 500)
        drawn = sum(img.pixel(x, y) != QColor(255, 255, 255).rgb() for x in range(0, 600, 3) for y in range(0, 500, 3))
        self.assertGreater(drawn, 500)  # the outlines and their names, not a blank page
        texts = {lab.labelText for lab in labels}
        self.assertTrue({f["name"] for f in communes.getFeatures()} <= texts)
        project.clear()
        # The layers open styled on their own too.
        for name in ("communes", "zones"):
            layer = QgsVectorLayer(f"{out}|layername={name}", name, "ogr")
            self.assertTrue(layer.isValid(), name)
            self.assertTrue(layer.labelsEnabled(), name)

    def test_every_vector_layer_opens_styled_on_its_own(self):
        for name in MAP_LAYERS - {"density"} | {"vanished_hotspots"}:
            layer = QgsVectorLayer(f"{self.out}|layername={name}", name, "ogr")
            self.assertTrue(layer.isValid(), name)
            self.assertNotEqual(layer.renderer().type(), "singleSymbol", name)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
