#!/usr/bin/env bash
# Side by side, in one run: hotspot local (Gi* + Local Moran, 999 conditional permutations) against
# R spdep's localmoran_perm (Local Moran only, 999 simulations) on the same ~12k-cell hexagon grid
# of the sample incidents, queen weights. Then hotspot alone on ~100k cells. Prints the ratios.
#
# Usage: benchmarks/compare/local_vs_spdep.sh [BUILD_DIR]   (default build/, a Release build;
# needs Rscript with spdep and sf)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
HOTSPOT=$BUILD/bin/hotspot
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
S=$ROOT/data/sample

now() { date +%s.%N; }

run_ours() {  # grid size, threads, out
  local t0 t1
  t0=$(now)
  "$HOTSPOT" local --grid "hex:$1" --weights queen --incidents "$S/incidents.csv" --communes "$S/communes.gpkg" \
    --stat both --permutations 999 --seed 1 --threads "$2" --out "$3" > "$3.log"
  t1=$(now)
  echo "$t0 $t1" | awk '{printf "%.3f", $2 - $1}'
}

echo "== ~12k hexagons (hex:113 over the sample district), queen, 999 permutations"
OURS2=$(run_ours 113 2 "$TMP/g12.gpkg")
OURS1=$(run_ours 113 1 "$TMP/g12_1.gpkg")
CELLS=$(awk '/^units/ {print $2}' "$TMP/g12.gpkg.log")
PERM2=$(grep -o 'permutations [0-9.]*s' "$TMP/g12.gpkg.log" | grep -o '[0-9.]*' | head -1)
STAT2=$(grep -o 'statistics [0-9.]*s' "$TMP/g12.gpkg.log" | grep -o '[0-9.]*' | head -1)
SPDEP=$(Rscript --vanilla - "$TMP/g12.gpkg" <<'REOF' 2>/dev/null
suppressMessages({library(spdep); library(sf)})
args <- commandArgs(trailingOnly = TRUE)
g <- st_read(args[1], layer = "local_stats", quiet = TRUE)
nb <- poly2nb(g, queen = TRUE, snap = 0.5)
stopifnot(all(card(nb) == g$NNeighbors))  # the same weights as ours
lw <- nb2listw(nb, style = "W", zero.policy = TRUE)
set.seed(1)
t <- system.time(r <- localmoran_perm(g$incidents, lw, nsim = 999, zero.policy = TRUE))[["elapsed"]]
# Same Ii as ours (analytic part), as a check that both ran the same problem.
stopifnot(max(abs(r[, "Ii"] - g$LMiIndex), na.rm = TRUE) < 1e-9)
cat(sprintf("%.3f\n", t))
REOF
)
echo "cells $CELLS"
echo "spdep localmoran_perm (Local Moran only, 1 core):          ${SPDEP} s"
echo "hotspot local, whole run (read, grid, weights, Gi*+LMi, write), 1 thread: ${OURS1} s"
echo "hotspot local, whole run, 2 threads:                        ${OURS2} s (statistics ${STAT2} s + permutations ${PERM2} s)"
awk -v s="$SPDEP" -v a="$OURS1" -v b="$OURS2" -v p="$PERM2" -v q="$STAT2" 'BEGIN {
  printf "ratio spdep / hotspot whole run, 1 thread:  %.0fx\n", s / a;
  printf "ratio spdep / hotspot whole run, 2 threads: %.0fx\n", s / b;
  printf "ratio spdep / hotspot statistics+permutations (2 threads, both statistics vs its one): %.0fx\n", s / (p + q) }'

echo "== ~100k hexagons (hex:39), queen, 999 permutations, 2 threads"
OURS=$(run_ours 39 2 "$TMP/g100.gpkg")
grep -E '^units|^time' "$TMP/g100.gpkg.log"
echo "hotspot local, whole run: ${OURS} s"
