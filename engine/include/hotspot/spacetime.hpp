#pragma once
// When incidents happen: near-repeat (Knox) analysis, Mann-Kendall trend tests and 24 x 7
// temporal profiles.
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hotspot/ingest.hpp"
#include "hotspot/local_stats.hpp"  // kMaxPermutations, shared with the local statistics
#include "hotspot/window.hpp"

namespace hotspot {

// ---- Near repeat (Knox) ------------------------------------------------------------------------
// Pairs of incidents are counted by their distance (space bands, metres or data units) and the
// time between them (time bands, days). Bands are given by their edges e0 < e1 < ... : band k
// holds pairs with e_k < d <= e_{k+1}, the first band also d = e_0. Pairs beyond the last edge
// count in no band. The expected count of each cell is the mean over Monte Carlo permutations
// that shuffle the times among the incidents (locations fixed); the pseudo p-value is
// (permutations with a count >= observed + 1) / (permutations + 1), and the Knox ratio is
// observed / expected. Incidents without a time take no part (counted in `without_time`).
// There is no ceiling on the number of pairs: they are counted as they are met, cell by cell
// (memory O(n + cells), plus a table of permuted times of at most 512 MiB), and the time grows
// with the pairs within the largest distance band.

struct KnoxOptions {
  // Band edges in metres (data units if planar). DEFAULT: 0,100,200,400.
  // REQUIRES: 2 to 200 edges, finite, >= 0, increasing. Parameter name: space_bands.
  std::vector<double> space_bands{0, 100, 200, 400};
  // Band edges in days. DEFAULT: 0,7,14,28. REQUIRES: as space_bands. Parameter name: time_bands.
  std::vector<double> time_bands_days{0, 7, 14, 28};
  int permutations = 99;          // DEFAULT: 99. REQUIRES: 0..kMaxPermutations (local_stats.hpp)
  std::uint64_t seed = 20240101;  // DEFAULT: 20240101; recorded in the output
  int threads = 0;                // DEFAULT: 0 = all cores; results do not depend on it
  // Only incidents of these categories (exact names). DEFAULT: every category. Parameter name:
  // categories (a name no incident has is a ParameterError listing those present).
  std::vector<std::string> categories;
  // Only incidents on these local dates: window.from / window.to (hotspot/window.hpp, the same
  // rule as every other analysis). DEFAULT: every date.
  TimeWindow window;
  int utc_offset_minutes = 0;  // local time, for the window's dates
  // Memory for the permuted times (4 bytes per incident and permutation): permutations beyond it
  // are counted in further passes over the pairs, with the same counts. DEFAULT: 512 MiB.
  std::size_t times_budget_bytes = std::size_t{512} << 20;
  // Told the estimated time before a count that should take over 10 s. DEFAULT: none.
  std::function<void(const std::string&)> note;
};

struct KnoxCell {
  int space_band = 0, time_band = 0;
  std::int64_t observed = 0;
  double expected = 0;
  double ratio = 0;    // observed / expected; NaN when expected is 0
  double p_value = 1;  // one-sided, more pairs than chance
};

struct KnoxResult {
  std::vector<KnoxCell> cells;  // space band major
  std::int64_t incidents_used = 0, without_time = 0;
  std::int64_t filtered = 0;     // left out by categories or dates
  std::int64_t close_pairs = 0;  // pairs within the largest space band
};

// Throws ParameterError for options that break a REQUIRES above.
void check_knox_options(const KnoxOptions& options);
KnoxResult knox_test(const Incidents& incidents, const KnoxOptions& options);
// Observed counts only, by testing every pair: the test oracle.
std::vector<std::int64_t> knox_counts_brute_force(const Incidents& incidents, const KnoxOptions& options);

// ---- Mann-Kendall ------------------------------------------------------------------------------
// S = sum over i < j of sign(x_j - x_i); Var(S) = [n(n-1)(2n+5) - sum_t t(t-1)(2t+5)] / 18 over
// groups of tied values; z = S / sqrt(Var S) (no continuity correction, as scipy's kendalltau);
// p two-sided from the normal distribution; tau = Kendall's tau-b of (time, x).
struct MannKendall {
  std::size_t n = 0;
  double s = 0, var_s = 0, z = 0, p_value = 1, tau = 0;
};
MannKendall mann_kendall(const std::vector<double>& series);

// ---- Temporal profiles -------------------------------------------------------------------------
// Incidents per (weekday, hour) in local time (UTC + utc_offset_minutes); weekday 0 = Monday.
using WeekProfile = std::array<std::int64_t, 7 * 24>;  // index weekday * 24 + hour

// One profile per feature; feature_of[i] is incident i's feature or -1; times in UTC seconds
// (kNoTime: left out).
std::vector<WeekProfile> week_profiles(const std::vector<std::int64_t>& time_utc,
                                       const std::vector<std::int32_t>& feature_of, std::size_t features,
                                       int utc_offset_minutes);

// The `hours`-long window of the day (wrapping past midnight, all weekdays together) with the
// most incidents; ties go to the earliest start hour.
struct PeakHours {
  int start_hour = 0, hours = 3;
  std::int64_t incidents = 0;
  double share = 0;  // of the feature's incidents with a time
};
PeakHours peak_hours(const WeekProfile& profile, int hours = 3);

}  // namespace hotspot
