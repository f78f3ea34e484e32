#!/usr/bin/python3
"""Side by side, in one run: `hotspot kde` against QGIS's qgis:heatmapkerneldensityestimation
(quartic, same radius and pixel size) and against spatstat's density.ppp (Gaussian, same grid).
Whole command against whole command, wall clock; prints the ratios and how the surfaces agree.

Usage: benchmarks/compare/kde_vs_qgis_spatstat.py [--hotspot build/bin/hotspot]
           [--datagen build/bin/hotspot-datagen] [--incidents 200000] [--threads 0] [--keep DIR]
Needs a release build, /usr/bin/qgis_process.bin (QGIS 3.22), Rscript with spatstat, gdal-bin.
Preparation (generating the data, writing QGIS's projected point layer and R's projected CSV) is
not timed: the hotspot command reads the lon/lat CSV and projects it itself.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
from osgeo import gdal

gdal.UseExceptions()
CRS = "EPSG:9210"  # the sample district's VN-2000 / TM-3 zone, metres
RADIUS, CELL, SIGMA = 500.0, 10.0, 100.0


def timed(cmd, env=None):
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    dt = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stdout}\n{p.stderr}")
    return dt, p.stdout


def project_points(csv, crs, out):
    """The lon/lat incidents CSV as a point layer in crs: QGIS's input (preparation, not timed)."""
    subprocess.run(["ogr2ogr", "-f", "GPKG", out, csv, "-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat",
                    "-s_srs", "EPSG:4326", "-t_srs", crs, "-nln", "incidents"], check=True)


def qgis_heatmap_cmd(points, radius, cell, out):
    """QGIS's heatmap (quartic, raw values) through headless qgis_process: (command, environment)."""
    return (["/usr/bin/qgis_process.bin", "run", "qgis:heatmapkerneldensityestimation", "--", f"INPUT={points}",
             f"RADIUS={radius}", f"PIXEL_SIZE={cell}", "KERNEL=0", "OUTPUT_VALUE=0", f"OUTPUT={out}"],
            dict(os.environ, QT_QPA_PLATFORM="offscreen"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hotspot", default="build/bin/hotspot")
    ap.add_argument("--datagen", default="build/bin/hotspot-datagen")
    ap.add_argument("--incidents", type=int, default=200000)
    ap.add_argument("--threads", default="0")
    ap.add_argument("--keep")
    a = ap.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="kde-compare-")
    os.makedirs(work, exist_ok=True)
    data = os.path.join(work, "data")
    subprocess.run([a.datagen, "--out", data, "--incidents", str(a.incidents), "--no-bad-rows"], check=True,
                   capture_output=True)
    csv = os.path.join(data, "incidents.csv")
    pts = os.path.join(work, "points.gpkg")
    project_points(csv, CRS, pts)
    ds = gdal.OpenEx(pts)
    lyr = ds.GetLayer(0)
    xy = np.array([f.GetGeometryRef().GetPoint_2D() for f in lyr])
    ds = None
    xy_csv = os.path.join(work, "xy.csv")
    np.savetxt(xy_csv, xy, delimiter=",", header="x,y", comments="", fmt="%.6f")
    n = len(xy)

    # 1. hotspot, quartic r = 500 m, 10 m cells (grid: data bounds grown by r, like QGIS).
    ours_q = os.path.join(work, "hotspot_quartic.tif")
    t_ours_q, out = timed([a.hotspot, "kde", "--incidents", csv, "--work-crs", CRS, "--cell-size", str(CELL),
                           "--bandwidth", str(RADIUS), "--kernel", "quartic", "--out", ours_q, "--threads", a.threads])
    # 2. QGIS heatmap, same radius and pixel size, raw values.
    qgis_q = os.path.join(work, "qgis_quartic.tif")
    t_qgis, _ = timed(*qgis_heatmap_cmd(pts, RADIUS, CELL, qgis_q))

    # 3. The same grid for the Gaussian comparison: our quartic run's grid.
    g = gdal.Open(ours_q)
    gt, cols, rows = g.GetGeoTransform(), g.RasterXSize, g.RasterYSize
    ours_quartic = g.ReadAsArray().astype(np.float64)
    g = None
    xmin, ymax = gt[0], gt[3]
    xmax, ymin = xmin + cols * CELL, ymax - rows * CELL
    ours_g = os.path.join(work, "hotspot_gaussian.tif")
    t_ours_g, _ = timed([a.hotspot, "kde", "--incidents", csv, "--work-crs", CRS, "--cell-size", str(CELL),
                         "--bandwidth", str(SIGMA), "--kernel", "gaussian", "--extent", f"{xmin},{ymin},{xmax},{ymax}",
                         "--out", ours_g, "--threads", a.threads])
    r_out = os.path.join(work, "spatstat_gaussian.bin")
    r_script = os.path.join(work, "spatstat.R")
    with open(r_script, "w") as f:
        f.write(f"""suppressMessages(library(spatstat))
p <- read.csv("{xy_csv}")
X <- ppp(p$x, p$y, window = owin(c({xmin!r}, {xmax!r}), c({ymin!r}, {ymax!r})), check = FALSE)
D <- density(X, sigma = {SIGMA}, dimyx = c({rows}, {cols}), edge = FALSE)
writeBin(as.vector(t(D$v[nrow(D$v):1, ])), "{r_out}", size = 8)
""")
    t_r, _ = timed(["Rscript", r_script])

    # Agreement.
    ours_gauss = gdal.Open(ours_g).ReadAsArray().astype(np.float64)
    spat = np.fromfile(r_out, dtype=np.float64).reshape(rows, cols) * 1e6  # per km²
    big = spat > 0.01 * spat.max()
    rel = np.abs(ours_gauss[big] - spat[big]) / spat[big]
    q = gdal.Open(qgis_q)
    qa = q.GetRasterBand(1).ReadAsArray().astype(np.float64)
    qgt = q.GetGeoTransform()
    # Shape agreement with QGIS on its own grid: compare at the cells whose centres coincide.
    ox = int(round((qgt[0] - xmin) / CELL)), int(round((ymax - qgt[3]) / CELL))
    h, w = min(qa.shape[0], rows - ox[1]), min(qa.shape[1], cols - ox[0])
    ours_on_q = ours_quartic[ox[1]:ox[1] + h, ox[0]:ox[0] + w]
    qq = qa[:h, :w]
    both = (qq > 0.01 * qq.max()) & (ours_on_q > 0)
    ratio = ours_on_q[both] / qq[both]

    print(f"incidents {n}, grid {cols} x {rows} cells of {CELL:g} m, work dir {work}")
    print(f"quartic r={RADIUS:g} m   hotspot {t_ours_q:6.2f} s   QGIS heatmap {t_qgis:6.2f} s   "
          f"ratio {t_qgis / t_ours_q:5.1f}x (whole command)")
    print(f"gaussian s={SIGMA:g} m  hotspot {t_ours_g:6.2f} s   spatstat density.ppp {t_r:6.2f} s   "
          f"ratio {t_r / t_ours_g:5.1f}x (whole command, Rscript start-up included)")
    print(f"QGIS grid {qa.shape[1]} x {qa.shape[0]} at ({qgt[0]:.2f}, {qgt[3]:.2f}); ours at ({xmin:.2f}, {ymax:.2f})")
    print(f"quartic vs QGIS (cells > 1% of max): ours/QGIS median {np.median(ratio):.6g}, "
          f"spread (p99/p1) {np.percentile(ratio, 99) / np.percentile(ratio, 1):.4f}")
    print(f"gaussian vs spatstat (cells > 1% of max): median rel diff {np.median(rel):.2e}, max {rel.max():.2e}")
    if not a.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
