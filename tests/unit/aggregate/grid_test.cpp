// Generated grids: cell geometry, clipping, and counts against a brute-force point-in-polygon.
#include "aggregate/grid.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "weights/weights.hpp"

namespace hotspot {
namespace {

MultiPolygon disc(double r, int n) {
  Ring ring;
  for (int k = 0; k < n; ++k)
    ring.push_back({r * std::cos(2 * M_PI * k / n), r * std::sin(2 * M_PI * k / n)});
  ring.push_back(ring.front());
  return {{ring, {}}};
}

TEST(Grid, CountsEqualBruteForceAndEveryIncidentIsAccounted) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(-1200, 1200);
  std::vector<double> x, y;
  for (int i = 0; i < 20000; ++i) x.push_back(u(rng)), y.push_back(u(rng));
  MultiPolygon area = disc(1000, 90);
  area[0].holes.push_back({{-100, -100}, {-100, 100}, {100, 100}, {100, -100}, {-100, -100}});
  for (auto shape : {CellShape::kHex, CellShape::kSquare}) {
    CellGrid g = make_grid(area, {shape, 97}, x, y, {});
    double total = 0;
    for (double c : g.count) total += c;
    EXPECT_EQ(static_cast<std::int64_t>(total) + g.outside, 20000);
    // Brute force: each incident in the study area belongs to exactly one cell.
    std::vector<double> brute(g.cells.size(), 0);
    std::int64_t outside = 0;
    for (std::size_t k = 0; k < x.size(); ++k) {
      XY p{x[k], y[k]};
      if (!point_in(area, p)) {
        ++outside;
        continue;
      }
      int hits = 0;
      for (std::size_t c = 0; c < g.cells.size(); ++c)
        if (point_in(g.cells[c], p)) brute[c] += 1, ++hits;
      EXPECT_LE(hits, 1);  // random doubles never land on a shared edge
    }
    EXPECT_EQ(g.count, brute);
    EXPECT_EQ(g.outside, outside);
  }
}

TEST(Grid, HexagonsTileWithSixRookNeighboursSquaresWithFourOrEight) {
  MultiPolygon big{{Ring{{0, 0}, {5000, 0}, {5000, 5000}, {0, 5000}, {0, 0}}, {}}};
  CellGrid h = make_grid(big, {CellShape::kHex, 250}, {}, {}, {});
  auto rook = contiguity_weights(h.cells, Contiguity::kRook, 1e-6);
  auto queen = contiguity_weights(h.cells, Contiguity::kQueen, 1e-6);
  std::size_t interior = 0;
  for (std::size_t i = 0; i < h.cells.size(); ++i) {
    if (h.clipped[i]) continue;
    XY c = h.centroid[i];
    if (c.x < 600 || c.x > 4400 || c.y < 600 || c.y > 4400) continue;
    ++interior;
    EXPECT_EQ(rook.cardinality(i), 6u);
    EXPECT_EQ(queen.cardinality(i), 6u);
  }
  EXPECT_GT(interior, 200u);
  // Hexagon area √3/2·s², so the tiling covers the square exactly.
  double area = 0;
  for (const auto& c : h.cells)
    for (const auto& p : c) {
      double s = 0;
      for (std::size_t k = 0; k + 1 < p.shell.size(); ++k)
        s += p.shell[k].x * p.shell[k + 1].y - p.shell[k + 1].x * p.shell[k].y;
      area += std::fabs(s) / 2;
    }
  EXPECT_NEAR(area, 25e6, 1e-3);
  CellGrid s = make_grid(big, {CellShape::kSquare, 500}, {}, {}, {});
  EXPECT_EQ(s.cells.size(), 100u);
  EXPECT_EQ(contiguity_weights(s.cells, Contiguity::kRook, 1e-6).cardinality(55), 4u);
  EXPECT_EQ(contiguity_weights(s.cells, Contiguity::kQueen, 1e-6).cardinality(55), 8u);
}

TEST(Grid, AutoSizeKeepsCellCountInRange) {
  double a = 1e8;
  double s = auto_cell_size(a, 50000, CellShape::kHex);
  EXPECT_NEAR(a / (std::sqrt(3.0) / 2 * s * s), 5000, 1e-6);  // 10 incidents per cell on average
  EXPECT_NEAR(
      a / (auto_cell_size(a, 10, CellShape::kSquare) * auto_cell_size(a, 10, CellShape::kSquare)),
      100, 1e-6);
  EXPECT_NEAR(a / std::pow(auto_cell_size(a, 100000000, CellShape::kSquare), 2), 100000, 1e-3);
}

}  // namespace
}  // namespace hotspot
