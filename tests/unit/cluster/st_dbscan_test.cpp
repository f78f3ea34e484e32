// ST-DBSCAN against a brute-force oracle on seeded data, and cluster footprints (valid, covering,
// as from a MultiPoint).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "cluster/concave_hull.hpp"
#include "geom/geos.hpp"
#include "hotspot/cluster.hpp"
#include "hotspot/error.hpp"
#include "hotspot/ingest.hpp"
#include "unit/cluster/cluster_support.hpp"

namespace hotspot {
namespace {

// Oracle: O(n^2) from the definition; the same border rule (nearest core neighbour in space,
// ties to the lower index) and numbering (size descending, then smallest index).
std::vector<std::int32_t> brute_st(const std::vector<double>& x, const std::vector<double>& y,
                                   const std::vector<std::int64_t>& t, double eps, std::int64_t et,
                                   int mp, std::vector<std::uint8_t>& core) {
  const std::size_t n = x.size();
  auto nb = [&](std::size_t i, std::size_t j) {
    const double dx = x[i] - x[j], dy = y[i] - y[j];
    return dx * dx + dy * dy <= eps * eps && std::llabs(t[i] - t[j]) <= et;
  };
  core.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    int c = 0;
    for (std::size_t j = 0; j < n; ++j) c += nb(i, j);
    core[i] = c >= mp;
  }
  std::vector<std::int64_t> raw(n, -1);
  for (std::size_t i = 0; i < n; ++i) {
    if (!core[i] || raw[i] >= 0) continue;
    std::vector<std::size_t> todo{i};
    raw[i] = static_cast<std::int64_t>(i);
    while (!todo.empty()) {
      auto a = todo.back();
      todo.pop_back();
      for (std::size_t b = 0; b < n; ++b)
        if (core[b] && raw[b] < 0 && nb(a, b)) {
          raw[b] = static_cast<std::int64_t>(i);
          todo.push_back(b);
        }
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (core[i]) continue;
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < n; ++j) {
      if (!core[j] || !nb(i, j)) continue;
      const double dx = x[i] - x[j], dy = y[i] - y[j], d2 = dx * dx + dy * dy;
      if (d2 < best) {
        best = d2;
        raw[i] = raw[j];
      }
    }
  }
  std::map<std::int64_t, std::pair<std::int64_t, std::size_t>> g;
  for (std::size_t i = 0; i < n; ++i)
    if (raw[i] >= 0) ++g.try_emplace(raw[i], 0, i).first->second.first;
  std::vector<std::pair<std::pair<std::int64_t, std::size_t>, std::int64_t>> order;
  for (const auto& [k, v] : g) order.push_back({{-v.first, v.second}, k});
  std::sort(order.begin(), order.end());
  std::map<std::int64_t, std::int32_t> id;
  for (std::size_t r = 0; r < order.size(); ++r) id[order[r].second] = static_cast<std::int32_t>(r);
  std::vector<std::int32_t> out(n, -1);
  for (std::size_t i = 0; i < n; ++i)
    if (raw[i] >= 0) out[i] = id[raw[i]];
  return out;
}

TEST(StDbscan, MatchesBruteForceOnSeededData) {
  for (std::uint32_t seed : {7u, 8u}) {
    std::vector<double> x, y;
    test::seeded_points(seed, 1600, x, y);
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<std::int64_t> day(0, 30 * 86400);
    std::vector<std::int64_t> t(x.size());
    for (auto& v : t) v = 1700000000 + (day(rng) / 3600) * 3600;  // whole hours: exact time ties
    for (double eps : {1.0, 3.0}) {
      for (std::int64_t et : {std::int64_t{3600}, std::int64_t{3 * 86400}}) {
        for (int mp : {2, 6}) {
          std::vector<std::uint8_t> core;
          auto expect = brute_st(x, y, t, eps, et, mp, core);
          for (int th : {1, 2}) {
            Clustering c = st_dbscan(x, y, t, {eps, et, mp, th});
            ASSERT_EQ(c.label, expect)
                << "seed " << seed << " eps " << eps << " et " << et << " mp " << mp;
            ASSERT_EQ(c.core, core);
          }
        }
      }
    }
  }
}

TEST(StDbscan, TimeSeparatesWhatSpaceJoins) {
  // Two stacks at the same place, 10 days apart: one DBSCAN cluster, two ST-DBSCAN clusters.
  std::vector<double> x(20, 0.0), y(20, 0.0);
  std::vector<std::int64_t> t(20);
  for (int i = 0; i < 20; ++i) t[static_cast<std::size_t>(i)] = i < 10 ? i * 60 : 864000 + i * 60;
  EXPECT_EQ(dbscan(x, y, {1.0, 5, 1}).clusters(), 1);
  Clustering c = st_dbscan(x, y, t, {1.0, 3600, 5, 1});
  EXPECT_EQ(c.clusters(), 2);
  EXPECT_NE(c.label[0], c.label[19]);
  t[3] = kNoTime;
  EXPECT_THROW(st_dbscan(x, y, t, {1.0, 3600, 5, 1}), UsageError);
}

TEST(Footprints, ValidAndCoverTheirMembers) {
  std::vector<double> x, y;
  test::seeded_points(11, 3000, x, y);
  // A collinear cluster and a single-location cluster (hulls that are not areas).
  for (int i = 0; i < 10; ++i) {
    x.push_back(500 + i * 0.5);
    y.push_back(500);
    x.push_back(800);
    y.push_back(800);
  }
  Clustering c = dbscan(x, y, {1.5, 4, 2});
  ASSERT_GT(c.clusters(), 3);
  Geos geos;
  for (HullKind kind : {HullKind::kConvex, HullKind::kConcave}) {
    auto fps = cluster_footprints(x, y, c.label, c.clusters(), kind, 0.3, 2);
    ASSERT_EQ(fps.size(), static_cast<std::size_t>(c.clusters()));
    std::size_t buffered = 0;
    for (std::size_t k = 0; k < fps.size(); ++k) {
      Geom g = geos.from(fps[k].geom);
      std::string why;
      ASSERT_TRUE(geos.is_valid(g.get(), &why)) << "cluster " << k << ": " << why;
      EXPECT_GT(fps[k].area, 0);
      EXPECT_NEAR(fps[k].area, geos.area(g.get()), 1e-9 * fps[k].area);
      buffered += fps[k].buffered;
      std::vector<XY> members;
      for (std::size_t i = 0; i < x.size(); ++i)
        if (c.label[i] == static_cast<std::int32_t>(k)) members.push_back({x[i], y[i]});
      Geom mp = geos.multipoint(members);
      EXPECT_TRUE(geos.covers(g.get(), mp.get()))
          << "cluster " << k << " kind " << static_cast<int>(kind);
    }
    EXPECT_GE(buffered, 2u);
  }
}

// The clusters are handed to threads as they come free: the footprints must not depend on which
// thread drew which cluster, nor on the thread count (single points, pairs, duplicates and
// collinear clusters among them).
TEST(Footprints, SameWithAnyThreadCount) {
  std::vector<double> x, y;
  test::seeded_points(23, 4000, x, y);
  for (int i = 0; i < 12; ++i) {
    x.push_back(300 + i * 0.25), y.push_back(300 + i * 0.5);  // collinear
    x.push_back(900), y.push_back(900);                       // one place
  }
  Clustering c = dbscan(x, y, {2.0, 3, 2});
  ASSERT_GT(c.clusters(), 10);
  std::vector<std::int32_t> label = c.label;
  // Clusters of one and two members, which DBSCAN with these settings does not make.
  const std::int32_t k = c.clusters();
  label[0] = k, label[1] = k + 1, label[2] = k + 1;
  for (HullKind kind : {HullKind::kConvex, HullKind::kConcave}) {
    const auto one = cluster_footprints(x, y, label, k + 2, kind, 0.3, 1);
    for (int threads : {2, 3, 8}) {
      const auto many = cluster_footprints(x, y, label, k + 2, kind, 0.3, threads);
      ASSERT_EQ(many.size(), one.size());
      for (std::size_t j = 0; j < one.size(); ++j) {
        EXPECT_EQ(many[j].area, one[j].area) << j;
        EXPECT_EQ(many[j].buffered, one[j].buffered) << j;
        ASSERT_EQ(many[j].geom.size(), one[j].geom.size()) << j;
        for (std::size_t p = 0; p < one[j].geom.size(); ++p) {
          const Ring &a = many[j].geom[p].shell, &b = one[j].geom[p].shell;
          ASSERT_EQ(a.size(), b.size()) << j;
          for (std::size_t v = 0; v < a.size(); ++v) EXPECT_TRUE(a[v].x == b[v].x && a[v].y == b[v].y) << j;
        }
      }
    }
  }
}

// The concave hull is given each cluster's members as one LineString (footprint.cpp says why that
// cannot change it): the footprints equal GEOS's hulls of a MultiPoint of the members, started at
// their smallest vertex, exactly, with duplicates, collinear members, one place, and clusters of
// one and two members.
TEST(Footprints, ConcaveHullAsFromAMultiPoint) {
  std::vector<double> x, y;
  test::seeded_points(31, 3000, x, y);
  for (int i = 0; i < 300; ++i) x.push_back(x[static_cast<std::size_t>(i)]), y.push_back(y[static_cast<std::size_t>(i)]);
  for (int i = 0; i < 12; ++i) {
    x.push_back(300 + i * 0.25), y.push_back(300 + i * 0.5);  // collinear
    x.push_back(900), y.push_back(900);                       // one place
  }
  x.push_back(950), y.push_back(950), x.push_back(950), y.push_back(950);  // a pair at one place
  Clustering c = dbscan(x, y, {2.0, 3, 2});
  ASSERT_GT(c.clusters(), 10);
  std::vector<std::int32_t> label = c.label;
  const std::int32_t k = c.clusters();
  const std::size_t n = x.size();
  label[0] = k, label[1] = k + 1, label[2] = k + 1, label[n - 1] = k + 2, label[n - 2] = k + 2;
  const auto got = cluster_footprints(x, y, label, k + 3, HullKind::kConcave, 0.3, 2);
  ASSERT_EQ(got.size(), static_cast<std::size_t>(k + 3));
  Geos geos;
  std::size_t buffered = 0;
  for (std::int32_t c0 = 0; c0 < k + 3; ++c0) {
    std::vector<XY> pts;
    for (std::size_t i = 0; i < n; ++i)
      if (label[i] == c0) pts.push_back({x[i], y[i]});
    Geom h = geos.concave_hull(geos.multipoint(pts).get(), 0.3);
    MultiPolygon want = geos.to_multipolygon(h.get());
    double area = want.empty() ? 0.0 : geos.area(h.get());
    if (want.size() == 1 && want[0].holes.empty()) {  // started at its smallest vertex
      cluster_detail::start_at_smallest(want[0].shell);
      area = geos.area(geos.from(want).get());
    }
    if (want.empty() || !(area > 0)) {
      Box b;
      for (const auto& p : pts) b.expand(p);
      Geom buf = geos.buffer(h.get(), std::max(0.5, 0.01 * std::hypot(b.xmax - b.xmin, b.ymax - b.ymin)));
      want = geos.to_multipolygon(buf.get());
      area = geos.area(buf.get());
      ++buffered;
    }
    const Footprint& f = got[static_cast<std::size_t>(c0)];
    EXPECT_EQ(f.area, area) << c0;
    ASSERT_EQ(f.geom.size(), want.size()) << c0;
    for (std::size_t p = 0; p < want.size(); ++p) {
      ASSERT_EQ(f.geom[p].holes.size(), want[p].holes.size()) << c0;
      const Ring &a = f.geom[p].shell, &b = want[p].shell;
      ASSERT_EQ(a.size(), b.size()) << c0;
      for (std::size_t v = 0; v < a.size(); ++v) EXPECT_TRUE(a[v].x == b[v].x && a[v].y == b[v].y) << c0;
    }
  }
  EXPECT_GE(buffered, 4u);  // collinear, one place, one member, the pair
}

}  // namespace
}  // namespace hotspot
