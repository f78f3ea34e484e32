#!/usr/bin/env bash
# Installs the Debian 12 packages hotspot needs, and only those that are missing.
# Used by every Makefile target, so a fresh machine needs no other step.
#   scripts/install-deps.sh         build + test packages (default)
#   scripts/install-deps.sh build   only what building and `make demo` need
#   scripts/install-deps.sh bench   build + test + the peers `make bench` compares against
#   scripts/install-deps.sh fuzz    build + clang's libFuzzer runtime for `make fuzz`
#   scripts/install-deps.sh python  build + what `make python` needs (venv, pip, the module's imports)
set -euo pipefail

build_pkgs=(
  cmake g++ make pkg-config
  libgdal-dev libgeos-dev libproj-dev libsqlite3-dev libssl-dev
  libboost-dev libeigen3-dev libcli11-dev nlohmann-json3-dev libnanoflann-dev libtbb-dev
  libgtest-dev libgmock-dev libbenchmark-dev libvalijson-dev libcairo2-dev libicu-dev
  fonts-dejavu-core  # the quick-look map's labels: DejaVu Sans has the Vietnamese letters
  pybind11-dev python3-dev  # the Python module (python/), built by the release preset
)
# Tests check our output with GDAL's own GeoPackage validator, headless QGIS, scikit-learn (eps auto)
# and poppler (the briefing PDF).
test_pkgs=(gdal-bin python3-gdal python3-numpy python3-sklearn python3-jsonschema qgis python3-qgis poppler-utils)
# The Python module's pytest suite (ctest python.module): its references (scikit-learn, libpysal,
# spdep's values in tests/golden) and the README session's geopandas and matplotlib.
python_pkgs=(python3-venv python3-pip python3-setuptools python3-wheel python3-numpy python3-pandas
             python3-geopandas python3-pyproj python3-scipy python3-matplotlib python3-gdal
             python3-distributed)  # hotspot.dask: dask-scheduler, dask-worker
test_pkgs+=("${python_pkgs[@]}" python3-pytest python3-libpysal)

# Peers for the side-by-side benchmarks (benchmarks/compare/). geopandas 0.12 on Shapely 1.8 needs
# rtree for sjoin. The full run (full_run_vs_peers.py) also chains scikit-learn, SciPy and R spdep.
bench_pkgs=(python3-geopandas python3-rtree python3-pyproj python3-sklearn python3-scipy r-cran-spdep r-cran-sf
            r-cran-spatstat)  # spatstat: benchmarks/compare/kde_vs_qgis_spatstat.py
# libFuzzer comes with clang's runtime.
fuzz_pkgs=(clang libclang-rt-14-dev)

pkgs=("${build_pkgs[@]}")
case "${1:-test}" in
  build) ;;
  test) pkgs+=("${test_pkgs[@]}") ;;
  bench) pkgs+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  fuzz) pkgs+=("${fuzz_pkgs[@]}") ;;
  python) pkgs+=("${python_pkgs[@]}") ;;
  *) echo "install-deps: unknown profile '$1' (build, test, bench, fuzz or python)" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
