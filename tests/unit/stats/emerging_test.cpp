// Emerging hot spots: time steps, the space-time Gi* against getis_ord_gi_star on the written-out
// weights (the oracle), every classification rule on constructed series, and emerging() on a
// small hand-made cube.
#include "stats/emerging.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "hotspot/error.hpp"
#include "util/time.hpp"

namespace hotspot {
namespace {

std::int64_t utc(const char* iso) {
  std::string why;
  return *parse_iso8601(iso, 0, &why);
}

TEST(TimeSteps, WeeksStartOnMondayInLocalTime) {
  // Mon 2024-03-04 00:30 local (+07:00) is Sun 17:30 UTC; Sun 2024-03-10 23:00 local is the same
  // week; Mon 2024-03-11 00:00 local starts the next.
  std::vector<std::int64_t> t = {utc("2024-03-03T17:30:00Z"), utc("2024-03-10T16:00:00Z"),
                                 utc("2024-03-10T17:00:00Z"), kNoTime, utc("2024-03-25T05:00:00Z")};
  StepBinning b = bin_times(t, parse_time_step("1w"), 7 * 60);
  EXPECT_EQ(b.step_of, (std::vector<std::int32_t>{0, 0, 1, -1, 3}));
  ASSERT_EQ(b.steps(), 4u);
  EXPECT_EQ(b.start_utc[0], utc("2024-03-03T17:00:00Z"));  // Monday 00:00 +07:00
  EXPECT_EQ(b.start_utc[3], utc("2024-03-24T17:00:00Z"));
}

TEST(TimeSteps, MonthsAndMultiples) {
  std::vector<std::int64_t> t = {utc("2023-12-31T18:00:00Z"), utc("2024-02-29T12:00:00Z"),
                                 utc("2024-04-01T00:00:00Z")};
  StepBinning m =
      bin_times(t, parse_time_step("1mo"), 7 * 60);  // the first is 2024-01-01 01:00 local
  EXPECT_EQ(m.step_of, (std::vector<std::int32_t>{0, 1, 3}));
  EXPECT_EQ(m.start_utc[2], utc("2024-02-29T17:00:00Z"));  // March 1st, local midnight
  StepBinning two = bin_times(t, parse_time_step("2mo"), 7 * 60);
  EXPECT_EQ(two.step_of, (std::vector<std::int32_t>{0, 0, 1}));
  StepBinning days = bin_times(t, parse_time_step("7d"), 0);
  EXPECT_EQ(days.step_of[0], 0);
  for (const char* bad : {"", "w", "0w", "1y", "1 w", "-1d", "99999w"})
    EXPECT_THROW(parse_time_step(bad), UsageError) << bad;
}

// A 1-D row of cells, each a neighbour of the next.
SpatialWeights chain(std::size_t cells) {
  std::vector<std::vector<std::int32_t>> lists(cells);
  for (std::size_t c = 0; c + 1 < cells; ++c) {
    lists[c].push_back(static_cast<std::int32_t>(c + 1));
    lists[c + 1].push_back(static_cast<std::int32_t>(c));
  }
  return with_self(from_lists(std::move(lists)), 1.0);
}

TEST(SpaceTimeGiStar, EqualsGiStarOnTheWrittenOutWeights) {
  std::mt19937_64 rng(4);
  std::poisson_distribution<int> pois(3.0);
  for (int window : {0, 1, 3}) {
    const std::size_t cells = 17, steps = 9;
    std::vector<double> x(cells * steps);
    for (auto& v : x) v = pois(rng);
    SpatialWeights w = chain(cells);
    GiStar fast = space_time_gi_star(x, cells, steps, w, window);
    GiStar oracle = getis_ord_gi_star(x, space_time_weights(cells, steps, w, window));
    for (std::size_t b = 0; b < x.size(); ++b) {
      EXPECT_NEAR(fast.z[b], oracle.z[b], 1e-12 * (1 + std::abs(oracle.z[b])))
          << "window " << window << " bin " << b;
      EXPECT_NEAR(fast.p[b], oracle.p[b], 1e-12) << b;
    }
  }
  EXPECT_THROW(space_time_gi_star(std::vector<double>(6, 2.0), 3, 2, chain(3), 1), InputError);
}

// Series of z-scores: 3 = significant hot, -3 = significant cold, 0 = nothing.
Emerging classify(std::vector<double> z) {
  std::vector<double> p(z.size());
  for (std::size_t t = 0; t < z.size(); ++t) p[t] = std::erfc(std::abs(z[t]) / std::sqrt(2.0));
  return classify_emerging(z.data(), p.data(), z.size(), 0.05, mann_kendall(z));
}

TEST(Classify, EveryPattern) {
  std::vector<double> none(10, 0.0);
  EXPECT_EQ(classify(none), Emerging::kNoPattern);
  EXPECT_EQ(classify({0, 0, 0, 0, 0, 0, 0, 0, 0, 3}), Emerging::kNewHot);
  EXPECT_EQ(classify({0, 0, 0, 0, 0, 0, 0, 3, 3, 3}), Emerging::kConsecutiveHot);
  EXPECT_EQ(classify({2, 2.2, 2.4, 2.6, 2.8, 3, 3.2, 3.4, 3.6, 3.8}), Emerging::kIntensifyingHot);
  EXPECT_EQ(classify({3, 3.5, 3, 3.5, 3, 3.5, 3, 3.5, 3, 3.5}), Emerging::kPersistentHot);
  EXPECT_EQ(classify({3.8, 3.6, 3.4, 3.2, 3, 2.8, 2.6, 2.4, 2.2, 2.1}), Emerging::kDiminishingHot);
  EXPECT_EQ(classify({0, 3, 0, 0, 3, 0, 3, 0, 0, 3}), Emerging::kSporadicHot);
  EXPECT_EQ(classify({0, -3, 0, 0, 3, 0, 3, 0, 0, 3}), Emerging::kOscillatingHot);
  EXPECT_EQ(classify({3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0}),
            Emerging::kHistoricalHot);
  EXPECT_EQ(classify({0, 0, 0, 0, 0, 0, 0, 0, 0, -3}), Emerging::kNewCold);
  EXPECT_EQ(classify({0, 0, 0, 0, 0, 0, -3, -3, -3, -3}), Emerging::kConsecutiveCold);
  EXPECT_EQ(classify({-2, -2.2, -2.4, -2.6, -2.8, -3, -3.2, -3.4, -3.6, -3.8}),
            Emerging::kIntensifyingCold);
  EXPECT_EQ(classify({-3, -3.5, -3, -3.5, -3, -3.5, -3, -3.5, -3, -3.5}),
            Emerging::kPersistentCold);
  EXPECT_EQ(classify({-3.8, -3.6, -3.4, -3.2, -3, -2.8, -2.6, -2.4, -2.2, -2.1}),
            Emerging::kDiminishingCold);
  EXPECT_EQ(classify({0, -3, 0, 0, -3, 0, -3, 0, 0, -3}), Emerging::kSporadicCold);
  EXPECT_EQ(classify({0, 3, 0, 0, -3, 0, -3, 0, 0, -3}), Emerging::kOscillatingCold);
  EXPECT_EQ(
      classify({-3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, -3, 0}),
      Emerging::kHistoricalCold);
  // A run that had hot bins before it is sporadic, not consecutive.
  EXPECT_EQ(classify({3, 0, 0, 0, 0, 0, 0, 3, 3, 3}), Emerging::kSporadicHot);
  for (int e = 0; e < 17; ++e) EXPECT_NE(std::string(emerging_name(static_cast<Emerging>(e))), "");
}

// A 6 x 5 block of unit squares and 10 weekly steps; each bin holds 1 incident except four cells
// with planted series. Band 0.5 and no previous steps: every bin is its own neighbourhood, so a
// bin's Gi* is its count standardised over the cube (8 of them: z = 3.36; 12: z = 5.44).
struct HandMadeCube {
  EmergingCells cells;
  std::vector<double> x, y;
  std::vector<std::int64_t> t;
  HandMadeCube() {
    for (int j = 0; j < 5; ++j)
      for (int i = 0; i < 6; ++i) {
        const double x0 = i, y0 = j;
        Polygon square;
        square.shell = {{x0, y0}, {x0 + 1, y0}, {x0 + 1, y0 + 1}, {x0, y0 + 1}, {x0, y0}};
        cells.polygon.push_back({square});
        cells.centroid.push_back({i + 0.5, j + 0.5});
      }
    cells.size_m = 1;
    const std::int64_t monday_noon = utc("2024-01-01T12:00:00Z");
    for (std::size_t c = 0; c < cells.centroid.size(); ++c)
      for (int step = 0; step < 10; ++step) {
        int n = 1;
        if (c == 0 && step == 9) n = 12;  // new: hot only in the last step
        if (c == 1) n = 8;                // persistent: hot throughout, no trend
        if (c == 2 && step < 9) n = 8;    // historical: hot 90 % of the time, not now
        if (c == 3 && step >= 7) n = 8;   // consecutive: the last three steps
        for (int k = 0; k < n; ++k) {
          x.push_back(cells.centroid[c].x);
          y.push_back(cells.centroid[c].y);
          t.push_back(monday_noon + step * 7 * 86400 + k);
        }
      }
  }
};

TEST(Emerging, ClassifiesAHandMadeCube) {
  HandMadeCube cube;
  cube.x.push_back(100), cube.y.push_back(100),
      cube.t.push_back(cube.t.back());                                      // outside every cell
  cube.x.push_back(4.5), cube.y.push_back(0.5), cube.t.push_back(kNoTime);  // cell 4, no time
  EmergingOptions o;
  o.band_m = 0.5;
  o.neighbourhood_time = 0;
  o.threads = 2;
  const EmergingResult r = emerging(cube.x, cube.y, cube.t, {}, cube.cells, o);
  ASSERT_EQ(r.cells, 30u);
  ASSERT_EQ(r.steps, 10u);
  EXPECT_EQ(r.step_start_utc[0], utc("2024-01-01T00:00:00Z"));
  EXPECT_EQ(r.outside, 1);
  EXPECT_EQ(r.without_time, 1);
  EXPECT_EQ(r.empty_steps, 0u);
  EXPECT_EQ(r.band_m, 0.5);
  EXPECT_EQ(r.count[9 * 30 + 0], 12);
  EXPECT_EQ(r.count[0 * 30 + 1], 8);
  EXPECT_NEAR(r.gi_z[0 * 30 + 1], 3.36, 0.01);
  EXPECT_NEAR(r.gi_z[9 * 30 + 0], 5.44, 0.01);
  EXPECT_EQ(r.category[0], Emerging::kNewHot);
  EXPECT_EQ(r.category[1], Emerging::kPersistentHot);
  EXPECT_EQ(r.category[2], Emerging::kHistoricalHot);
  EXPECT_EQ(r.category[3], Emerging::kConsecutiveHot);
  for (std::size_t c = 4; c < 30; ++c) EXPECT_EQ(r.category[c], Emerging::kNoPattern) << c;
  EXPECT_EQ((std::vector<std::int64_t>(r.hot_steps.begin(), r.hot_steps.begin() + 5)),
            (std::vector<std::int64_t>{1, 10, 9, 3, 0}));
  for (auto n : r.cold_steps) EXPECT_EQ(n, 0);
  EXPECT_EQ(r.cells_per_category[static_cast<std::size_t>(Emerging::kNoPattern)], 26);
  EXPECT_EQ(r.cells_per_category[static_cast<std::size_t>(Emerging::kNewHot)], 1);
  EXPECT_EQ(r.gi_trend[1].p_value, 1);  // a constant series has no trend
  EXPECT_GT(r.count_trend[3].z, 0);

  // The default band is the first ring of the grid (1.5 x the cell size).
  o.band_m = 0;
  EXPECT_EQ(emerging(cube.x, cube.y, cube.t, {}, cube.cells, o).band_m, 1.5);
}

TEST(Emerging, ErrorsNameTheParameter) {
  HandMadeCube cube;
  auto parameter_of = [&](const EmergingOptions& o) {
    try {
      emerging(cube.x, cube.y, cube.t, {}, cube.cells, o);
    } catch (const ParameterError& e) {
      return e.parameter();
    }
    return std::string();
  };
  EmergingOptions o;
  o.alpha = 1;
  EXPECT_EQ(parameter_of(o), "alpha");
  o = {};
  o.neighbourhood_time = -1;
  EXPECT_EQ(parameter_of(o), "neighbourhood_time");
  o = {};
  o.band_m = -1;
  EXPECT_EQ(parameter_of(o), "band");
  o = {};
  o.time_step.count = 1;
  o.time_step.unit = TimeStep::Unit::kDay;
  EXPECT_EQ(parameter_of(o), "");  // fine
  try {
    parse_time_step("1y");
    ADD_FAILURE();
  } catch (const ParameterError& e) {
    EXPECT_EQ(e.parameter(), "time_step");
  }
  // One cell: not a cube to test.
  EmergingCells one = cube.cells;
  one.polygon.resize(1), one.centroid.resize(1);
  EXPECT_THROW(emerging(cube.x, cube.y, cube.t, {}, one, {}), InputError);
}

}  // namespace
}  // namespace hotspot
