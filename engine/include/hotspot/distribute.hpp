#pragma once
// Parts of a run computed outside this process (hotspot.dask, on Dask workers): the entry points
// restricted to a range of units or permutations, and the hooks a run calls instead of computing
// those parts itself. Ranges join into exactly the whole: every unit of the local statistics
// draws from its own stream (seed, unit), every Knox permutation shuffles with its own (seed, k).
#include <cstdint>
#include <functional>
#include <vector>

#include "hotspot/aggregate.hpp"
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

// ---- A run ---------------------------------------------------------------------------------------
// Every incident's commune and zone, as assign_incidents gives them.
using AssignFn = std::function<Assignment(const Incidents&, const PolygonLayer& communes,
                                          const PolygonLayer& zones)>;

// The hooks of hotspot run (RunJobOptions::distribution). Each one set replaces the in-process
// computation of exactly the same numbers; the run still loads, writes and summarises in this
// process, so its output is that of a run without hooks.
struct RunDistribution {
  AssignFn assign;                         // the incidents' communes and zones
  LocalPermutationsFn local_permutations;  // every local analysis' permutations
  KnoxLanesFn knox_lanes;                  // near_repeat's observed and permuted counts
};

}  // namespace hotspot
