#!/usr/bin/env bash
# Runs the Google Benchmark kernels, then the side-by-side comparisons with geopandas and ogr2ogr,
# then the full run (`hotspot run`, every analysis) against the peers chained.
#   bash benchmarks/compare/run_all.sh [BUILD]      (BUILD defaults to build; `make bench` runs this)
#   SKIP_FULL_RUN=1 bash benchmarks/compare/run_all.sh   leaves out the full run (several minutes)
# Builds nothing and installs nothing: it says what is missing and skips what cannot run.
# Timings are from one run on a shared machine: read the ratios, not the digits.
set -uo pipefail

BUILD=${1:-build}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3  # Debian's Python: python3-geopandas lives there, not in other pythons on PATH
BIN=$BUILD/bin
status=0

if [ ! -x "$BIN/hotspot" ] || [ ! -x "$BIN/hotspot-datagen" ]; then
  echo "run_all: $BIN/hotspot and $BIN/hotspot-datagen are needed; build first (make build)" >&2
  exit 1
fi

# What the comparisons need, said up front.
have_geopandas=1 have_ogr2ogr=1 have_full_run=1
if ! "$PY" -c 'import geopandas, rtree' 2>/dev/null; then
  have_geopandas=0
  echo "run_all: missing for aggregate_vs_geopandas: python3-geopandas and python3-rtree" \
       "(apt-get install python3-geopandas python3-rtree); skipping it" >&2
fi
if ! command -v ogr2ogr >/dev/null; then
  have_ogr2ogr=0
  echo "run_all: missing for gpkg_write_vs_ogr2ogr: ogr2ogr (apt-get install gdal-bin); skipping it" >&2
fi

if [ "${SKIP_FULL_RUN:-0}" = 1 ]; then
  have_full_run=0
  echo "run_all: SKIP_FULL_RUN=1: skipping full_run_vs_peers" >&2
elif ! "$PY" -c 'import numpy, pyproj, osgeo' 2>/dev/null; then
  have_full_run=0
  echo "run_all: missing for full_run_vs_peers: python3-numpy, python3-pyproj and python3-gdal" \
       "(apt-get install python3-numpy python3-pyproj python3-gdal); skipping it" >&2
fi

echo "== kernels (Google Benchmark) =="
for k in polygon_index_bench csv_read_bench gpkg_write_bench; do
  if [ -x "$BIN/$k" ]; then
    echo "-- $k"
    # One iteration is enough for the 1M cases; the min time keeps the small ones from looping long.
    "$BIN/$k" --benchmark_min_time=0.05 || status=1
  else
    echo "run_all: no $BIN/$k (configure with -DHOTSPOT_BENCHMARKS=ON); skipping it" >&2
  fi
done

if [ "$have_geopandas" = 1 ]; then
  echo
  echo "== hotspot validate / aggregate vs geopandas read_csv + sjoin =="
  "$PY" "$HERE/aggregate_vs_geopandas.py" --build "$BUILD" || status=1
fi
if [ "$have_ogr2ogr" = 1 ]; then
  echo
  echo "== GeoPackage write: hotspot vs ogr2ogr =="
  "$PY" "$HERE/gpkg_write_vs_ogr2ogr.py" --build "$BUILD" || status=1
fi
if [ "$have_full_run" = 1 ]; then
  echo
  echo "== full run: hotspot run (every analysis) vs the peers chained =="
  # Each missing peer is reported and skipped inside the script.
  "$PY" "$HERE/full_run_vs_peers.py" --build "$BUILD" || status=1
fi
exit $status
