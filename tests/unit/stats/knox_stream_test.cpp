// The streamed Knox count (no pair list, permuted times as int32 lanes) against the algorithm it
// replaced, kept here as the reference: it held every close pair and counted each permutation
// over the list with the days as doubles. Every cell's observed count, expected count and p-value
// must be identical, on several seeds and band sets (edges on whole days, fractions of a day, a
// first edge above 0), at 1 and 2 threads, and in one or several passes.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <unordered_map>

#include "hotspot/error.hpp"
#include "hotspot/spacetime.hpp"
#include "util/rng.hpp"

namespace hotspot {
namespace {

int band_of(const std::vector<double>& e, double v) {
  if (v < e.front() || v > e.back()) return -1;
  if (v == e.front()) return 0;
  std::size_t k = 1;
  while (e[k] < v) ++k;
  return static_cast<int>(k) - 1;
}

// The previous knox_test, as it was (less the pair ceiling and the threads).
KnoxResult reference_knox(const Incidents& inc, const KnoxOptions& opt) {
  const std::size_t ns = opt.space_bands.size() - 1, nt = opt.time_bands_days.size() - 1;
  KnoxResult r;
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
  struct ClosePair {
    std::uint32_t i, j;
    std::uint8_t space_band;
  };
  const double reach = opt.space_bands.back();
  const double cell = reach > 0 ? reach : 1.0;
  std::unordered_map<std::int64_t, std::vector<std::uint32_t>> grid;
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
          if (ddx * ddx + ddy * ddy > reach2) continue;
          int s = band_of(opt.space_bands, std::hypot(ddx, ddy));
          if (s < 0) continue;
          pairs.push_back({a, b, static_cast<std::uint8_t>(s)});
        }
      }
  }
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
  const auto n_perm = static_cast<std::size_t>(opt.permutations);
  std::vector<std::vector<std::int64_t>> perm_counts(n_perm, std::vector<std::int64_t>(ns * nt));
  std::vector<std::int64_t> t(times.size());
  for (std::size_t k = 0; k < n_perm; ++k) {
    std::copy(times.begin(), times.end(), t.begin());
    Rng rng(opt.seed, k);
    for (std::size_t i = t.size(); i > 1; --i) std::swap(t[i - 1], t[rng.below(i)]);
    count(t, perm_counts[k]);
  }
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

// Clustered incidents with times on whole seconds, some on exact band edges.
Incidents incidents(std::size_t n, std::uint64_t seed) {
  Incidents inc;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> xy(0, 2000), day(0, 200);
  std::normal_distribution<double> near(0, 60);
  for (std::size_t i = 0; i < n; ++i) {
    double x = xy(rng), y = xy(rng);
    std::int64_t t = static_cast<std::int64_t>(day(rng) * 86400);
    if (i % 4 == 1) x = inc.x.back() + near(rng), y = inc.y.back() + near(rng);
    if (i % 7 == 3 && inc.time_utc.back() != kNoTime)  // exactly 7 days after the previous one
      t = inc.time_utc.back() - 1'700'000'000 + 7 * 86400;
    if (i % 11 == 5) x = inc.x.back() + 100, y = inc.y.back();  // exactly 100 m away
    inc.x.push_back(x), inc.y.push_back(y);
    inc.time_utc.push_back(i % 97 == 13 ? kNoTime : 1'700'000'000 + t);
    inc.lon.push_back(NAN), inc.lat.push_back(NAN);
    inc.category.push_back(Dictionary::kNone);
    inc.line.push_back(static_cast<std::int64_t>(i + 2));
    inc.id.push_back(std::to_string(i));
  }
  return inc;
}

void expect_identical(const KnoxResult& a, const KnoxResult& b, const std::string& what) {
  EXPECT_EQ(a.incidents_used, b.incidents_used) << what;
  EXPECT_EQ(a.without_time, b.without_time) << what;
  EXPECT_EQ(a.close_pairs, b.close_pairs) << what;
  ASSERT_EQ(a.cells.size(), b.cells.size()) << what;
  for (std::size_t c = 0; c < a.cells.size(); ++c) {
    EXPECT_EQ(a.cells[c].observed, b.cells[c].observed) << what << " cell " << c;
    if (std::isnan(b.cells[c].expected))
      EXPECT_TRUE(std::isnan(a.cells[c].expected)) << what << " cell " << c;
    else
      EXPECT_EQ(a.cells[c].expected, b.cells[c].expected) << what << " cell " << c;
    EXPECT_EQ(a.cells[c].p_value, b.cells[c].p_value) << what << " cell " << c;
  }
}

TEST(KnoxStream, IdenticalToThePairListOnSeveralSeedsAndBands) {
  const std::vector<std::pair<std::vector<double>, std::vector<double>>> bands = {
      {{0, 100, 200, 400}, {0, 7, 14, 28}},
      {{0, 50, 100, 200}, {0, 3, 7, 14}},
      {{25, 60, 150}, {0.5, 1.25, 7, 30.000011574}},  // a first edge above 0, fractions of a day
      {{0, 300}, {0, 1}},
      {{0, 30, 60, 150}, {0, 1, 2, 3, 7, 14, 28}},     // six time bands: counted four, then two
      {{10, 150}, {0.25, 1, 2, 7, 14, 28.5}},          // five, with a floor
  };
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const Incidents inc = incidents(1200, seed);
    for (std::size_t b = 0; b < bands.size(); ++b) {
      KnoxOptions o;
      o.space_bands = bands[b].first;
      o.time_bands_days = bands[b].second;
      o.permutations = 29;
      o.seed = 100 + seed;
      o.threads = static_cast<int>(seed % 2 + 1);
      const std::string what = "seed " + std::to_string(seed) + ", bands " + std::to_string(b);
      const KnoxResult ref = reference_knox(inc, o);
      expect_identical(knox_test(inc, o), ref, what);
      o.times_budget_bytes = 1;  // 8 lanes a pass: four passes over the pairs
      o.threads = 2;
      expect_identical(knox_test(inc, o), ref, what + ", several passes");
    }
  }
}

// Most incidents with no other within the largest band (20 m): they get no row of the time
// table, and the permutations still shuffle every incident's time. Every tenth incident lies
// exactly 20 m east of the one before, on the edge of reach, and must keep both.
TEST(KnoxStream, IdenticalWhenMostIncidentsHaveNoNeighbour) {
  for (std::uint64_t seed : {4u, 5u}) {
    Incidents inc = incidents(1500, seed);
    for (std::size_t i = 0; i < inc.size(); ++i) {
      if (i % 10 == 1) inc.x[i] = inc.x[i - 1] + 20, inc.y[i] = inc.y[i - 1];
      if (i % 10 == 2) inc.x[i] = inc.x[i - 1] + 3, inc.y[i] = inc.y[i - 1] - 4;
    }
    std::size_t alone = 0;
    for (std::size_t i = 0; i < inc.size(); ++i) {
      bool near = false;
      for (std::size_t j = 0; j < inc.size() && !near; ++j)
        near = j != i && std::hypot(inc.x[i] - inc.x[j], inc.y[i] - inc.y[j]) <= 20;
      alone += !near;
    }
    ASSERT_GT(alone, inc.size() / 3) << "the case needs incidents without a neighbour";
    for (const std::vector<double>& bands : {std::vector<double>{0, 5, 10, 20}, std::vector<double>{4, 20}}) {
      KnoxOptions o;
      o.space_bands = bands;
      o.time_bands_days = {0, 7, 14, 28};
      o.permutations = 39;
      o.seed = seed;
      o.threads = 2;
      const std::string what = "seed " + std::to_string(seed) + ", first edge " + std::to_string(bands.front());
      const KnoxResult ref = reference_knox(inc, o);
      ASSERT_GT(ref.close_pairs, 100) << what;
      expect_identical(knox_test(inc, o), ref, what);
      o.times_budget_bytes = 1;
      o.threads = 1;
      expect_identical(knox_test(inc, o), ref, what + ", several passes");
    }
  }
}

TEST(KnoxStream, FiltersByCategoryAndDate) {
  Incidents inc = incidents(900, 8);
  inc.categories = Dictionary();
  const std::uint32_t theft = inc.categories.intern("theft"), robbery = inc.categories.intern("robbery");
  for (std::size_t i = 0; i < inc.size(); ++i) inc.category[i] = i % 3 ? theft : robbery;
  KnoxOptions o;
  o.permutations = 19;
  o.categories = {"robbery"};
  set_window_from(o.window, "2023-12-01");
  set_window_to(o.window, "2024-01-31");
  // The reference on the same incidents, filtered by hand.
  Incidents kept;
  std::int64_t filtered = 0;
  for (std::size_t i = 0; i < inc.size(); ++i) {
    const bool in = inc.time_utc[i] == kNoTime ||
                    (inc.category[i] == robbery && o.window.contains(inc.time_utc[i], 0));
    if (!in) {
      ++filtered;
      continue;
    }
    kept.x.push_back(inc.x[i]), kept.y.push_back(inc.y[i]), kept.time_utc.push_back(inc.time_utc[i]);
    kept.lon.push_back(NAN), kept.lat.push_back(NAN), kept.category.push_back(inc.category[i]);
    kept.line.push_back(inc.line[i]), kept.id.push_back(inc.id[i]);
  }
  ASSERT_GT(kept.size(), 50u);
  const KnoxResult r = knox_test(inc, o);
  EXPECT_EQ(r.filtered, filtered);
  KnoxOptions plain = o;
  plain.categories.clear();
  plain.window = TimeWindow();
  expect_identical(r, reference_knox(kept, plain), "filtered");
  o.categories = {"arson"};
  EXPECT_THROW(knox_test(inc, o), ParameterError);
}

}  // namespace
}  // namespace hotspot
