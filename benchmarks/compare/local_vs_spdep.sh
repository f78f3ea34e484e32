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

# Wall and CPU (user + sys) seconds of one hotspot run: "real cpu". The machine may be shared, so
# both are reported; CPU time is the fairer measure when other jobs compete for the cores.
run_ours() {  # grid size, threads, out
  local TIMEFORMAT='%R %U %S'
  { time "$HOTSPOT" local --grid "hex:$1" --weights queen --incidents "$S/incidents.csv" \
      --communes "$S/communes.gpkg" --stat both --permutations 999 --seed 1 --threads "$2" --out "$3" > "$3.log"; } 2> "$3.time"
  awk '{printf "%.3f %.3f", $1, $2 + $3}' "$3.time"
}

echo "== ~12k hexagons (hex:113 over the sample district), queen, 999 permutations"
read -r OURS2 OURS2_CPU <<< "$(run_ours 113 2 "$TMP/g12.gpkg")"
read -r OURS1 OURS1_CPU <<< "$(run_ours 113 1 "$TMP/g12_1.gpkg")"
CELLS=$(awk '/^units/ {print $2}' "$TMP/g12.gpkg.log")
PERM1=$(grep -o 'permutations [0-9.]*s' "$TMP/g12_1.gpkg.log" | grep -o '[0-9.]*' | head -1)
STAT1=$(grep -o 'statistics [0-9.]*s' "$TMP/g12_1.gpkg.log" | grep -o '[0-9.]*' | head -1)
PERM2=$(grep -o 'permutations [0-9.]*s' "$TMP/g12.gpkg.log" | grep -o '[0-9.]*' | head -1)
STAT2=$(grep -o 'statistics [0-9.]*s' "$TMP/g12.gpkg.log" | grep -o '[0-9.]*' | head -1)
read -r SPDEP SPDEP_CPU <<< "$(Rscript --vanilla - "$TMP/g12.gpkg" <<'REOF' 2>/dev/null
suppressMessages({library(spdep); library(sf)})
args <- commandArgs(trailingOnly = TRUE)
g <- st_read(args[1], layer = "local_stats", quiet = TRUE)
nb <- poly2nb(g, queen = TRUE, snap = 0.5)
stopifnot(all(card(nb) == g$NNeighbors))  # the same weights as ours
lw <- nb2listw(nb, style = "W", zero.policy = TRUE)
set.seed(1)
t <- system.time(r <- localmoran_perm(g$incidents, lw, nsim = 999, zero.policy = TRUE))
# Same Ii as ours (analytic part), as a check that both ran the same problem.
stopifnot(max(abs(r[, "Ii"] - g$LMiIndex), na.rm = TRUE) < 1e-9)
cat(sprintf("%.3f %.3f\n", t[["elapsed"]], t[["user.self"]] + t[["sys.self"]]))
REOF
)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "cells $CELLS"
echo "spdep localmoran_perm only (Local Moran, 1 core):     wall ${SPDEP} s, cpu ${SPDEP_CPU} s"
echo "hotspot local whole run (read CSV, grid, weights, Gi* + Local Moran, 999 perms, write):"
echo "  1 thread:  wall ${OURS1} s, cpu ${OURS1_CPU} s (statistics ${STAT1} s + permutations ${PERM1} s)"
echo "  2 threads: wall ${OURS2} s, cpu ${OURS2_CPU} s (statistics ${STAT2} s + permutations ${PERM2} s)"
awk -v s="$SPDEP" -v sc="$SPDEP_CPU" -v a="$OURS1" -v ac="$OURS1_CPU" -v b="$OURS2" -v p="$PERM1" -v q="$STAT1" \
    -v p2="$PERM2" -v q2="$STAT2" 'BEGIN {
  printf "ratio spdep localmoran_perm / hotspot Gi*+LMi statistics+permutations, 1 thread, wall: %.0fx\n", s / (p + q);
  printf "ratio spdep localmoran_perm / hotspot Gi*+LMi statistics+permutations, 2 threads, wall: %.0fx\n", s / (p2 + q2);
  printf "ratio spdep localmoran_perm / hotspot whole run, 1 thread, wall: %.0fx, cpu: %.0fx\n", s / a, sc / ac;
  printf "ratio spdep localmoran_perm / hotspot whole run, 2 threads, wall: %.0fx\n", s / b }'

echo "== ~100k hexagons (hex:39), queen, 999 permutations, 2 threads"
read -r OURS OURS_CPU <<< "$(run_ours 39 2 "$TMP/g100.gpkg")"
grep -E '^units|^time' "$TMP/g100.gpkg.log"
echo "hotspot local, whole run: wall ${OURS} s, cpu ${OURS_CPU} s"
