#!/usr/bin/python3
"""The GeoPackage `hotspot top` is tested on, and its golden outputs (tests/golden/top/).

The fixture holds, in one file, the layers a full run writes, made from data/sample by the existing
commands (the `hotspot run` to come will write them in one go):
    hotspot aggregate --communes communes.gpkg --zones zones.geojson --incidents incidents.csv
                      --work-crs EPSG:9210                  -> communes, zones, incidents, run_metadata, ...
    hotspot kde ... --cell-size 50 --bandwidth auto --top-percent 25    -> hotspot_zones
    hotspot local --grid hex:300 --weights band:600 --stat gi --permutations 0
                                                            -> local_stats, copied as local_grid
The kde and local layers are appended to a copy of the aggregate output with GDAL (ogr2ogr -append).

Regenerate the goldens (from the repository root, after a build):
    /usr/bin/python3 tests/golden/make_top_fixture.py build/bin/hotspot tests/golden/top
"""
import os
import shutil
import subprocess
import sys
import tempfile

from osgeo import gdal

gdal.UseExceptions()

FIXTURE = "top.gpkg"
# The window of every golden: night shifts (wrapping midnight) that begin on a weekday.
GOLDEN_ARGS = ["--hours", "22:00-04:00", "--days", "mon-fri", "--n", "8"]
FORMATS = {"table": "table.txt", "csv": "top.csv", "json": "top.json", "geojson": "top.geojson",
           "gpx": "top.gpx", "kml": "top.kml"}


def _run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(" ".join(cmd) + " failed:\n" + p.stdout + p.stderr)


def build_fixture(hotspot, root, workdir):
    """Writes workdir/top.gpkg and returns its path."""
    sample = os.path.join(root, "data", "sample")
    inputs = ["--communes", f"{sample}/communes.gpkg", "--zones", f"{sample}/zones.geojson",
              "--incidents", f"{sample}/incidents.csv", "--work-crs", "EPSG:9210"]
    agg, kde, local = (os.path.join(workdir, n) for n in ("aggregate.gpkg", "kde.gpkg", "local.gpkg"))
    _run([hotspot, "aggregate", *inputs, "--out", agg])
    _run([hotspot, "kde", *inputs, "--cell-size", "50", "--bandwidth", "auto", "--top-percent", "25", "--out", kde])
    _run([hotspot, "local", "--grid", "hex:300", "--incidents", f"{sample}/incidents.csv",
          "--communes", f"{sample}/communes.gpkg", "--work-crs", "EPSG:9210", "--weights", "band:600",
          "--stat", "gi", "--permutations", "0", "--out", local])
    out = os.path.join(workdir, FIXTURE)
    shutil.copyfile(agg, out)
    gdal.VectorTranslate(out, kde, options=gdal.VectorTranslateOptions(accessMode="append", layers=["hotspot_zones"]))
    gdal.VectorTranslate(out, local, options=gdal.VectorTranslateOptions(
        accessMode="append", layers=["local_stats"], layerName="local_grid"))
    return out


def run_top(hotspot, fixture, *args):
    """`hotspot top --in top.gpkg ...` run beside the fixture (so the path printed is relative)."""
    return subprocess.run([hotspot, "top", "--in", os.path.basename(fixture), *args], capture_output=True,
                          cwd=os.path.dirname(fixture))


def main():
    hotspot, goldens = os.path.abspath(sys.argv[1]), sys.argv[2]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.makedirs(goldens, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hotspot-top-") as tmp:
        fixture = build_fixture(hotspot, root, tmp)
        for fmt, name in FORMATS.items():
            p = run_top(hotspot, fixture, *GOLDEN_ARGS, "--format", fmt)
            if p.returncode != 0:
                raise RuntimeError(p.stderr.decode())
            with open(os.path.join(goldens, name), "wb") as f:
                f.write(p.stdout)


if __name__ == "__main__":
    main()
