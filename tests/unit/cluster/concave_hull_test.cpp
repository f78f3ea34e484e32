// cluster_detail::concave_hull_ring against GEOS 3.11's own concave hull (GEOSConcaveHull_r, no
// holes), vertex for vertex after both rings are started at their smallest vertex: on uniform,
// clustered, elongated, rounded and gridded sets, at working-CRS magnitudes, for several ratios.
// Where it declines (concave_hull.hpp says when), footprints come from GEOS; the tests count the
// declines so that the fast path is known to be taken on ordinary data.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "cluster/concave_hull.hpp"
#include "geom/geos.hpp"
#include "hotspot/cluster.hpp"

namespace hotspot {
namespace {

using cluster_detail::concave_hull_ring;
using cluster_detail::start_at_smallest;

// GEOS's hull, started at its smallest vertex; empty when it is not one polygon without holes.
Ring geos_ring(const std::vector<XY>& pts, double ratio) {
  Geos geos;
  Geom h = geos.concave_hull(geos.multipoint(pts).get(), ratio);
  MultiPolygon mp = geos.to_multipolygon(h.get());
  if (mp.size() != 1 || !mp[0].holes.empty()) return {};
  start_at_smallest(mp[0].shell);
  return mp[0].shell;
}

// Compares on one set: true when the fast path answered (and then equal to GEOS).
bool same_as_geos(const std::vector<XY>& pts, double ratio, const std::string& what) {
  const auto got = concave_hull_ring(pts, ratio);
  if (!got) return false;
  const Ring want = geos_ring(pts, ratio);
  EXPECT_EQ(got->size(), want.size()) << what << " ratio " << ratio;
  if (got->size() != want.size()) return true;
  std::size_t differ = 0;
  for (std::size_t i = 0; i < want.size(); ++i)
    differ += !((*got)[i].x == want[i].x && (*got)[i].y == want[i].y);
  EXPECT_EQ(differ, 0u) << what << " ratio " << ratio;
  return true;
}

std::vector<XY> uniform(unsigned seed, std::size_t n, double x0, double y0, double w, double h) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> ux(x0, x0 + w), uy(y0, y0 + h);
  std::vector<XY> p(n);
  for (auto& q : p) q = {ux(rng), uy(rng)};
  return p;
}

// Gaussian blobs of different sizes, as DBSCAN's chained clusters look.
std::vector<XY> blobs(unsigned seed, std::size_t n, double x0, double y0) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> centre(0, 3000), spread(20, 300);
  std::vector<XY> p;
  while (p.size() < n) {
    const double cx = x0 + centre(rng), cy = y0 + centre(rng), s = spread(rng);
    std::normal_distribution<double> gx(cx, s), gy(cy, s);
    for (int i = 0; i < 400 && p.size() < n; ++i) p.push_back({gx(rng), gy(rng)});
  }
  return p;
}

// Members along a winding road, a few metres either side.
std::vector<XY> road(unsigned seed, std::size_t n, double x0, double y0) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> s(0, 1), side(-15, 15);
  std::vector<XY> p(n);
  for (auto& q : p) {
    const double t = s(rng) * 4000;
    q = {x0 + t + side(rng), y0 + 400 * std::sin(t / 500) + side(rng)};
  }
  return p;
}

TEST(ConcaveHull, SameAsGeosOnRandomSets) {
  const double ratios[] = {0.0, 0.05, 0.3, 0.7, 1.0};
  int answered = 0, asked = 0;
  for (unsigned seed = 1; seed <= 6; ++seed) {
    const std::size_t n = 1000 + 1500 * seed;
    const std::vector<std::pair<std::string, std::vector<XY>>> sets = {
        {"uniform", uniform(seed, n, 0, 0, 1000, 600)},
        {"uniform, UTM 48N magnitudes", uniform(seed, n, 580000, 2300000, 3000, 2000)},
        {"blobs", blobs(seed, n, 580000, 2300000)},
        {"road", road(seed, n, 580000, 2300000)}};
    for (const auto& [what, pts] : sets)
      for (double r : ratios) {
        ++asked;
        answered += same_as_geos(pts, r, what + " seed " + std::to_string(seed));
      }
  }
  // Float coordinates almost never tie: the fast path answers nearly always.
  EXPECT_GE(answered, asked * 9 / 10) << answered << " of " << asked;
}

// Geocoders round: coordinates on a 0.1 m or 1 m grid, with repeats. Near-ties are declined;
// whatever is answered equals GEOS.
TEST(ConcaveHull, SameAsGeosOnRoundedAndRepeatedSets) {
  int answered = 0;
  for (unsigned seed = 1; seed <= 4; ++seed) {
    for (double step : {0.1, 1.0, 10.0}) {
      std::vector<XY> pts = blobs(seed, 4000, 580000, 2300000);
      for (auto& p : pts) p = {std::round(p.x / step) * step, std::round(p.y / step) * step};
      for (std::size_t i = 0; i < 500; ++i) pts.push_back(pts[i * 3]);
      for (double r : {0.1, 0.3})
        answered += same_as_geos(pts, r, "rounded to " + std::to_string(step) + " seed " + std::to_string(seed));
    }
  }
  EXPECT_GT(answered, 0);
}

// Members on straight sides (a fence, a road's edge: collinear hull vertices), and two blobs far
// apart joined by a thin bridge of members (the erosion must not cut it): equal where answered.
TEST(ConcaveHull, SameAsGeosWithStraightSidesAndBridges) {
  int fences = 0, bridges = 0;
  for (unsigned seed = 1; seed <= 3; ++seed) {
    std::vector<XY> fence = uniform(seed, 3000, 580000, 2300000, 2000, 1000);
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    for (int i = 0; i < 300; ++i) {
      fence.push_back({580000 + 2000 * u(rng), 2300000.0});
      fence.push_back({580000.0, 2300000 + 1000 * u(rng)});
    }
    std::vector<XY> bridge = blobs(seed, 3000, 580000, 2300000);
    for (const auto& p : blobs(seed + 50, 3000, 600000, 2300000)) bridge.push_back(p);
    for (int i = 0; i < 400; ++i) bridge.push_back({582000 + 18000 * u(rng), 2301500 + 5 * u(rng)});
    for (double r : {0.0, 0.1, 0.3, 0.9}) {
      fences += same_as_geos(fence, r, "fence seed " + std::to_string(seed));
      bridges += same_as_geos(bridge, r, "bridge seed " + std::to_string(seed));
    }
  }
  std::printf("answered: %d of 12 fences, %d of 12 bridges\n", fences, bridges);
  EXPECT_GT(fences + bridges, 0);  // not a test of the declines alone
}

// A perfect grid is all ties (four sites on a circle everywhere): declined, never wrong.
TEST(ConcaveHull, DeclinesAGrid) {
  std::vector<XY> pts;
  for (int i = 0; i < 60; ++i)
    for (int j = 0; j < 40; ++j) pts.push_back({580000.0 + 10 * i, 2300000.0 + 10 * j});
  EXPECT_FALSE(concave_hull_ring(pts, 0.3));
  std::vector<XY> line;
  for (int i = 0; i < 2000; ++i) line.push_back({1.0 * i, 2.0 * i});
  EXPECT_FALSE(concave_hull_ring(line, 0.3));
  EXPECT_FALSE(concave_hull_ring({{0, 0}, {1, 1}, {0, 0}}, 0.3));
}

TEST(ConcaveHull, StartsAtTheSmallestVertex) {
  Ring r = {{3, 1}, {1, 5}, {1, 2}, {4, 4}, {3, 1}};
  start_at_smallest(r);
  const Ring want = {{1, 2}, {4, 4}, {3, 1}, {1, 5}, {1, 2}};
  ASSERT_EQ(r.size(), want.size());
  for (std::size_t i = 0; i < r.size(); ++i) EXPECT_TRUE(r[i].x == want[i].x && r[i].y == want[i].y) << i;
}

// Through cluster_footprints: a cluster above the fast path's size and small ones, with their
// areas, equal GEOS's rings started at their smallest vertex.
TEST(ConcaveHull, FootprintsUseIt) {
  std::vector<XY> big = blobs(9, 20000, 580000, 2300000);
  std::vector<double> x, y;
  std::vector<std::int32_t> label;
  for (const auto& p : big) x.push_back(p.x), y.push_back(p.y), label.push_back(0);
  for (const auto& p : uniform(10, 200, 590000, 2310000, 300, 300)) x.push_back(p.x), y.push_back(p.y), label.push_back(1);
  const auto fps = cluster_footprints(x, y, label, 2, HullKind::kConcave, 0.3, 2);
  ASSERT_EQ(fps.size(), 2u);
  Geos geos;
  for (std::int32_t c = 0; c < 2; ++c) {
    std::vector<XY> pts;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (label[i] == c) pts.push_back({x[i], y[i]});
    const Ring want = geos_ring(pts, 0.3);
    ASSERT_EQ(fps[static_cast<std::size_t>(c)].geom.size(), 1u);
    const Ring& got = fps[static_cast<std::size_t>(c)].geom[0].shell;
    ASSERT_EQ(got.size(), want.size()) << c;
    for (std::size_t i = 0; i < want.size(); ++i) EXPECT_TRUE(got[i].x == want[i].x && got[i].y == want[i].y) << c;
    MultiPolygon mp{Polygon{want, {}}};
    EXPECT_EQ(fps[static_cast<std::size_t>(c)].area, geos.area(geos.from(mp).get())) << c;
  }
  EXPECT_TRUE(concave_hull_ring(big, 0.3)) << "the large cluster took the fast path";
}

}  // namespace
}  // namespace hotspot
