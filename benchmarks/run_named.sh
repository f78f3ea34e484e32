#!/usr/bin/env bash
# The named-packages kernels (issue 12): Boost.Geometry and Eigen against the engine's own code.
#   bash benchmarks/run_named.sh [BUILD]      (BUILD defaults to build)
# Needs BUILD/bin/boost_geometry_bench, eigen_bench and hotspot-datagen (cmake --build --preset
# release --target boost_geometry_bench eigen_bench hotspot-datagen). The communes are datagen's
# 2,000 (the same data as aggregate_vs_geopandas.py, cached in /tmp/hotspot-bench). Prints the
# load average before and after: the machine is shared, read the ratios, not the digits.
set -euo pipefail
BUILD=${1:-build}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for b in boost_geometry_bench eigen_bench hotspot-datagen; do
  [ -x "$BUILD/bin/$b" ] || { echo "run_named: missing $BUILD/bin/$b; build it first" >&2; exit 1; }
done
DATA=$(/usr/bin/python3 -c "import sys; sys.path.insert(0, '$HERE/compare'); from common import generate; \
print(generate('$BUILD', '/tmp/hotspot-bench', 2000, 1000000))" | tail -1)
echo "load before: $(uptime)"
HOTSPOT_BENCH_COMMUNES="$DATA/communes.gpkg" "$BUILD/bin/boost_geometry_bench" "${@:2}"
"$BUILD/bin/eigen_bench" "${@:2}"
echo "load after: $(uptime)"
