// The emerging cube's cells found tile by tile (hotspot/distribute.hpp), as hotspot.dask's workers
// find them: locate_cells on any subset of the points gives each the cell an index of every cell
// gives (the lowest-numbered holding it), points on shared edges and vertices included.
// emerging_tiles_test.cpp holds emerging() with its cube made by tiles of cells against itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "hotspot/distribute.hpp"
#include "hotspot/error.hpp"
#include "index/polygon_index.hpp"

namespace hotspot {
namespace {

struct Scene {
  EmergingCells cells;
  std::vector<double> x, y, w;
  std::vector<std::int64_t> t;
};

// 60 m hexagons over a 1.2 km × 0.9 km square; incidents at random, on every cell vertex (shared
// by three cells) and centre, and outside the square.
Scene scene() {
  Scene s;
  const std::vector<MultiPolygon> area = {
      {Polygon{{{0, 0}, {1200, 0}, {1200, 900}, {0, 900}, {0, 0}}, {}}}};
  s.cells = emerging_cells(area, {CellShape::kHex, 60}, {}, {});
  std::mt19937_64 rng(21);
  std::uniform_real_distribution<double> ux(-50, 1250), uy(-50, 950), uw(0.25, 4.0);
  std::uniform_int_distribution<std::int64_t> ut(0, 200 * 86400);
  auto add = [&](double x, double y) {
    s.x.push_back(x), s.y.push_back(y), s.w.push_back(uw(rng)),
        s.t.push_back(1'700'000'000 + ut(rng));
  };
  for (int i = 0; i < 6000; ++i) add(ux(rng), uy(rng));
  for (const auto& mp : s.cells.polygon)
    for (const auto& v : mp.front().shell) add(v.x, v.y);
  for (const auto& c : s.cells.centroid) add(c.x, c.y);
  return s;
}

// The points cut into `k` tiles by x (each tile in index order), located tile by tile.
std::vector<std::int32_t> by_tiles(const Scene& s, int k) {
  std::vector<std::size_t> order(s.x.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return s.x[a] < s.x[b]; });
  std::vector<std::int32_t> out(s.x.size(), -2);
  for (int t = 0; t < k; ++t) {
    const std::size_t a = order.size() * t / k, b = order.size() * (t + 1) / k;
    std::vector<std::size_t> own(order.begin() + static_cast<std::ptrdiff_t>(a),
                                 order.begin() + static_cast<std::ptrdiff_t>(b));
    std::sort(own.begin(), own.end());
    std::vector<double> x, y;
    for (auto i : own) x.push_back(s.x[i]), y.push_back(s.y[i]);
    const std::vector<std::int32_t> got = locate_cells(s.cells.polygon, x, y, 1);
    for (std::size_t j = 0; j < own.size(); ++j) out[own[j]] = got[j];
  }
  return out;
}

TEST(EmergingCells, TilesLocateAsAnIndexOfEveryCell) {
  const Scene s = scene();
  const PolygonIndex all(s.cells.polygon);
  std::vector<std::int32_t> want(s.x.size());
  for (std::size_t i = 0; i < s.x.size(); ++i) want[i] = all.locate({s.x[i], s.y[i]});
  EXPECT_GT(std::count(want.begin(), want.end(), -1), 0);  // some fall outside every cell
  EXPECT_EQ(locate_cells(s.cells.polygon, s.x, s.y, 2), want);
  for (int k : {1, 4, 16}) EXPECT_EQ(by_tiles(s, k), want) << k << " tiles";
  EXPECT_TRUE(locate_cells(s.cells.polygon, {}, {}, 1).empty());
}

}  // namespace
}  // namespace hotspot
