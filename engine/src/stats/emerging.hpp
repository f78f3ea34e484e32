#pragma once
// The pieces of emerging hot spot analysis (hotspot/emerging.hpp): time steps, the space-time Gi*,
// the classification of every cell. Private: the tests hold them against their oracles.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hotspot/emerging.hpp"
#include "hotspot/spacetime.hpp"
#include "stats/local_stats.hpp"
#include "weights/weights.hpp"

namespace hotspot {

// Steps run from the one holding the earliest incident to the one holding the latest, in local
// time (UTC + offset): days start at midnight, weeks on Monday, months on the 1st.
struct StepBinning {
  std::vector<std::int32_t> step_of;    // per incident; -1 without a time
  std::vector<std::int64_t> start_utc;  // first instant of each step
  std::size_t steps() const { return start_utc.size(); }
};
StepBinning bin_times(const std::vector<std::int64_t>& time_utc, const TimeStep& step,
                      int utc_offset_minutes);
// The longest of 1mo, 2w, 1w, 3d, 1d that cuts the times into at least kMinEmergingSteps steps,
// with its number of steps; nullopt when even 1d gives fewer. hotspot init writes it as the
// starter configuration's time_step; a refused time_step names it (suggest_time_step).
struct ChosenTimeStep {
  std::string time_step;  // "1w"
  std::size_t steps = 0;
};
std::optional<ChosenTimeStep> longest_time_step(const std::vector<std::int64_t>& time_utc,
                                                int utc_offset_minutes);
// longest_time_step as a sentence for an error message ("Try time_step "1w" (17 steps).").
std::string suggest_time_step(const std::vector<std::int64_t>& time_utc, int utc_offset_minutes);

// Why neighbourhood_time k is refused when the incidents span `steps` time steps of `step_text`
// ("1w"): a neighbourhood reaching back past the first step. k must be below steps.
std::string neighbourhood_time_problem(std::int64_t k, std::int64_t steps,
                                       const std::string& step_text);

// Gi* of every bin of a cube x[t * cells + c], with binary weights: bin (c, t) neighbours every
// (c', s) with c' in row c of `w_self` (which must include c itself) and t - window <= s <= t.
// The mean and variance are over all bins, as spdep::localG over the cube's bins would. Equal to
// getis_ord_gi_star on the materialised space-time weights (the test oracle) without building
// them: per-step spatial lags, summed over a sliding window of steps. It is cube_moments, then
// space_time_running over every cell, then space_time_z: hotspot.dask runs the middle one per
// tile of cells (emerging_tile, hotspot/distribute.hpp) and the others on the driver.
GiStar space_time_gi_star(const std::vector<double>& x, std::size_t cells, std::size_t steps,
                          const SpatialWeights& w_self, int window, int threads = 1);

// The number of bins, their mean and their standard deviation (population), summed in bin order.
// Throws InputError when every bin holds the same count: there is nothing to test.
struct CubeMoments {
  double n = 0, mean = 0, s = 0;
};
CubeMoments cube_moments(const std::vector<double>& x);

// The Gi* numerator of the bins of rows [first, last) of w_self: per step, the sum of x over the
// row's cells (in the row's order), then that summed over this and the `window` previous steps
// (added as the window moves on, and the step leaving it subtracted). x[t * cells + c]: w_self's
// indices are columns of x; its rows need not be x's columns (a tile's owned cells over the cube
// of its owned and halo cells). Out: running[t * (last - first) + (c - first)]. Every row is
// computed on its own, so its numbers do not depend on the range or the threads.
// REQUIRES: first <= last <= w_self.size(), every index < cells.
std::vector<double> space_time_running(const std::vector<double>& x, std::size_t cells,
                                       std::size_t steps, const SpatialWeights& w_self,
                                       int window, std::size_t first, std::size_t last,
                                       int threads = 1);

// Gi* z and p of every bin (t * cells + c, cells = neighbours.size()) from its running sum
// (space_time_running over every cell), its cell's spatial neighbours (w_self's row length, the
// cell itself included) and the cube's moments. NaN where the neighbourhood covers the cube.
GiStar space_time_z(const std::vector<double>& running, const std::vector<std::int32_t>& neighbours,
                    std::size_t steps, int window, const CubeMoments& m, int threads = 1);
// The oracle: the same weights written out for getis_ord_gi_star.
SpatialWeights space_time_weights(std::size_t cells, std::size_t steps,
                                  const SpatialWeights& w_self, int window);

// Every cell of a cube: Mann-Kendall of its Gi* z series and of its counts, and its category.
// Bins whose z is undefined (a neighbourhood covering the whole cube) count as z = 0, p = 1.
struct CellPatterns {
  std::vector<Emerging> category;
  std::vector<MannKendall> gi_trend, count_trend;
};
CellPatterns classify_cells(const std::vector<double>& cube, const GiStar& gi, std::size_t cells,
                            std::size_t steps, double alpha, int threads);

}  // namespace hotspot
