// The point-in-polygon index against its brute-force twin and against GEOS, on seeded random
// tessellations; and the shared-boundary rule.
#include "index/polygon_index.hpp"

#include <gtest/gtest.h>

#include <random>

#include "geom/geos.hpp"

namespace hotspot {
namespace {

// A jittered nx x ny grid of quads. Neighbours share vertices exactly, as real commune layers
// digitised from one topology do.
std::vector<MultiPolygon> jittered_grid(int nx, int ny, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> jitter(-0.3, 0.3);
  std::vector<std::vector<XY>> v(static_cast<std::size_t>(nx + 1), std::vector<XY>(static_cast<std::size_t>(ny + 1)));
  for (int i = 0; i <= nx; ++i)
    for (int j = 0; j <= ny; ++j) {
      bool edge = i == 0 || j == 0 || i == nx || j == ny;
      v[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] = {i + (edge ? 0 : jitter(rng)), j + (edge ? 0 : jitter(rng))};
    }
  std::vector<MultiPolygon> out;
  for (int i = 0; i < nx; ++i)
    for (int j = 0; j < ny; ++j) {
      auto at = [&](int a, int b) { return v[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)]; };
      Ring r = {at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1), at(i, j)};
      out.push_back({Polygon{r, {}}});
    }
  return out;
}

TEST(PolygonIndex, MatchesBruteForceTwinOnRandomPoints) {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    auto polys = jittered_grid(30, 20, seed);
    PolygonIndex index(polys);
    std::mt19937_64 rng(seed * 7);
    std::uniform_real_distribution<double> ux(-1, 31), uy(-1, 21);
    for (int k = 0; k < 20000; ++k) {
      XY p{ux(rng), uy(rng)};
      ASSERT_EQ(index.locate(p), locate_brute_force(polys, p)) << p.x << "," << p.y;
    }
  }
}

TEST(PolygonIndex, AgreesWithGeosAwayFromBoundaries) {
  auto polys = jittered_grid(12, 9, 42);
  PolygonIndex index(polys);
  Geos geos;
  std::vector<Geom> g;
  for (const auto& p : polys) g.push_back(geos.from(p));
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> ux(-0.5, 12.5), uy(-0.5, 9.5);
  GEOSContextHandle_t ctx = geos.ctx();
  for (int k = 0; k < 3000; ++k) {
    XY p{ux(rng), uy(rng)};
    Geom pt(ctx, GEOSGeom_createPointFromXY_r(ctx, p.x, p.y));
    std::int32_t expected = -1;
    for (std::size_t i = 0; i < g.size(); ++i) {
      if (GEOSContains_r(ctx, g[i].get(), pt.get()) == 1) expected = static_cast<std::int32_t>(i);
    }
    ASSERT_EQ(index.locate(p), expected) << p.x << "," << p.y;
  }
}

TEST(PolygonIndex, PointsOnSharedEdgesAndVerticesCountExactlyOnce) {
  auto polys = jittered_grid(10, 10, 9);
  PolygonIndex index(polys);
  std::vector<std::int32_t> hits;
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> t(0, 1);
  int tested = 0;
  for (const auto& mp : polys) {
    const Ring& r = mp[0].shell;
    for (std::size_t e = 0; e + 1 < r.size(); ++e) {
      XY a = r[e], b = r[e + 1];
      // The vertex itself, and points along the edge (exact on it up to rounding of the lerp).
      for (XY p : {a, XY{a.x + (b.x - a.x) * 0.5, a.y + (b.y - a.y) * 0.5},
                   XY{a.x + (b.x - a.x) * t(rng), a.y + (b.y - a.y) * t(rng)}}) {
        bool interior = p.x > 0 && p.x < 10 && p.y > 0 && p.y < 10;
        if (!interior) continue;
        index.locate_all(p, hits);
        EXPECT_EQ(hits.size(), 1u) << p.x << "," << p.y;
        ++tested;
      }
    }
  }
  EXPECT_GT(tested, 300);
}

TEST(PolygonIndex, AxisAlignedSharedEdgeGoesToOneSideDeterministically) {
  std::vector<MultiPolygon> polys = {
      {Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}, {}}},
      {Polygon{{{1, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 0}}, {}}},
      {Polygon{{{0, 1}, {2, 1}, {2, 2}, {0, 2}, {0, 1}}, {}}},
  };
  PolygonIndex index(polys);
  EXPECT_EQ(index.locate({1, 0.5}), 1);   // vertical shared edge: the polygon to the right
  EXPECT_EQ(index.locate({0.5, 1}), 2);   // horizontal shared edge: the polygon above
  EXPECT_EQ(index.locate({1, 1}), 2);     // a vertex shared by all three
  EXPECT_EQ(index.locate({0, 0.5}), 0);   // outer boundary, left side: inside
  EXPECT_EQ(index.locate({2, 0.5}), -1);  // outer boundary, right side: outside
}

TEST(PolygonIndex, HolesAndMultiPolygons) {
  Polygon with_hole{{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}, {{{4, 4}, {6, 4}, {6, 6}, {4, 6}, {4, 4}}}};
  Polygon island{{{4.5, 4.5}, {5.5, 4.5}, {5.5, 5.5}, {4.5, 5.5}, {4.5, 4.5}}, {}};
  std::vector<MultiPolygon> polys = {{with_hole}, {island, Polygon{{{20, 20}, {21, 20}, {21, 21}, {20, 20}}, {}}}};
  PolygonIndex index(polys);
  EXPECT_EQ(index.locate({1, 1}), 0);
  EXPECT_EQ(index.locate({4.2, 5}), -1);  // in the hole
  EXPECT_EQ(index.locate({5, 5}), 1);     // on the island in the hole
  EXPECT_EQ(index.locate({20.7, 20.2}), 1);
  EXPECT_EQ(index.locate({50, 50}), -1);
}

TEST(PolygonIndex, EmptyInputs) {
  PolygonIndex none({});
  EXPECT_EQ(none.locate({0, 0}), -1);
  PolygonIndex degenerate({MultiPolygon{}});
  EXPECT_EQ(degenerate.locate({0, 0}), -1);
}

}  // namespace
}  // namespace hotspot
