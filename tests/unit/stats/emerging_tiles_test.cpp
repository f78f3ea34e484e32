// Emerging split for hotspot.dask: space_time_gi_star as cube_moments + space_time_running on
// ranges of cells + space_time_z gives the same bits as the whole, and emerging() with its cube
// and Gi* sums made tile by tile (emerging_tile, each tile's owned cells with a band halo) gives
// exactly emerging()'s result, for random and striped tiles, points on shared edges and corners,
// overlapping cells (a point held by two cells goes to the lower number, wherever it is owned),
// weighted incidents and incidents without a time.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <random>

#include "hotspot/distribute.hpp"
#include "hotspot/error.hpp"
#include "hotspot/ingest.hpp"
#include "stats/emerging.hpp"
#include "weights/weights.hpp"

namespace hotspot {
namespace {

// Bit-for-bit equality of two double vectors (NaN equals NaN of the same bits).
::testing::AssertionResult same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size())
    return ::testing::AssertionFailure() << "sizes " << a.size() << " and " << b.size();
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::memcmp(&a[i], &b[i], sizeof(double)) != 0)
      return ::testing::AssertionFailure() << "entry " << i << ": " << a[i] << " vs " << b[i];
  return ::testing::AssertionSuccess();
}

TEST(SpaceTimeSplit, RangesOfCellsJoinIntoTheWholeGiStar) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1000);
  std::poisson_distribution<int> pois(2.0);
  const std::size_t cells = 300, steps = 23;
  std::vector<XY> pts(cells);
  for (auto& p : pts) p = {u(rng), u(rng)};
  const SpatialWeights w = with_self(band_weights(pts, 120.0), 1.0);
  std::vector<double> x(cells * steps);
  for (auto& v : x) v = pois(rng) * 1.37;  // not integers: the sums' order shows
  for (int window : {0, 1, 4}) {
    const GiStar whole = space_time_gi_star(x, cells, steps, w, window, 1);
    for (int threads : {1, 3}) {
      const GiStar again = space_time_gi_star(x, cells, steps, w, window, threads);
      EXPECT_TRUE(same_bits(again.z, whole.z));
    }
    const std::vector<double> full = space_time_running(x, cells, steps, w, window, 0, cells, 2);
    for (std::size_t parts : {2u, 7u, 300u}) {
      std::vector<double> joined(cells * steps, -1.0);
      for (std::size_t k = 0; k < parts; ++k) {
        const std::size_t a = cells * k / parts, b = cells * (k + 1) / parts;
        const auto part = space_time_running(x, cells, steps, w, window, a, b, 1);
        ASSERT_EQ(part.size(), (b - a) * steps);
        for (std::size_t t = 0; t < steps; ++t)
          for (std::size_t c = a; c < b; ++c) joined[t * cells + c] = part[t * (b - a) + (c - a)];
      }
      EXPECT_TRUE(same_bits(joined, full)) << "window " << window << ", " << parts << " parts";
    }
    std::vector<std::int32_t> nb(cells);
    for (std::size_t c = 0; c < cells; ++c) nb[c] = static_cast<std::int32_t>(w.cardinality(c));
    const GiStar split = space_time_z(full, nb, steps, window, cube_moments(x), 2);
    EXPECT_TRUE(same_bits(split.z, whole.z)) << "window " << window;
    EXPECT_TRUE(same_bits(split.p, whole.p)) << "window " << window;
  }
  EXPECT_THROW(cube_moments(std::vector<double>(8, 3.0)), InputError);
  EXPECT_THROW(space_time_running(x, cells, steps, w, 1, 5, 4, 1), InternalError);
}

MultiPolygon square(double x0, double y0, double side) {
  Polygon p;
  p.shell = {{x0, y0}, {x0 + side, y0}, {x0 + side, y0 + side}, {x0, y0 + side}, {x0, y0}};
  return {p};
}

// 8 × 6 squares of 100 m and 6 squares of 150 m overlapping them, numbered in a shuffled order.
EmergingCells cells_with_overlaps() {
  std::vector<MultiPolygon> poly;
  std::vector<XY> centre;
  for (int j = 0; j < 6; ++j)
    for (int i = 0; i < 8; ++i) {
      poly.push_back(square(100.0 * i, 100.0 * j, 100));
      centre.push_back({100.0 * i + 50, 100.0 * j + 50});
    }
  for (int k = 0; k < 6; ++k) {
    const double x0 = 50.0 + 120.0 * k, y0 = 50.0 + 70.0 * (k % 4);
    poly.push_back(square(x0, y0, 150));
    centre.push_back({x0 + 75, y0 + 75});
  }
  std::vector<std::size_t> perm(poly.size());
  std::iota(perm.begin(), perm.end(), 0);
  std::shuffle(perm.begin(), perm.end(), std::mt19937_64(5));
  EmergingCells c;
  for (std::size_t k : perm) c.polygon.push_back(poly[k]), c.centroid.push_back(centre[k]);
  return c;
}

struct Incidents3 {
  std::vector<double> x, y, w;
  std::vector<std::int64_t> t;
};

// Random points (some outside every cell), every vertex and edge midpoint of the 100 m grid
// (each on a shared edge or corner), some twice; weights with many bits; 5 % without a time.
Incidents3 incidents() {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> ux(-30, 830), uy(-30, 630), uw(0.5, 2.0), u01(0, 1);
  std::uniform_int_distribution<std::int64_t> ut(0, 14 * 7 * 86400);
  Incidents3 in;
  auto add = [&](double x, double y) {
    in.x.push_back(x), in.y.push_back(y), in.w.push_back(uw(rng));
    in.t.push_back(u01(rng) < 0.05 ? kNoTime : 1700000000 + ut(rng));
  };
  for (int i = 0; i < 2500; ++i) add(ux(rng), uy(rng));
  for (int rep = 0; rep < 2; ++rep)
    for (int j = 0; j <= 12; ++j)
      for (int i = 0; i <= 16; ++i) add(50.0 * i, 50.0 * j);
  // The first and the last time pin the steps whatever the draws.
  in.t[0] = 1700000000, in.t[1] = 1700000000 + 14 * 7 * 86400;
  return in;
}

// Tiles of cells: each cell's tile from `tile_of`.
std::vector<std::vector<std::int32_t>> tiles_of(const std::vector<int>& tile_of, int n) {
  std::vector<std::vector<std::int32_t>> t(static_cast<std::size_t>(n));
  for (std::size_t c = 0; c < tile_of.size(); ++c)
    t[static_cast<std::size_t>(tile_of[c])].push_back(static_cast<std::int32_t>(c));
  return t;
}

// The hook: every tile's sums, placed by cell.
EmergingSumsFn tiled(const std::vector<std::vector<std::int32_t>>& tiles) {
  return [tiles](std::span<const double> x, std::span<const double> y,
                 std::span<const std::int32_t> step, std::span<const double> w,
                 const EmergingCells& cells, std::size_t steps, double band_m, int window) {
    const std::size_t nc = cells.polygon.size();
    EmergingSums all;
    all.count.assign(nc * steps, -1), all.running.assign(nc * steps, -1);
    all.neighbours.assign(nc, -1);
    for (const auto& own : tiles) {
      const EmergingSums s = emerging_tile(x, y, step, w, cells.polygon, cells.centroid, own, steps,
                                           band_m, window, 2);
      for (std::size_t j = 0; j < own.size(); ++j) {
        const auto c = static_cast<std::size_t>(own[j]);
        all.neighbours[c] = s.neighbours[j];
        for (std::size_t t = 0; t < steps; ++t) {
          all.count[t * nc + c] = s.count[t * own.size() + j];
          all.running[t * nc + c] = s.running[t * own.size() + j];
        }
      }
      all.located += s.located, all.without_time += s.without_time;
    }
    return all;
  };
}

void expect_same(const EmergingResult& a, const EmergingResult& b, const std::string& what) {
  EXPECT_TRUE(same_bits(a.count, b.count)) << what;
  EXPECT_TRUE(same_bits(a.gi_z, b.gi_z)) << what;
  EXPECT_TRUE(same_bits(a.gi_p, b.gi_p)) << what;
  EXPECT_EQ(a.category, b.category) << what;
  EXPECT_EQ(a.hot_steps, b.hot_steps) << what;
  EXPECT_EQ(a.cold_steps, b.cold_steps) << what;
  EXPECT_EQ(a.outside, b.outside) << what;
  EXPECT_EQ(a.without_time, b.without_time) << what;
  EXPECT_EQ(a.empty_steps, b.empty_steps) << what;
  ASSERT_EQ(a.gi_trend.size(), b.gi_trend.size());
  for (std::size_t c = 0; c < a.gi_trend.size(); ++c) {
    EXPECT_EQ(a.gi_trend[c].z, b.gi_trend[c].z) << what << " cell " << c;
    EXPECT_EQ(a.count_trend[c].z, b.count_trend[c].z) << what << " cell " << c;
  }
}

TEST(EmergingTiles, TilesOfCellsGiveEmergingsResult) {
  const EmergingCells cells = cells_with_overlaps();
  const std::size_t nc = cells.polygon.size();
  const Incidents3 in = incidents();
  std::mt19937_64 rng(3);
  for (double band : {100.0, 150.0}) {  // 100: the four nearest centres exactly at the band
    for (int window : {1, 2}) {
      EmergingOptions o;
      o.time_step = parse_time_step("1w");
      o.band_m = band, o.neighbourhood_time = window, o.threads = 2;
      for (bool weighted : {true, false}) {
        const std::vector<double> w = weighted ? in.w : std::vector<double>{};
        const EmergingResult whole = emerging(in.x, in.y, in.t, w, cells, o);
        ASSERT_GT(whole.outside, 0);
        ASSERT_GT(whole.without_time, 0);
        for (int n : {1, 3, 7, 16}) {
          std::vector<int> random_tile(nc), stripe(nc);
          std::uniform_int_distribution<int> pick(0, n - 1);
          for (std::size_t c = 0; c < nc; ++c) {
            random_tile[c] = pick(rng);
            stripe[c] = std::min(n - 1, static_cast<int>(cells.centroid[c].x / 800.0 * n));
          }
          const std::string what = "band " + std::to_string(band) + ", window " +
                                   std::to_string(window) + (weighted ? ", weighted, " : ", ") +
                                   std::to_string(n) + " tiles";
          expect_same(whole, emerging(in.x, in.y, in.t, w, cells, o, tiled(tiles_of(random_tile, n))),
                      what + " (random)");
          expect_same(whole, emerging(in.x, in.y, in.t, w, cells, o, tiled(tiles_of(stripe, n))),
                      what + " (stripes)");
        }
      }
    }
  }
}

TEST(EmergingTiles, HexagonsWithPointsOnEveryVertex) {
  // The emerging step's own cells (60 m hexagons over a square), incidents at random, on every
  // vertex (shared by three cells) and centre; the default band (1.5 cells).
  const std::vector<MultiPolygon> area = {
      {Polygon{{{0, 0}, {1200, 0}, {1200, 900}, {0, 900}, {0, 0}}, {}}}};
  const EmergingCells cells = emerging_cells(area, {CellShape::kHex, 60}, {}, {});
  std::mt19937_64 rng(21);
  std::uniform_real_distribution<double> ux(-50, 1250), uy(-50, 950), uw(0.25, 4.0);
  std::uniform_int_distribution<std::int64_t> ut(0, 200 * 86400);
  Incidents3 in;
  auto add = [&](double x, double y) {
    in.x.push_back(x), in.y.push_back(y), in.w.push_back(uw(rng));
    in.t.push_back(1'700'000'000 + ut(rng));
  };
  for (int i = 0; i < 6000; ++i) add(ux(rng), uy(rng));
  for (const auto& mp : cells.polygon)
    for (const auto& v : mp.front().shell) add(v.x, v.y);
  for (const auto& c : cells.centroid) add(c.x, c.y);
  EmergingOptions o;
  o.time_step = parse_time_step("1w");
  o.threads = 2;
  const std::size_t nc = cells.polygon.size();
  for (bool weighted : {false, true}) {
    const std::vector<double> w = weighted ? in.w : std::vector<double>{};
    const EmergingResult whole = emerging(in.x, in.y, in.t, w, cells, o);
    for (int n : {1, 4, 16}) {
      std::vector<int> stripe(nc);  // columns of cells: every tile edge cuts shared vertices
      for (std::size_t c = 0; c < nc; ++c)
        stripe[c] = std::clamp(static_cast<int>(cells.centroid[c].x / 1200.0 * n), 0, n - 1);
      expect_same(whole, emerging(in.x, in.y, in.t, w, cells, o, tiled(tiles_of(stripe, n))),
                  std::to_string(n) + (weighted ? " weighted" : "") + " stripes");
    }
  }
  // A hook whose sums do not fit the cube is a bug, not a result.
  const EmergingSumsFn wrong = [](std::span<const double>, std::span<const double>,
                                  std::span<const std::int32_t>, std::span<const double>,
                                  const EmergingCells&, std::size_t, double, int) {
    return EmergingSums{};
  };
  EXPECT_THROW(emerging(in.x, in.y, in.t, {}, cells, o, wrong), InternalError);
}

TEST(EmergingTiles, RefusesOwnedCellsOutOfOrderAndStepsOutOfRange) {
  const EmergingCells cells = cells_with_overlaps();
  const std::vector<double> x = {10, 20}, y = {10, 20};
  const std::vector<std::int32_t> step = {0, 1}, late = {0, 2};
  const std::vector<std::int32_t> ok = {0, 3}, unordered = {3, 0}, outside = {0, 99};
  EXPECT_NO_THROW(emerging_tile(x, y, step, {}, cells.polygon, cells.centroid, ok, 2, 150, 1, 1));
  EXPECT_THROW(emerging_tile(x, y, step, {}, cells.polygon, cells.centroid, unordered, 2, 150, 1, 1),
               InternalError);
  EXPECT_THROW(emerging_tile(x, y, step, {}, cells.polygon, cells.centroid, outside, 2, 150, 1, 1),
               InternalError);
  EXPECT_THROW(emerging_tile(x, y, late, {}, cells.polygon, cells.centroid, ok, 2, 150, 1, 1),
               InternalError);
  const EmergingSums none =
      emerging_tile(x, y, step, {}, cells.polygon, cells.centroid, {}, 2, 150, 1, 1);
  EXPECT_TRUE(none.count.empty() && none.running.empty() && none.located == 0);
}

}  // namespace
}  // namespace hotspot
