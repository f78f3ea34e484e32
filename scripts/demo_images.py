#!/usr/bin/python3
"""The README's pictures, from a finished `make demo`: the QGIS project's default view, rendered
headless as a planner first sees it (only the layers switched on, the project CRS, framed to the
communes), the quick-look map beside the GeoPackage, and pages 1 and 2 of its night briefing
(OUT-night.pdf, with pdftoppm).

Usage: QT_QPA_PLATFORM=offscreen scripts/demo_images.py OUT.gpkg IMAGE_DIR   (needs python3-qgis)
"""
import os
import shutil
import subprocess
import sys

from qgis.core import QgsApplication, QgsMapRendererParallelJob, QgsMapSettings, QgsProject
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor


def render_default_view(gpkg, png, width=1200):
    project = QgsProject.instance()
    if not project.read(f"geopackage:{gpkg}?projectName=hotspot"):
        raise SystemExit(f"{gpkg}: no QGIS project 'hotspot'")
    root = project.layerTreeRoot()
    visible = [l for l in root.layerOrder() if root.findLayer(l.id()).isVisible()]
    communes = [l for l in visible if l.name() == "Communes"]
    extent = (communes[0] if communes else visible[0]).extent().buffered(300)
    settings = QgsMapSettings()
    settings.setLayers(visible)
    settings.setDestinationCrs(project.crs())
    settings.setExtent(extent)
    settings.setOutputSize(QSize(width, int(width * extent.height() / extent.width())))
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    if not job.renderedImage().save(png):
        raise SystemExit(f"cannot write {png}")
    project.clear()


def main():
    gpkg, out = os.path.abspath(sys.argv[1]), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    app = QgsApplication([], False)
    app.initQgis()
    render_default_view(gpkg, os.path.join(out, "qgis_default_view.png"))
    shutil.copyfile(os.path.splitext(gpkg)[0] + ".png", os.path.join(out, "quicklook.png"))
    brief = os.path.splitext(gpkg)[0] + "-night.pdf"
    for page in (1, 2):
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile", brief,
                        os.path.join(out, f"brief_page{page}")], check=True)
    print(f"wrote {out}: qgis_default_view.png, quicklook.png, brief_page1.png, brief_page2.png")
    os._exit(0)  # QGIS's exit crashes on some builds; the images are written


if __name__ == "__main__":
    main()
