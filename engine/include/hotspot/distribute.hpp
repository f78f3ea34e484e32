#pragma once
// Parts of a run computed outside this process (hotspot.dask, on Dask workers): the entry points
// restricted to a range of units or permutations, and the hooks a run calls instead of computing
// those parts itself. Ranges join into exactly the whole: every unit of the local statistics
// draws from its own stream (seed, unit), every Knox permutation shuffles with its own (seed, k).
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "hotspot/aggregate.hpp"
#include "hotspot/cluster.hpp"
#include "hotspot/density.hpp"
#include "hotspot/emerging.hpp"
#include "hotspot/local_stats.hpp"
#include "hotspot/spacetime.hpp"

namespace hotspot {

// ---- Local statistics: conditional-permutation pseudo p-values ---------------------------------
struct LocalPValues {
  std::vector<double> gi_p, lisa_p;  // NaN for islands; empty when that statistic was not asked
};

// The permutations of units [first, last) alone (entries first..last - 1 in the vectors).
// gi_w_self: binary weights with each unit in its own row (with_self); lisa_w: row-standardised;
// either may be null, not both. REQUIRES: first <= last <= values.size().
LocalPValues local_permutation_pvalues(const std::vector<double>& values, const SpatialWeights* gi_w_self,
                                       const SpatialWeights* lisa_w, int permutations,
                                       std::uint64_t seed, int threads, std::size_t first,
                                       std::size_t last);

// Computes every unit's pseudo p-values somewhere else. It must return exactly
// local_permutation_pvalues(values, ..., 0, values.size()).
using LocalPermutationsFn = std::function<LocalPValues(
    const std::vector<double>& values, const SpatialWeights* gi_w_self, const SpatialWeights* lisa_w,
    int permutations, std::uint64_t seed)>;

// local_stats (hotspot/local_stats.hpp) with the permutations made by `permute` (empty: here).
LocalStatsResult local_stats(const std::vector<double>& values, const SpatialWeights& w,
                             const LocalStatsOptions& options, const LocalPermutationsFn& permute);

// ---- Knox: the counts of the observed times and of each permutation ("lanes") ------------------
struct KnoxLaneCounts {
  std::vector<std::int64_t> counts;  // lane-major: (space bands × time bands) per lane, per band
  std::int64_t close_pairs = 0;      // pairs within the largest space band
};

// Lanes [first, last): lane 0 the observed times, lane 1 + k permutation k. Every incident takes
// part (each needs a time; options.categories and options.window are not applied).
// REQUIRES: first <= last <= 1 + options.permutations.
KnoxLaneCounts knox_lane_counts(const Incidents& used, const KnoxOptions& options, std::size_t first,
                                std::size_t last);

// Counts lanes 0..permutations of `used` (the incidents that take part, in order, every one with
// a time; options without categories or window) somewhere else. It must return exactly
// knox_lane_counts(used, options, 0, 1 + options.permutations).
using KnoxLanesFn = std::function<KnoxLaneCounts(const Incidents& used, const KnoxOptions& options)>;

// knox_test (hotspot/spacetime.hpp) with the counts made by `count_lanes` (empty: here).
KnoxResult knox_test(const Incidents& incidents, const KnoxOptions& options, const KnoxLanesFn& count_lanes);

// ---- DBSCAN and ST-DBSCAN: tiles with an eps halo, merged through core-core links only -------
// A tile is a set of points it owns (every point is owned by exactly one tile) and a halo: at
// least every point within eps (in space) of the tile's box. Each owned point sees its whole
// neighbourhood, so the tile decides exactly which of its points are core; the halo points' core
// flags are decided by their own tiles, so what crosses the tile edge is returned as candidates
// that the merge keeps only when the halo point turns out to be core. All indices are global.
struct ClusterTilePart {
  // Per owned point, in the order given:
  std::vector<std::int64_t> point;  // its global index
  std::vector<std::uint8_t> core;   // 1 for a core point (exact: the halo holds its neighbours)
  // core: a global index naming its component among the tile's core points (any member);
  // not core: its nearest core point among the tile's own within eps (ties: the lower global
  // index), or -1 for none.
  std::vector<std::int64_t> link;
  std::vector<double> link_d2;  // not core: the squared distance to `link` (inf for none); else 0
  // Core-core links leaving the tile: (component, halo point within eps of one of its core
  // points). The merge unites them when the halo point is core.
  std::vector<std::int64_t> halo_component, halo_point;
  // Border candidates in the halo: (owned non-core point, halo point within eps, squared
  // distance), only those nearer than `link` (or as near with a lower index). A non-core point
  // has fewer than min_points neighbours, so these are few.
  std::vector<std::int64_t> cand_point, cand_core;
  std::vector<double> cand_d2;

  void append(const ClusterTilePart& other);  // concatenates every column
};

// One tile of dbscan(): x, y (and index, their global indices) hold the owned points first
// (`owned` of them), then the halo. The same site grid, distance test (within) and tie rules
// as dbscan(). Throws InternalError when a location is both owned and in the halo (tiles own
// whole locations), and what dbscan() throws for eps, min_points and the coordinates.
ClusterTilePart dbscan_tile(std::span<const double> x, std::span<const double> y,
                            std::span<const std::int64_t> index, std::size_t owned,
                            const DbscanOptions& options);

// One tile of st_dbscan(): as dbscan_tile, with times; the halo is spatial (eps), the time
// criterion is applied inside. Every t must be a time (the caller checked, as st_dbscan does).
ClusterTilePart st_dbscan_tile(std::span<const double> x, std::span<const double> y,
                               std::span<const std::int64_t> t, std::span<const std::int64_t> index,
                               std::size_t owned, const StDbscanOptions& options);

// The clustering of n points from their tiles' parts (appended in any order): components of
// core points joined only through core-core links (a tile's own components and its halo links
// whose halo point is core), each border point in the cluster of its nearest core point within
// eps, ties to the lower global index, clusters numbered by size as dbscan() numbers them. The
// parts of a cover of tiles give exactly dbscan()'s (or st_dbscan()'s) labels and core flags.
// Throws InternalError unless every point 0..n-1 is owned exactly once and indices are in range.
Clustering merge_cluster_tiles(std::size_t n, const ClusterTilePart& parts);

// Computes the parts of a cover of tiles somewhere else (hotspot.dask). Each must return parts
// that merge into exactly dbscan(x, y, options) (st_dbscan(x, y, t, options)).
using DbscanTilesFn = std::function<ClusterTilePart(std::span<const double> x, std::span<const double> y,
                                                    const DbscanOptions& options)>;
using StDbscanTilesFn = std::function<ClusterTilePart(std::span<const double> x, std::span<const double> y,
                                                      std::span<const std::int64_t> t,
                                                      const StDbscanOptions& options)>;
// Runs hdbscan somewhere else, whole (it is not split): it must return hdbscan(x, y, options).
using HdbscanFn = std::function<Clustering(std::span<const double> x, std::span<const double> y,
                                           const HdbscanOptions& options)>;

// dbscan and st_dbscan (hotspot/cluster.hpp) with the tiles computed by `tiles` (empty: here):
// the same checks and errors first, then the merge. No points: the hook is not called.
Clustering dbscan(std::span<const double> x, std::span<const double> y, const DbscanOptions& options,
                  const DbscanTilesFn& tiles);
Clustering st_dbscan(std::span<const double> x, std::span<const double> y, std::span<const std::int64_t> t,
                     const StDbscanOptions& options, const StDbscanTilesFn& tiles);

struct RunDistribution;
// cluster (hotspot/cluster.hpp) with the run's hooks for each method (null or empty: here).
Clustering cluster(const std::vector<double>& x, const std::vector<double>& y,
                   const std::vector<std::int64_t>& t, const ClusterOptions& options,
                   const RunDistribution* hooks);

// ---- KDE: the density in windows of kde()'s own blocks ------------------------------------------
struct KdeBlocks {
  std::int64_t cols = 0, rows = 0;  // cells of a block (the last across and down may have fewer)
  std::int64_t nbx = 0, nby = 0;    // blocks across and down
};
// kde()'s blocks for a grid: options.tile columns × min(tile, 64) rows, from the top-left cell.
KdeBlocks kde_blocks(const Grid& grid, const KdeOptions& options);

// Blocks [bx0, bx1) × [by0, by1): the cells of rows by0·rows .. min(by1·rows, grid.rows) − 1,
// and likewise of columns.
struct KdeWindow {
  std::int64_t bx0 = 0, bx1 = 0, by0 = 0, by1 = 0;
};

// kde(x, y, w, grid, mask, options)'s cells in `window`, row-major (its rows × its columns), bit
// for bit: the same blocks of the whole grid, each summing the same points in the same (global)
// order; the points that cannot reach the window are skipped (in kde() they add exactly 0 to its
// cells). Masked and edge-corrected as kde() does: `mask` is the whole grid's, and the edge
// correction reads it up to one support radius around the window. x, y, w: every point, or any
// subset, in the same order, that holds every point within the support radius of the window.
// Throws ParameterError("window") for blocks outside the grid's.
std::vector<float> kde_window(std::span<const double> x, std::span<const double> y,
                              std::span<const double> w, const Grid& grid,
                              const std::vector<std::uint8_t>& mask, const KdeOptions& options,
                              const KdeWindow& window);

// Computes kde(x, y, w, grid, mask, options) somewhere else. It must return exactly that.
using KdeFn = std::function<DensityRaster(std::span<const double> x, std::span<const double> y,
                                          std::span<const double> w, const Grid& grid,
                                          const std::vector<std::uint8_t>& mask,
                                          const KdeOptions& options)>;

// ---- Emerging: the space-time cube and its Gi* sums, per tile of cells with a band halo --------
// The lowest-numbered cell holding each point (PolygonIndex's rule, the one emerging() counts
// with), -1 for none. Only the cells whose bounding box meets the points' are indexed: every cell
// holding one of the points is among them, so the answer is that of an index of every cell.
std::vector<std::int32_t> locate_cells(const std::vector<MultiPolygon>& cells,
                                       std::span<const double> x, std::span<const double> y,
                                       int threads);

// What emerging() needs of the cube besides its moments, for some of its cells (c_0 < c_1 < ...,
// per bin t * cells + j, j the cell's position among them).
struct EmergingSums {
  std::vector<double> count;    // the weights of the incidents in the bin, summed in incident order
  std::vector<double> running;  // the bin's Gi* sum (space_time_running: its band neighbours, the
                                // cell itself included, over this and the `window` previous steps)
  std::vector<std::int32_t> neighbours;  // per cell: its band neighbours, itself included
  std::int64_t located = 0;       // incidents whose cell is one of these
  std::int64_t without_time = 0;  // of those, the ones without a time step (step_of -1)
};

// One tile of emerging(): the sums of the cells `owned` (increasing global numbers), exactly as
// emerging() computes them for those cells. Its halo, the cells within band_m of an owned cell
// (band_weights of the centroids), is found here; the incidents that can lie in an owned or halo
// cell (inside their bounding boxes) are located among every cell (locate_cells, so a point on an
// edge with a cell outside the tile gets the lower global number, as in emerging()), and those
// in owned or halo cells summed into the tile's cube in incident order; then the Gi* sums of the
// owned cells, each neighbour taken in band_weights' row order. step_of: per incident, its time
// step (0 .. steps - 1) or -1; weight: per incident, or empty for 1 each. Throws InternalError
// for columns of different lengths, an owned cell out of range or out of order, a step >= steps.
EmergingSums emerging_tile(std::span<const double> x, std::span<const double> y,
                           std::span<const std::int32_t> step_of, std::span<const double> weight,
                           const std::vector<MultiPolygon>& cells, const std::vector<XY>& centroid,
                           std::span<const std::int32_t> owned, std::size_t steps, double band_m,
                           int window, int threads);

// Computes the sums of every cell (owned = 0 .. cells - 1) somewhere else, from tiles of cells
// that each own some and together own every cell once. It must return exactly
// emerging_tile(x, y, step_of, weight, cells.polygon, cells.centroid, every cell, ...).
using EmergingSumsFn = std::function<EmergingSums(
    std::span<const double> x, std::span<const double> y, std::span<const std::int32_t> step_of,
    std::span<const double> weight, const EmergingCells& cells, std::size_t steps, double band_m,
    int window)>;

// emerging (hotspot/emerging.hpp) with the cube and its Gi* sums made by `sums` (empty: here).
// The time steps, the cube's moments (over the whole cube, in bin order), z and p, the trends and
// the classes stay here, so the result is that of emerging() without the hook, bit for bit.
EmergingResult emerging(const std::vector<double>& x, const std::vector<double>& y,
                        const std::vector<std::int64_t>& time_utc, const std::vector<double>& weight,
                        const EmergingCells& cells, const EmergingOptions& options,
                        const EmergingSumsFn& sums);

// ---- A run ---------------------------------------------------------------------------------------
// Every incident's commune and zone, as assign_incidents gives them; or nothing, and the run
// computes them itself (hotspot.dask does so while its local cluster is still starting).
using AssignFn = std::function<std::optional<Assignment>(const Incidents&, const PolygonLayer& communes,
                                                         const PolygonLayer& zones)>;

// The hooks of hotspot run (RunJobOptions::distribution). Each one set replaces the in-process
// computation of exactly the same numbers; the run still loads, writes and summarises in this
// process, so its output is that of a run without hooks.
struct RunDistribution {
  AssignFn assign;                         // the incidents' communes and zones
  LocalPermutationsFn local_permutations;  // every local analysis' permutations
  KnoxLanesFn knox_lanes;                  // near_repeat's observed and permuted counts
  DbscanTilesFn dbscan_tiles;              // clusters, method dbscan: the tiles' parts
  StDbscanTilesFn st_dbscan_tiles;         // clusters, method st-dbscan: the tiles' parts
  HdbscanFn hdbscan;                       // clusters, method hdbscan: whole, somewhere else
  KdeFn kde;                               // every kde analysis' density raster
  EmergingSumsFn emerging_sums;            // every emerging analysis' cube and Gi* sums
};

}  // namespace hotspot
