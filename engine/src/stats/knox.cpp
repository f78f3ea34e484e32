#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

#include "hotspot/error.hpp"
#include "hotspot/spacetime.hpp"
#include "util/parallel.hpp"
#include "util/rng.hpp"

namespace hotspot {

namespace {

void check_edges(const std::vector<double>& e, const char* parameter) {
  if (e.size() < 2) throw ParameterError(parameter, "give at least two band edges, e.g. 0,100,200");
  for (std::size_t i = 0; i < e.size(); ++i) {
    if (!std::isfinite(e[i]) || e[i] < 0) throw ParameterError(parameter, "band edges must be >= 0");
    if (i > 0 && e[i] <= e[i - 1]) throw ParameterError(parameter, "band edges must increase");
  }
}

// Band of value v under edges e, or -1 beyond them (see the header for the rule). A linear scan:
// there are a handful of edges, and this runs once per pair and permutation.
int band_of(const std::vector<double>& e, double v) {
  if (v < e.front() || v > e.back()) return -1;
  if (v == e.front()) return 0;
  std::size_t k = 1;
  while (e[k] < v) ++k;  // first edge >= v; e.back() >= v ends it
  return static_cast<int>(k) - 1;
}

struct ClosePair {
  std::uint32_t i, j;
  std::uint8_t space_band;
};

}  // namespace

std::vector<std::int64_t> knox_counts_brute_force(const Incidents& inc, const KnoxOptions& opt) {
  check_knox_options(opt);
  const std::size_t ns = opt.space_bands.size() - 1, nt = opt.time_bands_days.size() - 1;
  std::vector<std::int64_t> counts(ns * nt, 0);
  for (std::size_t i = 0; i < inc.size(); ++i) {
    if (inc.time_utc[i] == kNoTime) continue;
    for (std::size_t j = i + 1; j < inc.size(); ++j) {
      if (inc.time_utc[j] == kNoTime) continue;
      int s = band_of(opt.space_bands, std::hypot(inc.x[i] - inc.x[j], inc.y[i] - inc.y[j]));
      int t = band_of(opt.time_bands_days, std::abs(static_cast<double>(inc.time_utc[i] - inc.time_utc[j])) / 86400.0);
      if (s >= 0 && t >= 0) ++counts[static_cast<std::size_t>(s) * nt + static_cast<std::size_t>(t)];
    }
  }
  return counts;
}

void check_knox_options(const KnoxOptions& opt) {
  check_edges(opt.space_bands, "space_bands");
  check_edges(opt.time_bands_days, "time_bands");
  if (opt.space_bands.size() > 200) throw ParameterError("space_bands", "at most 199 bands");
  if (opt.permutations < 0 || opt.permutations > kMaxKnoxPermutations)
    throw ParameterError("permutations", "must be in 0.." + std::to_string(kMaxKnoxPermutations) + " (got " +
                                             std::to_string(opt.permutations) + ")");
}

KnoxResult knox_test(const Incidents& inc, const KnoxOptions& opt) {
  check_knox_options(opt);
  const std::size_t ns = opt.space_bands.size() - 1, nt = opt.time_bands_days.size() - 1;
  KnoxResult r;

  // Incidents with a time, and their times (the permutations shuffle these).
  std::vector<std::uint32_t> used;
  std::vector<std::int64_t> times;
  for (std::size_t i = 0; i < inc.size(); ++i) {
    if (inc.time_utc[i] == kNoTime) {
      ++r.without_time;
    } else {
      used.push_back(static_cast<std::uint32_t>(i));
      times.push_back(inc.time_utc[i]);
    }
  }
  r.incidents_used = static_cast<std::int64_t>(used.size());

  // Close pairs through a grid of cells as wide as the largest distance band: a pair within it
  // lies in the same or a neighbouring cell.
  const double reach = opt.space_bands.back();
  const double cell = reach > 0 ? reach : 1.0;
  std::unordered_map<std::int64_t, std::vector<std::uint32_t>> grid;  // cell key -> positions in `used`
  auto key = [](std::int64_t cx, std::int64_t cy) { return cx * 0x1000003 + cy; };
  std::vector<std::pair<std::int64_t, std::int64_t>> cells(used.size());
  for (std::uint32_t k = 0; k < used.size(); ++k) {
    auto cx = static_cast<std::int64_t>(std::floor(inc.x[used[k]] / cell));
    auto cy = static_cast<std::int64_t>(std::floor(inc.y[used[k]] / cell));
    cells[k] = {cx, cy};
    grid[key(cx, cy)].push_back(k);
  }
  const double reach2 = reach * reach * (1 + 1e-12);
  std::vector<ClosePair> pairs;
  for (std::uint32_t a = 0; a < used.size(); ++a) {
    const auto [cx, cy] = cells[a];
    for (std::int64_t dx = -1; dx <= 1; ++dx)
      for (std::int64_t dy = -1; dy <= 1; ++dy) {
        auto it = grid.find(key(cx + dx, cy + dy));
        if (it == grid.end()) continue;
        for (std::uint32_t b : it->second) {
          if (b <= a) continue;
          const double ddx = inc.x[used[a]] - inc.x[used[b]], ddy = inc.y[used[a]] - inc.y[used[b]];
          // Most candidates of the 3 × 3 cells are beyond reach: drop them before the exact
          // distance (the margin keeps every pair hypot would put at or under the last edge).
          if (ddx * ddx + ddy * ddy > reach2) continue;
          int s = band_of(opt.space_bands, std::hypot(ddx, ddy));
          if (s < 0) continue;
          pairs.push_back({a, b, static_cast<std::uint8_t>(s)});
          if (static_cast<std::int64_t>(pairs.size()) > opt.max_pairs)
            throw InputError("near-repeat: more than " + std::to_string(opt.max_pairs) +
                             " incident pairs lie within " + std::to_string(reach) +
                             "; narrow the space bands or filter the incidents");
        }
      }
  }
  grid.clear();
  r.close_pairs = static_cast<std::int64_t>(pairs.size());

  auto count = [&](const std::vector<std::int64_t>& t, std::vector<std::int64_t>& out) {
    std::fill(out.begin(), out.end(), 0);
    for (const ClosePair& p : pairs) {
      int tb = band_of(opt.time_bands_days, std::abs(static_cast<double>(t[p.i] - t[p.j])) / 86400.0);
      if (tb >= 0) ++out[p.space_band * nt + static_cast<std::size_t>(tb)];
    }
  };
  std::vector<std::int64_t> observed(ns * nt);
  count(times, observed);

  // Permutation k shuffles the times with its own stream (seed, k): any thread count gives the
  // same counts, summed in permutation order.
  const auto n_perm = static_cast<std::size_t>(opt.permutations);
  std::vector<std::vector<std::int64_t>> perm_counts(n_perm, std::vector<std::int64_t>(ns * nt));
  parallel_ranges(n_perm, resolve_threads(opt.threads), [&](std::size_t b, std::size_t e, int) {
    std::vector<std::int64_t> t(times.size());
    for (std::size_t k = b; k < e; ++k) {
      std::copy(times.begin(), times.end(), t.begin());
      Rng rng(opt.seed, k);
      for (std::size_t i = t.size(); i > 1; --i) std::swap(t[i - 1], t[rng.below(i)]);
      count(t, perm_counts[k]);
    }
  }, /*min_per_thread=*/1);
  for (std::size_t c = 0; c < ns * nt; ++c) {
    KnoxCell cellr;
    cellr.space_band = static_cast<int>(c / nt);
    cellr.time_band = static_cast<int>(c % nt);
    cellr.observed = observed[c];
    double sum = 0;
    std::int64_t as_extreme = 0;
    for (std::size_t k = 0; k < n_perm; ++k) {
      sum += static_cast<double>(perm_counts[k][c]);
      as_extreme += perm_counts[k][c] >= observed[c];
    }
    cellr.expected = n_perm ? sum / static_cast<double>(n_perm) : std::nan("");
    cellr.ratio = cellr.expected > 0 ? static_cast<double>(observed[c]) / cellr.expected : std::nan("");
    cellr.p_value = static_cast<double>(as_extreme + 1) / static_cast<double>(n_perm + 1);
    r.cells.push_back(cellr);
  }
  return r;
}

}  // namespace hotspot
