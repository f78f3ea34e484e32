#!/usr/bin/python3
"""The README's pictures, from a finished `make demo`: the QGIS project's default view, rendered
headless as a planner first sees it (only the layers switched on, the project CRS, framed to the
communes), the quick-look map beside the GeoPackage, and pages 1 and 2 of its night briefing
(OUT-night.pdf, with pdftoppm); the quick-look and the briefing only when the run wrote them.

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
    # Framed to the communes, else to what is on, else to every layer of the file (an older
    # output whose project opens with everything off still gives a picture, if a blank one).
    framing = [l for l in root.layerOrder() if l.name() == "Communes"] or visible or \
        [l for l in root.layerOrder() if "gpkg" in l.source()]
    if not framing:
        raise SystemExit(f"{gpkg}: the project 'hotspot' has no layer to frame")
    if not visible:
        print(f"{gpkg}: warning: no layer of the project is switched on; the view is blank", file=sys.stderr)
    extent = framing[0].extent().buffered(300)
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
    wrote = ["qgis_default_view.png"]
    # The quick-look and the night briefing only when the run made them ("quicklook": false, or
    # no kde with a zone rule to brief from).
    quicklook = os.path.splitext(gpkg)[0] + ".png"
    if os.path.exists(quicklook):
        shutil.copyfile(quicklook, os.path.join(out, "quicklook.png"))
        wrote.append("quicklook.png")
    else:
        print(f"no quick-look {quicklook}; skipped", file=sys.stderr)
    brief = os.path.splitext(gpkg)[0] + "-night.pdf"
    if os.path.exists(brief):
        pages = subprocess.run(["pdfinfo", brief], capture_output=True, text=True, check=True).stdout
        count = int(next(l.split()[-1] for l in pages.splitlines() if l.startswith("Pages:")))
        for page in range(1, min(2, count) + 1):
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile", brief,
                            os.path.join(out, f"brief_page{page}")], check=True)
            wrote.append(f"brief_page{page}.png")
    else:
        print(f"no briefing {brief}; skipped", file=sys.stderr)
    print(f"wrote {out}: {', '.join(wrote)}")
    os._exit(0)  # QGIS's exit crashes on some builds; the images are written


if __name__ == "__main__":
    main()
