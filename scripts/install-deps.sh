#!/usr/bin/env bash
# Installs the Debian 12 packages hotspot needs, and only those that are missing.
# Used by every Makefile target, so a fresh machine needs no other step.
#   scripts/install-deps.sh         build + test packages (default)
#   scripts/install-deps.sh build   only what building and `make demo` need
set -euo pipefail

build_pkgs=(
  cmake g++ make pkg-config
  libgdal-dev libgeos-dev libproj-dev libsqlite3-dev libssl-dev
  libboost-dev libeigen3-dev libcli11-dev nlohmann-json3-dev libnanoflann-dev libtbb-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
# Tests check our output with GDAL's own GeoPackage validator and with headless QGIS.
test_pkgs=(gdal-bin python3-gdal python3-numpy qgis python3-qgis)

pkgs=("${build_pkgs[@]}")
[ "${1:-test}" = build ] || pkgs+=("${test_pkgs[@]}")

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
